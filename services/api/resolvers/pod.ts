import type { ApiContext } from "../context";
import type { ApiModels, PodRow } from "../models";
import type { Resolvers } from "../../../graphql/generated/types";
import { licensesList, listingEventsList, podVersionsList, podsList, withdrawalsList } from "../lists";
import type { ExtraCondition } from "../sql/list";
import { pageOf, podPage } from "./lists";

const equals = (sql: string, value: string, type: "numeric" | "text"): ExtraCondition => ({ sql: `${sql} = ?`, values: [{ value, type }] });

async function podOf(ctx: ApiContext, id: string): Promise<PodRow> {
  const pod = await ctx.pods.load(id);
  // Rows refer to pods by foreign key within the same snapshot, so a miss is a data bug.
  if (!pod) throw new Error(`pod ${id} is referenced but not indexed`);
  return pod;
}

export const podResolvers: Resolvers<ApiModels, ApiContext> = {
  Pod: {
    parent: (pod, _args, ctx) => (pod.forkedFrom === null ? null : ctx.pods.load(pod.forkedFrom)),
    listing: (pod) =>
      pod.listed && pod.listingSeller && pod.listingToken
        ? { seller: pod.listingSeller, token: pod.listingToken, price: pod.listingPrice ?? "0", podPrice: pod.listingPodPrice ?? "0", paused: pod.listingPaused }
        : null,
    lastChange: (pod) => ({ blockNumber: pod.blockNumber, blockHash: pod.blockHash, txHash: pod.txHash, logIndex: pod.logIndex }),
    versions: (pod, args, ctx) => pageOf(ctx, podVersionsList, args, [equals("pod_id", pod.id, "numeric")]),
    forks: (pod, args, ctx, info) => podPage(ctx, info, podsList, args, [equals("parent_pod_id", pod.id, "numeric")]),
    listingHistory: (pod, args, ctx) => pageOf(ctx, listingEventsList, args, [equals("pod_id", pod.id, "numeric")]),
  },
  PodVersion: {
    pod: (version, _args, ctx) => podOf(ctx, version.podId),
    lastChange: (version) => ({ blockNumber: version.blockNumber, blockHash: version.blockHash, txHash: version.txHash, logIndex: version.logIndex }),
  },
  License: { pod: (license, _args, ctx) => podOf(ctx, license.podId) },
  Purchase: { pod: (purchase, _args, ctx) => podOf(ctx, purchase.podId) },
  Account: {
    pods: (account, args, ctx, info) => podPage(ctx, info, podsList, args, [equals("owner", account.address, "text")]),
    licenses: (account, args, ctx) => pageOf(ctx, licensesList, args, [equals("account", account.address, "text")]),
    balances: async (account, _args, ctx) => {
      const tx = await ctx.snapshot.get();
      return tx.query(`SELECT token, withdrawable::text AS withdrawable, earned::text AS earned FROM balances WHERE account = $1::text ORDER BY token`, [account.address]);
    },
    withdrawals: (account, args, ctx) =>
      pageOf(ctx, withdrawalsList, { ...args, orderBy: "blockNumber" }, [equals("account", account.address, "text")]),
  },
};
