import { randomBytes } from "node:crypto";
import type { Deployment } from "../../../services/chain/deployments";
import { openDatabase, migrate, type Database, type Queryable } from "../../../services/database";
import { createIndexerMetrics, startIndexer, type Indexer, type StartIndexerOptions } from "../../../services/indexer";
import { CONTRACT_MODULES } from "../../../services/indexer/contracts";
import type { RegisteredContract } from "../../../services/indexer/contracts/module";
import { logger } from "../../../services/log";

/** A database backend under test: PGlite always, PostgreSQL too when TEST_DATABASE_URL is set. */
export interface Backend {
  label: "pglite" | "postgres";
  /** A fresh, empty, migrated database (its own schema on PostgreSQL). */
  open(): Promise<Database>;
  /** Closes every database this backend opened and drops their schemas. */
  cleanup(): Promise<void>;
}

export function backends(): Backend[] {
  const list: Backend[] = [pgliteBackend()];
  const url = process.env.TEST_DATABASE_URL;
  if (url) list.push(postgresBackend(url));
  return list;
}

function pgliteBackend(): Backend {
  const opened: Database[] = [];
  return {
    label: "pglite",
    async open() {
      const db = await openDatabase({});
      opened.push(db);
      await migrate(db);
      return db;
    },
    async cleanup() {
      await Promise.all(opened.splice(0).map((db) => db.close().catch(() => undefined)));
    },
  };
}

function postgresBackend(url: string): Backend {
  const opened: { db: Database; schema: string }[] = [];
  return {
    label: "postgres",
    async open() {
      const schema = `lure_test_${randomBytes(6).toString("hex")}`;
      const db = await openDatabase({ databaseUrl: url, schema });
      opened.push({ db, schema });
      await migrate(db);
      return db;
    },
    async cleanup() {
      for (const { db, schema } of opened.splice(0)) {
        await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
        await db.close().catch(() => undefined);
      }
    },
  };
}

/** A fresh PostgreSQL schema name, for child processes that open the database themselves. */
export function freshSchemaName(): string {
  return `lure_test_${randomBytes(6).toString("hex")}`;
}

/** The indexed data, table by table, in key order: two indexes of the same chain must dump equal. */
const DUMPED: Record<string, string> = {
  pods: "id",
  pod_versions: "pod_id, version",
  listing_events: "block_number, log_index",
  licenses: "pod_id, account",
  purchases: "block_number, log_index",
  royalty_payments: "block_number, log_index",
  transfers: "block_number, log_index",
  balances: "account, token",
  withdrawals: "block_number, log_index",
  runs: "id",
  run_stages: "run_id, stage_index",
  runners: "address",
  runner_fees: "runner, token",
  run_prices: "pod_id",
  key_grants: "pod_id, version, runner",
  groups: "id",
  group_members: "group_id, account",
  group_pods: "group_id, pod_id",
  group_treasuries: "group_id, token",
  messages: "id",
  inboxes: "account",
  contacts: "recipient, sender",
  market_tokens: "token",
  market_settings: "key",
  events: "block_number, log_index",
  cursor: "id",
};

export async function dumpTables(db: Queryable): Promise<Record<string, unknown[]>> {
  const dump: Record<string, unknown[]> = {};
  for (const [table, order] of Object.entries(DUMPED)) {
    const rows = await db.query<Record<string, unknown>>(`SELECT * FROM ${table} ORDER BY ${order}`);
    dump[table] = rows.map((row) => {
      const { search: _search, ...rest } = row;
      // Normalise driver differences (pg returns jsonb already parsed, so does PGlite; numbers stay numbers).
      return JSON.parse(JSON.stringify(rest)) as unknown;
    });
  }
  return dump;
}

export async function waitFor(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Waits until the indexer's cursor is exactly the chain's current head block. */
export async function waitForHead(indexer: Indexer, headHash: () => Promise<{ number: number; hash: string }>, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    "the indexer to reach the head",
    async () => {
      const head = await headHash();
      const status = indexer.status();
      if (status.hasIndexingErrors) throw new Error(`indexer failed: ${status.lastError}`);
      return status.indexedBlock?.number === head.number && status.indexedBlock.hash === head.hash;
    },
    timeoutMs,
  );
}

export const quietLog = logger("indexer-test").child({}, { level: process.env.LOG_LEVEL === "debug" ? "debug" : "silent" });

/**
 * The registered modules whose contract `deployment` holds: most tests deploy only the pod
 * contracts (or stand-ins for them), and the indexer refuses a module whose contract is missing.
 */
export function deployedModules(deployment: Deployment): readonly RegisteredContract[] {
  return CONTRACT_MODULES.filter((module) => module.name in deployment.contracts);
}

/**
 * Starts an indexer for tests: in-memory unless `db` is given, own metrics, fast polling, quiet
 * logs, following the registered modules the deployment has a contract for (unless `contracts` is given).
 */
export function startTestIndexer(options: StartIndexerOptions & { rpcUrl: string; deployment: Deployment }): Promise<Indexer> {
  return startIndexer({ pgliteDir: null, metrics: createIndexerMetrics(), pollMs: 25, log: quietLog, swarm: false, contracts: deployedModules(options.deployment), ...options });
}

/** Indexes the chain as it is now into a fresh database and returns the dump (the reference). */
export async function freshIndexDump(rpcUrl: string, deployment: Deployment, headHash: () => Promise<{ number: number; hash: string }>): Promise<Record<string, unknown[]>> {
  const indexer = await startTestIndexer({ rpcUrl, deployment });
  try {
    await waitForHead(indexer, headHash);
    return await dumpTables(indexer.db);
  } finally {
    await indexer.stop();
  }
}

/** The latest block of a node, as the indexer compares it (lower-case hash). */
export async function latestBlock(provider: { send(method: string, params: unknown[]): Promise<unknown> }): Promise<{ number: number; hash: string }> {
  const block = (await provider.send("eth_getBlockByNumber", ["latest", false])) as { number: string; hash: string };
  return { number: Number(block.number), hash: block.hash.toLowerCase() };
}
