import { blockNumberFilter, logPosition } from "../../graphql/sql/columns";
import type { ListSpec } from "../../graphql/sql/list";

/**
 * The market domain's lists over the indexer's market tables. Every SQL fragment here is a
 * trusted constant; user values reach the database only as bound parameters.
 */

export const listingEventsList: ListSpec = {
  name: "listingEvents",
  from: "listing_events",
  select: `pod_id::text AS "podId", kind, seller, token, price::text AS price, pod_price::text AS "podPrice", paused, fee_bps AS "feeBps", transferable, timestamp::float8 AS timestamp, block_number::float8 AS "blockNumber", tx_hash AS "txHash", log_index AS "logIndex"`,
  filters: {
    kind: { sql: "kind", type: "text" },
    seller: { sql: "seller", type: "text" },
    blockNumber: blockNumberFilter,
  },
  orders: { blockNumber: logPosition("listing_events")[0] },
  primaryKey: logPosition("listing_events"),
};

/** A holding's transferability is its pod's (PodLicenses' setting per pod). */
const LICENSE_TRANSFERABLE = `coalesce((SELECT pods.licenses_transferable FROM pods WHERE pods.id = licenses.pod_id), false)`;

/**
 * Licences held (PodLicenses balances, migration 060): only holdings with a balance, so the list and
 * its count never show a licence given away or burnt (the rows stay, at 0, for their purchase).
 */
export const licensesList: ListSpec = {
  name: "licenses",
  from: "(SELECT * FROM licenses WHERE balance > 0) AS licenses",
  select: `pod_id::text AS "podId", account AS holder, balance::text AS balance, ${LICENSE_TRANSFERABLE} AS transferable, token, price::text AS price, purchased_at::float8 AS "purchasedAt", block_number::float8 AS "blockNumber", tx_hash AS "txHash", log_index AS "logIndex"`,
  filters: {
    podId: { sql: "pod_id", type: "numeric" },
    holder: { sql: "account", type: "text" },
    transferable: { sql: LICENSE_TRANSFERABLE, type: "boolean" },
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
  select: `upper(kind) AS kind, pod_id::text AS "podId", buyer, seller, token, price::text AS price, fee::text AS fee, fee_recipient AS "feeRecipient", royalty::text AS royalty, royalty_receiver AS "royaltyReceiver", seller_proceeds::text AS "sellerProceeds", revision, timestamp::float8 AS timestamp, block_number::float8 AS "blockNumber", tx_hash AS "txHash", log_index AS "logIndex"`,
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
  select: `account, token, amount::text AS amount, recipient, timestamp::float8 AS timestamp, block_number::float8 AS "blockNumber", tx_hash AS "txHash", log_index AS "logIndex"`,
  filters: {},
  orders: { blockNumber: logPosition("withdrawals")[0] },
  primaryKey: logPosition("withdrawals"),
};

/** Royalty shares per ancestor and sale (RoyaltyPaid, migration 060). */
export const royaltyPaymentsList: ListSpec = {
  name: "royaltyPayments",
  from: "royalty_payments",
  select: `pod_id::text AS "podId", ancestor_pod_id::text AS "ancestorPodId", receiver, token, amount::text AS amount, depth, timestamp::float8 AS timestamp, block_number::float8 AS "blockNumber", tx_hash AS "txHash", log_index AS "logIndex"`,
  filters: {
    podId: { sql: "pod_id", type: "numeric" },
    ancestorPodId: { sql: "ancestor_pod_id", type: "numeric" },
    receiver: { sql: "receiver", type: "text" },
    token: { sql: "token", type: "text" },
    depth: { sql: "depth", type: "integer" },
    blockNumber: blockNumberFilter,
  },
  orders: {
    blockNumber: logPosition("royalty_payments")[0],
    amount: { sql: "royalty_payments.amount", type: "numeric" },
  },
  primaryKey: logPosition("royalty_payments"),
};
