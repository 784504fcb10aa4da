import type { Logger } from "../log";
import { listMigrations, type Database, type Queryable } from "./db";
import { APPEND_ONLY_TABLES, MUTABLE_TABLES } from "./tables";

/**
 * Secondary indexes deferred during a backfill from an empty database.
 *
 * Why: maintaining ~25 secondary indexes (a GIN full-text one among them) row by row is most of
 * what the PostgreSQL server spends on a backfill; building each once over the loaded table is far
 * cheaper. Primary keys and unique indexes stay: COPY's duplicate detection (and the staging
 * fallback's ON CONFLICT) rely on them, and so does every lookup the ingest makes. The bookkeeping
 * tables (blocks, cursor, meta, undo_log) are small and keep theirs.
 *
 * Crash safety: the drop and the record of the exact definitions (in `meta`) commit in one
 * transaction; the rebuild and the removal of the record commit in one transaction. Whatever the
 * moment of a kill -9, the database holds either every index or the record of the missing ones.
 */

/** The `meta` key holding the definitions of the dropped indexes (JSON of DeferredIndex[]). */
export const DEFERRED_INDEXES_KEY = "deferred_indexes";

export interface DeferredIndex {
  name: string;
  table: string;
  /** `CREATE INDEX ...` as PostgreSQL prints it, the table named as the code names it (search_path). */
  definition: string;
}

/** The tables whose secondary indexes are deferred: the indexed data, not the bookkeeping. */
const DEFERRABLE_TABLES: readonly string[] = [...MUTABLE_TABLES, ...APPEND_ONLY_TABLES].map((table) => table.name);

const INDEX_NAME = /^[a-z_][a-z0-9_$]{0,62}$/;

/**
 * The non-unique secondary indexes of the data tables. Tables are resolved with to_regclass, i.e.
 * through the search_path exactly as the unqualified names in every other statement (a per-test
 * schema on PostgreSQL). pg_get_indexdef(..., pretty) names the table without its schema when the
 * search_path finds it, so a definition replays into the same schema the rest of the code writes to.
 * Indexes behind a constraint (exclusion constraints; unique ones are excluded anyway) are left alone.
 */
export async function secondaryIndexes(db: Queryable): Promise<DeferredIndex[]> {
  return db.query<DeferredIndex>(
    `SELECT i.relname AS name, t.relname AS "table", pg_get_indexdef(x.indexrelid, 0, true) AS definition
       FROM pg_index x
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_class t ON t.oid = x.indrelid
      WHERE x.indrelid IN (SELECT to_regclass(name) FROM unnest($1::text[]) AS name)
        AND NOT x.indisunique AND NOT x.indisprimary
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
      ORDER BY t.relname, i.relname`,
    [DEFERRABLE_TABLES],
  );
}

/** The indexes currently deferred (dropped and recorded), or undefined when none are. */
export async function readDeferredIndexes(db: Queryable): Promise<DeferredIndex[] | undefined> {
  const [row] = await db.query<{ value: string }>(`SELECT value FROM meta WHERE key = $1`, [DEFERRED_INDEXES_KEY]);
  if (!row) return undefined;
  const parsed = JSON.parse(row.value) as unknown;
  if (!Array.isArray(parsed) || !parsed.every(isDeferredIndex)) {
    throw new Error(`meta.${DEFERRED_INDEXES_KEY} is not a list of {name, table, definition}: ${row.value.slice(0, 200)}`);
  }
  return parsed;
}

function isDeferredIndex(value: unknown): value is DeferredIndex {
  const entry = value as Partial<DeferredIndex> | null;
  return typeof entry?.name === "string" && INDEX_NAME.test(entry.name) && typeof entry.table === "string" && typeof entry.definition === "string" && /^CREATE INDEX /.test(entry.definition);
}

/**
 * Drops the secondary indexes of the data tables and records their definitions, in one transaction,
 * if nothing is indexed yet (no cursor) and nothing is deferred already. Returns the number dropped
 * (0 when it did nothing).
 */
