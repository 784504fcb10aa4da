import { expect } from "chai";
import { ContractTransactionResponse } from "ethers";
import type { Database } from "../../services/database";
import type { Indexer } from "../../services/indexer";
import { createApiServer, type RunningApi } from "../../services/api/http/server";
import { startHardhatNode, type TestHardhatNode } from "../support/hardhat-node";
import { deployFloods, sellLicenses, type FloodChain } from "../support/indexer/flood";
import { startTestIndexer, waitFor, waitForHead, latestBlock } from "../support/indexer/harness";
import { graphQLResponse } from "../support/api/client";
import { testBackends } from "../support/api/database";
import { subscribe, type SseSubscription } from "../support/api/sse";

const OWNER = "0x1111111111111111111111111111111111111111";
const SELLER = "0x2222222222222222222222222222222222222222";
const NATIVE = "0x0000000000000000000000000000000000000000";
const ref = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;

/** Waits until a transaction sent through a flood contract (a plain ethers Contract: its methods answer `any`) is mined. */
async function mined(sent: unknown): Promise<void> {
  if (!(sent instanceof ContractTransactionResponse)) throw new Error(`not a sent transaction: ${String(sent)}`);
  await sent.wait();
}

/** What the test reads of the subscriptions' messages. */
type Published = { podPublished: { __typename: string; podId?: string; fromBlock?: number } };
type Purchases = { purchase: { __typename: string } };
type Blocks = { blocks: { __typename: string; fromBlock?: number; commonAncestor?: unknown } };

describe("GraphQL API end to end: real indexer on a hardhat node", function () {
  this.timeout(120_000);
  let node: TestHardhatNode;
  let chain: FloodChain;
  let db: Database;
  let dispose: () => Promise<void>;
  let indexer: Indexer;
  let api: RunningApi;
  const streams: SseSubscription[] = [];

  const head = () => latestBlock(chain.provider);
  /** `T` is the shape of `data` the query asks for. */
  async function gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const response = await fetch(`${api.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }) });
    const json = graphQLResponse<T>(await response.json());
    if (json.errors) throw new Error(JSON.stringify(json.errors));
    return json.data!;
  }
  /** Reads a stream until a message satisfies `match`, returning everything read. */
  async function readUntil<T>(stream: SseSubscription, match: (data: T) => boolean): Promise<T[]> {
    const seen: T[] = [];
    for (;;) {
      const message = await stream.next<T>(20_000);
      expect(message.errors, JSON.stringify(message.errors)).to.equal(undefined);
      seen.push(message.data!);
      if (match(message.data!)) return seen;
    }
  }

  before(async () => {
    node = await startHardhatNode();
    chain = await deployFloods(node.url);
    ({ db, dispose } = await testBackends()[0].open());
    indexer = await startTestIndexer({ rpcUrl: node.url, deployment: chain.deployment, db });
    await waitForHead(indexer, head);
    api = await createApiServer({ db, events: indexer.events, status: () => indexer.status(), dev: false }).listen("127.0.0.1", 0);
  });
  after(async () => {
    streams.forEach((stream) => stream.close());
    await api?.close();
    await indexer?.stop();
    await dispose?.();
    await node?.stop();
  });

  it("serves what the indexer commits, announces it over SSE, and announces reorgs", async () => {
    const published = await subscribe(api.url, `subscription { podPublished { __typename ... on PodPublished { podId name owner } ... on Rollback { fromBlock toBlock commonAncestor { number } } } }`);
    const purchases = await subscribe(api.url, `subscription { purchase(podId: "1") { __typename ... on PurchaseMade { kind buyer price } } }`);
    const blocks = await subscribe(api.url, `subscription { blocks { __typename ... on NewBlock { number hash } ... on Rollback { fromBlock toBlock commonAncestor { number hash } } } }`);
    streams.push(published, purchases, blocks);
    await waitFor("the subscriptions to attach", () => indexer.events.listenerCount("podPublished") === 1 && indexer.events.listenerCount("block") === 1, 10_000);

    // A pod published on chain: the event arrives after commit, so the query that follows sees it.
    await mined(await chain.registry.publishNamed(1, OWNER, "neural image trainer", ref(1)));
    const [first] = await readUntil<Published>(published, (data) => data.podPublished.__typename === "PodPublished");
    expect(first.podPublished).to.deep.equal({ __typename: "PodPublished", podId: "1", name: "neural image trainer", owner: OWNER });
    const pod = await gql<{ pod: unknown; search: { items: unknown } }>(`{ pod(id: "1") { name owner versionCount versions { totalCount } } search(text: "neural") { items { pod { id } } } }`);
    expect(pod.pod).to.deep.equal({ name: "neural image trainer", owner: OWNER, versionCount: 1, versions: { totalCount: 1 } });
    expect(pod.search.items).to.deep.equal([{ pod: { id: "1" } }]);

    // Licence sales reach the purchase subscription and the licences list.
    await sellLicenses(chain, 1, 0x5000, 2, SELLER, NATIVE, 1000);
    await readUntil<Purchases>(purchases, (data) => data.purchase.__typename === "PurchaseMade");
    await readUntil<Purchases>(purchases, (data) => data.purchase.__typename === "PurchaseMade");
    const sales = await gql<{ licenses: { totalCount: number }; purchases: { items: unknown } }>(`{ licenses(where: { podId: "1" }) { totalCount } purchases(where: { podId: "1" }) { items { kind price } } }`);
    expect(sales.licenses.totalCount).to.equal(2);
    expect(sales.purchases.items).to.deep.equal([{ kind: "LICENSE", price: "1000" }, { kind: "LICENSE", price: "1000" }]);

    // A reorg: pod 2 exists on an abandoned branch only.
    const base = await head();
    const snapshot = (await chain.provider.send("evm_snapshot", [])) as string;
    await mined(await chain.registry.publishNamed(2, OWNER, "doomed pod", ref(2)));
    await readUntil<Published>(published, (data) => data.podPublished.podId === "2");
    expect((await gql(`{ pod(id: "2") { name } }`)).pod).to.deep.equal({ name: "doomed pod" });
    expect(await chain.provider.send("evm_revert", [snapshot])).to.equal(true);
    await mined(await chain.registry.publishNamed(3, OWNER, "survivor pod", ref(3)));
    await mined(await chain.registry.publishVersion(3, 2, ref(33), OWNER, 2));
    const seen = await readUntil<Blocks>(blocks, (data) => data.blocks.__typename === "Rollback");
    const rollback = seen[seen.length - 1].blocks;
    expect(rollback.fromBlock).to.equal(base.number + 1);
    expect(rollback.commonAncestor).to.deep.equal({ number: base.number, hash: base.hash });
    const notice = await readUntil<Published>(published, (data) => data.podPublished.__typename === "Rollback");
    expect(notice[notice.length - 1].podPublished.fromBlock).to.equal(base.number + 1);

    await waitForHead(indexer, head);
    const after = await gql(`{ doomed: pod(id: "2") { name } survivor: pod(id: "3") { name versionCount } _meta { block { number hash } chainId hasIndexingErrors } }`);
    const now = await head();
    expect(after.doomed).to.equal(null);
    expect(after.survivor).to.deep.equal({ name: "survivor pod", versionCount: 2 });
    expect(after._meta).to.deep.equal({ block: { number: now.number, hash: now.hash }, chainId: 31337, hasIndexingErrors: false });
    const ready = await fetch(`${api.url}/ready`);
    expect(ready.status).to.equal(200);
  });
});
