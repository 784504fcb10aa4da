import type { ApiContext } from "../../graphql/context";
import { GROUP_COLUMNS, MESSAGE_COLUMNS } from "./lists";
import type { GroupRow, GroupTreasuryRow, MessageRow } from "./models";
import { BatchLoader } from "../../graphql/batch-loader";

/**
 * Per-operation loaders of the groups domain: the keys asked for in one tick are read with one
 * statement (so `messages { items { group { … } replyToMessage { … } } }` is three statements, not
 * 201), and cached for the operation. They hang off the operation's context through a WeakMap, as
 * the runs domain's do.
 */

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
