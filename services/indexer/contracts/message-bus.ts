// The factory file only: the typechain index pulls in every contract of the repository. The
// contract's factory, not its interface's: its ABI lists the events it inherits too (roles).
import { MessageBus__factory } from "../../../typechain-types/factories/contracts/MessageBus__factory";
import { CHANGED_BY_COLUMNS, changedBy, stamp } from "../changed-by";
import type { TableSpec } from "../tables";
import { eventsOf } from "./abi-types";
import { GROUP_TREASURIES, GROUPS, moveTreasury, treasuryKey } from "./group-registry";
import { defineContract } from "./module";

/**
 * MessageBus: paid messages to groups and accounts, inbox prices, contacts, and each group's share
 * of message fees (migration 080). A message to a group adds to the group's `message_count` and its
 * treasury row (tables of group-registry.ts); GroupWithdrawn empties the latter. Accounts' credits
 * (recipients' shares, the protocol's floor) are not in the shared ledger (balances.ts): the
 * protocol's share goes to whoever is the fee recipient when it is withdrawn, which the events do
 * not say per message. Withdrawn, FloorSet, FeeRecipientChanged and the roles' events land in `events`.
 */

const MESSAGES: TableSpec = {
  name: "messages",
  key: ["id"],
  columns: [
    ["id", "numeric"],
    ["sender", "text"],
    ["target_kind", "text"],
    ["group_id", "numeric"],
    ["recipient", "text"],
    ["content_ref", "text"],
    ["decoder_pod_id", "numeric"],
    ["content_type", "int"],
    ["size", "numeric"],
    ["reply_to", "numeric"],
    ["token", "text"],
    ["fee", "numeric"],
    ["protocol_fee", "numeric"],
    ["request", "boolean"],
    ["sent_block", "numeric"],
    ["sent_at", "numeric"],
    ["sent_tx", "text"],
    ["sent_log_index", "int"],
    ...CHANGED_BY_COLUMNS,
  ],
};

const INBOXES: TableSpec = {
  name: "inboxes",
  key: ["account"],
  columns: [["account", "text"], ["token", "text"], ["price", "numeric"], ["request_price", "numeric"], ["surge_window", "numeric"], ["surge_bps", "int"], ...CHANGED_BY_COLUMNS],
};

const CONTACTS: TableSpec = {
  name: "contacts",
  key: ["recipient", "sender"],
  columns: [["recipient", "text"], ["sender", "text"], ["status", "text"], ["request_message_id", "numeric"], ["requested_at", "numeric"], ...CHANGED_BY_COLUMNS],
};

/** Payloads MessageBus's events announce (IndexerEventMap; the API subscribes to them). */
export interface MessageBusAnnouncements {
  messageSent: {
    messageId: string;
    targetKind: "GROUP" | "ACCOUNT";
    /** GROUP only. */
    groupId: string | null;
    /** ACCOUNT only. */
    recipient: string | null;
    sender: string;
    contentRef: string;
    /** null = plain content. */
    decoderPodId: string | null;
    contentType: number;
    size: string;
    /** null = none. */
    replyTo: string | null;
    token: string;
    fee: string;
    protocolFee: string;
    blockNumber: number;
    txHash: string;
    logIndex: number;
  };
}

/** IMessageBus.Contact, by its value. */
const CONTACT_STATUSES = ["NONE", "REQUESTED", "ALLOWED", "DENIED"];
const contactName = (value: string) => CONTACT_STATUSES[Number(value)] ?? `UNKNOWN_${value}`;

/** A target is one uint256: the kind in the top byte (1 = account, 2 = group), the id in the low 248 bits. */
const KIND_ACCOUNT = 1n;
const KIND_GROUP = 2n;
const ID_MASK = (1n << 248n) - 1n;

/** The group or account a target names; null for an encoding `send` refuses (never emitted). */
function decodeTarget(target: string): { kind: "GROUP"; groupId: string } | { kind: "ACCOUNT"; recipient: string } | null {
  const value = BigInt(target);
  const kind = value >> 248n;
  const id = value & ID_MASK;
  if (kind === KIND_GROUP) return { kind: "GROUP", groupId: id.toString() };
  if (kind === KIND_ACCOUNT) return { kind: "ACCOUNT", recipient: `0x${id.toString(16).padStart(40, "0")}` };
  return null;
}

const ABI = eventsOf(MessageBus__factory.abi);

const contactKey = (recipient: string, sender: string) => `${recipient}|${sender}`;

