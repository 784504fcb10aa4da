import type { GraphQLResolveInfo } from "graphql";
import type { ApiContext } from "../../graphql/context";
import { readPage, type ExtraCondition, type ListArgs, type ListSpec, type Page } from "../../graphql/sql/list";
import { podColumnsAt, type PodColumns } from "./columns";
import type { PodRow } from "./models";

/**
 * Reads of pods that select only the columns of the Pod fields asked for: `pod(id)` is the hot
 * path of the API, and pages of 100 pods spend most of their time decoding columns. Complete rows
 * warm the pod loader (parents and lineage often refer back to them).
 */

/** `pod(id)`'s SQL by select list: one string per shape, so the prepared-statement lookup hashes it once. */
const podByIdSql = new WeakMap<PodColumns, string>();

function podByIdStatement(columns: PodColumns): string {
  let sql = podByIdSql.get(columns);
  if (sql === undefined) {
    sql = `SELECT ${columns.sql} FROM pods WHERE pods.id = $1::numeric`;
    podByIdSql.set(columns, sql);
  }
  return sql;
}

export async function podById(ctx: ApiContext, info: GraphQLResolveInfo, id: string): Promise<PodRow | null> {
  const columns = podColumnsAt(info, []);
  if (columns.complete) return ctx.pods.load(id);
  const tx = await ctx.snapshot.get();
  const [row] = await tx.query<PodRow>(podByIdStatement(columns), [id]);
  return row ?? null;
}

/** A page of pods with the columns of the fields selected under `items`. */
export async function podPage(ctx: ApiContext, info: GraphQLResolveInfo, spec: ListSpec, args: ListArgs, extra: readonly ExtraCondition[] = []): Promise<Page<PodRow>> {
  const tx = await ctx.snapshot.get();
  const columns = podColumnsAt(info, ["items"]);
  const page = await readPage<PodRow>(tx, spec, args, { extra, select: columns.sql });
  if (columns.complete) for (const row of page.items) ctx.pods.prime(row);
  return page;
}
