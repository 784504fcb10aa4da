import { existsSync, readdirSync, mkdirSync, renameSync, rmSync, rmdirSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { PGlite, type Transaction as PGliteTransaction } from "@electric-sql/pglite";
import { Pool, type PoolClient } from "pg";
import { from as copyFromStdin } from "pg-copy-streams";
import { PglitePreparedReads } from "./pglite-prepared";
import { listMigrations } from "./migrations";
import { createPgliteDataDir, ensureMigratedPgliteTemplate } from "./pglite-template";

/** Anything that runs SQL with `$1, $2` placeholders. NUMERIC columns come back as strings. */
export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
}

/** A read-write transaction: queries, plus bulk loading with COPY. */
export interface Transaction extends Queryable {
  /**
   * `COPY table (columns) FROM` the given text (PostgreSQL's text format: tab-separated columns,
   * one row per line, `\N` for NULL; see copy.ts). Much cheaper than INSERT for thousands of rows,
   * for the client and the server alike, but with no ON CONFLICT: the rows must be new.
   */
  copyFrom(table: string, columns: readonly string[], data: Uint8Array): Promise<void>;
}

/**
 * The indexer's database: embedded PGlite or a real PostgreSQL, behind one dialect (plain
 * PostgreSQL that PGlite runs too), so the indexer and the API never branch on it.
 */
export interface Database extends Queryable {
  readonly dialect: "pglite" | "postgres";
  /** Read-write; commits when `fn` resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /** REPEATABLE READ, READ ONLY: one consistent view for a whole answer. */
  snapshot<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** postgres:// URL; when set, a `pg` Pool is used instead of PGlite. */
  databaseUrl?: string;
  /** PGlite data directory; undefined = in-memory. */
  pgliteDir?: string;
  /** PostgreSQL schema to work in (created when missing), for test isolation. Ignored by PGlite. */
  schema?: string;
  /**
   * PGlite's shared_buffers in MB (default 4, as PGLITE_SHARED_BUFFERS_MB). PostgreSQL's 128 MB would
   * all be resident: PGlite touches its shared memory in full at start-up and its heap never shrinks.
   * Pages that miss are read from the OS page cache, which the data directory sits in anyway.
   */
  pgliteSharedBuffersMb?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.schema);
  return openPglite(opts.pgliteDir, opts.pgliteSharedBuffersMb ?? 4);
}

/**
 * Creates a PGlite data directory: a copy of the template `npm run build:services` makes (see
 * pglite-template.ts), or, without one, initdb in a short-lived child process. It works in a
 * directory of its own, renamed into place when complete: a kill at any moment leaves either no data
 * directory or a whole one, and an orphaned child never shares a directory with a restarted indexer.
 */
