import type { Queryable } from "../../../database";
import type { ApiContext } from "../../graphql/context";
import { GROUP_COLUMNS, MESSAGE_COLUMNS } from "./lists";
import type { GroupRow, GroupTreasuryRow, MessageRow } from "./models";

/**
 * Per-operation loaders of the groups domain: the keys asked for in one tick are read with one
 * statement (so `messages { items { group { … } replyToMessage { … } } }` is three statements, not
 * 201), and cached for the operation. They hang off the operation's context through a WeakMap, as
 * the runs domain's do.
 */
class BatchLoader<Value> {
  private readonly cache = new Map<string, Promise<Value>>();
  private pending = new Map<string, { resolve: (value: Value) => void; reject: (error: unknown) => void }[]>();
  private scheduled = false;

  constructor(
    private readonly tx: () => Promise<Queryable>,
    /** Reads the values of `keys`; a key it leaves out gets `missing`. */
    private readonly read: (tx: Queryable, keys: string[]) => Promise<Map<string, Value>>,
    private readonly missing: Value,
  ) {}

  load(key: string): Promise<Value> {
    const cached = this.cache.get(key);
    if (cached) return cached;
    const promise = new Promise<Value>((resolve, reject) => {
      const waiting = this.pending.get(key) ?? [];
      waiting.push({ resolve, reject });
      this.pending.set(key, waiting);
    });
    this.cache.set(key, promise);
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(() => void this.flush());
    }
    return promise;
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    this.scheduled = false;
    try {
      const values = await this.read(await this.tx(), [...batch.keys()]);
      for (const [key, waiting] of batch) for (const waiter of waiting) waiter.resolve(values.get(key) ?? this.missing);
    } catch (error) {
      for (const waiting of batch.values()) for (const waiter of waiting) waiter.reject(error);
    }
  }
}

const TREASURY_SQL = `SELECT group_id::text AS "groupId", token, (join_fees + message_fees)::text AS balance, join_fees::text AS "joinFees", message_fees::text AS "messageFees",
  earned::text AS earned, withdrawn::text AS withdrawn FROM group_treasuries WHERE group_id = ANY($1::numeric[]) ORDER BY group_id, token`;

interface GroupLoaders {
  groups: BatchLoader<GroupRow | null>;
  messages: BatchLoader<MessageRow | null>;
  treasuries: BatchLoader<GroupTreasuryRow[]>;
}

const byOperation = new WeakMap<ApiContext, GroupLoaders>();

/** The groups domain's loaders of the operation `ctx` belongs to. */
export function groupLoaders(ctx: ApiContext): GroupLoaders {
  let loaders = byOperation.get(ctx);
  if (!loaders) {
    const tx = () => ctx.snapshot.get();
    loaders = {
      groups: new BatchLoader<GroupRow | null>(
        tx,
        async (db, ids) => new Map((await db.query<GroupRow>(`SELECT ${GROUP_COLUMNS} FROM groups WHERE id = ANY($1::numeric[])`, [ids])).map((row) => [row.id, row])),
        null,
      ),
      messages: new BatchLoader<MessageRow | null>(
        tx,
        async (db, ids) => new Map((await db.query<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ANY($1::numeric[])`, [ids])).map((row) => [row.id, row])),
        null,
      ),
      treasuries: new BatchLoader<GroupTreasuryRow[]>(
        tx,
        async (db, ids) => {
          const byGroup = new Map<string, GroupTreasuryRow[]>();
          for (const row of await db.query<GroupTreasuryRow>(TREASURY_SQL, [ids])) byGroup.set(row.groupId, [...(byGroup.get(row.groupId) ?? []), row]);
          return byGroup;
        },
        [],
      ),
    };
    byOperation.set(ctx, loaders);
  }
  return loaders;
}
