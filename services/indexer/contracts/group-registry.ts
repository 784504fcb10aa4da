// The factory file only: the typechain index pulls in every contract of the repository. The
// contract's factory, not its interface's: its ABI lists the events it inherits too (roles).
import { GroupRegistry__factory } from "../../../typechain-types/factories/contracts/GroupRegistry__factory";
import type { ChainEvent } from "../chain-event";
import { CHANGED_BY_COLUMNS, changedBy, stamp } from "../changed-by";
import type { Row, TableSpec } from "../tables";
import { eventsOf } from "./abi-types";
import type { Logger } from "../../log";
import type { Queryable } from "../../database";
import type { IndexerEventMap } from "../events";
import { defineContract, type AnnouncementMap, type ContentSource, type EventEffects, type ModuleContext, type RowKeys, type StopModule } from "./module";

/**
 * GroupRegistry: groups with their owner, policy, fees and banner, memberships (members, requests,
 * bans, admins), catalogues of pods and the treasury of join fees (migration 080). MessageBus
 * (message-bus.ts) counts each group's messages and credits its share of message fees to the same
 * treasury rows, hence the exported tables. TokenAllowed and the roles' events land in `events`.
 */

/** Groups; `banner` and `banner_source` are left out: the start hook (startGroupBanners) fills them beside ingest. */
export const GROUPS: TableSpec = {
  name: "groups",
  key: ["id"],
  columns: [
    ["id", "numeric"],
    ["owner", "text"],
    ["pending_owner", "text"],
    ["name", "text"],
    ["banner_ref", "text"],
    ["join_policy", "text"],
    ["membership_period", "numeric"],
    ["token", "text"],
    ["join_fee", "numeric"],
    ["member_message_fee", "numeric"],
    ["public_message_fee", "numeric"],
    ["surge_window", "numeric"],
    ["surge_bps", "int"],
    ["message_count", "int"],
    ["created_block", "numeric"],
    ["created_at", "numeric"],
    ["created_tx", "text"],
    ...CHANGED_BY_COLUMNS,
  ],
};

const GROUP_MEMBERS: TableSpec = {
  name: "group_members",
  key: ["group_id", "account"],
  columns: [
    ["group_id", "numeric"],
    ["account", "text"],
    ["status", "text"],
    ["admin", "boolean"],
    ["expires_at", "numeric"],
    ["joined_at", "numeric"],
    ["requested_at", "numeric"],
    ["banned_at", "numeric"],
    ...CHANGED_BY_COLUMNS,
  ],
};

const GROUP_PODS: TableSpec = {
  name: "group_pods",
  key: ["group_id", "pod_id"],
  columns: [
    ["group_id", "numeric"],
    ["pod_id", "numeric"],
    ["posted", "boolean"],
    ["posted_by", "text"],
    ["posted_at", "numeric"],
    ["posted_block", "numeric"],
    ["removed_by", "text"],
    ["removed_at", "numeric"],
    ...CHANGED_BY_COLUMNS,
  ],
};

/** A group's treasury per token: join fees (GroupRegistry) and message fees (MessageBus). */
export const GROUP_TREASURIES: TableSpec = {
  name: "group_treasuries",
  key: ["group_id", "token"],
  columns: [["group_id", "numeric"], ["token", "text"], ["join_fees", "numeric"], ["message_fees", "numeric"], ["earned", "numeric"], ["withdrawn", "numeric"], ...CHANGED_BY_COLUMNS],
};

/** The cache key of a group's treasury in `token`. */
export const treasuryKey = (groupId: string, token: string): string => `${groupId}|${token}`;

/** Adds `amount` (decimal, may be negative) to a treasury's held `column`; credits add to `earned`, withdrawals to `withdrawn`. */
export function moveTreasury(
  effects: EventEffects<AnnouncementMap>,
  groupId: string,
  token: string,
  column: "join_fees" | "message_fees",
  amount: string,
  direction: "credit" | "withdraw",
  event: ChainEvent,
): void {
  const value = BigInt(amount);
  effects.change(GROUP_TREASURIES, treasuryKey(groupId, token), event, (current) => {
    const row = current ?? { group_id: groupId, token, join_fees: "0", message_fees: "0", earned: "0", withdrawn: "0" };
    const held = BigInt(row[column] as string);
    row[column] = (direction === "credit" ? held + value : held - value).toString();
    if (direction === "credit") row.earned = (BigInt(row.earned as string) + value).toString();
    else row.withdrawn = (BigInt(row.withdrawn as string) + value).toString();
    return stamp(row, event);
  });
}

