import type { ApiDomain } from "../types";
import { contactsList, groupMembersList, groupsList, messagesList } from "./lists";
import { groupsResolvers } from "./resolvers";
import { groupsStatements } from "./statements";
import { groupsSubscriptions } from "./subscriptions";

/** Groups and messages: GroupRegistry's groups, members, catalogues and treasuries; MessageBus's messages, inboxes and contacts. */
export const groupsDomain: ApiDomain = {
  name: "groups",
  resolvers: [groupsResolvers, groupsSubscriptions],
  statements: groupsStatements,
  whereInputs: {
    GroupWhere: groupsList.filters,
    GroupMemberWhere: groupMembersList.filters,
    MessageWhere: messagesList.filters,
    ContactWhere: contactsList.filters,
  },
};
