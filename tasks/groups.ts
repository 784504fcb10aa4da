import { readFile } from "node:fs/promises";
import path from "node:path";
import { task, types } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { formatUnits } from "ethers";
import { loadConfig } from "../services/config";
import type { Banner, GroupUpdate, GroupView, JoinPolicyName, MemberView, ModerationAction } from "../services/market/groups";
import type { PodStorage } from "../services/pods/storage";
import { lureContracts } from "./lib/contracts";
import { InvalidArgumentError, explained } from "./lib/errors";
import { print } from "./lib/output";
import { parseAddress, parsePodId, parsePrice, parseToken, parseUint } from "./lib/validate";

/**
 * Groups on the command line: banners from files, creation and changes, joining and renewing,
 * moderation, the catalogue and the treasury. Arguments are parsed here; the rules live in
 * services/market/groups.ts (loaded when a task runs: it uses the generated bindings, which exist
 * only once Hardhat has compiled).
 */
async function groupServices() {
  const [tokens, groups] = await Promise.all([import("../services/chain/tokens"), import("../services/market/groups")]);
  return { ...tokens, ...groups };
}

/** Each of these tasks does one chain step (or a few of one kind), so a refusal is printed as the bare reason. */
const ONE_STEP = { namesTheStep: false };

const POLICIES: readonly JoinPolicyName[] = ["open", "fee", "approval"];
const MAX_UINT32 = 2n ** 32n - 1n;

/** Swarm through bee-js: `--bee-url`, else BEE_URL (default the dev node on 127.0.0.1:1633). */
async function storageFor(beeUrl: string | undefined): Promise<PodStorage> {
  const { podStorage } = await import("../services/pods/swarm-storage");
  const config = loadConfig();
  return podStorage({ url: beeUrl ?? config.BEE_URL, postageBatchId: config.BEE_POSTAGE_BATCH, timeoutMs: config.BEE_TIMEOUT_MS });
}

function parseGroupId(value: string | undefined): bigint {
  const text = (value ?? "").trim();
  if (!/^[0-9]+$/.test(text) || BigInt(text) === 0n || BigInt(text) >= 2n ** 248n) throw new InvalidArgumentError(`--group: expected a group id (a positive integer), got ${JSON.stringify(value ?? null)}`);
  return BigInt(text);
}

function parsePolicy(value: string | undefined): JoinPolicyName | undefined {
  if (value === undefined) return undefined;
  const text = value.trim().toLowerCase() as JoinPolicyName;
  if (!POLICIES.includes(text)) throw new InvalidArgumentError(`--policy: expected one of ${POLICIES.join(", ")}, got ${JSON.stringify(value)}`);
  return text;
}

