import type { Lineage, LineageNode, Listing, Pod, PodVersion, Purchase, RoyaltyPayment, Run, RunPrice } from "../../../graphql/generated/client";
import { PodActions } from "../actions";
import type { AppConfig } from "../app-config";
import { Address, Amount, Empty, Facts, Hash, PodLink, Show, Status, Table } from "../components/common";
import { formatBps, formatRate, formatTime } from "../format";
import { gql } from "../graphql";
import { useLoad } from "../hooks";
import { fetchText } from "../swarm";

type PodRef = Pick<Pod, "id" | "name">;
type TreeNode = Pick<LineageNode, "depth"> & { pod: PodRef; children?: TreeNode[] };
export type PodDetail = Pick<
  Pod,
  | "id" | "name" | "description" | "owner" | "creator" | "visibility" | "versionCount" | "revision" | "latestRef" | "forkedFrom" | "royaltyBps"
  | "forkRoyaltyBps" | "listed" | "licensesTransferable" | "licenseSales" | "revenue" | "royaltiesEarned" | "createdAt" | "runCount" | "runSuccessRate"
> & {
  listing: Pick<Listing, "seller" | "token" | "price" | "podPrice" | "paused" | "feeBps" | "transferable"> | null;
  runPrice: Pick<RunPrice, "token" | "price"> | null;
  versions: { items: Pick<PodVersion, "version" | "manifestRef" | "publisher" | "publishedAt">[]; totalCount: number };
  royaltyPayments: { items: (Pick<RoyaltyPayment, "podId" | "receiver" | "token" | "amount" | "depth" | "timestamp"> & { pod: PodRef })[]; totalCount: number };
};
type Sale = Pick<Purchase, "kind" | "buyer" | "seller" | "token" | "price" | "fee" | "royalty" | "sellerProceeds" | "timestamp" | "txHash">;
type Share = Pick<RoyaltyPayment, "ancestorPodId" | "receiver" | "token" | "amount" | "depth" | "timestamp"> & { ancestorPod: PodRef };
type PodRun = Pick<Run, "id" | "requester" | "status" | "runnerAddress" | "stageCount" | "stagesCompleted" | "token" | "escrow" | "requestedAt" | "endedAt">;

interface PodPageData {
  pod: PodDetail | null;
  purchases: { items: Sale[]; totalCount: number };
  royaltyPayments: { items: Share[]; totalCount: number };
  lineage: (Pick<Lineage, "truncated"> & { ancestors: PodRef[]; descendants: TreeNode[] }) | null;
  runs: { items: PodRun[]; totalCount: number };
}

const NODE = "depth pod { id name }";
const POD_QUERY = `query ($id: BigInt!) {
  pod(id: $id) {
    id name description owner creator visibility versionCount revision latestRef forkedFrom royaltyBps forkRoyaltyBps listed
    licensesTransferable licenseSales revenue royaltiesEarned createdAt runCount runSuccessRate
    listing { seller token price podPrice paused feeBps transferable }
    runPrice { token price }
    versions(first: 100, orderDirection: desc) { items { version manifestRef publisher publishedAt } totalCount }
    royaltyPayments(first: 50, orderDirection: desc) { items { podId pod { id name } receiver token amount depth timestamp } totalCount }
  }
  purchases(where: { podId: $id }, orderDirection: desc, first: 50) { items { kind buyer seller token price fee royalty sellerProceeds timestamp txHash } totalCount }
  royaltyPayments(where: { podId: $id }, orderDirection: desc, first: 50) { items { ancestorPodId ancestorPod { id name } receiver token amount depth timestamp } totalCount }
  lineage(podId: $id, maxDepth: 8, maxDescendants: 200) {
    ancestors { id name }
    descendants { ${NODE} children { ${NODE} children { ${NODE} children { ${NODE} } } } }
    truncated
  }
  runs(where: { podId: $id }, orderDirection: desc, first: 20) { items { id requester status runnerAddress stageCount stagesCompleted token escrow requestedAt endedAt } totalCount }
}`;

