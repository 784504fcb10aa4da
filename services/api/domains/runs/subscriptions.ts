import { decimalText, sameAddress } from "../../graphql/subscriptions/payload";
import { passThrough, streamOf } from "../../graphql/subscriptions/stream";
import { SUBSCRIPTIONS } from "../../subscriptions";
import type { ApiResolvers } from "../types";
import type { RunChangedModel } from "./models";

export const runsSubscriptions: ApiResolvers = {
  Subscription: {
    runUpdated: {
      subscribe: (_root, args, ctx) =>
        streamOf(ctx.events, {
          event: SUBSCRIPTIONS.runUpdated,
          map: (event): RunChangedModel | null => {
            if (args.runId && decimalText(event.runId) !== args.runId) return null;
            if (args.podId && decimalText(event.podId) !== args.podId) return null;
            if (args.requester && !sameAddress(event.requester, args.requester)) return null;
            if (args.runner && (event.runner === null || !sameAddress(event.runner, args.runner))) return null;
            return {
              __typename: "RunChanged",
              runId: decimalText(event.runId),
              change: event.change,
              status: event.status,
              stage: event.stage,
              requester: event.requester.toLowerCase(),
              runner: event.runner?.toLowerCase() ?? null,
              podId: decimalText(event.podId),
              blockNumber: event.blockNumber,
              txHash: event.txHash.toLowerCase(),
              logIndex: event.logIndex,
            };
          },
        }),
      resolve: passThrough,
    },
  },
  RunUpdate: { __resolveType: (value) => value.__typename },
};