export const messageBus = defineContract<typeof ABI, MessageBusAnnouncements>({
  name: "MessageBus",
  abi: ABI,
  tables: { mutable: [MESSAGES, INBOXES, CONTACTS, GROUPS, GROUP_TREASURIES], appendOnly: [] },
  announces: ["messageSent"],
  handlers: {
    MessageSent: {
      recorded: true,
      touches(args, keys) {
        keys.add(MESSAGES, args.messageId);
        const target = decodeTarget(args.target);
        if (target?.kind !== "GROUP") return;
        keys.add(GROUPS, target.groupId);
        if (args.fee !== args.protocolFee) keys.add(GROUP_TREASURIES, treasuryKey(target.groupId, args.token));
      },
      apply(args, event, effects) {
        const target = decodeTarget(args.target);
        if (target === null) return;
        const groupId = target.kind === "GROUP" ? target.groupId : null;
        const recipient = target.kind === "ACCOUNT" ? target.recipient : null;
        const decoderPodId = args.decoderPodId === "0" ? null : args.decoderPodId;
        const replyTo = args.replyTo === "0" ? null : args.replyTo;
        effects.change(MESSAGES, args.messageId, event, () => ({
          id: args.messageId,
          sender: args.sender,
          target_kind: target.kind,
          group_id: groupId,
          recipient,
          content_ref: args.contentRef,
          decoder_pod_id: decoderPodId,
          content_type: Number(args.contentType),
          size: args.size,
          reply_to: replyTo,
          token: args.token,
          fee: args.fee,
          protocol_fee: args.protocolFee,
          request: false,
          sent_block: String(event.blockNumber),
          sent_at: String(event.timestamp),
          sent_tx: event.txHash,
          sent_log_index: event.logIndex,
          ...changedBy(event),
        }));
        if (groupId !== null) {
          effects.changeExisting(GROUPS, groupId, event, (group) => {
            group.message_count = Number(group.message_count) + 1;
            return stamp(group, event);
          });
          const share = BigInt(args.fee) - BigInt(args.protocolFee);
          if (share !== 0n) moveTreasury(effects, groupId, args.token, "message_fees", share.toString(), "credit", event);
        }
        effects.announce("messageSent", {
          messageId: args.messageId,
          targetKind: target.kind,
          groupId,
          recipient,
          sender: args.sender,
          contentRef: args.contentRef,
          decoderPodId,
          contentType: Number(args.contentType),
          size: args.size,
          replyTo,
          token: args.token,
          fee: args.fee,
          protocolFee: args.protocolFee,
          blockNumber: event.blockNumber,
          txHash: event.txHash,
          logIndex: event.logIndex,
        });
      },
    },
    ContactRequested: {
      touches(args, keys) {
        keys.add(MESSAGES, args.messageId);
        keys.add(CONTACTS, contactKey(args.recipient, args.sender));
      },
      apply(args, event, effects) {
        effects.changeExisting(MESSAGES, args.messageId, event, (message) => {
          message.request = true;
          return stamp(message, event);
        });
        effects.change(CONTACTS, contactKey(args.recipient, args.sender), event, () => ({
          recipient: args.recipient,
          sender: args.sender,
          status: "REQUESTED",
          request_message_id: args.messageId,
          requested_at: String(event.timestamp),
          ...changedBy(event),
        }));
      },
    },
    ContactSet: {
      touches: (args, keys) => keys.add(CONTACTS, contactKey(args.recipient, args.sender)),
      apply(args, event, effects) {
        effects.change(CONTACTS, contactKey(args.recipient, args.sender), event, (current) => ({
          recipient: args.recipient,
          sender: args.sender,
          status: contactName(args.status),
          // The request that was accepted stays named; forgetting or denying a sender keeps it too.
          request_message_id: current?.request_message_id ?? null,
          requested_at: current?.requested_at ?? null,
          ...changedBy(event),
        }));
      },
    },
    InboxSet: {
      touches: (args, keys) => keys.add(INBOXES, args.account),
      apply(args, event, effects) {
        effects.change(INBOXES, args.account, event, () => ({
          account: args.account,
          token: args.token,
          price: args.price,
          request_price: args.requestPrice,
          surge_window: args.surgeWindow,
          surge_bps: Number(args.surgeBps),
          ...changedBy(event),
        }));
      },
    },
    GroupWithdrawn: {
      touches: (args, keys) => keys.add(GROUP_TREASURIES, treasuryKey(args.groupId, args.token)),
      apply: (args, event, effects) => moveTreasury(effects, args.groupId, args.token, "message_fees", args.amount, "withdraw", event),
    },
    // MessageSent is recorded by its row. ContactRequested, ContactSet, InboxSet and GroupWithdrawn are
    // kept in `events` too (the rows hold the latest state only); Withdrawn, FloorSet,
    // FeeRecipientChanged and the roles' events land there alone.
  },
});