/** Payloads GroupRegistry's events announce (IndexerEventMap). */
export interface GroupRegistryAnnouncements {
  /** A group's banner reference was set (at creation too); `bannerRef` null = none. Read by startGroupBanners. */
  groupBannerSet: { groupId: string; bannerRef: string | null; blockNumber: number };
}

/** IGroupRegistry.JoinPolicy, by its value. */
const JOIN_POLICIES = ["OPEN", "FEE", "APPROVAL"];
const joinPolicyName = (value: string) => JOIN_POLICIES[Number(value)] ?? `UNKNOWN_${value}`;

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";
const ZERO_REF = `0x${"0".repeat(64)}`;
const refOrNull = (ref: string) => (ref === ZERO_REF ? null : ref);
/** An expiry of an event, NULL for "never" (0). */
const expiryOrNull = (expiresAt: string) => (expiresAt === "0" ? null : expiresAt);

const ABI = eventsOf(GroupRegistry__factory.abi);
type Abi = typeof ABI;
type Effects = EventEffects<GroupRegistryAnnouncements>;

const memberKey = (groupId: string, account: string) => `${groupId}|${account}`;
const touchGroup = (args: { readonly groupId: string }, keys: RowKeys) => keys.add(GROUPS, args.groupId);
const touchMember = (args: { readonly groupId: string; readonly account: string }, keys: RowKeys) => keys.add(GROUP_MEMBERS, memberKey(args.groupId, args.account));

/** Changes a group's row in place. */
function changeGroup(effects: Effects, groupId: string, event: ChainEvent, update: (row: Row) => void): void {
  effects.changeExisting(GROUPS, groupId, event, (row) => {
    update(row);
    return stamp(row, event);
  });
}

/** Sets an account's membership row (created when it has none). */
function setMember(effects: Effects, groupId: string, account: string, event: ChainEvent, update: (row: Row) => void): void {
  effects.change(GROUP_MEMBERS, memberKey(groupId, account), event, (current) => {
    const row = current ?? { group_id: groupId, account, status: "NONE", admin: false, expires_at: null, joined_at: null, requested_at: null, banned_at: null };
    update(row);
    return stamp(row, event);
  });
}

/** What the contract's `delete _members[groupId][account]` leaves: no standing at all. */
function clearMember(row: Row): void {
  row.status = "NONE";
  row.admin = false;
  row.expires_at = null;
  row.joined_at = null;
  row.requested_at = null;
  row.banned_at = null;
}

/** A member from now on (joined, approved, or the new owner), never expiring unless `expiresAt` says so. */
function admit(row: Row, expiresAt: string | null, event: ChainEvent): void {
  const renewal = row.status === "MEMBER";
  row.status = "MEMBER";
  row.expires_at = expiresAt;
  if (!renewal) {
    row.admin = false;
    row.joined_at = String(event.timestamp);
  }
  row.banned_at = null;
}

