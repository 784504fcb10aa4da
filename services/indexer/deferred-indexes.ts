import type { Logger } from "../log";
import { listMigrations, type Database, type Queryable } from "../database";
import { indexedSchema } from "./schema";

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

/** The tables whose secondary indexes are deferred by default: the indexed data of the registered modules, not the bookkeeping. */
const registeredDataTables = (): readonly string[] => indexedSchema().dataTableNames;

const INDEX_NAME = /^[a-z_][a-z0-9_$]{0,62}$/;

/**
 * The non-unique secondary indexes of the data tables (`tables`). Tables are resolved with to_regclass, i.e.
 * through the search_path exactly as the unqualified names in every other statement (a per-test
 * schema on PostgreSQL). pg_get_indexdef(..., pretty) names the table without its schema when the
 * search_path finds it, so a definition replays into the same schema the rest of the code writes to.
 * Indexes behind a constraint (exclusion constraints; unique ones are excluded anyway) are left alone.
 */
export async function secondaryIndexes(db: Queryable, tables: readonly string[] = registeredDataTables()): Promise<DeferredIndex[]> {
  return db.query<DeferredIndex>(
    `SELECT i.relname AS name, t.relname AS "table", pg_get_indexdef(x.indexrelid, 0, true) AS definition
       FROM pg_index x
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_class t ON t.oid = x.indrelid
      WHERE x.indrelid IN (SELECT to_regclass(name) FROM unnest($1::text[]) AS name)
        AND NOT x.indisunique AND NOT x.indisprimary
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
      ORDER BY t.relname, i.relname`,
    [tables],
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
export async function deferIndexes(db: Database, log: Logger, tables: readonly string[] = registeredDataTables()): Promise<number> {
  const started = Date.now();
  const dropped = await db.transaction(async (tx) => {
    // Checked inside the transaction that drops: only the indexer writes, but the decision and the
    // drop must see the same state.
    const [cursor] = await tx.query(`SELECT 1 FROM cursor`);
    if (cursor || (await readDeferredIndexes(tx)) !== undefined) return [];
    const indexes = await secondaryIndexes(tx, tables);
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
 * Connections a PostgreSQL rebuild spreads the builds over. The rebuild runs alone at the end of the
 * backfill (the node and the ingest are idle) and each build is CPU-bound in the server (a heap scan
 * and a sort), so one connection leaves the other cores idle. The 25 indexes over tables shaped like
 * bench:indexer's 100k events (.4-.5 CPU-s), on 2 cores shared with other work: 1 connection
 * 468-606 ms, 2: 395-535 ms, 3: 361-466 ms.
 */
export const REBUILD_CONNECTIONS = 3;

/**
 * Builds the deferred indexes from their recorded definitions and removes the record. Returns the
 * number built (0 when nothing was deferred).
 *
 * PGlite (one connection) builds them all in one transaction. PostgreSQL spreads them over
 * `connections` transactions, one per connection, each taking the next index from a shared list
 * (largest table first). None commits before every build has succeeded: a failed build rolls all of
 * them back, and the record stays. Then the others commit, and the one that removes the record
 * commits last. A kill between those commits leaves some indexes built and the record still listing
 * them: the next rebuild skips those (IF NOT EXISTS) and builds the rest. So at every moment the
 * database holds every index, or a record naming every index that may be missing.
 */
export async function rebuildDeferredIndexes(db: Database, log: Logger, connections = REBUILD_CONNECTIONS): Promise<number> {
  const started = Date.now();
  const deferred = await readDeferredIndexes(db);
  if (deferred === undefined) return 0;
  const progress = progressLog(log, started, deferred.length);
  if (db.dialect === "pglite" || connections <= 1 || deferred.length <= 1) {
    await db.transaction(async (tx) => {
      if (db.dialect === "pglite") {
        // PGlite's WebAssembly heap never shrinks: a sort area of PostgreSQL's default 64 MB, once
        // touched, would stay in the indexer's RSS for good. Measured on the 1M-event bench: 16 MB
        // builds as fast as 64 MB (8.9 s for the 25 indexes; 443 vs 469 MB peak RSS in one run).
        await tx.query(`SET LOCAL maintenance_work_mem = '16MB'`);
      }
      for (const index of deferred) {
        await buildIndex(tx, index);
        progress(index);
      }
      await tx.query(`DELETE FROM meta WHERE key = $1`, [DEFERRED_INDEXES_KEY]);
    });
  } else {
    await rebuildOverConnections(db, await largestTableFirst(db, deferred), Math.min(connections, deferred.length), progress);
  }
  log.info({ indexes: deferred.length, seconds: (Date.now() - started) / 1000 }, "deferred secondary indexes rebuilt");
  return deferred.length;
}

// IF NOT EXISTS: a migration run while they were deferred may have created one of the same name
// (then its definition wins, as the migration meant), and a rebuild killed between its commits
// (rebuildOverConnections) left some built.
function buildIndex(tx: Queryable, index: DeferredIndex): Promise<unknown> {
  return tx.query(index.definition.replace(/^CREATE INDEX /, "CREATE INDEX IF NOT EXISTS "));
}

function progressLog(log: Logger, started: number, total: number): (index: DeferredIndex) => void {
  let built = 0;
  let lastLog = Date.now();
  return (index) => {
    built++;
    if (Date.now() - lastLog > 5_000) {
      lastLog = Date.now();
      log.info({ built, of: total, last: index.name, seconds: (Date.now() - started) / 1000 }, "rebuilding deferred indexes");
    }
  };
}

/** The indexes ordered by the size of their table, largest first: the longest builds start first. */
async function largestTableFirst(db: Queryable, indexes: readonly DeferredIndex[]): Promise<DeferredIndex[]> {
  const tables = [...new Set(indexes.map((index) => index.table))];
  const rows = await db.query<{ table: string; bytes: string | null }>(`SELECT name AS "table", pg_relation_size(to_regclass(name)) AS bytes FROM unnest($1::text[]) AS name`, [tables]);
  const size = new Map(rows.map((row) => [row.table, Number(row.bytes ?? 0)]));
  return [...indexes].sort((a, b) => (size.get(b.table) ?? 0) - (size.get(a.table) ?? 0));
}

/**
 * The builds over `connections` concurrent transactions (see rebuildDeferredIndexes for what a
 * failure or a kill leaves). Transaction 0 waits for the others' commits, then removes the record
 * and commits last.
 */
async function rebuildOverConnections(db: Database, indexes: readonly DeferredIndex[], connections: number, progress: (index: DeferredIndex) => void): Promise<void> {
  const queue = [...indexes];
  let failed = false;
  const builds = Array.from({ length: connections }, () => {
    let settle: { resolve: () => void; reject: (error: unknown) => void } | undefined;
    const promise = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    return { promise, ...settle! };
  });
  // Every build done, or the first failure.
  const allBuilt = Promise.all(builds.map((build) => build.promise));
  allBuilt.catch(() => undefined);
  const buildShare = async (tx: Queryable, worker: number) => {
    try {
      for (let index = queue.shift(); index && !failed; index = queue.shift()) {
        await buildIndex(tx, index);
        progress(index);
      }
      builds[worker].resolve();
    } catch (error) {
      failed = true;
      builds[worker].reject(error);
    }
    // Rejects when any build failed: this transaction then rolls back too.
    await allBuilt;
  };
  const others = builds.slice(1).map((_, offset) => db.transaction((tx) => buildShare(tx, offset + 1)));
  for (const transaction of others) void transaction.catch(() => undefined);
  try {
    await db.transaction(async (tx) => {
      await buildShare(tx, 0);
      await Promise.all(others);
      await tx.query(`DELETE FROM meta WHERE key = $1`, [DEFERRED_INDEXES_KEY]);
    });
  } finally {
    // On a failure, the caller finds every connection's transaction rolled back.
    await Promise.allSettled(others);
  }
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