/** Reads and validates a banner file (nothing is uploaded here). */
async function readBannerFile(file: string | undefined): Promise<Banner> {
  if (typeof file !== "string" || file.trim() === "") throw new InvalidArgumentError(`--banner: expected a banner JSON file, got ${JSON.stringify(file ?? null)}`);
  const resolved = path.resolve(file);
  const text = await readFile(resolved, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new InvalidArgumentError(`--banner: cannot read ${resolved} (${error.code ?? error.message})`);
  });
  const { parseBanner } = await groupServices();
  try {
    return parseBanner(text, `--banner ${resolved}`);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** An expiry: null = never. */
const iso = (date: Date | undefined) => (date ? date.toISOString() : null);

function describeGroup(group: GroupView, tokenLabel: (token: string) => string) {
  const amount = (value: bigint) => formatUnits(value, group.decimals);
  return {
    groupId: group.groupId,
    name: group.name,
    owner: group.owner,
    pendingOwner: group.pendingOwner ?? null,
    policy: group.policy,
    membershipPeriod: group.membershipPeriod,
    token: tokenLabel(group.token),
    joinFee: amount(group.joinFee),
    memberMessageFee: amount(group.memberMessageFee),
    publicMessageFee: amount(group.publicMessageFee),
    surge: group.surgeWindow === 0 ? null : { window: group.surgeWindow, multiplierBps: group.surgeBps },
    bannerRef: group.bannerRef ?? null,
  };
}

const describeMember = (member: MemberView) => ({ account: member.account, status: member.status, expiresAt: iso(member.expiresAt), admin: member.admin, active: member.active });

interface SignedArgs {
  account?: string;
  json: boolean;
}

interface GroupTermsArgs extends SignedArgs {
  banner?: string;
  policy?: string;
  period?: string;
  token?: string;
  joinFee?: string;
  memberFee?: string;
  publicFee?: string;
  beeUrl?: string;
}

const TERMS = {
  policy: "Join policy: open, fee or approval",
  period: "Seconds a membership lasts (0 = for ever); joining again renews it",
  token: "Token of the join and message fees: native or an allow-listed ERC-20 address",
  joinFee: "Join fee (fee policy), in whole token units",
  memberFee: "What a member's message pays the group, in whole token units",
  publicFee: "What anyone else's message pays the group, in whole token units",
  beeUrl: "Bee API URL (default BEE_URL)",
  account: "Signer: account index or address",
} as const;

task("group:create", "Creates a group: its banner (a JSON file) is checked, then uploaded to Swarm, then the group is created")
  .addParam("name", "Group name (1-64 bytes)")
  .addParam("banner", "Banner JSON file (title, objectives, howToJoin, rules, links; docs/messages.md)")
  .addOptionalParam("policy", `${TERMS.policy} (default open)`, undefined, types.string)
  .addOptionalParam("period", `${TERMS.period} (default 0)`, undefined, types.string)
  .addOptionalParam("token", `${TERMS.token} (default native)`, undefined, types.string)
  .addOptionalParam("joinFee", `${TERMS.joinFee} (default 0)`, undefined, types.string)
  .addOptionalParam("memberFee", `${TERMS.memberFee} (default 0)`, undefined, types.string)
  .addOptionalParam("publicFee", `${TERMS.publicFee} (default 0)`, undefined, types.string)
  .addOptionalParam("beeUrl", TERMS.beeUrl, undefined, types.string)
  .addOptionalParam("account", TERMS.account, undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: GroupTermsArgs & { name: string }, hre: HardhatRuntimeEnvironment) => {
    const services = await groupServices();
    const name = typeof args.name === "string" ? args.name : "";
    const bytes = Buffer.byteLength(name, "utf8");
    if (bytes === 0 || bytes > 64) throw new InvalidArgumentError(`--name: a group name is 1 to 64 bytes, got ${JSON.stringify(args.name ?? null)} (${bytes} bytes)`);
    const banner = await readBannerFile(args.banner);
    const policy = parsePolicy(args.policy) ?? "open";
    const membershipPeriod = Number(parseUint(args.period ?? "0", "period", MAX_UINT32));
    const token = parseToken(args.token);
    const decimals = await services.decimalsOf(token, hre.ethers.provider);
    const fee = (value: string | undefined, argument: string) => (value === undefined ? 0n : parsePrice(value, decimals, argument, { allowZero: true }));
    const terms = { policy, membershipPeriod, token, joinFee: fee(args.joinFee, "join-fee"), memberMessageFee: fee(args.memberFee, "member-fee"), publicMessageFee: fee(args.publicFee, "public-fee") };
    if (policy === "fee" && terms.joinFee === 0n) throw new InvalidArgumentError("--join-fee: a fee group needs a join fee above zero (or --policy open)");
    const contracts = await lureContracts(hre, args.account);
    const storage = await storageFor(args.beeUrl);
    const created = await explained(() => services.createGroup(contracts, storage, { name, banner, ...terms }), ONE_STEP);
    print(
      {
        groupId: created.groupId,
        name: created.name,
        owner: created.owner,
        policy,
        membershipPeriod,
        token: services.tokenLabel(token),
        joinFee: formatUnits(terms.joinFee, decimals),
        memberMessageFee: formatUnits(terms.memberMessageFee, decimals),
        publicMessageFee: formatUnits(terms.publicMessageFee, decimals),
        bannerRef: created.bannerRef,
        tx: created.tx,
      },
      { json: args.json, title: `Created group ${created.groupId}` },
    );
  });

