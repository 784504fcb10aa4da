import { ZeroHash, formatUnits, toBeHex } from "ethers";
import { z } from "zod";
import type { Deployment } from "../chain/deployments";
import type { LureContracts } from "../chain/contracts";
import { eventsOf } from "../chain/events";
import { refHex, refToBytes32 } from "../chain/refs";
import { decimalsOf, NATIVE_TOKEN, tokenLabel } from "../chain/tokens";
import { read, simulate, transact } from "../chain/transact";
import type { PodStorage } from "../pods/storage";
import { prepareErc20Payment } from "./allowance";
import { MarketError } from "./errors";

/**
 * The group side of GroupRegistry (and of MessageBus's group treasuries): banners on Swarm, groups
 * created and updated, joins and renewals paid through the one payment path (exact native value,
 * or an ERC-20 allowance of exactly the fee from `allowance.ts`), moderation, the catalogue and the
 * treasury. Everything that can be known from the chain is checked first and refused with a
 * GroupError naming the value, before anything is uploaded or signed; the rest is caught by
 * `transact`'s simulation, which names the contract's custom error.
 */

/** A group operation refused before anything was sent or uploaded. */
export class GroupError extends MarketError {
  constructor(message: string) {
    super(message);
    this.name = "GroupError";
  }
}

/** GroupRegistry's JoinPolicy: the value on chain is the index. */
export const JOIN_POLICIES = ["open", "fee", "approval"] as const;
export type JoinPolicyName = (typeof JOIN_POLICIES)[number];

/** GroupRegistry's MemberStatus: the value on chain is the index. */
export const MEMBER_STATUSES = ["none", "member", "requested", "banned"] as const;
export type MemberStatusName = (typeof MEMBER_STATUSES)[number];

/** Bounds GroupRegistry enforces: uint96 amounts, uint32 periods, names of 1-64 bytes, surge up to x5. */
const MAX_AMOUNT = (1n << 96n) - 1n;
const MAX_PERIOD = 2 ** 32 - 1;
const MAX_NAME_BYTES = 64;
const MAX_SURGE_BPS = 50_000;

/** What the group services need: the registry of groups, the message bus (message treasuries), the pod registry (catalogue). */
export type GroupContracts = Pick<LureContracts, "groups" | "messages" | "registry" | "account"> & { deployment?: Deployment };

// ------------------------------------------------------------------ banners

/** The largest banner document accepted (bytes of JSON). */
export const MAX_BANNER_BYTES = 64 * 1024;

/**
 * A group's banner: a JSON document on Swarm that says what the group is for and how to take part
 * (docs/messages.md). Unknown keys are refused, so a typo is not silently published.
 */
export const bannerSchema = z
  .object({
    title: z.string().trim().min(1).max(120),
    objectives: z.array(z.string().trim().min(1).max(500)).min(1).max(20),
    howToJoin: z.string().trim().min(1).max(2000),
    rules: z.array(z.string().trim().min(1).max(500)).max(50).default([]),
    links: z
      .array(
        z
          .object({
            label: z.string().trim().min(1).max(120),
            url: z
              .string()
              .url()
              .refine((url) => /^(https?|bzz|mailto):/i.test(url), "must be an http(s), bzz or mailto URL"),
          })
          .strict(),
      )
      .max(20)
      .default([]),
  })
  .strict();

export type Banner = z.infer<typeof bannerSchema>;

/** The file name of the banner inside its single-file collection (its index document). */
export const BANNER_FILE = "banner.json";

/** Parses and validates a banner; a GroupError names `source` and the first bad field. */
export function parseBanner(text: string, source: string): Banner {
  if (Buffer.byteLength(text, "utf8") > MAX_BANNER_BYTES) throw new GroupError(`${source}: a banner is at most ${MAX_BANNER_BYTES} bytes`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new GroupError(`${source}: not valid JSON: ${(error as Error).message}`);
  }
  const parsed = bannerSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length > 0 ? issue.path.join(".") : "the document";
    const message = /received undefined$/.test(issue.message) ? "required" : issue.message;
    throw new GroupError(`${source}: ${where}: ${message}`);
  }
  return parsed.data;
}

