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
}

const changedBy = [
  ["block_number", "numeric"],
  ["block_hash", "text"],
  ["tx_hash", "text"],
  ["log_index", "int"],
] as const;

export const PODS: TableSpec = {
  name: "pods",
  key: ["id"],
  preserve: ["description"],
  columns: [
    ["id", "numeric"],
    ["owner", "text"],
    ["creator", "text"],
    ["name", "text"],
    ["visibility", "text"],
    ["version_count", "int"],
    ["latest_ref", "text"],
    ["parent_pod_id", "numeric"],
    ["parent_version", "int"],
    ["royalty_bps", "int"],
    ["fork_royalty_bps", "int"],
    ["listed", "boolean"],
    ["listing_seller", "text"],
    ["listing_token", "text"],
    ["listing_price", "numeric"],
    ["listing_pod_price", "numeric"],
    ["listing_paused", "boolean"],
    ["license_sales", "int"],
    ["revenue", "numeric"],
    ["created_block", "numeric"],
    ["created_at", "numeric"],
    ["created_tx", "text"],
    ...changedBy,
  ],
};

export const BALANCES: TableSpec = {
  name: "balances",
  key: ["account", "token"],
  columns: [["account", "text"], ["token", "text"], ["withdrawable", "numeric"], ["earned", "numeric"], ["withdrawn", "numeric"], ...changedBy],
};

export const MARKET_TOKENS: TableSpec = {
  name: "market_tokens",
  key: ["token"],
  columns: [["token", "text"], ["allowed", "boolean"], ...changedBy],
};

export const MARKET_SETTINGS: TableSpec = {
  name: "market_settings",
  key: ["key"],
  columns: [["key", "text"], ["value", "text"], ...changedBy],
};

/** Tables whose rows change in place: rolled back through the undo journal. */
export const MUTABLE_TABLES = [PODS, BALANCES, MARKET_TOKENS, MARKET_SETTINGS] as const;

export const POD_VERSIONS: TableSpec = {
  name: "pod_versions",
  key: ["pod_id", "version"],
  columns: [["pod_id", "numeric"], ["version", "int"], ["manifest_ref", "text"], ["publisher", "text"], ["published_at", "numeric"], ...changedBy],
};

const eventRow = [
  ["block_number", "numeric"],
  ["log_index", "int"],
] as const;
const eventTail = [
  ["timestamp", "numeric"],
  ["block_hash", "text"],
  ["tx_hash", "text"],
] as const;

export const LISTING_EVENTS: TableSpec = {
  name: "listing_events",
  key: ["block_number", "log_index"],
  columns: [
    ...eventRow,
    ["kind", "text"],
    ["pod_id", "numeric"],
    ["seller", "text"],
    ["token", "text"],
    ["price", "numeric"],
    ["pod_price", "numeric"],
    ["paused", "boolean"],
    ...eventTail,
  ],
};

export const LICENSES: TableSpec = {
  name: "licenses",
  key: ["pod_id", "account"],
  columns: [["pod_id", "numeric"], ["account", "text"], ["token", "text"], ["price", "numeric"], ["purchased_at", "numeric"], ...changedBy],
};

export const PURCHASES: TableSpec = {
  name: "purchases",
  key: ["block_number", "log_index"],
  columns: [
    ...eventRow,
    ["kind", "text"],
    ["pod_id", "numeric"],
    ["buyer", "text"],
    ["seller", "text"],
    ["token", "text"],
    ["price", "numeric"],
    ["fee", "numeric"],
    ["fee_recipient", "text"],
    ["royalty", "numeric"],
    ["royalty_receiver", "text"],
    ["seller_proceeds", "numeric"],
    ...eventTail,
  ],
};

export const TRANSFERS: TableSpec = {
  name: "transfers",
  key: ["block_number", "log_index"],
  columns: [...eventRow, ["pod_id", "numeric"], ["from_address", "text"], ["to_address", "text"], ...eventTail],
};

export const WITHDRAWALS: TableSpec = {
  name: "withdrawals",
  key: ["block_number", "log_index"],
  columns: [...eventRow, ["account", "text"], ["token", "text"], ["amount", "numeric"], ...eventTail],
};

export const EVENTS: TableSpec = {
  name: "events",
  key: ["block_number", "log_index"],
  columns: [...eventRow, ["contract", "text"], ["name", "text"], ["args", "jsonb"], ["block_hash", "text"], ["tx_hash", "text"]],
};

/** Tables that only grow: rolled back by deleting rows above the common ancestor. */
export const APPEND_ONLY_TABLES = [POD_VERSIONS, LISTING_EVENTS, LICENSES, PURCHASES, TRANSFERS, WITHDRAWALS, EVENTS] as const;

/** Every table holding indexed data (wiped on a dev-chain restart). */
export const DATA_TABLES = [...MUTABLE_TABLES, ...APPEND_ONLY_TABLES].map((table) => table.name).concat(["blocks", "cursor", "undo_log"]);

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
