import { useEffect, useRef, useState } from "preact/hooks";
import type { Listing, PageInfo, Pod, PodOrderBy, PodWhere } from "../../../graphql/generated/client";
import type { AppConfig } from "../app-config";
import { Address, Amount, Empty, PodLink, Show, Table } from "../components/common";
import { formatRate, NATIVE_TOKEN, parseUnits, tokenInfo } from "../format";
import { gql } from "../graphql";
import { useLoad } from "../hooks";
import { href, navigate, type Route } from "../router";

const PAGE_SIZE = 25;

type PodRow = Pick<Pod, "id" | "name" | "owner" | "listed" | "versionCount" | "runCount" | "runSuccessRate" | "visibility"> & {
  listing: Pick<Listing, "token" | "price" | "podPrice"> | null;
};
interface PodPage {
  rows: PodRow[];
  pageInfo: PageInfo;
  totalCount: number;
  ranked: boolean;
}

const ROW_FIELDS = "id name owner listed visibility versionCount runCount runSuccessRate listing { token price podPrice }";
const SORTS: [PodOrderBy, string][] = [
  ["id", "Newest / oldest (id)"],
  ["name", "Name"],
  ["listingPrice", "Licence price"],
  ["licenseSales", "Licences sold"],
  ["versionCount", "Versions"],
  ["revenue", "Revenue"],
  ["createdBlock", "Created"],
];
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const ID = /^[0-9]+$/;

/** The `where` of the filters in `params`; throws an error naming the first bad value. */
function podWhere(params: URLSearchParams, config: AppConfig): PodWhere {
  const where: PodWhere = {};
  const listed = params.get("listed");
  if (listed === "true" || listed === "false") where.listed = listed === "true";
  const tokenText = params.get("token")?.trim() ?? "";
  let token: string | undefined;
  if (tokenText) {
    token = tokenText.toLowerCase() === "native" ? NATIVE_TOKEN : tokenText;
    if (!ADDRESS.test(token)) throw new Error(`Token "${tokenText}" is not an address (0x and 40 hex digits) or "native"`);
    where.token = token;
  }
  const decimals = tokenInfo(config, token ?? NATIVE_TOKEN).decimals;
  const min = params.get("min")?.trim();
  if (min) where.listingPrice_gte = parseUnits(min, decimals).toString();
  const max = params.get("max")?.trim();
  if (max) where.listingPrice_lte = parseUnits(max, decimals).toString();
  for (const [param, field] of [
    ["owner", "owner"],
    ["creator", "creator"],
  ] as const) {
    const value = params.get(param)?.trim();
    if (!value) continue;
    if (!ADDRESS.test(value)) throw new Error(`${param === "owner" ? "Owner" : "Creator"} "${value}" is not an address (0x and 40 hex digits)`);
    where[field] = value;
  }
  const forkOf = params.get("forkOf")?.trim();
  if (forkOf) {
    if (!ID.test(forkOf)) throw new Error(`Forks of "${forkOf}" is not a pod id`);
    where.forkedFrom = forkOf;
  }
  return where;
}

async function loadPods(params: URLSearchParams, config: AppConfig, signal: AbortSignal): Promise<PodPage> {
  const where = podWhere(params, config);
  const group = params.get("group")?.trim();
  if (group) {
    if (!ID.test(group)) throw new Error(`Group "${group}" is not a group id`);
    where.inGroup = group;
  }
  const after = params.get("after") || null;
  const text = params.get("q")?.trim();
  if (text) {
    const data = await gql<{ search: { items: { pod: PodRow }[]; pageInfo: PageInfo; totalCount: number } }>(
      `query ($text: String!, $where: PodWhere, $first: Int, $after: String) {
        search(text: $text, where: $where, first: $first, after: $after) { items { pod { ${ROW_FIELDS} } } pageInfo { hasNextPage endCursor } totalCount }
      }`,
      { text, where, first: PAGE_SIZE, after },
      signal,
    );
    return { rows: data.search.items.map((hit) => hit.pod), pageInfo: data.search.pageInfo, totalCount: data.search.totalCount, ranked: true };
  }
  const data = await gql<{ pods: { items: PodRow[]; pageInfo: PageInfo; totalCount: number } }>(
    `query ($where: PodWhere, $orderBy: PodOrderBy, $dir: OrderDirection, $first: Int, $after: String) {
      pods(where: $where, orderBy: $orderBy, orderDirection: $dir, first: $first, after: $after) { items { ${ROW_FIELDS} } pageInfo { hasNextPage endCursor } totalCount }
    }`,
    { where, orderBy: params.get("sort") || "id", dir: params.get("dir") || "desc", first: PAGE_SIZE, after },
    signal,
  );
  return { rows: data.pods.items, pageInfo: data.pods.pageInfo, totalCount: data.pods.totalCount, ranked: false };
}

function paramsObject(params: URLSearchParams): Record<string, string> {
  return Object.fromEntries(params.entries());
}

let firstRenderMarked = false;

