import { loadConfig, rpcUrlFor, type LureConfig } from "../config";
import { readDeployment, type DeployedContract, type Deployment } from "../chain/deployments";
import { RpcClient } from "../chain/rpc";
import { logger, type Logger } from "../log";
import { migrate, openDatabase, type Database } from "../database";
import { CONTRACT_MODULES } from "./contracts";
import type { ContentSource, RegisteredContract, StopModule } from "./contracts/module";
import { IndexerEvents } from "./events";
import { finalityDepthFor } from "./finality";
import { IndexerLoop, type IndexerStatus } from "./indexer";
import { indexerMetrics, type IndexerMetrics } from "./metrics";
import { indexedSchema } from "./schema";
import { rebuildDeferredIndexesBeforeMigrations } from "./deferred-indexes";

export type { IndexerEventMap } from "./events";
export { createIndexerMetrics, indexerMetrics } from "./metrics";

export interface Indexer {
  readonly db: Database;
  readonly events: IndexerEvents;
  status(): IndexerStatus;
  /** Stops polling, waits for the step in flight, closes the database if the indexer opened it. */
  stop(): Promise<void>;
}

export interface StartIndexerOptions {
  /** Defaults to loadConfig() (the environment). The fields below override it. */
  config?: LureConfig;
  rpcUrl?: string;
  /** Contract addresses and start blocks; default deployments/<NETWORK>.json. */
  deployment?: Deployment;
  /**
   * The contract modules to follow, each found in the deployment by its name; default every
   * registered one (contracts/index.ts). Tests plug in modules of their own here.
   */
  contracts?: readonly RegisteredContract[];
  /** An open database (not closed by stop()); otherwise one is opened from the options/config. */
  db?: Database;
  databaseUrl?: string;
  /** PGlite directory; `null` = in-memory. Default config.PGLITE_DIR. */
  pgliteDir?: string | null;
  schema?: string;
  finalityDepth?: number;
  pollMs?: number;
  metrics?: IndexerMetrics;
  log?: Logger;
  targetLogsPerRange?: number;
  maxBlockRange?: number;
  rpcTimeoutMs?: number;
  /** Mutable rows kept in memory across backfill batches (default 10,000); tests set it low. */
  rowCacheLimit?: number;
  /**
   * Where the modules' start hooks read content the chain only references (e.g. pod
   * recipes), best-effort and outside ingest. Default: the Swarm node at config.BEE_URL; `false`:
   * none, the hooks that need it do nothing (tests, benchmarks).
   */
  swarm?: ContentSource | false;
}

/**
 * Opens (and migrates) the database, connects to the chain, and starts following Lure's contracts.
 * Resolves once indexing has started (not when it has caught up: see status().backfilling).
 */
export async function startIndexer(options: StartIndexerOptions = {}): Promise<Indexer> {
  const config = options.config ?? loadConfig();
  const log = options.log ?? logger("indexer");
  const metrics = options.metrics ?? indexerMetrics;
  const deployment = options.deployment ?? readDeployment(config.NETWORK, config.DEPLOYMENTS_DIR);
  const schema = indexedSchema(options.contracts ?? CONTRACT_MODULES);
  const followed = schema.modules.map((module) => ({ module: module.name, ...deployed(deployment, config.NETWORK, module.name) }));

  const ownsDb = options.db === undefined;
  const db =
    options.db ??
    (await openDatabase({
      databaseUrl: options.databaseUrl ?? config.DATABASE_URL,
      pgliteDir: options.pgliteDir === null ? undefined : options.pgliteDir ?? config.PGLITE_DIR,
      schema: options.schema,
      pgliteSharedBuffersMb: config.PGLITE_SHARED_BUFFERS_MB,
    }));
  let client: RpcClient | undefined;
  const stops: StopModule[] = [];
  try {
    // A migration must see the full schema, even after a crash left a backfill's indexes deferred.
    await rebuildDeferredIndexesBeforeMigrations(db, log);
    await migrate(db);
    client = await RpcClient.connect({
      url: options.rpcUrl ?? rpcUrlFor(config),
      log,
      timeoutMs: options.rpcTimeoutMs,
      onRetry: () => metrics.rpcRetries.inc(),
    });
    if (deployment && deployment.chainId !== client.chainId) {
      throw new Error(`the deployment file is for chain ${deployment.chainId}, but the RPC serves chain ${client.chainId}`);
    }
    const finalityDepth = finalityDepthFor(client.chainId, options.finalityDepth ?? config.INDEXER_FINALITY_DEPTH);
    const events = new IndexerEvents();
    const loop = new IndexerLoop({
      db,
      client,
      events,
      metrics,
      log,
      schema,
      contracts: followed.map((entry) => ({ address: entry.address, contract: entry.module })),
      startBlock: Math.min(...followed.map((entry) => entry.blockNumber)),
      finalityDepth,
      pollMs: options.pollMs ?? config.INDEXER_POLL_MS,
      targetLogsPerRange: options.targetLogsPerRange ?? config.INDEXER_TARGET_LOGS,
      maxBlockRange: options.maxBlockRange ?? 50_000,
      maxTrackedRange: 200,
      rowCacheLimit: options.rowCacheLimit ?? 10_000,
    });
    const swarm =
      options.swarm === undefined
        ? (await import("../swarm")).createSwarmClient({ url: config.BEE_URL, timeoutMs: Math.min(config.BEE_TIMEOUT_MS, 10_000) })
        : options.swarm || undefined;
    // The modules' own work beside ingest, started before the loop so no announcement is missed.
    for (const module of schema.modules) {
      const stop = module.start?.({ db, events, swarm, log });
      if (stop) stops.push(stop);
    }
    log.info({ chainId: client.chainId, contracts: Object.fromEntries(followed.map((entry) => [entry.module, entry.address])), finalityDepth, database: db.dialect }, "indexer starting");
    await loop.start();
    return {
      db,
      events,
      status: () => loop.status(),
      async stop() {
        try {
          await Promise.all(stops.map((stop) => stop()));
        } finally {
          await loop.stop();
          if (ownsDb) await db.close();
        }
      },
    };
  } catch (error) {
    await Promise.allSettled(stops.map((stop) => stop()));
    client?.stop();
    if (ownsDb) await db.close();
    throw error;
  }
}

/** The deployment of the contract named `name`, or an error that says how to deploy. */
function deployed(deployment: Deployment | undefined, network: string, name: string): DeployedContract {
  const entry = deployment?.contracts[name];
  if (!entry) throw new Error(`${name} is not deployed on network "${network}": run \`npx hardhat run scripts/deploy.ts --network ${network}\``);
  return entry;
}
