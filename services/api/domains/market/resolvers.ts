import { equals, pageOf, totalCount } from "../../graphql/pages";
import { referencedPod } from "../pods/loader";
import type { ApiResolvers } from "../types";
import { licensesList, listingEventsList, purchasesList, royaltyPaymentsList, withdrawalsList } from "./lists";
import type { MarketSettingsModel } from "./models";

/** The market_settings rows (key → value) as MarketSettings; '' is a cleared pending fee change. */
function marketSettings(rows: readonly { key: string; value: string }[]): MarketSettingsModel {
  const settings = new Map(rows.map((row) => [row.key, row.value]));
  const number = (key: string) => (settings.get(key) ? Number(settings.get(key)) : null);
  const pendingBps = number("pending_fee_bps");
  const executableAt = number("pending_fee_executable_at");
  return {
    feeBps: number("fee_bps"),
    feeRecipient: settings.get("fee_recipient") || null,
    paused: settings.get("paused") === "true",
    pendingFeeChange: pendingBps === null || executableAt === null ? null : { feeBps: pendingBps, executableAt },
  };
}

/** Listings, licences, purchases, balances and withdrawals; and the market's fields of Pod. */
export const marketResolvers: ApiResolvers = {
  Query: {
    account: (_root, args) => ({ address: args.address }),
    licenses: (_root, args, ctx) => pageOf(ctx, licensesList, args),
    purchases: (_root, args, ctx) => pageOf(ctx, purchasesList, args),
    royaltyPayments: (_root, args, ctx) => pageOf(ctx, royaltyPaymentsList, args),
    marketSettings: async (_root, _args, ctx) => {
      const tx = await ctx.snapshot.get();
      return marketSettings(await tx.query<{ key: string; value: string }>(`SELECT key, value FROM market_settings`));
    },
  },
  Pod: {
    // The pods table carries the current listing (the indexer projects the market's events into it).
    listing: (pod) =>
      pod.listed && pod.listingSeller && pod.listingToken
        ? {
            seller: pod.listingSeller,
            token: pod.listingToken,
            price: pod.listingPrice ?? "0",
            podPrice: pod.listingPodPrice ?? "0",
            paused: pod.listingPaused,
            feeBps: pod.listingFeeBps ?? 0,
            transferable: pod.listingTransferable ?? false,
          }
        : null,
    listingHistory: (pod, args, ctx) => pageOf(ctx, listingEventsList, args, [equals("pod_id", pod.id, "numeric")]),
    royaltyPayments: (pod, args, ctx) => pageOf(ctx, royaltyPaymentsList, args, [equals("ancestor_pod_id", pod.id, "numeric")]),
  },
  License: { pod: (license, _args, ctx) => referencedPod(ctx, license.podId) },
  Purchase: { pod: (purchase, _args, ctx) => referencedPod(ctx, purchase.podId) },
  RoyaltyPayment: {
    pod: (payment, _args, ctx) => referencedPod(ctx, payment.podId),
    ancestorPod: (payment, _args, ctx) => referencedPod(ctx, payment.ancestorPodId),
  },
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
  RoyaltyPaymentList: { totalCount },
  WithdrawalList: { totalCount },
};
