import type { Row } from "./tables";

/**
 * The four columns every mutable row carries: the event that last changed it (001_init's convention).
 * They live with the engine, beside TableSpec, because every contract module's mutable tables end
 * with them and the engine's helpers below fill them; a module only spreads CHANGED_BY_COLUMNS.
 */
export const CHANGED_BY_COLUMNS = [
  ["block_number", "numeric"],
  ["block_hash", "text"],
  ["tx_hash", "text"],
  ["log_index", "int"],
] as const;

/** The position of an event on chain, as the changedBy columns record it. */
export interface ChangePosition {
  blockNumber: number;
  blockHash: string;
  txHash: string;
  logIndex: number;
}

/** The changedBy columns of `event`, to spread into a new or rebuilt row. */
export function changedBy(event: ChangePosition): { block_number: number; block_hash: string; tx_hash: string; log_index: number } {
  return { block_number: event.blockNumber, block_hash: event.blockHash, tx_hash: event.txHash, log_index: event.logIndex };
}

/**
 * Records `event` as the last change of `row`, in place. Rows are changed in place on the hot paths:
 * the undo image (journal) is a copy taken before the change, and a batch waiting for its commit
 * holds its rows' values in its statements already (prepareCommit), not the row objects.
 */
export function stamp(row: Row, event: ChangePosition): Row {
  row.block_number = event.blockNumber;
  row.block_hash = event.blockHash;
  row.tx_hash = event.txHash;
  row.log_index = event.logIndex;
  return row;
}
