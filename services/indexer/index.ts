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
export { createIndexerMetrics, indexerMetrics, type IndexerMetrics } from "./metrics";

/** How long each step of startIndexer took, in ms, in the order they run. */
export interface IndexerStartup {
  /** The chain: its chain id, and so the first HTTP request of the process. */
  connectMs: number;
  /** Opening the database (for a new PGlite directory, copying the template first); 0 when one was passed in. */
  databaseOpenMs: number;
  /** Rebuilding indexes an interrupted backfill left deferred, if a migration is pending, and migrating. */
  migrationsMs: number;
  /** The modules' start hooks and the loop's start (identity check, cursor, statistics). */
  startMs: number;
}

export interface Indexer {
  readonly db: Database;
  readonly events: IndexerEvents;
  /** Where start-up time went (also in the "indexer started" log line). */
  readonly startup: IndexerStartup;
  status(): IndexerStatus;
  /** Stops polling, waits for the step in flight, closes the database if the indexer opened it. A second call waits for the first. */
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
 * Connects to the chain, opens (and migrates) the database, and starts following Lure's contracts.
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
  const startup: IndexerStartup = { connectMs: 0, databaseOpenMs: 0, migrationsMs: 0, startMs: 0 };
  let stepStarted = performance.now();
  const lap = () => {
    const now = performance.now();
    const ms = now - stepStarted;
    stepStarted = now;
    return Math.round(ms);
  };
  let db: Database | undefined = options.db;
  let client: RpcClient | undefined;
  const stops: StopModule[] = [];
  try {
    // The chain before the database. Node's fetch compiles its HTTP parser (WebAssembly) on the
    // first request, on V8's wasm compilation thread; once PGlite's module is loaded (`npm run
    // indexer` allows one such thread) that first request waited ~200 ms behind PGlite's
    // compilation. A wrong chain is also refused before the database is touched.
    client = await RpcClient.connect({
      url: options.rpcUrl ?? rpcUrlFor(config),
      log,
      timeoutMs: options.rpcTimeoutMs,
      onRetry: () => metrics.rpcRetries.inc(),
    });
    if (deployment && deployment.chainId !== client.chainId) {
      throw new Error(`the deployment file is for chain ${deployment.chainId}, but the RPC serves chain ${client.chainId}`);
    }
    startup.connectMs = lap();
    if (db === undefined) {
      db = await openDatabase({
        databaseUrl: options.databaseUrl ?? config.DATABASE_URL,
        pgliteDir: options.pgliteDir === null ? undefined : options.pgliteDir ?? config.PGLITE_DIR,
        schema: options.schema,
        pgliteSharedBuffersMb: config.PGLITE_SHARED_BUFFERS_MB,
      });
      startup.databaseOpenMs = lap();
    }
    // A migration must see the full schema, even after a crash left a backfill's indexes deferred.
    await rebuildDeferredIndexesBeforeMigrations(db, log);
    await migrate(db);
    startup.migrationsMs = lap();
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
    await loop.start();
    startup.startMs = lap();
    log.info({ chainId: client.chainId, contracts: Object.fromEntries(followed.map((entry) => [entry.module, entry.address])), finalityDepth, database: db.dialect, startupMs: startup }, "indexer started");
    const openDb = db;
    let stopping: Promise<void> | undefined;
    return {
      db,
      events,
      startup,
      status: () => loop.status(),
      stop() {
        stopping ??= (async () => {
          try {
            await Promise.all(stops.map((stop) => stop()));
          } finally {
            await loop.stop();
            if (ownsDb) await openDb.close();
          }
        })();
        return stopping;
      },
    };
  } catch (error) {
    await Promise.allSettled(stops.map((stop) => stop()));
    client?.stop();
    if (ownsDb) await db?.close();
    throw error;
  }
}

/** The deployment of the contract named `name`, or an error that says how to deploy. */
function deployed(deployment: Deployment | undefined, network: string, name: string): DeployedContract {
  const entry = deployment?.contracts[name];
  if (!entry) throw new Error(`${name} is not deployed on network "${network}": run \`npx hardhat run scripts/deploy.ts --network ${network}\``);
  return entry;
}