task("group:update", "Changes a group: the banner (an admin), the policy, period, token, fees and surge pricing (the owner); only what differs is sent")
  .addParam("group", "Group id")
  .addOptionalParam("banner", "New banner JSON file (uploaded to Swarm once every other check passed)", undefined, types.string)
  .addOptionalParam("policy", TERMS.policy, undefined, types.string)
  .addOptionalParam("period", TERMS.period, undefined, types.string)
  .addOptionalParam("token", TERMS.token, undefined, types.string)
  .addOptionalParam("joinFee", TERMS.joinFee, undefined, types.string)
  .addOptionalParam("memberFee", TERMS.memberFee, undefined, types.string)
  .addOptionalParam("publicFee", TERMS.publicFee, undefined, types.string)
  .addOptionalParam("surgeWindow", "Surge pricing window in seconds (with --surge-bps; 0 and 0 turn it off)", undefined, types.string)
  .addOptionalParam("surgeBps", "Surge multiplier per further message in the window, in bps (20000 = x2, at most 50000)", undefined, types.string)
  .addOptionalParam("beeUrl", TERMS.beeUrl, undefined, types.string)
  .addOptionalParam("account", TERMS.account, undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: GroupTermsArgs & { group: string; surgeWindow?: string; surgeBps?: string }, hre: HardhatRuntimeEnvironment) => {
    const services = await groupServices();
    const groupId = parseGroupId(args.group);
    const banner = args.banner === undefined ? undefined : await readBannerFile(args.banner);
    const policy = parsePolicy(args.policy);
    const membershipPeriod = args.period === undefined ? undefined : Number(parseUint(args.period, "period", MAX_UINT32));
    const token = args.token === undefined ? undefined : parseToken(args.token);
    if ((args.surgeWindow === undefined) !== (args.surgeBps === undefined)) throw new InvalidArgumentError("--surge-window and --surge-bps: give both (0 and 0 turn surge pricing off)");
    const surgeWindow = args.surgeWindow === undefined ? undefined : Number(parseUint(args.surgeWindow, "surge-window", MAX_UINT32));
    const surgeBps = args.surgeBps === undefined ? undefined : Number(parseUint(args.surgeBps, "surge-bps", 50_000n));
    const contracts = await lureContracts(hre, args.account);
    const current = await explained(() => services.readGroup(contracts, groupId), ONE_STEP);
    const decimals = await services.decimalsOf(token ?? current.token, hre.ethers.provider);
    const fee = (value: string | undefined, argument: string) => (value === undefined ? undefined : parsePrice(value, decimals, argument, { allowZero: true }));
    const update: GroupUpdate = {
      banner,
      policy,
      membershipPeriod,
      token,
      joinFee: fee(args.joinFee, "join-fee"),
      memberMessageFee: fee(args.memberFee, "member-fee"),
      publicMessageFee: fee(args.publicFee, "public-fee"),
      surgeWindow,
      surgeBps,
    };
    // Swarm is reached only when there is a banner to upload.
    const storage = banner ? await storageFor(args.beeUrl) : { uploadCollection: () => Promise.reject(new Error("no banner to upload")) };
    const updated = await explained(() => services.updateGroup(contracts, storage, groupId, update), ONE_STEP);
    print({ groupId, changes: updated.changes, ...(updated.bannerRef ? { bannerRef: updated.bannerRef } : {}) }, { json: args.json, title: `Updated group ${groupId}` });
  });

interface GroupArgs extends SignedArgs {
  group: string;
}

