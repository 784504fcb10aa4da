import { changeRefColumns } from "../../graphql/sql/columns";
import type { KeyColumn, ListSpec } from "../../graphql/sql/list";

/**
 * The groups domain's lists over the indexer's GroupRegistry and MessageBus tables (migration 080).
 * Every SQL fragment here is a trusted constant; user values reach the database only as bound
 * parameters. Policies, statuses, roles and target kinds are stored as the SDL's enum values, so
 * filters bind them unchanged. "Now" is the last indexed block's time (the cursor), so that an
 * answer is consistent with `_meta`.
 */

const NOW = `COALESCE((SELECT block_timestamp FROM cursor), 0)`;

/** Every Group field read from its row (the select list of the list and of `group(id)`). */
export const GROUP_COLUMNS = [
  `id::text AS id`,
  `owner`,
  `pending_owner AS "pendingOwner"`,
  `name`,
  `banner_ref AS "bannerRef"`,
  `CASE WHEN banner_source IS NOT DISTINCT FROM banner_ref THEN banner END AS "bannerJson"`,
  `join_policy AS "joinPolicy"`,
  `membership_period::text AS "membershipPeriod"`,
  `token`,
  `join_fee::text AS "joinFee"`,
  `member_message_fee::text AS "memberMessageFee"`,
  `public_message_fee::text AS "publicMessageFee"`,
  `surge_window::text AS "surgeWindow"`,
  `surge_bps AS "surgeBps"`,
  `message_count AS "messageCount"`,
  `(SELECT count(*) FROM group_members m WHERE m.group_id = groups.id AND m.status = 'MEMBER' AND (m.expires_at IS NULL OR m.expires_at > ${NOW}))::integer AS "memberCount"`,
  `created_at::float8 AS "createdAt"`,
  `created_block::float8 AS "createdBlock"`,
  `created_tx AS "createdTx"`,
  changeRefColumns,
].join(", ");

/** Sort keys are qualified with their table: the select list renames columns (`id::text AS id` would sort as text). */
const groupIdKey: KeyColumn = { sql: "groups.id", type: "numeric" };

export const groupsList: ListSpec = {
  name: "groups",
  from: "groups",
  select: GROUP_COLUMNS,
  filters: {
    id: { sql: "id", type: "numeric" },
    owner: { sql: "owner", type: "text" },
    name: { sql: "name", type: "text" },
    joinPolicy: { sql: "join_policy", type: "text" },
    token: { sql: "token", type: "text" },
    messageCount: { sql: "message_count", type: "integer" },
    createdBlock: { sql: "created_block", type: "numeric" },
  },
  orders: {
    id: groupIdKey,
    createdBlock: { sql: "groups.created_block", type: "numeric" },
    messageCount: { sql: "groups.message_count", type: "integer" },
  },
  primaryKey: [groupIdKey],
};

/**
 * Memberships with their role and whether they are active now. Rows of accounts without any standing
 * (left, removed, rejected, unbanned: status NONE) are not listed.
 */
const MEMBERS_FROM = `(SELECT m.*,
  CASE WHEN m.status <> 'MEMBER' THEN NULL WHEN g.owner = m.account THEN 'OWNER' WHEN m.admin THEN 'ADMIN' ELSE 'MEMBER' END AS role,
  (m.status = 'MEMBER' AND (m.expires_at IS NULL OR m.expires_at > ${NOW})) AS active
  FROM group_members m JOIN groups g ON g.id = m.group_id WHERE m.status <> 'NONE') AS group_members`;

const GROUP_MEMBER_COLUMNS = [
  `group_id::text AS "groupId"`,
  `account`,
  `status`,
  `role`,
  `admin`,
  `expires_at::text AS "expiresAt"`,
  `active`,
  `joined_at::float8 AS "joinedAt"`,
  `requested_at::float8 AS "requestedAt"`,
  `banned_at::float8 AS "bannedAt"`,
  changeRefColumns,
].join(", ");

const memberKey: KeyColumn = { sql: "group_members.account", type: "text" };

export const groupMembersList: ListSpec = {
  name: "groupMembers",
  from: MEMBERS_FROM,
  select: GROUP_MEMBER_COLUMNS,
  filters: {
    account: { sql: "account", type: "text" },
    status: { sql: "status", type: "text" },
    role: { sql: "role", type: "text" },
    admin: { sql: "admin", type: "boolean" },
    active: { sql: "active", type: "boolean" },
    expiresAt: { sql: "expires_at", type: "numeric" },
  },
  orders: {
    account: memberKey,
    joinedAt: { sql: "group_members.joined_at", type: "numeric", nullable: true },
    expiresAt: { sql: "group_members.expires_at", type: "numeric", nullable: true },
  },
  // A nested list of one group: the account is unique within it.
  primaryKey: [{ sql: "group_members.group_id", type: "numeric" }, memberKey],
};

