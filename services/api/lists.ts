import type { KeyColumn, ListSpec } from "./sql/list";
import type { FilterColumns } from "./sql/where";

/**
 * The lists of the API over the indexer's tables (services/database/migrations). Every SQL
 * fragment here is a trusted constant; user values reach the database only as bound parameters.
 * Block numbers and timestamps are NUMERIC in the database and exposed as GraphQL Int, hence
 * `::float8` (exact below 2^53, and a JS number from both pg and PGlite).
 */

const changeRefColumns = `block_number::float8 AS "blockNumber", block_hash AS "blockHash", tx_hash AS "txHash", log_index AS "logIndex"`;

const PARENT_COLUMN = `parent_pod_id::text AS "forkedFrom"`;
const LISTED_COLUMN = `listed`;

/**
 * The columns each Pod field is resolved from. Pages of pods select only what the query asks
 * for: with 100 rows, decoding unused columns is most of the cost (notably in PGlite).
 */
export const POD_FIELD_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  __typename: [],
  id: [],
  owner: [`owner`],
  creator: [`creator`],
  name: [`name`],
  description: [`description`],
  visibility: [`visibility`],
  versionCount: [`version_count AS "versionCount"`],
  latestRef: [`latest_ref AS "latestRef"`],
  forkedFrom: [PARENT_COLUMN],
  parent: [PARENT_COLUMN],
  parentVersion: [`parent_version AS "parentVersion"`],
  royaltyBps: [`royalty_bps AS "royaltyBps"`],
  forkRoyaltyBps: [`fork_royalty_bps AS "forkRoyaltyBps"`],
  listed: [LISTED_COLUMN],
  listing: [
    LISTED_COLUMN,
    `listing_seller AS "listingSeller"`,
    `listing_token AS "listingToken"`,
    `listing_price::text AS "listingPrice"`,
    `listing_pod_price::text AS "listingPodPrice"`,
    `listing_paused AS "listingPaused"`,
  ],
  licenseSales: [`license_sales AS "licenseSales"`],
  revenue: [`revenue::text AS revenue`],
  createdBlock: [`created_block::float8 AS "createdBlock"`],
  createdAt: [`created_at::float8 AS "createdAt"`],
  lastChange: [changeRefColumns],
  // Nested lists need only the id, which is always selected.
  versions: [],
  forks: [],
  listingHistory: [],
};

const POD_ID_COLUMN = `pods.id::text AS id`;

/** Every Pod column: the complete row the pod loader caches. */
export const POD_COLUMNS = [POD_ID_COLUMN, ...new Set(Object.values(POD_FIELD_COLUMNS).flat())].join(", ");

/**
 * The select list for the given Pod fields; `complete` is false when it is a partial row, which
 * must then not be cached as the pod. `fields` null (unknown selection) selects everything.
 */
export function podColumnsFor(fields: ReadonlySet<string> | null): { sql: string; complete: boolean } {
  if (fields === null || [...fields].some((field) => !(field in POD_FIELD_COLUMNS))) return { sql: POD_COLUMNS, complete: true };
  const columns = new Set([POD_ID_COLUMN, ...[...fields].flatMap((field) => POD_FIELD_COLUMNS[field])]);
  return { sql: [...columns].join(", "), complete: false };
}

const blockNumberFilter = { sql: "block_number", type: "numeric" } as const;

export const POD_FILTERS: FilterColumns = {
  id: { sql: "id", type: "numeric" },
  owner: { sql: "owner", type: "text" },
  creator: { sql: "creator", type: "text" },
  name: { sql: "name", type: "text" },
  description: { sql: "description", type: "text" },
  visibility: { sql: "visibility", type: "text" },
  forkedFrom: { sql: "parent_pod_id", type: "numeric" },
  listed: { sql: "listed", type: "boolean" },
  token: { sql: "listing_token", type: "text" },
  listingPrice: { sql: "listing_price", type: "numeric" },
  versionCount: { sql: "version_count", type: "integer" },
  licenseSales: { sql: "license_sales", type: "integer" },
  createdBlock: { sql: "created_block", type: "numeric" },
};

/**
 * Sort keys are qualified with their table: ORDER BY resolves a bare name to an output column
 * first, and the select list renames columns (e.g. `id::text AS id` would sort as text).
 */
const podId = { sql: "pods.id", type: "numeric" } as const;

export const podsList: ListSpec = {
  name: "pods",
  from: "pods",
  select: POD_COLUMNS,
  filters: POD_FILTERS,
  orders: {
    id: podId,
    name: { sql: "pods.name", type: "text" },
    owner: { sql: "pods.owner", type: "text" },
    createdBlock: { sql: "pods.created_block", type: "numeric" },
    versionCount: { sql: "pods.version_count", type: "integer" },
    listingPrice: { sql: "pods.listing_price", type: "numeric", nullable: true },
    licenseSales: { sql: "pods.license_sales", type: "integer" },
    revenue: { sql: "pods.revenue", type: "numeric" },
  },
  primaryKey: [podId],
};

export const podVersionsList: ListSpec = {
  name: "podVersions",
  from: "pod_versions",
  select: `pod_id::text AS "podId", version, manifest_ref AS "manifestRef", publisher, published_at::float8 AS "publishedAt", ${changeRefColumns}`,
  filters: {
    podId: { sql: "pod_id", type: "numeric" },
    version: { sql: "version", type: "integer" },
    publisher: { sql: "publisher", type: "text" },
    manifestRef: { sql: "manifest_ref", type: "text" },
    blockNumber: blockNumberFilter,
  },
  orders: {
    version: { sql: "pod_versions.version", type: "integer" },
    blockNumber: { sql: "pod_versions.block_number", type: "numeric" },
  },
  primaryKey: [
    { sql: "pod_versions.pod_id", type: "numeric" },
    { sql: "pod_versions.version", type: "integer" },
  ],
};

/** Append-only event tables share their key: the log's position in the chain. */
const logPosition = (table: string): [KeyColumn, KeyColumn] => [
  { sql: `${table}.block_number`, type: "numeric" },
  { sql: `${table}.log_index`, type: "integer" },
];

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

/** Full-text search: `$1` is always the search text (bound first by the caller). */
const SEARCH_QUERY = `websearch_to_tsquery('english', $1::text)`;
export const SEARCH_RANK = `ts_rank(search, ${SEARCH_QUERY})::float8`;
export const searchList: ListSpec = {
  name: "search",
  from: "pods",
  select: `${SEARCH_RANK} AS "_rank", ${POD_COLUMNS}`,
  filters: POD_FILTERS,
  orders: { rank: { sql: SEARCH_RANK, type: "float8" } },
  primaryKey: [podId],
};
export const SEARCH_MATCH = `search @@ ${SEARCH_QUERY}`;