for (const [name, renew, description] of [
  ["group:join", false, "Joins a group: free when open, paying the join fee (exactly; --max-fee guards it) when fee, a request an admin approves when approval"],
  ["group:renew", true, "Renews a membership that expires, paying the join fee again in a fee group (--max-fee guards it)"],
] as const) {
  task(name, description)
    .addParam("group", "Group id")
    .addOptionalParam("maxFee", "The most you pay, in whole units of the group's token", undefined, types.string)
    .addOptionalParam("account", TERMS.account, undefined, types.string)
    .addFlag("json", "Print JSON")
    .setAction(async (args: GroupArgs & { maxFee?: string }, hre: HardhatRuntimeEnvironment) => {
      const services = await groupServices();
      const groupId = parseGroupId(args.group);
      const contracts = await lureContracts(hre, args.account);
      const group = await explained(() => services.readGroup(contracts, groupId), ONE_STEP);
      const maxFee = args.maxFee === undefined ? undefined : parsePrice(args.maxFee, group.decimals, "max-fee", { allowZero: true });
      const joined = await explained(() => services.joinGroup(contracts, groupId, { maxFee, renew }), ONE_STEP);
      const titles = { joined: `Joined group ${groupId}`, renewed: `Renewed the membership of group ${groupId}`, requested: `Asked to join group ${groupId}: an admin approves the request` };
      print(
        {
          groupId,
          step: joined.step,
          fee: formatUnits(joined.fee, joined.decimals),
          token: services.tokenLabel(joined.token),
          ...(joined.step === "requested" ? {} : { expiresAt: iso(joined.expiresAt) }),
          approvalTx: joined.approvalTx ?? null,
          tx: joined.tx,
        },
        { json: args.json, title: titles[joined.step] },
      );
    });
}

task("group:leave", "Leaves a group, or withdraws a pending request to join it")
  .addParam("group", "Group id")
  .addOptionalParam("account", TERMS.account, undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: GroupArgs, hre: HardhatRuntimeEnvironment) => {
    const services = await groupServices();
    const groupId = parseGroupId(args.group);
    const contracts = await lureContracts(hre, args.account);
    const left = await explained(() => services.leaveGroup(contracts, groupId), ONE_STEP);
    print({ groupId, account: contracts.account, tx: left.tx }, { json: args.json, title: `Left group ${groupId}` });
  });

const MODERATION: readonly [ModerationAction, string][] = [
  ["approve", "Approves a pending request to join (an admin)"],
  ["reject", "Rejects a pending request to join (an admin)"],
  ["remove", "Removes a member; it may join again (an admin; admins only by the owner)"],
  ["ban", "Bans an account: its membership ends and it cannot join or message the group (an admin)"],
  ["unban", "Lifts a ban (an admin)"],
];

for (const [action, description] of MODERATION) {
  task(`group:${action}`, description)
    .addParam("group", "Group id")
    .addParam("member", "The account acted on")
    .addOptionalParam("account", TERMS.account, undefined, types.string)
    .addFlag("json", "Print JSON")
    .setAction(async (args: GroupArgs & { member: string }, hre: HardhatRuntimeEnvironment) => {
      const services = await groupServices();
      const groupId = parseGroupId(args.group);
      const member = parseAddress(args.member, "member");
      const contracts = await lureContracts(hre, args.account);
      const done = await explained(() => services.moderate(contracts, groupId, action, member), ONE_STEP);
      const past = { approve: "Approved", reject: "Rejected", remove: "Removed", ban: "Banned", unban: "Unbanned" }[action];
      print({ groupId, member, action, tx: done.tx }, { json: args.json, title: `${past} ${member} in group ${groupId}` });
    });
}