function initPgliteDir(dataDir: string): void {
  const target = resolve(dataDir);
  if (existsSync(target) && readdirSync(target).length > 0) {
    throw new Error(`PGLITE_DIR ${dataDir} is not empty and holds no PostgreSQL data directory (no PG_VERSION): point PGLITE_DIR elsewhere or empty it`);
  }
  mkdirSync(dirname(target), { recursive: true });
  // Leftovers of an initialisation that was killed: never renamed into place, so never used.
  const prefix = `${basename(target)}.init-`;
  for (const name of readdirSync(dirname(target))) if (name.startsWith(prefix)) rmSync(join(dirname(target), name), { recursive: true, force: true });
  const staging = `${target}.init-${process.pid}-${Date.now()}`;
  try {
    createPgliteDataDir(staging, dataDir);
    if (existsSync(target)) rmdirSync(target); // empty (checked above); rename needs the name free
    renameSync(staging, target);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * PGlite's postgresql.conf (it replaces the one initdb wrote). Every page PostgreSQL touches in
 * PGlite's WebAssembly heap stays in the process's RSS for good (the heap never shrinks): shared
 * buffers are touched in full at start-up, sort areas as they are used.
 */
export function pgliteSettings(sharedBuffersMb: number): string[] {
  if (!Number.isInteger(sharedBuffersMb) || sharedBuffersMb < 1) throw new Error(`PGlite shared_buffers must be a whole number of MB ≥ 1, got ${sharedBuffersMb}`);
  return [
    `shared_buffers = ${sharedBuffersMb}MB`,
    // PostgreSQL's default is 64 MB, for CREATE INDEX and friends (migrations, deferred indexes).
    `maintenance_work_mem = 16MB`,
  ];
}

/**
 * Where PGlite reads a COPY payload: a file of its in-memory file system (MEMFS) whose contents are
 * the payload's own bytes, handed over without a copy (`canOwn`), which COPY then reads with memcpy.
 * PGlite's /dev/blob device, used before, copied every byte in a JavaScript loop (~0.15 s of the
 * indexer's thread per 100k events at bench:indexer's ~60 MB of COPY text), after a copy of the
 * payload into an ArrayBuffer of its exact size. One path per database: PGlite runs one statement
 * at a time, and the file is removed as soon as its COPY ends.
 */
export const COPY_PAYLOAD_FILE = "/tmp/lure-copy-payload";

/**
 * The calls of PGlite's Emscripten file system (`pg.Module.FS`) used here and in the tests. PGlite
 * declares it with the types of @types/emscripten, which PGlite does not install for its users, so
 * TypeScript cannot resolve them.
 */
interface PgliteFileSystem {
  writeFile(path: string, data: Uint8Array, options: { canOwn: boolean }): void;
  unlink(path: string): void;
  lookupPath(path: string, options: object): { node: unknown };
  analyzePath(path: string): { exists: boolean };
}

/** `pg.Module.FS`, typed with the calls in use. */
export function pgliteFileSystem(pg: PGlite): PgliteFileSystem {
  return pg.Module.FS as PgliteFileSystem;
}

/** COPY of `data` (COPY text) into `table` through a file of PGlite's in-memory file system. */
export async function copyThroughMemoryFile(pg: PGlite, target: PGlite | PGliteTransaction, table: string, columns: readonly string[], data: Uint8Array): Promise<void> {
  const fs = pgliteFileSystem(pg);
  fs.writeFile(COPY_PAYLOAD_FILE, data, { canOwn: true });
  try {
    await target.query(`COPY ${table} (${columns.join(", ")}) FROM '${COPY_PAYLOAD_FILE}'`);
  } finally {
    fs.unlink(COPY_PAYLOAD_FILE);
  }
}

/** The payload file must live in memory (MEMFS): on PGlite's data-directory file system it would be written to disk. */
function checkCopyPayloadFileSystem(pg: PGlite): void {
  const { node } = pgliteFileSystem(pg).lookupPath("/tmp", {});
  if ((node as { mount?: { type?: unknown } }).mount?.type !== pg.Module.MEMFS) throw new Error("PGlite's /tmp is not an in-memory file system: COPY payloads would go to disk");
}

async function openPglite(dataDir: string | undefined, sharedBuffersMb: number): Promise<Database> {
  if (dataDir && !existsSync(join(dataDir, "PG_VERSION"))) initPgliteDir(dataDir);
  const options = { postgresqlconf: pgliteSettings(sharedBuffersMb) };
  const pg = dataDir ? new PGlite(dataDir, options) : new PGlite(options);
  await pg.waitReady;
  try {
    checkCopyPayloadFileSystem(pg);
  } catch (error) {
    await pg.close();
    throw error;
  }
  const wrap = (target: PGlite | PGliteTransaction): Transaction => ({
    async query<R>(sql: string, params?: unknown[]) {
      const result = await target.query<R>(sql, params);
      return result.rows;
    },
    copyFrom: (table, columns, data) => copyThroughMemoryFile(pg, target, table, columns, data),
  });
  // Reads outside transactions (the API's one-statement operations) reuse prepared statements.
  const reads = new PglitePreparedReads(pg);
  return {
    dialect: "pglite",
    query: (sql, params) => reads.query(sql, params),
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx))),
    snapshot: (fn) =>
      pg.transaction(async (tx) => {
        await tx.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
        return fn(wrap(tx));
      }),
    close: () => pg.close(),
  };
}

