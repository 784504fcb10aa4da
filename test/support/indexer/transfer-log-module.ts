import { EventFlood__factory } from "../../../typechain-types/factories/contracts/test/EventFlood__factory";
import { changedBy } from "../../../services/indexer/changed-by";
import { eventsOf } from "../../../services/indexer/contracts/abi-types";
import { defineContract } from "../../../services/indexer/contracts/module";
import { HISTORY_KEY_COLUMNS, HISTORY_POSITION_COLUMNS, type TableSpec } from "../../../services/indexer/tables";

/**
 * A contract module that exists only in tests: it follows an EventFlood instance under the name
 * "TransferLog", keeps every Transfer in a history table and each token's current holder in a
 * mutable one, and announces each transfer. Nothing in services/indexer knows it: it is plugged in
 * through startIndexer({ contracts }), the way a registered module is.
 */
const TRANSFER_LOG: TableSpec = {
  name: "test_transfer_log",
  key: ["block_number", "log_index"],
  columns: [...HISTORY_KEY_COLUMNS, ["token_id", "numeric"], ["to_address", "text"], ...HISTORY_POSITION_COLUMNS],
};

const HOLDERS: TableSpec = {
  name: "test_holders",
  key: ["token_id"],
  columns: [["token_id", "numeric"], ["holder", "text"], ["transfers", "int"], ["block_number", "numeric"], ["block_hash", "text"], ["tx_hash", "text"], ["log_index", "int"]],
};

/** The migration such a module would ship in services/database/migrations/, statement by statement. */
export const TRANSFER_LOG_MIGRATION = [
  `CREATE TABLE test_transfer_log (
     block_number NUMERIC(78,0) NOT NULL, log_index INTEGER NOT NULL, token_id NUMERIC(78,0) NOT NULL, to_address TEXT NOT NULL,
     timestamp NUMERIC(78,0) NOT NULL, block_hash TEXT NOT NULL, tx_hash TEXT NOT NULL, PRIMARY KEY (block_number, log_index))`,
  `CREATE INDEX test_transfer_log_to_idx ON test_transfer_log (to_address)`,
  `CREATE TABLE test_holders (
     token_id NUMERIC(78,0) PRIMARY KEY, holder TEXT NOT NULL, transfers INTEGER NOT NULL,
     block_number NUMERIC(78,0) NOT NULL, block_hash TEXT NOT NULL, tx_hash TEXT NOT NULL, log_index INTEGER NOT NULL)`,
];

export interface TransferLogAnnouncements {
  testTransfer: { tokenId: string; to: string; blockNumber: number };
}

const ABI = eventsOf(EventFlood__factory.abi);

export const transferLogModule = defineContract<typeof ABI, TransferLogAnnouncements>({
  name: "TransferLog",
  abi: ABI,
  tables: { mutable: [HOLDERS], appendOnly: [TRANSFER_LOG] },
  announces: ["testTransfer"],
  handlers: {
    Transfer: {
      recorded: true,
      touches: (args, keys) => keys.add(HOLDERS, args.tokenId),
      apply(args, event, effects) {
        effects.record(TRANSFER_LOG, { token_id: args.tokenId, to_address: args.to }, event);
        effects.change(HOLDERS, args.tokenId, event, (row) => ({ token_id: args.tokenId, holder: args.to, transfers: Number(row?.transfers ?? 0) + 1, ...changedBy(event) }));
        effects.announce("testTransfer", { tokenId: args.tokenId, to: args.to, blockNumber: event.blockNumber });
      },
    },
  },
});
