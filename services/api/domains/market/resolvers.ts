import { equals, pageOf, totalCount } from "../../graphql/pages";
import { referencedPod } from "../pods/loader";
import type { ApiResolvers } from "../types";
import { licensesList, listingEventsList, purchasesList, withdrawalsList } from "./lists";

/** Listings, licences, purchases, balances and withdrawals; and the market's fields of Pod. */
export const marketResolvers: ApiResolvers = {
  Query: {
    account: (_root, args) => ({ address: args.address }),
    licenses: (_root, args, ctx) => pageOf(ctx, licensesList, args),
    purchases: (_root, args, ctx) => pageOf(ctx, purchasesList, args),
  },
  Pod: {
    // The pods table carries the current listing (the indexer projects the market's events into it).
    listing: (pod) =>
      pod.listed && pod.listingSeller && pod.listingToken
        ? { seller: pod.listingSeller, token: pod.listingToken, price: pod.listingPrice ?? "0", podPrice: pod.listingPodPrice ?? "0", paused: pod.listingPaused }
        : null,
    listingHistory: (pod, args, ctx) => pageOf(ctx, listingEventsList, args, [equals("pod_id", pod.id, "numeric")]),
  },
  License: { pod: (license, _args, ctx) => referencedPod(ctx, license.podId) },
  Purchase: { pod: (purchase, _args, ctx) => referencedPod(ctx, purchase.podId) },
  Account: {
    licenses: (account, args, ctx) => pageOf(ctx, licensesList, args, [equals("account", account.address, "text")]),
    balances: async (account, _args, ctx) => {
      const tx = await ctx.snapshot.get();
      return tx.query(`SELECT token, withdrawable::text AS withdrawable, earned::text AS earned FROM balances WHERE account = $1::text ORDER BY token`, [account.address]);
    },
    withdrawals: (account, args, ctx) =>
      pageOf(ctx, withdrawalsList, { ...args, orderBy: "blockNumber" }, [equals("account", account.address, "text")]),
  },
  ListingEventList: { totalCount },
  LicenseList: { totalCount },
  PurchaseList: { totalCount },
  WithdrawalList: { totalCount },
};
