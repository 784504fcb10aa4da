import type { RollbackModel } from "../../graphql/models";
import { passThrough, rollbackModel, streamOf } from "../../graphql/subscriptions/stream";
import { SUBSCRIPTIONS } from "../../subscriptions";
import type { ApiResolvers } from "../types";
import type { NewBlockModel } from "./models";

export const indexingSubscriptions: ApiResolvers = {
  Subscription: {
    blocks: {
      subscribe: (_root, _args, ctx) =>
        streamOf(ctx.events, {
          event: SUBSCRIPTIONS.blocks,
          map: (event): NewBlockModel => ({ __typename: "NewBlock", number: event.number, hash: event.hash, timestamp: event.timestamp }),
        }),
      resolve: passThrough,
    },
    reorgs: {
      subscribe: (_root, _args, ctx) =>
        streamOf<typeof SUBSCRIPTIONS.reorgs, RollbackModel>(ctx.events, { event: SUBSCRIPTIONS.reorgs, rollbacks: false, map: rollbackModel }),
      resolve: passThrough,
    },
  },
  BlockUpdate: { __resolveType: (value) => value.__typename },
};