/**
 * Runs the tasks given to it one after another. A transaction's statements share one connection,
 * and the API's resolvers issue theirs concurrently inside one snapshot: pg would queue them itself,
 * but that queue is deprecated (pg 9 refuses a query while one is in flight), so they wait here.
 */
function oneAtATime(): <T>(task: () => Promise<T>) => Promise<T> {
  let last: Promise<unknown> = Promise.resolve();
  return (task) => {
    const result = last.then(task, task);
    last = result.catch(() => undefined);
    return result;
  };
}

async function openPostgres(url: string, schema: string | undefined): Promise<Database> {
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new Error(`invalid PostgreSQL schema name ${JSON.stringify(schema)}: use lower-case letters, digits and _`);
  }
  if (schema) {
    // The schema must exist before connections put it on their search_path.
    const setup = new Pool({ connectionString: url, max: 1 });
    try {
      await setup.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    } finally {
      await setup.end();
    }
  }
  const pool = new Pool({
    connectionString: url,
    max: 10,
    ...(schema ? { options: `-c search_path="${schema}",public` } : {}),
  });
  // An idle client that loses its connection must not crash the process; the next query reconnects.
  pool.on("error", () => undefined);
  const wrap = (target: Pool | PoolClient): Queryable => ({
    async query<R>(sql: string, params?: unknown[]) {
      const result = await target.query(sql, params);
      return result.rows as R[];
    },
  });
  const wrapClient = (client: PoolClient): Transaction => {
    const inTurn = oneAtATime();
    return {
      query: <R>(sql: string, params?: unknown[]) => inTurn(async () => (await client.query(sql, params)).rows as R[]),
      copyFrom: (table, columns, data) =>
        inTurn(
          () =>
            new Promise<void>((resolveCopy, rejectCopy) => {
              const stream = client.query(copyFromStdin(`COPY ${table} (${columns.join(", ")}) FROM STDIN`));
              stream.on("error", rejectCopy);
              // pg-copy-streams emits finish once the server has confirmed the COPY.
              stream.on("finish", () => resolveCopy());
              stream.end(data);
            }),
        ),
    };
  };
  async function inTransaction<T>(begin: string, fn: (tx: Transaction) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query(begin);
      const value = await fn(wrapClient(client));
      await client.query("COMMIT");
      return value;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
  const direct = wrap(pool);
  return {
    dialect: "postgres",
    query: (sql, params) => direct.query(sql, params),
    transaction: (fn) => inTransaction("BEGIN", fn),
    snapshot: (fn) => inTransaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", fn),
    close: () => pool.end(),
  };
}

export { listMigrations } from "./migrations";

/**
 * Applies every migration not yet recorded in `schema_migrations`, each in its own transaction
 * together with its record, so a crash mid-way never leaves a half-applied version.
 */
export async function migrate(db: Database): Promise<void> {
  await db.query(
    `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
  );
  const applied = new Set((await db.query<{ version: number }>(`SELECT version FROM schema_migrations`)).map((row) => Number(row.version)));
  for (const migration of listMigrations()) {
    if (applied.has(migration.version)) continue;
    await db.transaction(async (tx) => {
      // Multi-statement SQL: both pg (simple protocol without params) and PGlite's exec path accept it.
      await execScript(tx, migration.sql);
      await tx.query(`INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
    });
  }
}

/**
 * Makes (unless it exists) the PGlite template that new data directories are copied from: the bare
 * template with every current migration applied (pglite-template.ts). `npm run build:services`
 * calls it; returns the template's folder.
 */
export function prepareMigratedPgliteTemplate(): Promise<string> {
  return ensureMigratedPgliteTemplate(async (dataDir) => {
    const db = await openDatabase({ pgliteDir: dataDir });
    try {
      await migrate(db);
    } finally {
      await db.close();
    }
  });
}

/** Runs a multi-statement SQL script statement by statement (PGlite's extended protocol takes one at a time). */
async function execScript(tx: Queryable, script: string): Promise<void> {
  const withoutComments = script.replace(/--[^\n]*/g, "");
  for (const statement of withoutComments.split(";")) {
    if (statement.trim()) await tx.query(statement);
  }
}
