import type { ApiContext } from "../context";
import { BadArgumentError } from "../errors";
import type { ApiModels, MetaModel, PodRow, SearchHitRow } from "../models";
import type { Resolvers } from "../../../graphql/generated/types";
import { licensesList, podVersionsList, podsList, purchasesList, searchList, SEARCH_MATCH, SEARCH_RANK } from "../lists";
import { readPage } from "../sql/list";
import { readLineage } from "./lineage";
import { podColumnsAt } from "./helpers";
import { pageOf, podPage } from "./lists";

/** Longer search texts are refused: they are never useful and cost parse time. */
export const MAX_SEARCH_TEXT = 256;

async function readMeta(ctx: ApiContext): Promise<MetaModel> {
  const tx = await ctx.snapshot.get();
  const status = ctx.status();
  // The block comes from the snapshot itself, so it is the block every other field was read at.
  const [cursor] = await tx.query<{ number: number; hash: string; timestamp: number; chainId: number }>(
    `SELECT block_number::float8 AS number, block_hash AS hash, block_timestamp::float8 AS timestamp, chain_id AS "chainId" FROM cursor WHERE id = 1`,
  );
  return {
    block: cursor ? { number: cursor.number, hash: cursor.hash, timestamp: cursor.timestamp } : null,
    chainId: cursor?.chainId ?? status.chainId,
    hasIndexingErrors: status.hasIndexingErrors,
  };
}

/** `pod(id)`'s SQL by select list: one string per shape, so the prepared-statement lookup hashes it once. */
const podByIdSql = new WeakMap<ReturnType<typeof podColumnsAt>, string>();

function podByIdStatement(columns: ReturnType<typeof podColumnsAt>): string {
  let sql = podByIdSql.get(columns);
  if (sql === undefined) {
    sql = `SELECT ${columns.sql} FROM pods WHERE pods.id = $1::numeric`;
    podByIdSql.set(columns, sql);
  }
  return sql;
}

export const queryResolvers: Resolvers<ApiModels, ApiContext> = {
  Query: {
    pod: async (_root, args, ctx, info) => {
      // Like pages, the single pod selects only the columns asked for (the hot path of the API).
      const columns = podColumnsAt(info, []);
      if (columns.complete) return ctx.pods.load(args.id);
      const tx = await ctx.snapshot.get();
      const [row] = await tx.query<PodRow>(podByIdStatement(columns), [args.id]);
      return row ?? null;
    },
    account: (_root, args) => ({ address: args.address }),
    pods: (_root, args, ctx, info) => podPage(ctx, info, podsList, args),
    podVersions: (_root, args, ctx) => pageOf(ctx, podVersionsList, args),
    licenses: (_root, args, ctx) => pageOf(ctx, licensesList, args),
    purchases: (_root, args, ctx) => pageOf(ctx, purchasesList, args),
    search: async (_root, args, ctx, info) => {
      const text = args.text.trim();
      if (text.length === 0) throw new BadArgumentError("text", "must not be empty");
      if (text.length > MAX_SEARCH_TEXT) throw new BadArgumentError("text", `is ${text.length} characters long; at most ${MAX_SEARCH_TEXT} are allowed`);
      const tx = await ctx.snapshot.get();
      const columns = podColumnsAt(info, ["items", "pod"]);
      // The search text is $1: the ranking expression in `searchList` refers to it.
      const page = await readPage<PodRow & { _rank: number }>(
        tx,
        searchList,
        { where: args.where, orderBy: "rank", orderDirection: "desc", first: args.first, after: args.after },
        { extra: [{ sql: SEARCH_MATCH, values: [] }], prebound: [{ value: text, type: "text" }], select: `${SEARCH_RANK} AS "_rank", ${columns.sql}` },
      );
      const items: SearchHitRow[] = page.items.map(({ _rank, ...pod }) => {
        if (columns.complete) ctx.pods.prime(pod);
        return { pod, rank: _rank };
      });
      return { ...page, items };
    },
    lineage: (_root, args, ctx) => readLineage(ctx, args.podId, args.maxDepth, args.maxDescendants),
    _meta: (_root, _args, ctx) => readMeta(ctx),
  },
};
