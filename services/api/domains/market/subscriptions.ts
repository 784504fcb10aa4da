import { decimalText, sameAddress } from "../../graphql/subscriptions/payload";
import { passThrough, streamOf } from "../../graphql/subscriptions/stream";
import { SUBSCRIPTIONS } from "../../subscriptions";
import type { ApiResolvers } from "../types";
import type { PurchaseMadeModel } from "./models";

export const marketSubscriptions: ApiResolvers = {
  Subscription: {
    purchase: {
      subscribe: (_root, args, ctx) =>
        streamOf(ctx.events, {
          event: SUBSCRIPTIONS.purchase,
          map: (event): PurchaseMadeModel | null => {
            if (args.podId && decimalText(event.podId) !== args.podId) return null;
            if (args.buyer && !sameAddress(event.buyer, args.buyer)) return null;
            if (args.seller && !sameAddress(event.seller, args.seller)) return null;
            return {
              __typename: "PurchaseMade",
              kind: event.kind === "pod" ? "POD" : "LICENSE",
              podId: decimalText(event.podId),
              buyer: event.buyer.toLowerCase(),
              seller: event.seller.toLowerCase(),
              token: event.token.toLowerCase(),
              price: decimalText(event.price),
              blockNumber: event.blockNumber,
              txHash: event.txHash.toLowerCase(),
              logIndex: event.logIndex,
            };
          },
        }),
      resolve: passThrough,
    },
  },
  PurchaseUpdate: { __resolveType: (value) => value.__typename },
};
