/**
 * Column lists of the tables the indexer writes, with the PostgreSQL type each array parameter is
 * cast to. Bulk writes pass one array per column to `unnest(...)`, so a batch of thousands of rows
 * costs one statement per table instead of one per row.
 */
export interface TableSpec {
  name: string;
  columns: readonly (readonly [column: string, type: string])[];
  /** Primary key columns. */
  key: readonly string[];
  /** Columns an upsert leaves alone (filled by someone else, e.g. the Swarm enrichment). */
  preserve?: readonly string[];
  /**
   * History tables whose key a contract may repeat (a licence bought twice, a version number
   * published twice): the first row wins, as INSERT ... ON CONFLICT DO NOTHING did. Lure's contracts
   * never repeat them, other emitters may.
   */
  keepFirstRow?: boolean;
}

/**
 * The columns a history row takes from the event it records (copy.ts fills them from the event's
 * position, not from the row): first the key ...
 */
export const HISTORY_KEY_COLUMNS = [
  ["block_number", "numeric"],
  ["log_index", "int"],
] as const;
/** ... and, after the row's own columns, the rest of the position. */
export const HISTORY_POSITION_COLUMNS = [
  ["timestamp", "numeric"],
  ["block_hash", "text"],
  ["tx_hash", "text"],
] as const;

/**
 * Events no contract module records row by row (roles, pausing, approvals, settings: migration
 * 002), with their decoded arguments. The engine writes it for every module, which is why it is
 * declared here and not in contracts/: a module only says which of its events have a table of
 * their own (EventHandler.recorded).
 */
export const EVENTS: TableSpec = {
  name: "events",
  key: ["block_number", "log_index"],
  columns: [...HISTORY_KEY_COLUMNS, ["contract", "text"], ["name", "text"], ["args", "jsonb"], ["block_hash", "text"], ["tx_hash", "text"]],
};

/** The bookkeeping tables (headers, cursor, journal): wiped with the data on a dev-chain restart. */
export const BOOKKEEPING_TABLES = ["blocks", "cursor", "undo_log"] as const;

export type Row = Record<string, unknown>;

/** `INSERT ... SELECT FROM unnest(...)` for `rows`; upsert when `upsert`, else skip duplicates. */
export function bulkInsert(table: TableSpec, rows: readonly Row[], upsert: boolean): { sql: string; params: unknown[] } {
  const columns = table.columns.map(([column]) => column);
  const params = table.columns.map(([column, type]) => rows.map((row) => (type === "jsonb" && row[column] !== null ? JSON.stringify(row[column]) : row[column] ?? null)));
  const casts = table.columns.map(([, type], index) => `$${index + 1}::${type}[]`).join(", ");
  return { sql: `INSERT INTO ${table.name} (${columns.join(", ")}) SELECT * FROM unnest(${casts}) ${conflictClause(table, upsert)}`, params };
}

/** `ON CONFLICT` for an insert into `table`: update every column but the key and `preserve`, or skip. */
export function conflictClause(table: TableSpec, upsert: boolean): string {
  if (!upsert) return `ON CONFLICT DO NOTHING`;
  const updates = table.columns
    .map(([column]) => column)
    .filter((column) => !table.key.includes(column) && !(table.preserve ?? []).includes(column))
    .map((column) => `${column} = EXCLUDED.${column}`)
    .join(", ");
  return `ON CONFLICT (${table.key.join(", ")}) DO UPDATE SET ${updates}`;
}
