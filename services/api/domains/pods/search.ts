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

/**
 * What the search matches, and how it ranks (best first):
 * - 4: the name is the text (case-insensitive);
 * - 2..3: words of the name or description match (full text, English stemming; `websearch` syntax),
 *   2 + ts_rank / (1 + ts_rank), so the full-text ranking orders word matches among themselves;
 * - 1.5: the name starts with the text ("hello" finds "HelloWorld");
 * - 1: the name contains the text ("world" finds "HelloWorld").
 * `$1` is the search text and `$2` the lowercased text with LIKE's wildcards escaped; both are bound
 * first by the caller. The name conditions are a scan of `pods` (see docs/graphql.md, Search).
 */
const SEARCH_QUERY = `websearch_to_tsquery('english', $1::text)`;
const WORD_RANK = `ts_rank(search, ${SEARCH_QUERY})`;
const NAME = `lower(coalesce(name, ''))`;
const SEARCH_RANK =
  `(CASE WHEN ${NAME} = lower($1::text) THEN 4` +
  ` WHEN search @@ ${SEARCH_QUERY} THEN 2 + ${WORD_RANK} / (1 + ${WORD_RANK})` +
  ` WHEN ${NAME} LIKE $2::text || '%' THEN 1.5` +
  ` ELSE 1 END)::float8`;
const SEARCH_MATCH = `(search @@ ${SEARCH_QUERY} OR ${NAME} LIKE '%' || $2::text || '%')`;

/** The text as a LIKE operand matching itself literally (`\` is LIKE's default escape). */
function likeLiteral(text: string): string {
  return text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
}

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
  // The search text is $1 and its LIKE form $2: the ranking expression in `searchList` refers to them.
  const page = await readPage<PodRow & { _rank: number }>(
    tx,
    searchList,
    { where: args.where, orderBy: "rank", orderDirection: "desc", first: args.first, after: args.after },
    { extra: [{ sql: SEARCH_MATCH, values: [] }], prebound: [
        { value: text, type: "text" },
        { value: likeLiteral(text), type: "text" },
      ], select: `${SEARCH_RANK} AS "_rank", ${columns.sql}` },
  );
  const items: SearchHitRow[] = page.items.map(({ _rank, ...pod }) => {
    if (columns.complete) ctx.pods.prime(pod);
    return { pod, rank: _rank };
  });
  return { ...page, items };
}
