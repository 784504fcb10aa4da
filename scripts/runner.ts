/**
 * `npm run runner`: one runner against the chain, Bee node and account the environment names
 * (NETWORK, BEE_URL, RUNNER_PRIVATE_KEY or RUNNER_KEYSTORE; see docs/runs.md). It claims the runs
 * it can serve, executes them in the local sandbox, and settles them on chain, until Ctrl-C; killed
 * at any point, it resumes what it had claimed when started again.
 */
import { ConfigError, loadConfig } from "../services/config";
import { logger } from "../services/log";
import { Shutdown } from "../services/process/shutdown";

const log = logger("runner-service");

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
    const { createRunner } = await import("../services/runner");
    const runner = await createRunner({ config });
    await runner.start();
    shutdown.add("runner", () => runner.stop());
    console.log(`Lure runner ${runner.address} on ${config.NETWORK}: following run requests (Ctrl-C stops)`);
    // `npm start` waits for this before it says the devnet is ready.
    process.send?.({ ready: true, address: runner.address });
  } catch (error) {
    log.error({ err: error }, "runner start failed");
    console.error(`Lure runner could not start: ${(error as Error).message}`);
    await shutdown.run();
    process.exit(1);
  }
}

void main();
