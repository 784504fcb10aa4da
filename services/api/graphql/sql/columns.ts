import type { KeyColumn } from "./list";
import type { FilterColumn } from "./where";

/**
 * SQL fragments the lists of several domains share: the indexer's tables record where each row
 * last changed, and append-only event tables are keyed by their log's position. Block numbers and
 * timestamps are NUMERIC in the database and exposed as GraphQL Int, hence `::float8` (exact
 * below 2^53, and a JS number from both pg and PGlite).
 */

/** The select list of a ChangeRef (the model's fields, by alias). */
export const changeRefColumns = `block_number::float8 AS "blockNumber", block_hash AS "blockHash", tx_hash AS "txHash", log_index AS "logIndex"`;

export const blockNumberFilter: FilterColumn = { sql: "block_number", type: "numeric" };

/** Append-only event tables share their key: the log's position in the chain. */
export const logPosition = (table: string): [KeyColumn, KeyColumn] => [
  { sql: `${table}.block_number`, type: "numeric" },
  { sql: `${table}.log_index`, type: "integer" },
];
