/**
 * `npm run indexer`: the indexer and the GraphQL API alone, against the chain and database the
 * environment names (NETWORK with its RPC URL and deployments/<NETWORK>.json, DATABASE_URL or the
 * PGlite directory). This is the long-running service of a real deployment; `npm start` runs the
 * same code next to a dev chain and a dev Swarm node.
 *
 * The npm script runs the compiled JavaScript in dist/ (`preindexer` builds it): under ts-node the
 * TypeScript compiler would sit in the service's heap (~85 MB RSS) and slow every collection.
 * Its Node flags bound the old generation (192 MB) and start it at 96 MB: a bound alone makes V8
 * begin with a tiny limit and mark-compact ~5x as often. bench:indexer measures its phases with the
 * same build and the same Node flags.
 */
import { ConfigError, loadConfig } from "../services/config";
import { Shutdown } from "../services/process/shutdown";
import { logger } from "../services/log";
import { startIndexerAndApi } from "./lib/indexer-and-api";

const log = logger("indexer-service");

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : `configuration: ${(error as Error).message}`);
    process.exit(2);
  }
  const shutdown = new Shutdown(log);
  shutdown.exitOnSignals();
  shutdown.exitWithParent();
  try {
    // GraphiQL and introspection only on a local chain.
    const dev = config.NETWORK === "hardhat" || config.NETWORK === "localhost";
    const api = await startIndexerAndApi(config, shutdown, { dev });
    console.log(`Lure indexer for ${config.NETWORK}: GraphQL at ${api.url}/graphql`);
  } catch (error) {
    log.error({ err: error }, "indexer start failed");
    console.error(`Lure indexer could not start: ${(error as Error).message}`);
    await shutdown.run();
    process.exit(1);
  }
}

void main();
