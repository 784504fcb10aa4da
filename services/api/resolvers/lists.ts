import type { GraphQLResolveInfo } from "graphql";
import type { ApiContext } from "../context";
import { podColumnsAt } from "./helpers";
import type { ApiModels, PodRow } from "../models";
import type { Resolvers } from "../../../graphql/generated/types";
import { readPage, type ExtraCondition, type ListArgs, type ListSpec, type Page } from "../sql/list";

/** Reads a page inside the operation's snapshot. */
export async function pageOf<Row>(ctx: ApiContext, spec: ListSpec, args: ListArgs, extra: readonly ExtraCondition[] = []): Promise<Page<Row>> {
  const tx = await ctx.snapshot.get();
  return readPage<Row>(tx, spec, args, { extra });
}

/**
 * Pages of pods select only the columns of the Pod fields asked for under `items`; complete rows
 * also warm the pod loader (parents and lineage often refer back to them).
 */
export async function podPage(ctx: ApiContext, info: GraphQLResolveInfo, spec: ListSpec, args: ListArgs, extra: readonly ExtraCondition[] = []): Promise<Page<PodRow>> {
  const tx = await ctx.snapshot.get();
  const columns = podColumnsAt(info, ["items"]);
  const page = await readPage<PodRow>(tx, spec, args, { extra, select: columns.sql });
  if (columns.complete) for (const row of page.items) ctx.pods.prime(row);
  return page;
}

const totalCount = <Row>(page: Page<Row>) => page.totalCount();

/** Every list type resolves `totalCount` lazily: the COUNT runs only when a client asks for it. */
export const listResolvers: Resolvers<ApiModels, ApiContext> = {
  PodList: { totalCount },
  PodVersionList: { totalCount },
  ListingEventList: { totalCount },
  LicenseList: { totalCount },
  PurchaseList: { totalCount },
  WithdrawalList: { totalCount },
  SearchHitList: { totalCount },
};