/** Uploads a banner as a one-file collection (`banner.json` as its index document, so `/bzz/<ref>/` serves it); returns the reference (64 hex). */
export async function uploadBanner(storage: Pick<PodStorage, "uploadCollection">, banner: Banner): Promise<string> {
  const data = new Uint8Array(Buffer.from(`${JSON.stringify(banner, null, 2)}\n`));
  return storage.uploadCollection([{ path: BANNER_FILE, data }], { indexDocument: BANNER_FILE });
}

/** Reads a banner from Swarm, best effort: the banner, or why it could not be read. */
export async function readBanner(storage: Pick<PodStorage, "downloadFile">, ref: string): Promise<{ banner?: Banner; error?: string }> {
  try {
    const { data } = await storage.downloadFile(refHex(ref));
    return { banner: parseBanner(Buffer.from(data).toString("utf8"), `banner ${refHex(ref)}`) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

// ------------------------------------------------------------------ reading groups

export interface MemberView {
  account: string;
  status: MemberStatusName;
  /** When the membership ends; undefined = never (or not a member). */
  expiresAt?: Date;
  admin: boolean;
  /** A member now (status member and not expired). */
  active: boolean;
}

export interface GroupView {
  groupId: bigint;
  name: string;
  owner: string;
  pendingOwner?: string;
  policy: JoinPolicyName;
  /** Seconds a membership lasts; 0 = for ever. */
  membershipPeriod: number;
  token: string;
  decimals: number;
  joinFee: bigint;
  memberMessageFee: bigint;
  publicMessageFee: bigint;
  surgeWindow: number;
  surgeBps: number;
  /** The banner's reference (64 hex); undefined = none. */
  bannerRef?: string;
}

export interface GroupDetails extends GroupView {
  /** Join fees held by GroupRegistry and message fees held by MessageBus, in the group's token. */
  treasury: { joinFees: bigint; messageFees: bigint };
  /** The banner from Swarm, when storage was given and it could be read. */
  banner?: Banner;
  bannerError?: string;
  /** Every account that ever had a status in the group, with its status now (none = left or removed, omitted). */
  members: MemberView[];
  /** Pod ids in the catalogue now. */
  catalogue: bigint[];
  /** The asking account's standing, when one is connected. */
  you?: MemberView;
}

const dateOf = (seconds: bigint) => (seconds === 0n ? undefined : new Date(Number(seconds) * 1000));

/** The group, or a GroupError when there is none. */
export async function readGroup(contracts: Pick<GroupContracts, "groups">, groupId: bigint): Promise<GroupView> {
  if (groupId <= 0n) throw new GroupError(`group ${groupId}: a group id is a positive integer`);
  const count = await read(() => contracts.groups.groupCount(), { action: "group count" });
  if (groupId > count) throw new GroupError(`group ${groupId} does not exist (there are ${count})`);
  const g = await read(() => contracts.groups.group(groupId), { action: `group ${groupId}` });
  return {
    groupId,
    name: g.name,
    owner: g.owner,
    pendingOwner: g.pendingOwner === NATIVE_TOKEN ? undefined : g.pendingOwner,
    policy: JOIN_POLICIES[Number(g.joinPolicy)] ?? "open",
    membershipPeriod: Number(g.membershipPeriod),
    token: g.token,
    decimals: await decimalsOf(g.token, contracts.groups.runner),
    joinFee: g.joinFee,
    memberMessageFee: g.memberMessageFee,
    publicMessageFee: g.publicMessageFee,
    surgeWindow: Number(g.surgeWindow),
    surgeBps: Number(g.surgeBps),
    bannerRef: g.bannerRef === ZeroHash ? undefined : refHex(g.bannerRef),
  };
}

/** An account's standing in a group. */
export async function memberOf(contracts: Pick<GroupContracts, "groups">, groupId: bigint, account: string): Promise<MemberView> {
  const m = await read(() => contracts.groups.member(groupId, account), { action: `member ${account} of group ${groupId}` });
  return { account, status: MEMBER_STATUSES[Number(m.status)] ?? "none", expiresAt: dateOf(m.expiresAt), admin: m.admin, active: m.active };
}

/**
 * A group with its treasury, its members (from GroupRegistry's events through eth_getLogs, each
 * status read now), its catalogue and, with `storage`, its banner (best effort).
 */
export async function showGroup(contracts: GroupContracts, groupId: bigint, options: { storage?: Pick<PodStorage, "downloadFile"> } = {}): Promise<GroupDetails> {
  const view = await readGroup(contracts, groupId);
  const { groups, messages } = contracts;
  const fromBlock = contracts.deployment?.contracts.GroupRegistry?.blockNumber ?? 0;
  const provider = groups.runner?.provider;
  if (!provider) throw new GroupError("the group registry is not connected to a provider");
  // Every event about a group has its id as the first indexed argument.
  const address = await groups.getAddress();
  const logs = await read(() => provider.getLogs({ address, fromBlock, toBlock: "latest", topics: [null, toBeHex(groupId, 32)] }), { action: `events of group ${groupId}` });
  const accounts = new Set<string>();
  const posted = new Map<bigint, boolean>();
  for (const log of logs) {
    const parsed = groups.interface.parseLog(log);
    if (!parsed || parsed.args.groupId === undefined || (parsed.args.groupId as bigint) !== groupId) continue;
    const args = parsed.args as unknown as { account?: string; newOwner?: string; podId?: bigint };
    if (args.account) accounts.add(args.account);
    if (args.newOwner) accounts.add(args.newOwner);
    if (parsed.name === "PodPosted") posted.set(args.podId!, true);
    if (parsed.name === "PodRemoved") posted.set(args.podId!, false);
  }
  const members: MemberView[] = [];
  for (const account of accounts) {
    const member = await memberOf(contracts, groupId, account);
    if (member.status !== "none") members.push(member);
  }
  const [joinFees, messageFees] = await Promise.all([
    read(() => groups.treasuryOf(groupId, view.token), { action: `treasury of group ${groupId}` }),
    read(() => messages.groupCreditOf(groupId, view.token), { action: `message fees of group ${groupId}` }),
  ]);
  const details: GroupDetails = { ...view, treasury: { joinFees, messageFees }, members, catalogue: [...posted].filter(([, on]) => on).map(([podId]) => podId) };
  if (options.storage && view.bannerRef) {
    const { banner, error } = await readBanner(options.storage, view.bannerRef);
    if (banner) details.banner = banner;
    else details.bannerError = error;
  }
  if (contracts.account !== NATIVE_TOKEN) details.you = await memberOf(contracts, groupId, contracts.account);
  return details;
}

/** The groups, newest first: at most `limit` (default 100), from `before` (an id, exclusive) down. */
export async function listGroups(contracts: Pick<GroupContracts, "groups">, options: { limit?: number; before?: bigint } = {}): Promise<{ count: bigint; groups: GroupView[] }> {
  const count = await read(() => contracts.groups.groupCount(), { action: "group count" });
  const limit = options.limit ?? 100;
  const start = options.before !== undefined && options.before - 1n < count ? options.before - 1n : count;
  const groups: GroupView[] = [];
  for (let id = start; id >= 1n && groups.length < limit; id--) groups.push(await readGroup(contracts, id));
  return { count, groups };
}

// ------------------------------------------------------------------ creating and updating

export interface GroupTerms {
  policy: JoinPolicyName;
  /** Seconds (0 = memberships never expire). */
  membershipPeriod: number;
  token: string;
  joinFee: bigint;
  memberMessageFee: bigint;
  publicMessageFee: bigint;
}

function checkName(name: string): void {
  const bytes = Buffer.byteLength(name, "utf8");
  if (bytes === 0 || bytes > MAX_NAME_BYTES) throw new GroupError(`name ${JSON.stringify(name)}: a group name is 1 to ${MAX_NAME_BYTES} bytes (it is ${bytes})`);
}

async function checkTerms(contracts: Pick<GroupContracts, "groups">, terms: GroupTerms): Promise<void> {
  if (!JOIN_POLICIES.includes(terms.policy)) throw new GroupError(`policy ${JSON.stringify(terms.policy)}: expected one of ${JOIN_POLICIES.join(", ")}`);
  if (!Number.isInteger(terms.membershipPeriod) || terms.membershipPeriod < 0 || terms.membershipPeriod > MAX_PERIOD) {
    throw new GroupError(`membership period ${terms.membershipPeriod}: expected whole seconds from 0 to ${MAX_PERIOD}`);
  }
  for (const [label, amount] of [
    ["join fee", terms.joinFee],
    ["member message fee", terms.memberMessageFee],
    ["public message fee", terms.publicMessageFee],
  ] as const) {
    if (amount < 0n || amount > MAX_AMOUNT) throw new GroupError(`${label} ${amount} is outside what GroupRegistry stores (0 to 2^96-1)`);
  }
  if (terms.policy === "fee" && terms.joinFee === 0n) throw new GroupError("join fee: a fee group needs a join fee above zero (or use the open policy)");
  if (terms.token !== NATIVE_TOKEN && !(await read(() => contracts.groups.isTokenAllowed(terms.token), { action: `token ${terms.token}` }))) {
    throw new GroupError(`token ${terms.token} is not on GroupRegistry's allow-list`);
  }
}

export interface CreateGroupRequest extends GroupTerms {
  name: string;
  banner: Banner;
}

export interface CreatedGroup {
  groupId: bigint;
  name: string;
  owner: string;
  bannerRef: string;
  tx: string;
}

/**
 * Creates a group: the name and terms are checked and the creation simulated (with an empty banner
 * reference) before the banner is uploaded to Swarm; then the group is created with the banner's
 * reference. The creator owns it and is its first member.
 */
export async function createGroup(contracts: GroupContracts, storage: Pick<PodStorage, "uploadCollection">, request: CreateGroupRequest): Promise<CreatedGroup> {
  checkName(request.name);
  await checkTerms(contracts, request);
  const banner = bannerSchema.parse(request.banner);
  const args = (bannerRef: string) =>
    [request.name, bannerRef, JOIN_POLICIES.indexOf(request.policy), request.token, request.joinFee, request.membershipPeriod, request.memberMessageFee, request.publicMessageFee] as const;
  const action = `create group ${JSON.stringify(request.name)}`;
  await simulate(contracts.groups.createGroup, [...args(ZeroHash)], { action });
  const bannerRef = await uploadBanner(storage, banner);
  const receipt = await transact(contracts.groups.createGroup, [...args(refToBytes32(bannerRef))], { action });
  const event = eventsOf(receipt, contracts.groups.interface, "GroupCreated")[0];
  if (!event) throw new GroupError(`${action}: transaction ${receipt.hash} carries no GroupCreated event`);
  return { groupId: event.args.groupId as bigint, name: request.name, owner: contracts.account, bannerRef, tx: receipt.hash };
}

export interface GroupUpdate {
  banner?: Banner;
  policy?: JoinPolicyName;
  membershipPeriod?: number;
  token?: string;
  joinFee?: bigint;
  memberMessageFee?: bigint;
  publicMessageFee?: bigint;
  /** Surge pricing: both, or window 0 and bps 0 to turn it off. */
  surgeWindow?: number;
  surgeBps?: number;
}

export interface GroupUpdateResult {
  groupId: bigint;
  /** What was sent, in order: banner, policy, fees, surge. */
  changes: { change: "banner" | "policy" | "fees" | "surge"; tx: string }[];
  bannerRef?: string;
}

async function isAdmin(contracts: Pick<GroupContracts, "groups">, groupId: bigint, account: string): Promise<boolean> {
  return read(() => contracts.groups.isAdmin(groupId, account), { action: `admin of group ${groupId}` });
}

async function requireAdmin(contracts: GroupContracts, group: GroupView, what: string): Promise<void> {
  if (!(await isAdmin(contracts, group.groupId, contracts.account))) {
    throw new GroupError(`${what} needs an admin of group ${group.groupId}; ${contracts.account} is not one (its owner is ${group.owner})`);
  }
}

function requireOwner(contracts: GroupContracts, group: GroupView, what: string): void {
  if (group.owner.toLowerCase() !== contracts.account.toLowerCase()) {
    throw new GroupError(`${what} needs the owner of group ${group.groupId}, ${group.owner}; ${contracts.account} is not it`);
  }
}

/**
 * Changes a group: the banner (an admin; uploaded once every other check passed), the policy and
 * period, the token and fees, the surge pricing (the owner). Only what differs from the chain is
 * sent; nothing to change is a GroupError.
 */
export async function updateGroup(contracts: GroupContracts, storage: Pick<PodStorage, "uploadCollection">, groupId: bigint, update: GroupUpdate): Promise<GroupUpdateResult> {
  const group = await readGroup(contracts, groupId);
  const policy = update.policy ?? group.policy;
  const membershipPeriod = update.membershipPeriod ?? group.membershipPeriod;
  const terms: GroupTerms = {
    policy,
    membershipPeriod,
    token: update.token ?? group.token,
    joinFee: update.joinFee ?? group.joinFee,
    memberMessageFee: update.memberMessageFee ?? group.memberMessageFee,
    publicMessageFee: update.publicMessageFee ?? group.publicMessageFee,
  };
  const policyChanged = policy !== group.policy || membershipPeriod !== group.membershipPeriod;
  const feesChanged =
    terms.token.toLowerCase() !== group.token.toLowerCase() || terms.joinFee !== group.joinFee || terms.memberMessageFee !== group.memberMessageFee || terms.publicMessageFee !== group.publicMessageFee;
  if ((update.surgeWindow === undefined) !== (update.surgeBps === undefined)) throw new GroupError("surge: give both the window and the multiplier (0 and 0 turn it off)");
  const surgeWindow = update.surgeWindow ?? group.surgeWindow;
  const surgeBps = update.surgeBps ?? group.surgeBps;
  const surgeChanged = surgeWindow !== group.surgeWindow || surgeBps !== group.surgeBps;
  if (surgeChanged) {
    const off = surgeWindow === 0 && surgeBps === 0;
    if (!off && (!Number.isInteger(surgeWindow) || surgeWindow <= 0 || surgeWindow > MAX_PERIOD || !Number.isInteger(surgeBps) || surgeBps <= 10_000 || surgeBps > MAX_SURGE_BPS)) {
      throw new GroupError(`surge window ${surgeWindow}s and multiplier ${surgeBps} bps: a window of 1 to ${MAX_PERIOD} seconds and a multiplier above 10000 and at most ${MAX_SURGE_BPS} (or both 0)`);
    }
  }
  const banner = update.banner === undefined ? undefined : bannerSchema.parse(update.banner);
  if (!banner && !policyChanged && !feesChanged && !surgeChanged) throw new GroupError(`nothing to change in group ${groupId}: the values given are the current ones`);
  if (banner) await requireAdmin(contracts, group, "setting the banner");
  if (policyChanged || feesChanged || surgeChanged) requireOwner(contracts, group, "changing the policy, fees or surge");
  await checkTerms(contracts, terms);

  const { groups } = contracts;
  const policyIndex = JOIN_POLICIES.indexOf(policy);
  const feeArgs = [groupId, terms.token, terms.joinFee, terms.memberMessageFee, terms.publicMessageFee] as const;
  if (policyChanged) await simulate(groups.setPolicy, [groupId, policyIndex, membershipPeriod], { action: `set the policy of group ${groupId}` });
  if (feesChanged) await simulate(groups.setFees, [...feeArgs], { action: `set the fees of group ${groupId}` });
  if (surgeChanged) await simulate(groups.setSurge, [groupId, surgeWindow, surgeBps], { action: `set the surge of group ${groupId}` });
  const changes: GroupUpdateResult["changes"] = [];
  let bannerRef: string | undefined;
  if (banner) {
    bannerRef = await uploadBanner(storage, banner);
    const receipt = await transact(groups.setBanner, [groupId, refToBytes32(bannerRef)], { action: `set the banner of group ${groupId}` });
    changes.push({ change: "banner", tx: receipt.hash });
  }
  if (policyChanged) changes.push({ change: "policy", tx: (await transact(groups.setPolicy, [groupId, policyIndex, membershipPeriod], { action: `set the policy of group ${groupId}` })).hash });
  if (feesChanged) changes.push({ change: "fees", tx: (await transact(groups.setFees, [...feeArgs], { action: `set the fees of group ${groupId}` })).hash });
  if (surgeChanged) changes.push({ change: "surge", tx: (await transact(groups.setSurge, [groupId, surgeWindow, surgeBps], { action: `set the surge of group ${groupId}` })).hash });
  return { groupId, changes, bannerRef };
}

// ------------------------------------------------------------------ joining

export interface JoinResult {
  groupId: bigint;
  /** joined / renewed: a membership (paid when the policy is fee); requested: an Approval group's request. */
  step: "joined" | "renewed" | "requested";
  token: string;
  decimals: number;
  fee: bigint;
  /** When the membership ends; undefined = never (or a request). */
  expiresAt?: Date;
  approvalTx?: string;
  tx: string;
}

/** A join fee above what the account said it would pay; nothing was sent. */
export class JoinFeeAboveMaximumError extends GroupError {
  constructor(groupId: bigint, fee: bigint, maxFee: bigint, token: string, decimals: number) {
    super(`the join fee of group ${groupId} is ${formatUnits(fee, decimals)} ${tokenLabel(token)}, above the maximum ${formatUnits(maxFee, decimals)}`);
    this.name = "JoinFeeAboveMaximumError";
  }
}

/**
 * Joins a group, or renews a membership that expires (`renew`: only then). Open groups are free; a
 * fee group's fee is paid through the one payment path (exact native value, or an ERC-20 approval
 * of exactly the fee) and guarded by `maxFee`; an Approval group gets a request, which an admin
 * approves (a member of one renews for free). Refusals (banned, already a member for ever, a
 * pending request, an owner who cannot leave or rejoin) name the group and send nothing.
 */
export async function joinGroup(contracts: GroupContracts, groupId: bigint, options: { maxFee?: bigint; renew?: boolean } = {}): Promise<JoinResult> {
  const group = await readGroup(contracts, groupId);
  const me = await memberOf(contracts, groupId, contracts.account);
  const { groups } = contracts;
  if (me.status === "banned") throw new GroupError(`${contracts.account} is banned from group ${groupId}`);
  if (me.status === "member" && me.expiresAt === undefined) throw new GroupError(`${contracts.account} is already a member of group ${groupId}, for ever: there is nothing to renew`);
  if (options.renew && me.status !== "member") throw new GroupError(`${contracts.account} is not a member of group ${groupId}: join it first`);
  const base = { groupId, token: group.token, decimals: group.decimals };
  if (me.status !== "member" && group.policy === "approval") {
    if (me.status === "requested") throw new GroupError(`${contracts.account} has already asked to join group ${groupId}: an admin approves or rejects the request`);
    const receipt = await transact(groups.requestToJoin, [groupId], { action: `ask to join group ${groupId}` });
    return { ...base, step: "requested", fee: 0n, tx: receipt.hash };
  }
  const fee = group.policy === "fee" ? group.joinFee : 0n;
  if (options.maxFee !== undefined && fee > options.maxFee) throw new JoinFeeAboveMaximumError(groupId, fee, options.maxFee, group.token, group.decimals);
  const native = group.token === NATIVE_TOKEN;
  const action = `${me.status === "member" ? "renew the membership of" : "join"} group ${groupId}`;
  if (native) await simulate(groups.join, [groupId, { value: fee }], { action });
  const approvalTx = !native && fee > 0n ? await prepareErc20Payment({ account: contracts.account, spender: groups }, group.token, fee, group.decimals) : undefined;
  const receipt = await transact(groups.join, [groupId, { value: native ? fee : 0n }], { action });
  const event = eventsOf(receipt, groups.interface, "Joined")[0];
  const expiresAt = event ? dateOf(event.args.expiresAt as bigint) : undefined;
  return { ...base, step: me.status === "member" ? "renewed" : "joined", fee, expiresAt, approvalTx, tx: receipt.hash };
}

/** Leaves a group (a member), or withdraws a pending request. The owner cannot leave. */
export async function leaveGroup(contracts: GroupContracts, groupId: bigint): Promise<{ groupId: bigint; tx: string }> {
  const group = await readGroup(contracts, groupId);
  if (group.owner.toLowerCase() === contracts.account.toLowerCase()) throw new GroupError(`${contracts.account} owns group ${groupId}: an owner cannot leave (transfer the group first)`);
  const me = await memberOf(contracts, groupId, contracts.account);
  if (me.status !== "member" && me.status !== "requested") throw new GroupError(`${contracts.account} is not a member of group ${groupId} and has no pending request`);
  const receipt = await transact(contracts.groups.leave, [groupId], { action: `leave group ${groupId}` });
  return { groupId, tx: receipt.hash };
}

// ------------------------------------------------------------------ moderation

export type ModerationAction = "approve" | "reject" | "remove" | "ban" | "unban";

/**
 * An admin acts on an account: approve or reject a pending request, remove a member, ban (anyone
 * but the owner; admins only by the owner) or unban. The account's status is checked first, so the
 * refusal names it.
 */
export async function moderate(contracts: GroupContracts, groupId: bigint, action: ModerationAction, account: string): Promise<{ groupId: bigint; account: string; action: ModerationAction; tx: string }> {
  const group = await readGroup(contracts, groupId);
  await requireAdmin(contracts, group, `${action} ${account}`);
  const target = await memberOf(contracts, groupId, account);
  const isOwner = group.owner.toLowerCase() === account.toLowerCase();
  if ((action === "remove" || action === "ban") && isOwner) throw new GroupError(`${account} owns group ${groupId}: nobody can ${action} the owner`);
  if ((action === "remove" || action === "ban") && target.admin && !isOwnerOf(group, contracts.account)) throw new GroupError(`${account} is an admin of group ${groupId}: only the owner can ${action} an admin`);
  if ((action === "approve" || action === "reject") && target.status !== "requested") throw new GroupError(`${account} has no pending request to join group ${groupId} (its status is ${target.status})`);
  if (action === "remove" && target.status !== "member") throw new GroupError(`${account} is not a member of group ${groupId} (its status is ${target.status})`);
  if (action === "ban" && target.status === "banned") throw new GroupError(`${account} is already banned from group ${groupId}`);
  if (action === "unban" && target.status !== "banned") throw new GroupError(`${account} is not banned from group ${groupId}`);
  const { groups } = contracts;
  const method = { approve: groups.approve, reject: groups.reject, remove: groups.remove, ban: groups.ban, unban: groups.unban }[action];
  const receipt = await transact(method, [groupId, account], { action: `${action} ${account} in group ${groupId}` });
  return { groupId, account, action, tx: receipt.hash };
}

function isOwnerOf(group: GroupView, account: string): boolean {
  return group.owner.toLowerCase() === account.toLowerCase();
}

// ------------------------------------------------------------------ catalogue

/** An admin posts a pod (it must exist) to the group's catalogue, or takes it off (`remove`). */
export async function setCatalogue(contracts: GroupContracts, groupId: bigint, podId: bigint, posted: boolean): Promise<{ groupId: bigint; podId: bigint; posted: boolean; tx: string }> {
  const group = await readGroup(contracts, groupId);
  await requireAdmin(contracts, group, posted ? `posting pod ${podId}` : `removing pod ${podId}`);
  const { groups, registry } = contracts;
  const has = await read(() => groups.hasPod(groupId, podId), { action: `catalogue of group ${groupId}` });
  if (posted) {
    if (!(await read(() => registry.exists(podId), { action: `pod ${podId}` }))) throw new GroupError(`pod ${podId} does not exist`);
    if (has) throw new GroupError(`pod ${podId} is already in the catalogue of group ${groupId}`);
    const receipt = await transact(groups.postPod, [groupId, podId], { action: `post pod ${podId} to group ${groupId}` });
    return { groupId, podId, posted, tx: receipt.hash };
  }
  if (!has) throw new GroupError(`pod ${podId} is not in the catalogue of group ${groupId}`);
  const receipt = await transact(groups.removePod, [groupId, podId], { action: `remove pod ${podId} from group ${groupId}` });
  return { groupId, podId, posted, tx: receipt.hash };
}

// ------------------------------------------------------------------ treasury

export interface TreasuryWithdrawal {
  groupId: bigint;
  token: string;
  decimals: number;
  /** Join fees from GroupRegistry, message fees from MessageBus (0 = nothing there, nothing sent). */
  joinFees: bigint;
  messageFees: bigint;
  txs: string[];
}

/**
 * The owner withdraws the group's income in one token (default: the group's token): the join fees
 * held by GroupRegistry and the message fees held by MessageBus, each a pull payment to the owner.
 * A GroupError, sending nothing, when both are empty or the account is not the owner.
 */
export async function withdrawGroupTreasury(contracts: GroupContracts, groupId: bigint, token?: string): Promise<TreasuryWithdrawal> {
  const group = await readGroup(contracts, groupId);
  requireOwner(contracts, group, "withdrawing the treasury");
  const asked = token ?? group.token;
  const { groups, messages } = contracts;
  const joinFees = await read(() => groups.treasuryOf(groupId, asked), { action: `treasury of group ${groupId}` });
  const messageFees = await read(() => messages.groupCreditOf(groupId, asked), { action: `message fees of group ${groupId}` });
  if (joinFees === 0n && messageFees === 0n) throw new GroupError(`nothing to withdraw: group ${groupId} holds no ${tokenLabel(asked)} (join fees or message fees)`);
  const txs: string[] = [];
  if (joinFees > 0n) txs.push((await transact(groups.withdrawTreasury, [groupId, asked], { action: `withdraw the join fees of group ${groupId}` })).hash);
  if (messageFees > 0n) txs.push((await transact(messages.withdrawGroup, [groupId, asked], { action: `withdraw the message fees of group ${groupId}` })).hash);
  return { groupId, token: asked, decimals: await decimalsOf(asked, groups.runner), joinFees, messageFees, txs };
}