export const groupRegistry = defineContract<Abi, GroupRegistryAnnouncements>({
  name: "GroupRegistry",
  abi: ABI,
  tables: { mutable: [GROUPS, GROUP_MEMBERS, GROUP_PODS, GROUP_TREASURIES], appendOnly: [] },
  announces: ["groupBannerSet"],
  // Banners are not on chain: read from Swarm, beside ingest.
  start: startGroupBanners,
  handlers: {
    // ---------------------------------------------------------------- groups
    GroupCreated: {
      touches: touchGroup,
      apply(args, event, effects) {
        // PolicySet and FeesSet follow in the same transaction and fill in the terms.
        effects.change(GROUPS, args.groupId, event, () => ({
          id: args.groupId,
          owner: args.owner,
          pending_owner: null,
          name: args.name,
          banner_ref: refOrNull(args.bannerRef),
          join_policy: "OPEN",
          membership_period: "0",
          token: ZERO_ADDRESS,
          join_fee: "0",
          member_message_fee: "0",
          public_message_fee: "0",
          surge_window: "0",
          surge_bps: 0,
          message_count: 0,
          created_block: String(event.blockNumber),
          created_at: String(event.timestamp),
          created_tx: event.txHash,
          ...changedBy(event),
        }));
        if (args.bannerRef !== ZERO_REF) effects.announce("groupBannerSet", { groupId: args.groupId, bannerRef: args.bannerRef, blockNumber: event.blockNumber });
      },
    },
    PolicySet: {
      touches: touchGroup,
      apply: (args, event, effects) =>
        changeGroup(effects, args.groupId, event, (row) => {
          row.join_policy = joinPolicyName(args.joinPolicy);
          row.membership_period = args.membershipPeriod;
        }),
    },
    FeesSet: {
      touches: touchGroup,
      apply: (args, event, effects) =>
        changeGroup(effects, args.groupId, event, (row) => {
          row.token = args.token;
          row.join_fee = args.joinFee;
          row.member_message_fee = args.memberMessageFee;
          row.public_message_fee = args.publicMessageFee;
        }),
    },
    SurgeSet: {
      touches: touchGroup,
      apply: (args, event, effects) =>
        changeGroup(effects, args.groupId, event, (row) => {
          row.surge_window = args.window;
          row.surge_bps = Number(args.multiplierBps);
        }),
    },
    BannerSet: {
      touches: touchGroup,
      apply(args, event, effects) {
        const bannerRef = refOrNull(args.bannerRef);
        changeGroup(effects, args.groupId, event, (row) => (row.banner_ref = bannerRef));
        effects.announce("groupBannerSet", { groupId: args.groupId, bannerRef, blockNumber: event.blockNumber });
      },
    },
    OwnershipTransferStarted: {
      touches: touchGroup,
      apply: (args, event, effects) => changeGroup(effects, args.groupId, event, (row) => (row.pending_owner = args.pendingOwner === ZERO_ADDRESS ? null : args.pendingOwner)),
    },
    OwnershipTransferred: {
      touches(args, keys) {
        keys.add(GROUPS, args.groupId);
        keys.add(GROUP_MEMBERS, memberKey(args.groupId, args.newOwner));
      },
      apply(args, event, effects) {
        changeGroup(effects, args.groupId, event, (row) => {
          row.owner = args.newOwner;
          row.pending_owner = null;
        });
        // The new owner is a member forever, not an admin (the owner acts as one anyway); a ban is lifted.
        setMember(effects, args.groupId, args.newOwner, event, (row) => {
          if (row.status !== "MEMBER") row.joined_at = String(event.timestamp);
          row.status = "MEMBER";
          row.admin = false;
          row.expires_at = null;
          row.banned_at = null;
        });
      },
    },

    // ---------------------------------------------------------------- memberships
    Joined: {
      touches(args, keys) {
        touchMember(args, keys);
        if (args.fee !== "0") keys.add(GROUP_TREASURIES, treasuryKey(args.groupId, args.token));
      },
      apply(args, event, effects) {
        setMember(effects, args.groupId, args.account, event, (row) => admit(row, expiryOrNull(args.expiresAt), event));
        if (args.fee !== "0") moveTreasury(effects, args.groupId, args.token, "join_fees", args.fee, "credit", event);
      },
    },
    JoinRequested: {
      touches: touchMember,
      apply: (args, event, effects) =>
        setMember(effects, args.groupId, args.account, event, (row) => {
          clearMember(row);
          row.status = "REQUESTED";
          row.requested_at = String(event.timestamp);
        }),
    },
    JoinApproved: {
      touches: touchMember,
      apply: (args, event, effects) => setMember(effects, args.groupId, args.account, event, (row) => admit(row, expiryOrNull(args.expiresAt), event)),
    },
    JoinRejected: { touches: touchMember, apply: (args, event, effects) => setMember(effects, args.groupId, args.account, event, clearMember) },
    Left: { touches: touchMember, apply: (args, event, effects) => setMember(effects, args.groupId, args.account, event, clearMember) },
    MemberRemoved: { touches: touchMember, apply: (args, event, effects) => setMember(effects, args.groupId, args.account, event, clearMember) },
    Unbanned: { touches: touchMember, apply: (args, event, effects) => setMember(effects, args.groupId, args.account, event, clearMember) },
    Banned: {
      touches: touchMember,
      apply: (args, event, effects) =>
        setMember(effects, args.groupId, args.account, event, (row) => {
          clearMember(row);
          row.status = "BANNED";
          row.banned_at = String(event.timestamp);
        }),
    },
    AdminSet: {
      touches: touchMember,
      apply: (args, event, effects) => setMember(effects, args.groupId, args.account, event, (row) => (row.admin = args.admin)),
    },

    // ---------------------------------------------------------------- catalogue
    PodPosted: {
      touches: (args, keys) => keys.add(GROUP_PODS, `${args.groupId}|${args.podId}`),
      apply(args, event, effects) {
        effects.change(GROUP_PODS, `${args.groupId}|${args.podId}`, event, () => ({
          group_id: args.groupId,
          pod_id: args.podId,
          posted: true,
          posted_by: args.admin,
          posted_at: String(event.timestamp),
          posted_block: String(event.blockNumber),
          removed_by: null,
          removed_at: null,
          ...changedBy(event),
        }));
      },
    },
    PodRemoved: {
      touches: (args, keys) => keys.add(GROUP_PODS, `${args.groupId}|${args.podId}`),
      apply(args, event, effects) {
        effects.changeExisting(GROUP_PODS, `${args.groupId}|${args.podId}`, event, (row) => {
          row.posted = false;
          row.removed_by = args.admin;
          row.removed_at = String(event.timestamp);
          return stamp(row, event);
        });
      },
    },

    // ---------------------------------------------------------------- money
    TreasuryWithdrawn: {
      touches: (args, keys) => keys.add(GROUP_TREASURIES, treasuryKey(args.groupId, args.token)),
      apply: (args, event, effects) => moveTreasury(effects, args.groupId, args.token, "join_fees", args.amount, "withdraw", event),
    },
    // Every event is kept in `events` too (no `recorded`): the rows hold the latest state only, so
    // there the events are the history (joins, bans, posts, withdrawals). TokenAllowed and the roles'
    // events land there alone.
  },
});

