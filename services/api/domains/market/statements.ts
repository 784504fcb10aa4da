import type { FieldStatements } from "../../graphql/snapshot/statement-count";

/** How many SQL statements each resolver of resolvers.ts issues (see statement-count.ts). */
export const marketStatements: FieldStatements = {
  "Query.account": 0, // the address itself; its fields read
  "Query.licenses": 1,
  "Query.purchases": 1,
  "Query.royaltyPayments": 1,
  "Query.marketSettings": 1,
  "Pod.listing": 0,
  "Pod.listingHistory": 1,
  "Pod.royaltyPayments": 1,
  "License.pod": 1, // the pod loader: at most one batched SELECT per tick
  "Purchase.pod": 1,
  "RoyaltyPayment.pod": 1,
  "RoyaltyPayment.ancestorPod": 1,
  "Account.licenses": 1,
  "Account.balances": 1,
  "Account.withdrawals": 1,
  // COUNT(*) over the list's filters, only when asked for
  "ListingEventList.totalCount": 1,
  "LicenseList.totalCount": 1,
  "PurchaseList.totalCount": 1,
  "RoyaltyPaymentList.totalCount": 1,
  "WithdrawalList.totalCount": 1,
};