export async function deferIndexes(db: Database, log: Logger): Promise<number> {
  const started = Date.now();
  const dropped = await db.transaction(async (tx) => {
    // Checked inside the transaction that drops: only the indexer writes, but the decision and the
    // drop must see the same state.
    const [cursor] = await tx.query(`SELECT 1 FROM cursor`);
    if (cursor || (await readDeferredIndexes(tx)) !== undefined) return [];
    const indexes = await secondaryIndexes(tx);
    if (indexes.length === 0) return [];
    for (const index of indexes) {
      if (!INDEX_NAME.test(index.name)) throw new Error(`unexpected index name ${JSON.stringify(index.name)} on table ${index.table}`);
      await tx.query(`DROP INDEX "${index.name}"`);
    }
    await tx.query(`INSERT INTO meta (key, value) VALUES ($1, $2)`, [DEFERRED_INDEXES_KEY, JSON.stringify(indexes)]);
    return indexes;
  });
  if (dropped.length > 0) {
    log.info({ indexes: dropped.length, tables: new Set(dropped.map((index) => index.table)).size, seconds: (Date.now() - started) / 1000 }, "backfill from an empty database: secondary indexes deferred until the final blocks are in");
  }
  return dropped.length;
}

/**
 * Builds the deferred indexes from their recorded definitions and removes the record, in one
 * transaction (a kill mid-way leaves them deferred, and the next attempt starts over). Returns the
 * number built (0 when nothing was deferred).
 */
export async function rebuildDeferredIndexes(db: Database, log: Logger): Promise<number> {
  const started = Date.now();
  const built = await db.transaction(async (tx) => {
    const deferred = await readDeferredIndexes(tx);
    if (deferred === undefined) return 0;
    if (db.dialect === "pglite") {
      // PGlite's WebAssembly heap never shrinks: a sort area of PostgreSQL's default 64 MB, once
      // touched, would stay in the indexer's RSS for good. Measured on the 1M-event bench: 16 MB
      // builds as fast as 64 MB (8.9 s for the 25 indexes; 443 vs 469 MB peak RSS in one run).
      await tx.query(`SET LOCAL maintenance_work_mem = '16MB'`);
    }
    let lastLog = Date.now();
    for (const [position, index] of deferred.entries()) {
      // IF NOT EXISTS: a migration run while they were deferred may have created one of the same name
      // (then its definition wins, as the migration meant).
      await tx.query(index.definition.replace(/^CREATE INDEX /, "CREATE INDEX IF NOT EXISTS "));
      if (Date.now() - lastLog > 5_000) {
        lastLog = Date.now();
        log.info({ built: position + 1, of: deferred.length, last: index.name, seconds: (Date.now() - started) / 1000 }, "rebuilding deferred indexes");
      }
    }
    await tx.query(`DELETE FROM meta WHERE key = $1`, [DEFERRED_INDEXES_KEY]);
    return deferred.length;
  });
  if (built > 0) log.info({ indexes: built, seconds: (Date.now() - started) / 1000 }, "deferred secondary indexes rebuilt");
  return built;
}

/**
 * For start-up, before migrate(): a migration must see the full schema (it may drop, replace or
 * build on an index), so when one is pending and indexes are deferred, they are rebuilt first. With
 * no migration pending they stay deferred and the backfill carries on without them. Returns the
 * number rebuilt.
 */
export async function rebuildDeferredIndexesBeforeMigrations(db: Database, log: Logger): Promise<number> {
  const [tables] = await db.query<{ meta: string | null; migrations: string | null }>(`SELECT to_regclass('meta')::text AS meta, to_regclass('schema_migrations')::text AS migrations`);
  if (tables.meta === null || tables.migrations === null) return 0; // a new database: nothing deferred yet
  if ((await readDeferredIndexes(db)) === undefined) return 0;
  const applied = new Set((await db.query<{ version: number }>(`SELECT version FROM schema_migrations`)).map((row) => Number(row.version)));
  if (listMigrations().every((migration) => applied.has(migration.version))) return 0;
  log.info("a migration is pending while secondary indexes are deferred: rebuilding them first");
  return rebuildDeferredIndexes(db, log);
}
