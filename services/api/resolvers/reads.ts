/**
 * How many SQL statements one call of each resolver may issue, declared next to the resolvers.
 *
 * An operation whose fields add up to at most one statement is answered without a snapshot
 * transaction (one statement already reads one snapshot in PostgreSQL), saving BEGIN and COMMIT.
 * buildApiSchema refuses to start when a field has a resolver but no entry here, so a new resolver
 * cannot silently make such an operation read two snapshots; and at run time a second statement
 * in a transaction-less operation fails instead of reading another state (services/api/snapshot.ts).
 *
 * Fields without a resolver read a property of their parent's row: no statement.
 */

/** More than one statement, or an unknown number (recursive queries, per-level follow-ups). */
export const MANY = Number.POSITIVE_INFINITY;

export type StatementCount = 0 | 1 | typeof MANY;

export const FIELD_STATEMENTS: Readonly<Record<string, StatementCount>> = {
  // resolvers/query.ts
  "Query.pod": 1, // one SELECT, projected or through the pod loader
  "Query.account": 0, // the address itself; its fields read
  "Query.pods": 1,
  "Query.podVersions": 1,
  "Query.licenses": 1,
  "Query.purchases": 1,
  "Query.search": 1,
  "Query.lineage": MANY,
  "Query._meta": 1,

  // resolvers/pod.ts
  "Pod.parent": 1, // the pod loader: at most one batched SELECT per tick
  "Pod.listing": 0,
  "Pod.lastChange": 0,
  "Pod.versions": 1,
  "Pod.forks": 1,
  "Pod.listingHistory": 1,
  "PodVersion.pod": 1,
  "PodVersion.lastChange": 0,
  "License.pod": 1,
  "Purchase.pod": 1,
  "Account.pods": 1,
  "Account.licenses": 1,
  "Account.balances": 1,
  "Account.withdrawals": 1,

  // resolvers/lists.ts: COUNT(*) over the list's filters, only when asked for
  "PodList.totalCount": 1,
  "PodVersionList.totalCount": 1,
  "ListingEventList.totalCount": 1,
  "LicenseList.totalCount": 1,
  "PurchaseList.totalCount": 1,
  "WithdrawalList.totalCount": 1,
  "SearchHitList.totalCount": 1,

  // resolvers/subscription.ts: events come from the indexer, not from the database
  "Subscription.podPublished": 0,
  "Subscription.purchase": 0,
  "Subscription.blocks": 0,
  "Subscription.reorgs": 0,
};