task("group:show", "Shows a group: terms, banner (from Swarm, best effort), members, catalogue, treasury")
  .addParam("group", "Group id")
  .addOptionalParam("beeUrl", TERMS.beeUrl, undefined, types.string)
  .addOptionalParam("account", "Account the reads are made as (its standing is shown): account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: GroupArgs & { beeUrl?: string }, hre: HardhatRuntimeEnvironment) => {
    const services = await groupServices();
    const groupId = parseGroupId(args.group);
    const contracts = await lureContracts(hre, args.account);
    const storage = await storageFor(args.beeUrl);
    const group = await explained(() => services.showGroup(contracts, groupId, { storage }), ONE_STEP);
    const amount = (value: bigint) => formatUnits(value, group.decimals);
    print(
      {
        ...describeGroup(group, services.tokenLabel),
        banner: group.banner ?? null,
        ...(group.bannerError ? { bannerError: group.bannerError } : {}),
        members: group.members.map(describeMember),
        catalogue: group.catalogue,
        treasury: { joinFees: amount(group.treasury.joinFees), messageFees: amount(group.treasury.messageFees) },
        ...(group.you ? { you: describeMember(group.you) } : {}),
      },
      { json: args.json, title: `Group ${groupId}: ${group.name}` },
    );
  });

task("group:list", "Lists the groups, newest first")
  .addOptionalParam("limit", "At most this many (default 100)", undefined, types.string)
  .addOptionalParam("before", "Only groups with a smaller id (paging)", undefined, types.string)
  .addOptionalParam("account", "Account the reads are made as: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: { limit?: string; before?: string; account?: string; json: boolean }, hre: HardhatRuntimeEnvironment) => {
    const services = await groupServices();
    const limit = args.limit === undefined ? 100 : Number(parseUint(args.limit, "limit", 1000n));
    if (limit === 0) throw new InvalidArgumentError('--limit: expected a whole number from 1 to 1000, got "0"');
    const before = args.before === undefined ? undefined : parseGroupId(args.before);
    const contracts = await lureContracts(hre, args.account);
    const listed = await explained(() => services.listGroups(contracts, { limit, before }), ONE_STEP);
    print({ count: listed.count, groups: listed.groups.map((group) => describeGroup(group, services.tokenLabel)) }, { json: args.json, title: `${listed.count} groups` });
  });

for (const [name, posted, description] of [
  ["group:post-pod", true, "Posts a pod to the group's catalogue (an admin)"],
  ["group:unpost-pod", false, "Takes a pod off the group's catalogue (an admin)"],
] as const) {
  task(name, description)
    .addParam("group", "Group id")
    .addParam("pod", "Pod id")
    .addOptionalParam("account", TERMS.account, undefined, types.string)
    .addFlag("json", "Print JSON")
    .setAction(async (args: GroupArgs & { pod: string }, hre: HardhatRuntimeEnvironment) => {
      const services = await groupServices();
      const groupId = parseGroupId(args.group);
      const podId = parsePodId(args.pod);
      const contracts = await lureContracts(hre, args.account);
      const done = await explained(() => services.setCatalogue(contracts, groupId, podId, posted), ONE_STEP);
      print({ groupId, podId, posted, tx: done.tx }, { json: args.json, title: posted ? `Posted pod ${podId} to group ${groupId}` : `Took pod ${podId} off group ${groupId}` });
    });
}

task("group:withdraw", "The owner withdraws the group's join fees (GroupRegistry) and message fees (MessageBus) in one token")
  .addParam("group", "Group id")
  .addOptionalParam("token", "Token (default: the group's token)", undefined, types.string)
  .addOptionalParam("account", TERMS.account, undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: GroupArgs & { token?: string }, hre: HardhatRuntimeEnvironment) => {
    const services = await groupServices();
    const groupId = parseGroupId(args.group);
    const token = args.token === undefined ? undefined : parseToken(args.token);
    const contracts = await lureContracts(hre, args.account);
    const done = await explained(() => services.withdrawGroupTreasury(contracts, groupId, token), ONE_STEP);
    const amount = (value: bigint) => formatUnits(value, done.decimals);
    print(
      { groupId, token: services.tokenLabel(done.token), joinFees: amount(done.joinFees), messageFees: amount(done.messageFees), total: amount(done.joinFees + done.messageFees), txs: done.txs },
      { json: args.json, title: `Withdrew the treasury of group ${groupId}` },
    );
  });