function Tree({ nodes }: { nodes: TreeNode[] }) {
  return (
    <ul>
      {nodes.map((node) => (
        <li key={node.pod.id}>
          <PodLink id={node.pod.id} name={node.pod.name} /> <span class="muted">#{node.pod.id}</span>
          {node.children && node.children.length > 0 && <Tree nodes={node.children} />}
        </li>
      ))}
    </ul>
  );
}

/** The pod's family: its ancestors down to it, then its forks and theirs; every pod links to its page. */
function LineageTree({ pod, lineage }: { pod: PodRef; lineage: NonNullable<PodPageData["lineage"]> }) {
  const ancestors = [...lineage.ancestors].reverse();
  const self = (
    <li>
      <strong aria-current="page" data-pod-id={pod.id}>
        {pod.name}
      </strong>{" "}
      <span class="muted">#{pod.id} (this pod)</span>
      {lineage.descendants.length > 0 && <Tree nodes={lineage.descendants} />}
    </li>
  );
  const nest = (index: number): preact.JSX.Element =>
    index >= ancestors.length ? (
      <ul>{self}</ul>
    ) : (
      <ul>
        <li>
          <PodLink id={ancestors[index].id} name={ancestors[index].name} /> <span class="muted">#{ancestors[index].id}</span>
          {nest(index + 1)}
        </li>
      </ul>
    );
  return (
    <nav class="lineage" aria-label="Lineage: ancestors and forks">
      {nest(0)}
      {lineage.truncated && <p class="muted">The family goes on beyond what is shown.</p>}
    </nav>
  );
}

interface RecipeView {
  name?: string;
  description?: string;
  golem?: { image?: string; exec?: string | string[]; payload?: string | { ref?: string; data?: string }[] };
  pods?: unknown[];
  public?: boolean;
  [key: string]: unknown;
}

function Recipe({ pod }: { pod: PodDetail }) {
  const [loaded] = useLoad(
    async (signal) => {
      if (pod.visibility === "PRIVATE") return null;
      const text = await fetchText(pod.latestRef, "recipe.json", signal);
      return { text, recipe: JSON.parse(text) as RecipeView };
    },
    [pod.latestRef, pod.visibility],
  );
  if (pod.visibility === "PRIVATE")
    return (
      <p class="notice" id="recipe-private">
        This pod is private: its content on Swarm is sealed, so its recipe is not shown. A licence holder's runner reads it with the key.
      </p>
    );
  return (
    <Show loaded={loaded}>
      {(value) =>
        value && (
          <div id="recipe" data-recipe-name={value.recipe.name ?? ""}>
            <Facts
              items={[
                ["Name", value.recipe.name ?? "—"],
                ["Description", value.recipe.description ?? "—"],
                ["Image", value.recipe.golem?.image ?? "the default image"],
                ["Command", <code key="exec">{Array.isArray(value.recipe.golem?.exec) ? value.recipe.golem.exec.join(" ") : (value.recipe.golem?.exec ?? "—")}</code>],
                ["Payload", describePayload(value.recipe.golem?.payload)],
              ]}
            />
            <details>
              <summary>recipe.json</summary>
              <pre>{value.text}</pre>
            </details>
          </div>
        )
      }
    </Show>
  );
}

/** One royalty share: `other` is the pod at the other end (the ancestor paid, or the fork whose sale paid it). */
function RoyaltyRow({ config, share, other, mark }: { config: AppConfig; share: Pick<RoyaltyPayment, "receiver" | "token" | "amount" | "depth" | "timestamp">; other: PodRef; mark: Record<string, string> }) {
  return (
    <tr {...mark}>
      <td>
        <PodLink id={other.id} name={other.name} />
      </td>
      <td class="num">{share.depth}</td>
      <td>
        <Address address={share.receiver} />
      </td>
      <td class="num">
        <Amount config={config} token={share.token} value={share.amount} />
      </td>
      <td>{formatTime(share.timestamp)}</td>
    </tr>
  );
}