export function PodsPage({ route, config }: { route: Route; config: AppConfig }) {
  const key = route.params.toString();
  const [loaded] = useLoad((signal) => loadPods(route.params, config, signal), [key]);
  // Cursors of the pages before this one, so "Previous" can go back (keyset cursors only go forward).
  const [previous, setPrevious] = useState<string[]>([]);
  const form = useRef<HTMLFormElement>(null);

  useEffect(() => {
    if (loaded.state === "ready" && !firstRenderMarked) {
      firstRenderMarked = true;
      performance.mark("lure:pods-first-render");
    }
  }, [loaded.state]);

  const submit = (event: Event) => {
    event.preventDefault();
    const data = new FormData(form.current!);
    const next: Record<string, string> = {};
    for (const [name, value] of data.entries()) if (typeof value === "string" && value.trim()) next[name] = value.trim();
    setPrevious([]);
    navigate(href("/pods", next));
  };
  /** Goes to the page after `after` ("" = the first page), remembering the cursors to come back by. */
  const page = (after: string, back: string[]) => {
    setPrevious(back);
    navigate(href("/pods", { ...paramsObject(route.params), after }));
  };
  const p = (name: string) => route.params.get(name) ?? "";
  const searching = p("q") !== "";

  return (
    <>
      <h1 tabIndex={-1}>Pods</h1>
      <form ref={form} class="filters" onSubmit={submit} role="search" aria-label="Search and filter pods" key={key}>
        <div class="field wide">
          <label for="pods-q">Search</label>
          <input id="pods-q" name="q" type="search" defaultValue={p("q")} placeholder="name or words of the description" />
        </div>
        <div class="field">
          <label for="pods-listed">Listed</label>
          <select id="pods-listed" name="listed" defaultValue={p("listed")}>
            <option value="">any</option>
            <option value="true">listed</option>
            <option value="false">not listed</option>
          </select>
        </div>
        <div class="field">
          <label for="pods-min">Min price</label>
          <input id="pods-min" name="min" inputMode="decimal" defaultValue={p("min")} placeholder="0" />
        </div>
        <div class="field">
          <label for="pods-max">Max price</label>
          <input id="pods-max" name="max" inputMode="decimal" defaultValue={p("max")} />
        </div>
        <div class="field">
          <label for="pods-token">Token</label>
          <input id="pods-token" name="token" defaultValue={p("token")} placeholder="native or 0x…" />
        </div>
        <div class="field">
          <label for="pods-owner">Owner</label>
          <input id="pods-owner" name="owner" defaultValue={p("owner")} placeholder="0x…" />
        </div>
        <div class="field">
          <label for="pods-creator">Creator</label>
          <input id="pods-creator" name="creator" defaultValue={p("creator")} placeholder="0x…" />
        </div>
        <div class="field">
          <label for="pods-fork">Forks of pod</label>
          <input id="pods-fork" name="forkOf" inputMode="numeric" defaultValue={p("forkOf")} placeholder="pod id" />
        </div>
        <div class="field">
          <label for="pods-group">In group catalogue</label>
          <input id="pods-group" name="group" inputMode="numeric" defaultValue={p("group")} placeholder="group id" />
        </div>
        <div class="field">
          <label for="pods-sort">Sort by</label>
          <select id="pods-sort" name="sort" defaultValue={p("sort") || "id"} disabled={searching} aria-describedby={searching ? "pods-ranked" : undefined}>
            {SORTS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="pods-dir">Order</label>
          <select id="pods-dir" name="dir" defaultValue={p("dir") || "desc"} disabled={searching}>
            <option value="desc">descending</option>
            <option value="asc">ascending</option>
          </select>
        </div>
        <div class="actions">
          <button type="submit">Apply</button>
          <a class="button secondary" href="#/pods">
            Clear
          </a>
        </div>
      </form>
      {searching && (
        <p id="pods-ranked" class="muted">
          Search results are ranked by relevance, best first.
        </p>
      )}
      <Show loaded={loaded}>
        {(data) => (
          <>
            <p class="muted" aria-live="polite" id="pods-count" data-total={data.totalCount}>
              {data.totalCount} {data.totalCount === 1 ? "pod" : "pods"}
            </p>
            <Table caption="Pods" id="pods" head={["Pod", "Owner", "Price", "Versions", "Runs", "Success"]}>
              {data.rows.length === 0 ? (
                <Empty columns={6} text="No pod matches." />
              ) : (
                data.rows.map((pod) => (
                  <tr key={pod.id} data-pod-id={pod.id}>
                    <td>
                      <PodLink id={pod.id} name={pod.name} />
                      {pod.visibility === "PRIVATE" && <span class="tag">private</span>}
                    </td>
                    <td>
                      <Address address={pod.owner} />
                    </td>
                    <td class="num">{pod.listing ? <Amount config={config} token={pod.listing.token} value={pod.listing.price} /> : <span class="muted">not listed</span>}</td>
                    <td class="num">{pod.versionCount}</td>
                    <td class="num">{pod.runCount}</td>
                    <td class="num">{formatRate(pod.runSuccessRate)}</td>
                  </tr>
                ))
              )}
            </Table>
            <nav class="pager" aria-label="Pages">
              <button type="button" disabled={previous.length === 0 && !p("after")} onClick={() => page(previous.at(-1) ?? "", previous.slice(0, -1))}>
                {previous.length === 0 && p("after") ? "First page" : "Previous"}
              </button>
              <button
                type="button"
                disabled={!data.pageInfo.hasNextPage}
                onClick={() => page(data.pageInfo.endCursor ?? "", [...previous, p("after")])}
              >
                Next
              </button>
            </nav>
          </>
        )}
      </Show>
    </>
  );
}
