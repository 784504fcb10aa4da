/** GroupRegistry's enums as names, indexed by their value on chain (as services/market/groups.ts has them). */
export const GROUP_JOIN_POLICIES = ["open", "fee", "approval"] as const;
export type JoinPolicy = (typeof GROUP_JOIN_POLICIES)[number];

export const GROUP_MEMBER_STATUSES = ["none", "member", "requested", "banned"] as const;
export type MemberStatus = (typeof GROUP_MEMBER_STATUSES)[number];