export function PodPage({ id, config }: { id: string; config: AppConfig }) {
  const [loaded] = useLoad((signal) => gql<PodPageData>(POD_QUERY, { id }, signal), [id]);
  return (
    <Show loaded={loaded}>
      {(data) => {
        const pod = data.pod;
        if (!pod)
          return (
            <>
              <h1 tabIndex={-1}>Pod {id}</h1>
              <p role="alert">There is no pod {id}.</p>
            </>
          );
        return (
          <article data-pod-id={pod.id}>
            <h1 tabIndex={-1}>
              {pod.name} <span class="muted">#{pod.id}</span>
              {pod.visibility === "PRIVATE" && <span class="tag">private</span>}
            </h1>
            {pod.description && <p class="lead">{pod.description}</p>}
            <Facts
              items={[
                ["Owner", <Address key="o" address={pod.owner} />],
                ["Creator", <Address key="c" address={pod.creator} />],
                ["Forked from", pod.forkedFrom ? <PodLink key="f" id={pod.forkedFrom} /> : "— (an original)"],
                ["Royalty to its parent", formatBps(pod.royaltyBps)],
                ["Royalty its forks owe it", formatBps(pod.forkRoyaltyBps)],
                ["Runs", String(pod.runCount)],
                ["Run success", formatRate(pod.runSuccessRate)],
                ["Run price", pod.runPrice ? <Amount key="rp" config={config} token={pod.runPrice.token} value={pod.runPrice.price} /> : "free"],
                ["Licences sold", String(pod.licenseSales)],
                ["Created", formatTime(pod.createdAt)],
              ]}
            />
            <PodActions podId={pod.id} />

            <section aria-labelledby="listing-h">
              <h2 id="listing-h">Listing</h2>
              {pod.listing ? (
                <div id="listing">
                  <Facts
                    items={[
                      ["Licence price", <Amount key="p" config={config} token={pod.listing.token} value={pod.listing.price} />],
                      ["Pod price", pod.listing.podPrice === "0" ? "not for sale" : <Amount key="pp" config={config} token={pod.listing.token} value={pod.listing.podPrice} />],
                      ["Token", pod.listing.token === "0x0000000000000000000000000000000000000000" ? `${config.nativeSymbol} (native)` : <Address key="t" address={pod.listing.token} link={false} />],
                      ["Licences transferable", pod.listing.transferable ? "yes" : "no"],
                      ["Platform fee", formatBps(pod.listing.feeBps)],
                      ["Seller", <Address key="s" address={pod.listing.seller} />],
                      ["State", pod.listing.paused ? "paused" : "on sale"],
                    ]}
                  />
                </div>
              ) : (
                <p id="listing" class="muted">
                  Not listed.
                </p>
              )}
            </section>

            <section aria-labelledby="recipe-h">
              <h2 id="recipe-h">Recipe</h2>
              <Recipe pod={pod} />
            </section>

            <section aria-labelledby="versions-h">
              <h2 id="versions-h">Versions</h2>
              <Table caption={`${pod.versions.totalCount} versions, latest first`} id="versions" head={["Version", "Reference", "Publisher", "Published"]}>
                {pod.versions.items.map((version) => (
                  <tr key={version.version} data-version={version.version}>
                    <td class="num">{version.version}</td>
                    <td>
                      <Hash value={version.manifestRef} />
                    </td>
                    <td>
                      <Address address={version.publisher} />
                    </td>
                    <td>{formatTime(version.publishedAt)}</td>
                  </tr>
                ))}
              </Table>
            </section>

            <section aria-labelledby="lineage-h">
              <h2 id="lineage-h">Lineage</h2>
              {data.lineage && <LineageTree pod={pod} lineage={data.lineage} />}
            </section>

            <section aria-labelledby="sales-h">
              <h2 id="sales-h">Sales</h2>
              <Table caption={`${data.purchases.totalCount} sales`} id="sales" head={["Kind", "Buyer", "Seller", "Price", "Fee", "Royalties", "Seller got", "When"]}>
                {data.purchases.items.length === 0 ? (
                  <Empty columns={8} text="No sales yet." />
                ) : (
                  data.purchases.items.map((sale) => (
                    <tr key={sale.txHash} data-tx={sale.txHash}>
                      <td>{sale.kind === "POD" ? "whole pod" : "licence"}</td>
                      <td>
                        <Address address={sale.buyer} />
                      </td>
                      <td>
                        <Address address={sale.seller} />
                      </td>
                      <td class="num">
                        <Amount config={config} token={sale.token} value={sale.price} />
                      </td>
                      <td class="num">
                        <Amount config={config} token={sale.token} value={sale.fee} />
                      </td>
                      <td class="num">
                        <Amount config={config} token={sale.token} value={sale.royalty} />
                      </td>
                      <td class="num">
                        <Amount config={config} token={sale.token} value={sale.sellerProceeds} />
                      </td>
                      <td>{formatTime(sale.timestamp)}</td>
                    </tr>
                  ))
                )}
              </Table>
            </section>

            <section aria-labelledby="royalties-h">
              <h2 id="royalties-h">Royalties</h2>
              <Table caption="Paid up the lineage by this pod's sales" id="royalties-paid" head={["Ancestor", "Depth", "Receiver", "Amount", "When"]}>
                {data.royaltyPayments.items.length === 0 ? (
                  <Empty columns={5} text="None: no sale of this pod paid an ancestor." />
                ) : (
                  data.royaltyPayments.items.map((share, index) => (
                    <RoyaltyRow key={index} config={config} share={share} other={share.ancestorPod} mark={{ "data-ancestor": share.ancestorPodId }} />
                  ))
                )}
              </Table>
              <Table caption="Received from sales of its forks" id="royalties-received" head={["Fork sold", "Depth", "Receiver", "Amount", "When"]}>
                {pod.royaltyPayments.items.length === 0 ? (
                  <Empty columns={5} text="None yet." />
                ) : (
                  pod.royaltyPayments.items.map((share, index) => (
                    <RoyaltyRow key={index} config={config} share={share} other={share.pod} mark={{ "data-pod": share.podId }} />
                  ))
                )}
              </Table>
            </section>

            <section aria-labelledby="runs-h">
              <h2 id="runs-h">Runs</h2>
              <Table caption={`${data.runs.totalCount} runs, newest first`} id="pod-runs" head={["Run", "Status", "Requester", "Runner", "Stages", "Escrow", "Requested"]}>
                {data.runs.items.length === 0 ? (
                  <Empty columns={7} text="No runs yet." />
                ) : (
                  data.runs.items.map((run) => (
                    <tr key={run.id} data-run-id={run.id}>
                      <td>
                        <a href={`#/runs/${run.id}`}>run {run.id}</a>
                      </td>
                      <td>
                        <Status status={run.status} />
                      </td>
                      <td>
                        <Address address={run.requester} />
                      </td>
                      <td>
                        <Address address={run.runnerAddress} />
                      </td>
                      <td class="num">
                        {run.stagesCompleted}/{run.stageCount}
                      </td>
                      <td class="num">
                        <Amount config={config} token={run.token} value={run.escrow} />
                      </td>
                      <td>{formatTime(run.requestedAt)}</td>
                    </tr>
                  ))
                )}
              </Table>
            </section>
          </article>
        );
      }}
    </Show>
  );
}

/** `golem.payload` is a folder of the pod, or a list of external payloads (other pods' files on Swarm). */
function describePayload(payload: string | { ref?: string; data?: string }[] | undefined): string {
  if (payload === undefined) return "none";
  if (typeof payload === "string") return `the pod's folder ${payload}/`;
  return payload.length === 1 ? "1 external payload" : `${payload.length} external payloads`;
}
