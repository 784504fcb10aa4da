import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, mkdirSync, renameSync, rmSync, rmdirSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { PGlite, type Transaction as PGliteTransaction } from "@electric-sql/pglite";
import { Pool, type PoolClient } from "pg";
import { from as copyFromStdin } from "pg-copy-streams";
import { PglitePreparedReads } from "./pglite-prepared";

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
 * Creates a PGlite data directory in a short-lived child process. initdb runs inside the WebAssembly
 * heap, which never shrinks: done in the indexer's own process it would leave ~300 MB of RSS behind
 * for the life of the process. The child costs a few seconds, once per data directory. It works in a
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
  const modulePath = require.resolve("@electric-sql/pglite");
  const code =
    `const { PGlite } = require(${JSON.stringify(modulePath)});` +
    `(async () => { const pg = new PGlite(${JSON.stringify(staging)}); await pg.waitReady; await pg.close(); })()` +
    `.catch((error) => { console.error(error); process.exit(1); });`;
  try {
    const child = spawnSync(process.execPath, ["-e", code], { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
    if (child.status !== 0) throw new Error(`could not initialise the PGlite data directory ${dataDir}: ${child.error?.message ?? child.stderr.trim().slice(-500)}`);
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

/** ES2024's resizable ArrayBuffer (Node 20 has it; TypeScript's es2023 lib does not declare it). */
interface ResizableArrayBuffer extends ArrayBuffer {
  readonly maxByteLength: number;
  resize(byteLength: number): void;
}
const ResizableArrayBuffer = ArrayBuffer as unknown as new (byteLength: number, options: { maxByteLength: number }) => ResizableArrayBuffer;

/**
 * Where a PGlite database's COPY payloads are handed over: PGlite reads /dev/blob from the
 * ArrayBuffer a Blob's arrayBuffer() returns, which must have the payload's exact size, while the
 * payload is usually a view of a larger buffer that copy.ts reuses. An exact copy per COPY left
 * ~0.5-3 MB of garbage per statement in the malloc heap, often freed only when V8 next collected
 * the old generation: at a backfill's malloc peak ~17 MB of such copies were waiting (heaptrack),
 * adding to the external-memory pressure that starts mark-compacts. Instead, one resizable
 * ArrayBuffer per database is resized to each payload (V8
 * releases the pages a shrink gives up) and reused. PGlite calls arrayBuffer() inside its exclusive
 * query section and drops the buffer when the statement ends, so statements never share it; a payload
 * over the reservation gets an exact copy of its own.
 */
export class CopyPayloadArea {
  private readonly area: ResizableArrayBuffer;

  constructor(maxBytes = 1024 ** 3) {
    // Address space only: pages are committed as the area grows to a payload's size.
    this.area = new ResizableArrayBuffer(0, { maxByteLength: maxBytes });
  }

  /** A Blob over `payload` for PGlite's `blob` query option; its bytes are copied when PGlite reads it. */
  blob(payload: Uint8Array): Blob {
    return new PayloadBlob(payload, this.area);
  }
}

class PayloadBlob extends Blob {
  constructor(
    private readonly payload: Uint8Array,
    private readonly area: ResizableArrayBuffer,
  ) {
    super([]);
  }

  override get size(): number {
    return this.payload.byteLength;
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    if (this.payload.byteLength > this.area.maxByteLength) return new Uint8Array(this.payload).buffer;
    this.area.resize(this.payload.byteLength);
    new Uint8Array(this.area).set(this.payload);
    return this.area;
  }
}

async function openPglite(dataDir: string | undefined, sharedBuffersMb: number): Promise<Database> {
  if (dataDir && !existsSync(join(dataDir, "PG_VERSION"))) initPgliteDir(dataDir);
  const options = { postgresqlconf: pgliteSettings(sharedBuffersMb) };
  const pg = dataDir ? new PGlite(dataDir, options) : new PGlite(options);
  await pg.waitReady;
  const copyPayloads = new CopyPayloadArea();
  const wrap = (target: PGlite | PGliteTransaction): Transaction => ({
    async query<R>(sql: string, params?: unknown[]) {
      const result = await target.query<R>(sql, params);
      return result.rows;
    },
    async copyFrom(table, columns, data) {
      // PGlite reads COPY data from a Blob mapped to /dev/blob inside its virtual file system.
      await target.query(`COPY ${table} (${columns.join(", ")}) FROM '/dev/blob'`, [], { blob: copyPayloads.blob(data) });
    },
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
      const result = await target.query(sql, params as unknown[] | undefined);
      return result.rows as R[];
    },
  });
  const wrapClient = (client: PoolClient): Transaction => ({
    ...wrap(client),
    copyFrom: (table, columns, data) =>
      new Promise<void>((resolveCopy, rejectCopy) => {
        const stream = client.query(copyFromStdin(`COPY ${table} (${columns.join(", ")}) FROM STDIN`));
        stream.on("error", rejectCopy);
        // pg-copy-streams emits finish once the server has confirmed the COPY.
        stream.on("finish", () => resolveCopy());
        stream.end(data);
      }),
  });
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
  return {
    dialect: "postgres",
    query: wrap(pool).query,
    transaction: (fn) => inTransaction("BEGIN", fn),
    snapshot: (fn) => inTransaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", fn),
    close: () => pool.end(),
  };
}

const MIGRATIONS_DIR = join(__dirname, "migrations");
const MIGRATION_FILE = /^(\d{3})_([a-z0-9_]+)\.sql$/;

/** The versioned migrations shipped with the code, in order. */
export function listMigrations(): { version: number; name: string; sql: string }[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((file) => MIGRATION_FILE.test(file))
    .sort()
    .map((file) => {
      const [, version, name] = MIGRATION_FILE.exec(file)!;
      return { version: Number(version), name, sql: readFileSync(join(MIGRATIONS_DIR, file), "utf8") };
    });
}

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

/** Runs a multi-statement SQL script statement by statement (PGlite's extended protocol takes one at a time). */
async function execScript(tx: Queryable, script: string): Promise<void> {
  const withoutComments = script.replace(/--[^\n]*/g, "");
  for (const statement of withoutComments.split(";")) {
    if (statement.trim()) await tx.query(statement);
  }
}
