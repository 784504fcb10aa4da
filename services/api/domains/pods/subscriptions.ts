import { decimalText, sameAddress } from "../../graphql/subscriptions/payload";
import { passThrough, streamOf } from "../../graphql/subscriptions/stream";
import { SUBSCRIPTIONS } from "../../subscriptions";
import type { ApiResolvers } from "../types";
import type { PodPublishedModel } from "./models";

export const podsSubscriptions: ApiResolvers = {
  Subscription: {
    podPublished: {
      subscribe: (_root, args, ctx) =>
        streamOf(ctx.events, {
          event: SUBSCRIPTIONS.podPublished,
          map: (event): PodPublishedModel | null => {
            const forkedFrom = event.parentPodId === null || decimalText(event.parentPodId) === "0" ? null : decimalText(event.parentPodId);
            if (args.owner && !sameAddress(event.owner, args.owner)) return null;
            if (args.forkedFrom && forkedFrom !== args.forkedFrom) return null;
            return {
              __typename: "PodPublished",
              podId: decimalText(event.podId),
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
  },
  PodPublishedUpdate: { __resolveType: (value) => value.__typename },
};
