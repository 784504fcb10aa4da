import { decimalText, sameAddress } from "../../graphql/subscriptions/payload";
import { passThrough, streamOf } from "../../graphql/subscriptions/stream";
import { SUBSCRIPTIONS } from "../../subscriptions";
import type { ApiResolvers } from "../types";
import type { NewMessageModel } from "./models";

const decimalOrNull = (value: bigint | string | null) => (value === null ? null : decimalText(value));

export const groupsSubscriptions: ApiResolvers = {
  Subscription: {
    messageSent: {
      subscribe: (_root, args, ctx) =>
        streamOf(ctx.events, {
          event: SUBSCRIPTIONS.messageSent,
          map: (event): NewMessageModel | null => {
            if (args.group && (event.groupId === null || decimalText(event.groupId) !== args.group)) return null;
            if (args.recipient && (event.recipient === null || !sameAddress(event.recipient, args.recipient))) return null;
            if (args.sender && !sameAddress(event.sender, args.sender)) return null;
            return {
              __typename: "NewMessage",
              messageId: decimalText(event.messageId),
              targetKind: event.targetKind,
              groupId: decimalOrNull(event.groupId),
              recipient: event.recipient?.toLowerCase() ?? null,
              sender: event.sender.toLowerCase(),
              contentRef: event.contentRef.toLowerCase(),
              decoderPodId: decimalOrNull(event.decoderPodId),
              contentType: event.contentType,
              size: decimalText(event.size),
              replyTo: decimalOrNull(event.replyTo),
              token: event.token.toLowerCase(),
              fee: decimalText(event.fee),
              protocolFee: decimalText(event.protocolFee),
              blockNumber: event.blockNumber,
              txHash: event.txHash.toLowerCase(),
              logIndex: event.logIndex,
            };
          },
        }),
      resolve: passThrough,
    },
  },
  MessageUpdate: { __resolveType: (value) => value.__typename },
};
