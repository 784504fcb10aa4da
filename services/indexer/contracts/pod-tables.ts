import { CHANGED_BY_COLUMNS } from "../changed-by";
import { HISTORY_KEY_COLUMNS, HISTORY_POSITION_COLUMNS, type TableSpec } from "../tables";

/**
 * The tables both Lure contracts write (migration 001): a pod row holds the registry's facts and the
 * market's current listing, and a transfer of the token voids the listing (a listing_events row). They
 * are declared apart from both modules so that each imports them without importing the other.
 */

/** Pods: published by the registry, their listing columns and sales set by the market. */
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
    ...CHANGED_BY_COLUMNS,
  ],
};

/** Listing and price history, plus a 'voided' row when the pod token changes hands. */
export const LISTING_EVENTS: TableSpec = {
  name: "listing_events",
  key: ["block_number", "log_index"],
  columns: [
    ...HISTORY_KEY_COLUMNS,
    ["kind", "text"],
    ["pod_id", "numeric"],
    ["seller", "text"],
    ["token", "text"],
    ["price", "numeric"],
    ["pod_price", "numeric"],
    ["paused", "boolean"],
    ...HISTORY_POSITION_COLUMNS,
  ],
};
