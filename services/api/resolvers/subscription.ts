import type { ApiContext } from "../context";
import type { ApiModels, NewBlockModel, PodPublishedModel, PurchaseMadeModel, RollbackModel } from "../models";
import type { Resolvers } from "../../../graphql/generated/types";
import { rollbackModel, streamOf } from "../subscriptions";

const passThrough = <T>(payload: T): T => payload;
const text = (value: bigint | string): string => (typeof value === "bigint" ? value.toString() : value);
const sameAddress = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export const subscriptionResolvers: Resolvers<ApiModels, ApiContext> = {
  Subscription: {
    podPublished: {
      subscribe: (_root, args, ctx) =>
        streamOf(ctx.events, {
          event: "podPublished",
          map: (event): PodPublishedModel | null => {
            const forkedFrom = event.parentPodId === null || text(event.parentPodId) === "0" ? null : text(event.parentPodId);
            if (args.owner && !sameAddress(event.owner, args.owner)) return null;
            if (args.forkedFrom && forkedFrom !== args.forkedFrom) return null;
            return {
              __typename: "PodPublished",
              podId: text(event.podId),
              owner: event.owner.toLowerCase(),
              name: event.name,
              manifestRef: event.manifestRef.toLowerCase(),
              forkedFrom,
              blockNumber: event.blockNumber,
            };
          },
        }),
      resolve: passThrough,
    },
    purchase: {
      subscribe: (_root, args, ctx) =>
        streamOf(ctx.events, {
          event: "purchase",
          map: (event): PurchaseMadeModel | null => {
            if (args.podId && text(event.podId) !== args.podId) return null;
            if (args.buyer && !sameAddress(event.buyer, args.buyer)) return null;
            if (args.seller && !sameAddress(event.seller, args.seller)) return null;
            return {
              __typename: "PurchaseMade",
              kind: event.kind === "pod" ? "POD" : "LICENSE",
              podId: text(event.podId),
              buyer: event.buyer.toLowerCase(),
              seller: event.seller.toLowerCase(),
              token: event.token.toLowerCase(),
              price: text(event.price),
              blockNumber: event.blockNumber,
              txHash: event.txHash.toLowerCase(),
              logIndex: event.logIndex,
            };
          },
        }),
      resolve: passThrough,
    },
    blocks: {
      subscribe: (_root, _args, ctx) =>
        streamOf(ctx.events, {
          event: "block",
          map: (event): NewBlockModel => ({ __typename: "NewBlock", number: event.number, hash: event.hash, timestamp: event.timestamp }),
        }),
      resolve: passThrough,
    },
    reorgs: {
      subscribe: (_root, _args, ctx) =>
        streamOf(ctx.events, { event: "rollback", rollbacks: false, map: rollbackModel }) as AsyncIterableIterator<RollbackModel>,
      resolve: passThrough,
    },
  },
  PodPublishedUpdate: { __resolveType: (value) => value.__typename },
  PurchaseUpdate: { __resolveType: (value) => value.__typename },
  BlockUpdate: { __resolveType: (value) => value.__typename },
};
