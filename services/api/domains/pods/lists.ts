import { blockNumberFilter, changeRefColumns } from "../../graphql/sql/columns";
import type { ListSpec } from "../../graphql/sql/list";
import type { FilterColumns } from "../../graphql/sql/where";
import { POD_COLUMNS } from "./columns";

/**
 * The pods domain's lists over the indexer's `pods` and `pod_versions` tables. Every SQL fragment
 * here is a trusted constant; user values reach the database only as bound parameters.
 */

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
  // Pods posted to (and not removed from) the catalogue of a group: the group_pods_pkey index
  // (group_id, pod_id) answers it per pod.
  inGroup: { sql: "group_pods.group_id", type: "numeric", related: { from: "group_pods", correlate: "group_pods.pod_id = pods.id AND group_pods.posted" } },
};

/**
 * Sort keys are qualified with their table: ORDER BY resolves a bare name to an output column
 * first, and the select list renames columns (e.g. `id::text AS id` would sort as text).
 */
export const podIdKey = { sql: "pods.id", type: "numeric" } as const;

export const podsList: ListSpec = {
  name: "pods",
  from: "pods",
  select: POD_COLUMNS,
  filters: POD_FILTERS,
  orders: {
    id: podIdKey,
    name: { sql: "pods.name", type: "text" },
    owner: { sql: "pods.owner", type: "text" },
    createdBlock: { sql: "pods.created_block", type: "numeric" },
    versionCount: { sql: "pods.version_count", type: "integer" },
    listingPrice: { sql: "pods.listing_price", type: "numeric", nullable: true },
    licenseSales: { sql: "pods.license_sales", type: "integer" },
    revenue: { sql: "pods.revenue", type: "numeric" },
  },
  primaryKey: [podIdKey],
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
