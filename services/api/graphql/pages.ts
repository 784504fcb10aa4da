import type { ApiContext } from "./context";
import type { SqlType } from "./sql/params";
import { readPage, type ExtraCondition, type ListArgs, type ListSpec, type Page } from "./sql/list";

/** Reads a page inside the operation's snapshot. */
export async function pageOf<Row>(ctx: ApiContext, spec: ListSpec, args: ListArgs, extra: readonly ExtraCondition[] = []): Promise<Page<Row>> {
  const tx = await ctx.snapshot.get();
  return readPage<Row>(tx, spec, args, { extra });
}

/** A nested list's fixed condition, e.g. the versions of one pod: `column = value`, bound. */
export const equals = (sql: string, value: string, type: Extract<SqlType, "numeric" | "text">): ExtraCondition => ({ sql: `${sql} = ?`, values: [{ value, type }] });

/**
 * Every list type's `totalCount` resolver: the COUNT runs only when a client asks for it. Each
 * domain maps its list types to it (and declares it as one statement).
 */
export const totalCount = <Row>(page: Page<Row>): Promise<number> => page.totalCount();
