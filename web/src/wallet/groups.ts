import { GROUP_JOIN_POLICIES, GROUP_MEMBER_STATUSES, type JoinPolicy, type MemberStatus } from "./group-enums";
import { invalid } from "./errors";
import { formatAmount, tokenInfo, type TokenInfo } from "./format";
import { paymentSteps } from "./allowance";
import type { WalletSession } from "./store";
import { txStep, type ActionPlan } from "./transaction";

/**
 * Joining a group, as services/market/groups.ts's joinGroup does: open groups are free, a fee
 * group's join fee is paid (exact native value, or an approval of exactly the fee first), an
 * approval group gets a request an admin approves; a banned account and a member for ever are told
 * so before the wallet is asked. A member whose membership expires renews with the same call.
 */
export interface GroupStanding {
  groupId: bigint;
  name: string;
  policy: JoinPolicy;
  token: TokenInfo;
  joinFee: bigint;
  status: MemberStatus;
  /** When the membership ends (unix seconds); 0 = never. */
  expiresAt: bigint;
  active: boolean;
}

export async function readStanding(session: WalletSession, groupId: bigint): Promise<GroupStanding> {
  const { groups } = session.contracts;
  if (groupId <= 0n) throw invalid(`group ${groupId}: a group id is a positive integer`);
  const count = await groups.groupCount();
  if (groupId > count) throw invalid(`group ${groupId} does not exist (there are ${count})`);
  const [group, member] = await Promise.all([groups.group(groupId), groups.member(groupId, session.account)]);
  return {
    groupId,
    name: group.name,
    policy: GROUP_JOIN_POLICIES[Number(group.joinPolicy)] ?? "open",
    token: await tokenInfo(session.config, group.token, session.signer),
    joinFee: group.joinFee,
    status: GROUP_MEMBER_STATUSES[Number(member.status)] ?? "none",
    expiresAt: member.expiresAt,
    active: member.active,
  };
}

/** The plan of joining (or renewing, or asking to join) the group as it stands. */
export async function planJoin(session: WalletSession, standing: GroupStanding): Promise<ActionPlan> {
  const { groups } = session.contracts;
  const { groupId, token } = standing;
  if (standing.status === "banned") throw invalid(`you are banned from group ${groupId}`);
  if (standing.status === "member" && standing.expiresAt === 0n) throw invalid(`you are already a member of group ${groupId}, for ever: there is nothing to renew`);
  if (standing.status === "requested") throw invalid(`you have already asked to join group ${groupId}: an admin approves or rejects the request`);
  if (standing.status !== "member" && standing.policy === "approval") {
    const title = `Ask to join group ${groupId}`;
    return {
      title,
      costs: [{ label: "Join fee", amount: "none (an admin approves the request)" }],
      notes: [`Gas is paid in ${session.config.nativeSymbol}.`],
      steps: [txStep(title, groups.requestToJoin, [groupId])],
    };
  }
  const renew = standing.status === "member";
  const fee = standing.policy === "fee" ? standing.joinFee : 0n;
  const title = `${renew ? "Renew your membership of" : "Join"} group ${groupId}`;
  const payment = await paymentSteps(session, token, groups, "GroupRegistry", fee);
  return {
    title,
    costs: [{ label: "Join fee", amount: fee === 0n ? `free (${standing.policy} group)` : formatAmount(fee, token) }],
    notes: [...(fee > 0n ? ["The fee goes to the group's treasury."] : []), ...payment.notes, `Gas is paid in ${session.config.nativeSymbol}.`],
    steps: [...payment.steps, txStep(title, groups.join, [groupId, { value: token.native ? fee : 0n }])],
  };
}
