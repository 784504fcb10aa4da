import type { FieldNode, GraphQLResolveInfo } from "graphql";
import { selectedFieldsAt } from "../../graphql/selection";
import { changeRefColumns } from "../../graphql/sql/columns";

/**
 * Which columns of `pods` each Pod field is resolved from. Pods (single, pages, search hits)
 * select only what the query asks for: with 100 rows, decoding unused columns is most of the cost
 * (notably in PGlite). Every SQL fragment here is a trusted constant.
 */

const PARENT_COLUMN = `parent_pod_id::text AS "forkedFrom"`;
const LISTED_COLUMN = `listed`;

/** Every field of Pod, whichever domain resolves it (the market's fields read the listing columns). */
export const POD_FIELD_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  __typename: [],
  id: [],
  owner: [`owner`],
  creator: [`creator`],
  name: [`name`],
  description: [`description`],
  visibility: [`visibility`],
  versionCount: [`version_count AS "versionCount"`],
  revision: [`revision`],
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
    `listing_fee_bps AS "listingFeeBps"`,
    `listing_transferable AS "listingTransferable"`,
  ],
  licenseSales: [`license_sales AS "licenseSales"`],
  revenue: [`revenue::text AS revenue`],
  royaltiesEarned: [`royalties_earned::text AS "royaltiesEarned"`],
  licensesTransferable: [`licenses_transferable AS "licensesTransferable"`],
  createdBlock: [`created_block::float8 AS "createdBlock"`],
  createdAt: [`created_at::float8 AS "createdAt"`],
  lastChange: [changeRefColumns],
  // Nested lists need only the id, which is always selected.
  versions: [],
  forks: [],
  listingHistory: [],
  royaltyPayments: [],
  // The runs domain's fields read RunMarket's tables by the pod's id.
  runCount: [],
  runSuccessRate: [],
  runPrice: [],
  // The key-grants domain reads PodKeyGrants' table by the pod's id.
  keyGrants: [],
};

const POD_ID_COLUMN = `pods.id::text AS id`;

/** Every Pod column: the complete row the pod loader caches. */
export const POD_COLUMNS = [POD_ID_COLUMN, ...new Set(Object.values(POD_FIELD_COLUMNS).flat())].join(", ");

export interface PodColumns {
  sql: string;
  /** False for a partial row, which must then not be cached as the pod. */
  complete: boolean;
}

/** The select list for the given Pod fields; `fields` null (unknown selection) selects everything. */
export function podColumnsFor(fields: ReadonlySet<string> | null): PodColumns {
  if (fields === null || [...fields].some((field) => !(field in POD_FIELD_COLUMNS))) return { sql: POD_COLUMNS, complete: true };
  const columns = new Set([POD_ID_COLUMN, ...[...fields].flatMap((field) => POD_FIELD_COLUMNS[field])]);
  return { sql: [...columns].join(", "), complete: false };
}

/** Select lists by field node and path: documents are cached by yoga, so their nodes repeat. */
const podColumnsCache = new WeakMap<FieldNode, Map<string, PodColumns>>();

/**
 * The pod columns the fields selected under `path` need (see podColumnsFor), computed once per
 * field of a cached document. Only a field that is not merged with others (one node, the usual
 * case) is cached: then its node and the document's fragments alone decide the selection.
 */
export function podColumnsAt(info: GraphQLResolveInfo, path: readonly string[]): PodColumns {
  const node = info.fieldNodes.length === 1 ? info.fieldNodes[0] : undefined;
  const key = path.join(".");
  const cached = node && podColumnsCache.get(node)?.get(key);
  if (cached) return cached;
  const columns = podColumnsFor(selectedFieldsAt(info, path) ?? new Set());
  if (node) {
    const byPath = podColumnsCache.get(node) ?? new Map<string, PodColumns>();
    byPath.set(key, columns);
    podColumnsCache.set(node, byPath);
  }
  return columns;
}
