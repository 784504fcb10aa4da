import { CHANGED_BY_COLUMNS } from "../changed-by";
import { HISTORY_KEY_COLUMNS, HISTORY_POSITION_COLUMNS, type Row, type TableSpec } from "../tables";

/**
 * The tables several Lure contracts write (migrations 001 and 060): a pod row holds the registry's
 * facts, the market's current listing and PodLicenses' transferability, and a transfer of the token
 * voids the listing (a listing_events row); a licence holding is minted and moved by PodLicenses and
 * priced by the market's sale. They are declared apart from the modules so that each imports them
 * without importing the others.
 */

/** Pods: published by the registry, their listing columns and sales set by the market, licence transferability by PodLicenses. */
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
    ["revision", "int"],
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
    ["listing_fee_bps", "int"],
    ["listing_transferable", "boolean"],
    ["licenses_transferable", "boolean"],
    ["license_sales", "int"],
    ["revenue", "numeric"],
    ["royalties_earned", "numeric"],
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
    ["fee_bps", "int"],
    ["transferable", "boolean"],
    ...HISTORY_POSITION_COLUMNS,
  ],
};

/**
 * Licence holdings: the PodLicenses balance of `account` for pod `pod_id` (token id = pod id). Mints
 * and transfers change `balance` (PodLicenses); a purchase sets the price paid (PodMarket). Rows at
 * balance 0 stay; readers filter them out. The pod owner always counts as licensed: the API's job.
 */
export const LICENSES: TableSpec = {
  name: "licenses",
  key: ["pod_id", "account"],
  columns: [
    ["pod_id", "numeric"],
    ["account", "text"],
    ["balance", "numeric"],
    ["token", "text"],
    ["price", "numeric"],
    ["purchased_at", "numeric"],
    ...CHANGED_BY_COLUMNS,
  ],
};

/** The cache key of the licence holding of `account` for `podId`. */
export const licenseKey = (podId: string, account: string): string => `${podId}|${account}`;

/** A holding that has never moved. */
export function emptyLicense(podId: string, account: string): Row {
  return { pod_id: podId, account, balance: "0", token: null, price: null, purchased_at: null };
}
