import type { ContactStatus, GroupJoinPolicy, GroupMemberStatus, GroupRole, MessageTargetKind } from "../../../../graphql/generated/types";
import type { ChangeRefModel } from "../../graphql/models";
import type { Page } from "../../graphql/sql/list";

/** The parent values the groups domain's resolvers receive, by SDL type (see domains/types.ts). */

/** A row of `groups` as lists.ts selects it. */
export interface GroupRow extends ChangeRefModel {
  id: string;
  owner: string;
  pendingOwner: string | null;
  name: string;
  bannerRef: string | null;
  /** The banner read from `bannerRef`; null when none was read from the current reference. */
  bannerJson: unknown;
  joinPolicy: GroupJoinPolicy;
  membershipPeriod: string;
  token: string;
  joinFee: string;
  memberMessageFee: string;
  publicMessageFee: string;
  surgeWindow: string;
  surgeBps: number;
  messageCount: number;
  memberCount: number;
  createdAt: number;
  createdBlock: number;
  createdTx: string;
}

export interface GroupBannerModel {
  ref: string;
  title: string | null;
  objectives: string[] | null;
  howToJoin: string | null;
  rules: string[] | null;
  links: GroupBannerLinkModel[] | null;
  json: string;
}

export interface GroupBannerLinkModel {
  label: string | null;
  url: string;
}

export interface GroupTreasuryRow {
  groupId: string;
  token: string;
  balance: string;
  joinFees: string;
  messageFees: string;
  earned: string;
  withdrawn: string;
}

export interface GroupMemberRow extends ChangeRefModel {
  groupId: string;
  account: string;
  status: GroupMemberStatus;
  role: GroupRole | null;
  admin: boolean;
  expiresAt: string | null;
  active: boolean;
  joinedAt: number | null;
  requestedAt: number | null;
  bannedAt: number | null;
}

export interface GroupPodRow {
  podId: string;
  postedBy: string;
  postedAt: number;
  postedBlock: number;
}

/** A row of `messages` as lists.ts selects it. */
export interface MessageRow {
  id: string;
  sender: string;
  targetKind: MessageTargetKind;
  groupId: string | null;
  recipient: string | null;
  contentRef: string;
  decoderPodId: string | null;
  contentType: number;
  size: string;
  replyTo: string | null;
  token: string;
  fee: string;
  protocolFee: string;
  targetFee: string;
  request: boolean;
  timestamp: number;
  blockNumber: number;
  txHash: string;
  logIndex: number;
}

export interface ContactRow extends ChangeRefModel {
  recipient: string;
  sender: string;
  status: ContactStatus;
  requestMessageId: string | null;
  requestedAt: number | null;
}

export interface InboxSettingsRow extends ChangeRefModel {
  account: string;
  token: string;
  price: string;
  requestPrice: string;
  surgeWindow: string;
  surgeBps: number;
}

export interface NewMessageModel {
  __typename: "NewMessage";
  messageId: string;
  targetKind: MessageTargetKind;
  groupId: string | null;
  recipient: string | null;
  sender: string;
  contentRef: string;
  decoderPodId: string | null;
  contentType: number;
  size: string;
  replyTo: string | null;
  token: string;
  fee: string;
  protocolFee: string;
  blockNumber: number;
  txHash: string;
  logIndex: number;
}

export interface GroupsModels {
  Group: GroupRow;
  GroupList: Page<GroupRow>;
  GroupBanner: GroupBannerModel;
  GroupBannerLink: GroupBannerLinkModel;
  GroupTreasury: GroupTreasuryRow;
  GroupMember: GroupMemberRow;
  GroupMemberList: Page<GroupMemberRow>;
  GroupPod: GroupPodRow;
  GroupPodList: Page<GroupPodRow>;
  Message: MessageRow;
  MessageList: Page<MessageRow>;
  Contact: ContactRow;
  ContactList: Page<ContactRow>;
  InboxSettings: InboxSettingsRow;
  NewMessage: NewMessageModel;
}
