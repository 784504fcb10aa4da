import { blockNumberFilter, logPosition } from "../../graphql/sql/columns";
import type { ListSpec } from "../../graphql/sql/list";

/**
 * The market domain's lists over the indexer's market tables. Every SQL fragment here is a
 * trusted constant; user values reach the database only as bound parameters.
 */

export const listingEventsList: ListSpec = {
  name: "listingEvents",
  from: "listing_events",
  select: `pod_id::text AS "podId", kind, seller, token, price::text AS price, pod_price::text AS "podPrice", paused, timestamp::float8 AS timestamp, block_number::float8 AS "blockNumber", tx_hash AS "txHash", log_index AS "logIndex"`,
  filters: {
    kind: { sql: "kind", type: "text" },
    seller: { sql: "seller", type: "text" },
    blockNumber: blockNumberFilter,
  },
  orders: { blockNumber: logPosition("listing_events")[0] },
  primaryKey: logPosition("listing_events"),
};

export const licensesList: ListSpec = {
  name: "licenses",
  from: "licenses",
  select: `pod_id::text AS "podId", account AS holder, token, price::text AS price, purchased_at::float8 AS "purchasedAt", block_number::float8 AS "blockNumber", tx_hash AS "txHash", log_index AS "logIndex"`,
  filters: {
    podId: { sql: "pod_id", type: "numeric" },
    holder: { sql: "account", type: "text" },
    blockNumber: blockNumberFilter,
  },
  orders: {
    blockNumber: { sql: "licenses.block_number", type: "numeric" },
    podId: { sql: "licenses.pod_id", type: "numeric" },
  },
  primaryKey: [
    { sql: "licenses.pod_id", type: "numeric" },
    { sql: "licenses.account", type: "text" },
  ],
};

/** The database stores purchase kinds lower-case ('license' | 'pod'); the API enum is upper-case. */
const kindToDb = (value: unknown) => (typeof value === "string" ? value.toLowerCase() : value);

export const purchasesList: ListSpec = {
  name: "purchases",
  from: "purchases",
  select: `upper(kind) AS kind, pod_id::text AS "podId", buyer, seller, token, price::text AS price, fee::text AS fee, fee_recipient AS "feeRecipient", royalty::text AS royalty, royalty_receiver AS "royaltyReceiver", seller_proceeds::text AS "sellerProceeds", timestamp::float8 AS timestamp, block_number::float8 AS "blockNumber", tx_hash AS "txHash", log_index AS "logIndex"`,
  filters: {
    kind: { sql: "kind", type: "text", toDb: kindToDb },
    podId: { sql: "pod_id", type: "numeric" },
    buyer: { sql: "buyer", type: "text" },
    seller: { sql: "seller", type: "text" },
    token: { sql: "token", type: "text" },
    price: { sql: "price", type: "numeric" },
    blockNumber: blockNumberFilter,
  },
  orders: {
    blockNumber: logPosition("purchases")[0],
    price: { sql: "purchases.price", type: "numeric" },
  },
  primaryKey: logPosition("purchases"),
};

export const withdrawalsList: ListSpec = {
  name: "withdrawals",
  from: "withdrawals",
  select: `account, token, amount::text AS amount, timestamp::float8 AS timestamp, block_number::float8 AS "blockNumber", tx_hash AS "txHash", log_index AS "logIndex"`,
  filters: {},
  orders: { blockNumber: logPosition("withdrawals")[0] },
  primaryKey: logPosition("withdrawals"),
};