// ---------------------------------------------------------------- banners (start hook)

/** A banner larger than this is not read (docs/messages.md: the whole document is at most 64 KiB). */
const MAX_BANNER_BYTES = 65_536;

/**
 * GroupRegistry's start hook: each banner reference set on a group (`groupBannerSet`, after its
 * commit) is read from Swarm and, when it is a JSON object, stored in `groups.banner`, like pod
 * descriptions (pod-descriptions.ts). At start it also asks again for the banners of groups whose
 * banner was never read (Swarm was down, or the indexer stopped first). Nothing to do without Swarm.
 */
function startGroupBanners({ db, events, swarm, log }: ModuleContext): StopModule | undefined {
  if (!swarm) return undefined;
  const reader = new BannerReader(db, swarm, log);
  const onBanner = (banner: IndexerEventMap["groupBannerSet"]) => {
    if (banner.bannerRef !== null) reader.enqueue(banner.groupId, banner.bannerRef);
  };
  events.on("groupBannerSet", onBanner);
  void db
    .query<{ id: string; banner_ref: string }>(`SELECT id::text AS id, banner_ref FROM groups WHERE banner_ref IS NOT NULL AND banner_source IS DISTINCT FROM banner_ref ORDER BY id LIMIT 1000`)
    .then((rows) => rows.forEach((row) => reader.enqueue(row.id, row.banner_ref)))
    .catch((error: Error) => log.debug({ error: error.message }, "no banners to read again"));
  return () => {
    events.off("groupBannerSet", onBanner);
    reader.stop();
    return Promise.resolve();
  };
}

/**
 * Reads banners best-effort, outside every indexing transaction, 2 at a time from a bounded queue
 * (the excess is dropped); the update lands only while the group still points at the banner read.
 * A missing, oversized or malformed banner (not a JSON object) leaves the group without one.
 */
class BannerReader {
  private readonly queue = new Map<string, string>();
  private active = 0;
  private stopped = false;

  constructor(
    private readonly db: Queryable,
    private readonly source: ContentSource,
    private readonly log: Logger,
  ) {}

  enqueue(groupId: string, bannerRef: string): void {
    if (this.stopped || (!this.queue.has(groupId) && this.queue.size >= 1_000)) return;
    this.queue.set(groupId, bannerRef);
    this.pump();
  }

  stop(): void {
    this.stopped = true;
    this.queue.clear();
  }

  private pump(): void {
    while (!this.stopped && this.active < 2 && this.queue.size > 0) {
      const [groupId, bannerRef] = this.queue.entries().next().value as [string, string];
      this.queue.delete(groupId);
      this.active++;
      void this.read(groupId, bannerRef).finally(() => {
        this.active--;
        this.pump();
      });
    }
  }

  private async read(groupId: string, bannerRef: string): Promise<void> {
    try {
      // A banner is a one-file collection whose index document is banner.json (docs/messages.md).
      const ref = bannerRef.replace(/^0x/, "");
      const { data } = await this.source.downloadFile(ref).catch(() => this.source.downloadFile(ref, "banner.json"));
      if (data.byteLength > MAX_BANNER_BYTES) throw new Error(`the banner has ${data.byteLength} bytes, more than ${MAX_BANNER_BYTES}`);
      const banner: unknown = JSON.parse(Buffer.from(data).toString("utf8"));
      if (typeof banner !== "object" || banner === null || Array.isArray(banner)) throw new Error("the banner is not a JSON object");
      if (this.stopped) return;
      await this.db.query(`UPDATE groups SET banner = $1::jsonb, banner_source = $2 WHERE id = $3 AND banner_ref = $2`, [JSON.stringify(banner), bannerRef, groupId]);
    } catch (error) {
      this.log.debug({ groupId, bannerRef, error: (error as Error).message }, "no banner from Swarm");
    }
  }
}
