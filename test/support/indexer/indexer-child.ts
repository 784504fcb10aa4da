/**
 * An indexer in a process of its own, so tests can kill -9 it. Configured by environment:
 * CHILD_RPC_URL, CHILD_DEPLOYMENT (JSON), CHILD_PGLITE_DIR or CHILD_DATABASE_URL + CHILD_SCHEMA,
 * CHILD_FINALITY_DEPTH, CHILD_TARGET_LOGS. Prints "started" once indexing runs, "block <n>" after each commit, and "caught-up <block>"
 * when it reaches the head; SIGTERM stops it cleanly.
 */
import { deploymentSchema } from "../../../services/chain/deployments";
import { createIndexerMetrics, startIndexer } from "../../../services/indexer";
import { deployedModules, quietLog } from "./harness";

async function main(): Promise<void> {
  const env = process.env;
  const deployment = deploymentSchema.parse(JSON.parse(env.CHILD_DEPLOYMENT!));
  const indexer = await startIndexer({
    rpcUrl: env.CHILD_RPC_URL!,
    deployment,
    contracts: deployedModules(deployment),
    databaseUrl: env.CHILD_DATABASE_URL || undefined,
    schema: env.CHILD_SCHEMA || undefined,
    pgliteDir: env.CHILD_PGLITE_DIR || null,
    finalityDepth: Number(env.CHILD_FINALITY_DEPTH ?? 64),
    targetLogsPerRange: Number(env.CHILD_TARGET_LOGS ?? 10_000),
    pollMs: 25,
    metrics: createIndexerMetrics(),
    log: quietLog,
    swarm: false,
  });
  process.stdout.write("started\n");
  // One line per committed block (per range during the final-block backfill): kill points for tests.
  indexer.events.on("block", (block) => process.stdout.write(`block ${block.number}\n`));
  const timer = setInterval(() => {
    const status = indexer.status();
    if (!status.backfilling && status.indexedBlock) {
      process.stdout.write(`caught-up ${status.indexedBlock.number}\n`);
      clearInterval(timer);
    }
  }, 20);
  process.once("SIGTERM", () => {
    clearInterval(timer);
    void indexer.stop().then(() => process.exit(0));
  });
}

// `npm test` loads every file under test/, this one included: only run when spawned as a script.
if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`${(error as Error).stack}\n`);
    process.exit(1);
  });
}