/** The pods posted (and not removed) to catalogues. */
export const groupPodsList: ListSpec = {
  name: "groupPods",
  from: `(SELECT * FROM group_pods WHERE posted) AS group_pods`,
  select: [`pod_id::text AS "podId"`, `posted_by AS "postedBy"`, `posted_at::float8 AS "postedAt"`, `posted_block::float8 AS "postedBlock"`].join(", "),
  filters: {},
  orders: {
    postedBlock: { sql: "group_pods.posted_block", type: "numeric" },
    podId: { sql: "group_pods.pod_id", type: "numeric" },
  },
  primaryKey: [
    { sql: "group_pods.group_id", type: "numeric" },
    { sql: "group_pods.pod_id", type: "numeric" },
  ],
};

/** Every Message field read from its row (the select list of the lists and of `message(id)`). */
export const MESSAGE_COLUMNS = [
  `id::text AS id`,
  `sender`,
  `target_kind AS "targetKind"`,
  `group_id::text AS "groupId"`,
  `recipient`,
  `content_ref AS "contentRef"`,
  `decoder_pod_id::text AS "decoderPodId"`,
  `content_type AS "contentType"`,
  `size::text AS size`,
  `reply_to::text AS "replyTo"`,
  `token`,
  `fee::text AS fee`,
  `protocol_fee::text AS "protocolFee"`,
  `(fee - protocol_fee)::text AS "targetFee"`,
  `request`,
  `sent_at::float8 AS timestamp`,
  `sent_block::float8 AS "blockNumber"`,
  `sent_tx AS "txHash"`,
  `sent_log_index AS "logIndex"`,
].join(", ");

const messageIdKey: KeyColumn = { sql: "messages.id", type: "numeric" };

export const messagesList: ListSpec = {
  name: "messages",
  from: "messages",
  select: MESSAGE_COLUMNS,
  filters: {
    id: { sql: "id", type: "numeric" },
    group: { sql: "group_id", type: "numeric" },
    sender: { sql: "sender", type: "text" },
    recipient: { sql: "recipient", type: "text" },
    targetKind: { sql: "target_kind", type: "text" },
    decoder: { sql: "decoder_pod_id", type: "numeric" },
    replyTo: { sql: "reply_to", type: "numeric" },
    contentType: { sql: "content_type", type: "integer" },
    request: { sql: "request", type: "boolean" },
    token: { sql: "token", type: "text" },
    fee: { sql: "fee", type: "numeric" },
    blockNumber: { sql: "sent_block", type: "numeric" },
  },
  orders: {
    id: messageIdKey,
    fee: { sql: "messages.fee", type: "numeric" },
  },
  primaryKey: [messageIdKey],
};

const CONTACT_COLUMNS = [
  `recipient`,
  `sender`,
  `status`,
  `request_message_id::text AS "requestMessageId"`,
  `requested_at::float8 AS "requestedAt"`,
  changeRefColumns,
].join(", ");

/** The contacts of one recipient (a nested list of Account), by the time of their latest change. */
export const contactsList: ListSpec = {
  name: "contacts",
  from: "contacts",
  select: CONTACT_COLUMNS,
  filters: {
    sender: { sql: "sender", type: "text" },
    status: { sql: "status", type: "text" },
  },
  orders: {
    sender: { sql: "contacts.sender", type: "text" },
  },
  primaryKey: [
    { sql: "contacts.recipient", type: "text" },
    { sql: "contacts.sender", type: "text" },
  ],
};

/** Pending requests of one recipient, ordered by their request message (newest first by default). */
export const requestsList: ListSpec = {
  name: "requests",
  from: `(SELECT * FROM contacts WHERE status = 'REQUESTED') AS contacts`,
  select: CONTACT_COLUMNS,
  filters: {},
  orders: {
    requestMessageId: { sql: "contacts.request_message_id", type: "numeric" },
  },
  primaryKey: [
    { sql: "contacts.recipient", type: "text" },
    { sql: "contacts.sender", type: "text" },
  ],
};

export const INBOX_COLUMNS = [
  `account`,
  `token`,
  `price::text AS price`,
  `request_price::text AS "requestPrice"`,
  `surge_window::text AS "surgeWindow"`,
  `surge_bps AS "surgeBps"`,
  changeRefColumns,
].join(", ");
