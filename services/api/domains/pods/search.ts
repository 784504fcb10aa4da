import type { GraphQLResolveInfo } from "graphql";
import type { QuerySearchArgs } from "../../../../graphql/generated/types";
import type { ApiContext } from "../../graphql/context";
import { BadArgumentError } from "../../graphql/errors";
import { readPage, type ListSpec, type Page } from "../../graphql/sql/list";
import { podColumnsAt, POD_COLUMNS } from "./columns";
import { podIdKey, POD_FILTERS } from "./lists";
import type { PodRow, SearchHitRow } from "./models";

/** Longer search texts are refused: they are never useful and cost parse time. */
const MAX_SEARCH_TEXT = 256;

/** Full-text search: `$1` is always the search text (bound first by the caller). */
const SEARCH_QUERY = `websearch_to_tsquery('english', $1::text)`;
const SEARCH_RANK = `ts_rank(search, ${SEARCH_QUERY})::float8`;
const SEARCH_MATCH = `search @@ ${SEARCH_QUERY}`;

const searchList: ListSpec = {
  name: "search",
  from: "pods",
  select: `${SEARCH_RANK} AS "_rank", ${POD_COLUMNS}`,
  filters: POD_FILTERS,
  orders: { rank: { sql: SEARCH_RANK, type: "float8" } },
  primaryKey: [podIdKey],
};

/** `search(text, where, first, after)`: pods matching the text, best match first. */
export async function searchPods(ctx: ApiContext, info: GraphQLResolveInfo, args: QuerySearchArgs): Promise<Page<SearchHitRow>> {
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
}
