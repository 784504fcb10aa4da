import { equals, pageOf, totalCount } from "../../graphql/pages";
import type { ApiResolvers } from "../types";
import { groupLoaders } from "./loaders";
import { GROUP_COLUMNS, INBOX_COLUMNS, MESSAGE_COLUMNS, contactsList, groupMembersList, groupPodsList, groupsList, messagesList, requestsList } from "./lists";
import type { GroupBannerLinkModel, GroupBannerModel, GroupRow, InboxSettingsRow, MessageRow } from "./models";

const GROUP_BY_ID = `SELECT ${GROUP_COLUMNS} FROM groups WHERE id = $1::numeric`;
const MESSAGE_BY_ID = `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = $1::numeric`;
const INBOX_OF = `SELECT ${INBOX_COLUMNS} FROM inboxes WHERE account = $1::text`;

const lastChange = (row: { blockNumber: number; blockHash: string; txHash: string; logIndex: number }) => ({
  blockNumber: row.blockNumber,
  blockHash: row.blockHash,
  txHash: row.txHash,
  logIndex: row.logIndex,
});

const text = (value: unknown): string | null => (typeof value === "string" ? value : null);
/** A list of strings: a string alone is a list of one; anything else is null. */
const texts = (value: unknown): string[] | null => (typeof value === "string" ? [value] : Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : null);

function links(value: unknown): GroupBannerLinkModel[] | null {
  if (!Array.isArray(value)) return null;
  return value.flatMap((item: unknown): GroupBannerLinkModel[] => {
    if (typeof item === "string") return [{ label: null, url: item }];
    if (typeof item === "object" && item !== null && "url" in item && typeof item.url === "string") return [{ label: "label" in item ? text(item.label) : null, url: item.url }];
    return [];
  });
}

/** The banner's fields (tolerant: a field of another shape is null), or null when none was read from the current reference. */
function bannerOf(group: GroupRow): GroupBannerModel | null {
  const json = group.bannerJson;
  if (group.bannerRef === null || typeof json !== "object" || json === null) return null;
  const banner = json as Record<string, unknown>;
  return {
    ref: group.bannerRef,
    title: text(banner.title),
    objectives: texts(banner.objectives),
    howToJoin: text(banner.howToJoin),
    rules: texts(banner.rules),
    links: links(banner.links),
    json: JSON.stringify(json),
  };
}

/** Groups with their members, treasury, catalogue and messages; messages; and the inbox of an account. */
export const groupsResolvers: ApiResolvers = {
  Query: {
    group: async (_root, args, ctx) => {
      const tx = await ctx.snapshot.get();
      const [row] = await tx.query<GroupRow>(GROUP_BY_ID, [args.id]);
      return row ?? null;
    },
    groups: (_root, args, ctx) => pageOf(ctx, groupsList, args),
    message: async (_root, args, ctx) => {
      const tx = await ctx.snapshot.get();
      const [row] = await tx.query<MessageRow>(MESSAGE_BY_ID, [args.id]);
      return row ?? null;
    },
    messages: (_root, args, ctx) => pageOf(ctx, messagesList, args),
  },
  Group: {
    banner: bannerOf,
    members: (group, args, ctx) => pageOf(ctx, groupMembersList, args, [equals("group_id", group.id, "numeric")]),
    treasury: (group, _args, ctx) => groupLoaders(ctx).treasuries.load(group.id),
    catalogue: (group, args, ctx) => pageOf(ctx, groupPodsList, args, [equals("group_id", group.id, "numeric")]),
    messages: (group, args, ctx) => pageOf(ctx, messagesList, args, [equals("group_id", group.id, "numeric")]),
    lastChange,
  },
  GroupMember: {
    group: async (member, _args, ctx) => {
      const group = await groupLoaders(ctx).groups.load(member.groupId);
      // Rows refer to groups within the same snapshot, so a miss is a data bug.
      if (!group) throw new Error(`group ${member.groupId} is referenced but not indexed`);
      return group;
    },
    lastChange,
  },
  GroupPod: {
    pod: (entry, _args, ctx) => ctx.pods.load(entry.podId),
  },
  Message: {
    group: (message, _args, ctx) => (message.groupId === null ? null : groupLoaders(ctx).groups.load(message.groupId)),
    decoder: (message, _args, ctx) => (message.decoderPodId === null ? null : ctx.pods.load(message.decoderPodId)),
    replyToMessage: (message, _args, ctx) => (message.replyTo === null ? null : groupLoaders(ctx).messages.load(message.replyTo)),
  },
  Contact: {
    requestMessage: (contact, _args, ctx) => (contact.requestMessageId === null ? null : groupLoaders(ctx).messages.load(contact.requestMessageId)),
    lastChange,
  },
  InboxSettings: { lastChange },
  Account: {
    inbox: (account, args, ctx) => pageOf(ctx, messagesList, args, [equals("recipient", account.address, "text")]),
    requests: (account, args, ctx) => pageOf(ctx, requestsList, { ...args, orderBy: "requestMessageId" }, [equals("recipient", account.address, "text")]),
    contacts: (account, args, ctx) => pageOf(ctx, contactsList, { ...args, orderBy: "sender" }, [equals("recipient", account.address, "text")]),
    inboxSettings: async (account, _args, ctx) => {
      const tx = await ctx.snapshot.get();
      const [row] = await tx.query<InboxSettingsRow>(INBOX_OF, [account.address]);
      return row ?? null;
    },
  },
  GroupList: { totalCount },
  GroupMemberList: { totalCount },
  GroupPodList: { totalCount },
  MessageList: { totalCount },
  ContactList: { totalCount },
};
