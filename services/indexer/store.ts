import type { BlockHeader } from "../chain/rpc";
import type { Database, Queryable, Transaction } from "../database";
import type { Batch } from "./batch";
import { CopyRows } from "./copy";
import type { IndexedSchema } from "./schema";
import { bulkInsert, conflictClause, type Row, type TableSpec } from "./tables";

export interface Cursor {
  chainId: number;
  number: number;
  hash: string;
  timestamp: number;
}

/** Reads the cursor: the last block whose effects are committed. */
export async function readCursor(db: Queryable): Promise<Cursor | null> {
  const [row] = await db.query<{ chain_id: number; block_number: string; block_hash: string; block_timestamp: string }>(`SELECT * FROM cursor WHERE id = 1`);
  return row ? { chainId: Number(row.chain_id), number: Number(row.block_number), hash: row.block_hash, timestamp: Number(row.block_timestamp) } : null;
}

export async function readMeta(db: Queryable, key: string): Promise<string | undefined> {
  const [row] = await db.query<{ value: string }>(`SELECT value FROM meta WHERE key = $1`, [key]);
  return row?.value;
}

export async function writeMeta(db: Queryable, key: string, value: string): Promise<void> {
  await db.query(`INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, [key, value]);
}

export async function lowestStoredBlock(db: Queryable): Promise<number | undefined> {
  const [row] = await db.query<{ number: string | null }>(`SELECT min(number) AS number FROM blocks`);
  return row?.number === null || row?.number === undefined ? undefined : Number(row.number);
}

/**
 * A parameterised statement, or new rows to COPY into a table; `upsert` (new rows of a mutable table)
 * makes the staging fallback update a row that exists, where history rows keep the first.
 */
export type Statement = { sql: string; params: unknown[] } | { copy: TableSpec; data: Buffer; upsert?: boolean };

/**
 * The statements that write a batch's rows, the headers to remember, the undo journal and the new
 * cursor. Built synchronously, so the rows can be changed by the next batch right after; the caller
 * runs them in one transaction (commitStatements): after a crash either all of it is there or none of it.
 * New rows go in with COPY; rows that existed before the batch are upserted.
 */
export function prepareCommit(
  batch: Batch,
  options: { chainId: number; cursor: BlockHeader; headers: readonly BlockHeader[]; pruneBelow: number },
): Statement[] {
  const statements: Statement[] = [];
  for (const { table, created, updated } of batch.dirtyRows()) {
    if (created.length > 0) {
      const rows = new CopyRows(table);
      batch.copies.push(rows);
      for (const row of created) rows.add(row);
      statements.push({ copy: table, data: rows.bytes(), upsert: true });
    }
    if (updated.length > 0) statements.push(bulkInsert(table, updated, true));
  }
  for (const [table, rows] of batch.history) {
    if (rows.size > 0) statements.push({ copy: table, data: rows.bytes() });
  }
  if (batch.undo.length > 0) {
    statements.push({
      sql: `INSERT INTO undo_log (block_number, table_name, row_key, image) SELECT * FROM unnest($1::numeric[], $2::text[], $3::jsonb[], $4::jsonb[])`,
      params: [
        batch.undo.map((entry) => String(entry.blockNumber)),
        batch.undo.map((entry) => entry.table),
        batch.undo.map((entry) => JSON.stringify(entry.key)),
        batch.undo.map((entry) => (entry.image ? JSON.stringify(entry.image) : null)),
      ],
    });
  }
  const headers = [...options.headers.filter((header) => header.number !== options.cursor.number), options.cursor];
  statements.push({
    sql: `INSERT INTO blocks (number, hash, parent_hash, timestamp) SELECT * FROM unnest($1::numeric[], $2::text[], $3::text[], $4::numeric[])
     ON CONFLICT (number) DO UPDATE SET hash = EXCLUDED.hash, parent_hash = EXCLUDED.parent_hash, timestamp = EXCLUDED.timestamp`,
    params: [headers.map((h) => String(h.number)), headers.map((h) => h.hash), headers.map((h) => h.parentHash), headers.map((h) => String(h.timestamp))],
  });
  statements.push(cursorStatement(options.chainId, options.cursor));
  // Blocks below finality can no longer be reorganised: their hashes and undo images are dead weight.
  // The cursor block itself always stays, since reorg detection compares against it.
  statements.push({ sql: `DELETE FROM blocks WHERE number < $1 AND number <> $2`, params: [options.pruneBelow, options.cursor.number] });
  statements.push({ sql: `DELETE FROM undo_log WHERE block_number < $1`, params: [options.pruneBelow] });
  return statements;
}

/**
 * Runs `statements`. COPY has no ON CONFLICT, so with `viaStaging` each COPY goes to a temporary
 * table first and from there INSERT ... ON CONFLICT (DO NOTHING for history rows, DO UPDATE for
 * mutable rows): the behaviour of a plain INSERT, at about twice the cost.
 */
export async function runStatements(tx: Transaction, statements: readonly Statement[], viaStaging = false): Promise<void> {
  for (const statement of statements) {
    if (!("copy" in statement)) await tx.query(statement.sql, statement.params);
    else if (!viaStaging) await tx.copyFrom(statement.copy.name, statement.copy.columns.map(([column]) => column), statement.data);
    else await copyViaStaging(tx, statement.copy, statement.data, statement.upsert === true);
  }
}

async function copyViaStaging(tx: Transaction, table: TableSpec, data: Buffer, upsert: boolean): Promise<void> {
  const columns = table.columns.map(([column]) => column).join(", ");
  const staging = `staging_${table.name}`;
  await tx.query(`CREATE TEMP TABLE IF NOT EXISTS ${staging} (LIKE ${table.name}) ON COMMIT DELETE ROWS`);
  await tx.copyFrom(staging, table.columns.map(([column]) => column), data);
  await tx.query(`INSERT INTO ${table.name} (${columns}) SELECT ${columns} FROM ${staging} ${conflictClause(table, upsert)}`);
  await tx.query(`TRUNCATE ${staging}`);
}

/**
 * Commits `statements` in one transaction. The rows COPY writes are new by construction, except
 * when a contract repeats a licence or a version number across batches (Lure's never does, test
 * emitters do): the unique violation rolls the transaction back, and it is redone via staging tables,
 * which keep the first row as INSERT ... ON CONFLICT DO NOTHING always did.
 */
export async function commitStatements(db: Database, statements: readonly Statement[]): Promise<void> {
  try {
    await db.transaction((tx) => runStatements(tx, statements));
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    await db.transaction((tx) => runStatements(tx, statements, true));
  }
}

export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "23505";
}

function cursorStatement(chainId: number, cursor: BlockHeader): { sql: string; params: unknown[] } {
  return {
    sql: `INSERT INTO cursor (id, chain_id, block_number, block_hash, block_timestamp) VALUES (1, $1, $2, $3, $4)
     ON CONFLICT (id) DO UPDATE SET chain_id = EXCLUDED.chain_id, block_number = EXCLUDED.block_number, block_hash = EXCLUDED.block_hash, block_timestamp = EXCLUDED.block_timestamp`,
    params: [chainId, cursor.number, cursor.hash, cursor.timestamp],
  };
}

async function writeCursor(tx: Queryable, chainId: number, cursor: BlockHeader): Promise<void> {
  const statement = cursorStatement(chainId, cursor);
  await tx.query(statement.sql, statement.params);
}

/**
 * Undoes every block above `ancestor`: mutable rows get back the image they had before their first
 * change above it (the oldest journal entry per row), history rows above it are deleted, and the
 * cursor moves to the ancestor. One transaction, run by the caller.
 */
export async function rollbackTo(tx: Queryable, schema: IndexedSchema, chainId: number, ancestor: BlockHeader): Promise<void> {
  const entries = await tx.query<{ table_name: string; row_key: Row; image: Row | null }>(
    `SELECT DISTINCT ON (table_name, row_key) table_name, row_key, image FROM undo_log WHERE block_number > $1 ORDER BY table_name, row_key, id ASC`,
    [ancestor.number],
  );
  for (const table of schema.mutableTables) {
    const mine = entries.filter((entry) => entry.table_name === table.name);
    const removed = mine.filter((entry) => entry.image === null).map((entry) => entry.row_key);
    const restored = mine.filter((entry) => entry.image !== null).map((entry) => entry.image!);
    if (removed.length > 0) {
      const keyArrays = table.key.map((column) => removed.map((key) => key[column]));
      const types = table.key.map((column) => table.columns.find(([name]) => name === column)![1]);
      const unnest = types.map((type, index) => `$${index + 1}::${type}[]`).join(", ");
      const match = table.key.map((column) => `t.${column} = k.${column}`).join(" AND ");
      await tx.query(`DELETE FROM ${table.name} t USING unnest(${unnest}) AS k(${table.key.join(", ")}) WHERE ${match}`, keyArrays);
    }
    if (restored.length > 0) {
      const { sql, params } = bulkInsert(table, restored, true);
      await tx.query(sql, params);
    }
  }
  for (const table of schema.appendOnlyTables) {
    await tx.query(`DELETE FROM ${table.name} WHERE block_number > $1`, [ancestor.number]);
  }
  await tx.query(`DELETE FROM undo_log WHERE block_number > $1`, [ancestor.number]);
  await tx.query(`DELETE FROM blocks WHERE number > $1`, [ancestor.number]);
  await writeCursor(tx, chainId, ancestor);
}

/** Forgets everything indexed (a restarted dev chain); the caller re-indexes from the start block. */
export async function wipe(tx: Queryable, schema: IndexedSchema): Promise<void> {
  for (const table of schema.wipedTableNames) await tx.query(`DELETE FROM ${table}`);
}
