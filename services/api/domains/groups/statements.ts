import type { FieldStatements } from "../../graphql/snapshot/statement-count";

/** How many SQL statements each resolver of resolvers.ts issues (see statement-count.ts). */
export const groupsStatements: FieldStatements = {
  "Query.group": 1,
  "Query.groups": 1,
  "Query.message": 1,
  "Query.messages": 1,
  // Read from the group's row
  "Group.banner": 0,
  "Group.lastChange": 0,
  "Group.members": 1,
  "Group.catalogue": 1,
  "Group.messages": 1,
  // The loaders (loaders.ts, pods/loader.ts): at most one batched SELECT per tick
  "Group.treasury": 1,
  "GroupMember.group": 1,
  "GroupMember.lastChange": 0,
  "GroupPod.pod": 1,
  "Message.group": 1,
  "Message.decoder": 1,
  "Message.replyToMessage": 1,
  "Contact.requestMessage": 1,
  "Contact.lastChange": 0,
  "InboxSettings.lastChange": 0,
  "Account.inbox": 1,
  "Account.requests": 1,
  "Account.contacts": 1,
  "Account.inboxSettings": 1,
  // COUNT(*) over the list's filters, only when asked for
  "GroupList.totalCount": 1,
  "GroupMemberList.totalCount": 1,
  "GroupPodList.totalCount": 1,
  "MessageList.totalCount": 1,
  "ContactList.totalCount": 1,
};
