import { expect } from "chai";
import type { Database } from "../../services/database";
import { startTestApi, type TestApi } from "../support/api/client";
import { testBackends } from "../support/api/database";
import { address, bytes32 } from "../support/api/fixtures";
import { subscribe, type SseSubscription } from "../support/api/sse";

const ROLLBACK_FRAGMENT = `... on Rollback { fromBlock toBlock commonAncestor { number hash } }`;

/** Emits once the server has attached its listeners (subscriptions start asynchronously). */
async function emitWhenListening(api: TestApi, event: string, payload: unknown, listeners = 1): Promise<void> {
  const deadline = Date.now() + 5000;
  while (api.events.listenerCount(event) < listeners) {
    if (Date.now() > deadline) throw new Error(`nobody subscribed to ${event}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  api.events.emit(event, payload);
}

const rollback = { fromBlock: 41, toBlock: 43, commonAncestor: { number: 40, hash: bytes32(40) } };

describe("GraphQL subscriptions over SSE, with rollbacks (fake IndexerEvents)", function () {
  let db: Database;
  let dispose: () => Promise<void>;
  let api: TestApi;
  const open: SseSubscription[] = [];

  before(async () => {
    ({ db, dispose } = await testBackends()[0].open());
    api = await startTestApi(db);
  });
  afterEach(() => open.splice(0).forEach((subscription) => subscription.close()));
  after(async () => {
    await api?.close();
    await dispose?.();
  });

  async function sub(query: string, variables?: Record<string, unknown>) {
    const subscription = await subscribe(api.running.url, query, variables);
    open.push(subscription);
    return subscription;
  }

  it("podPublished delivers new pods, filtered by owner, then a rollback notice", async () => {
    const mine = await sub(`subscription($owner: Address) { podPublished(owner: $owner) { __typename ... on PodPublished { podId owner name manifestRef forkedFrom blockNumber } ${ROLLBACK_FRAGMENT} } }`, {
      owner: address(1),
    });
    const other = { podId: "8", owner: address(2), name: "not mine", manifestRef: bytes32(8), parentPodId: null, blockNumber: 42 };
    await emitWhenListening(api, "podPublished", other);
    api.events.emit("podPublished", { podId: "9", owner: address(1).toUpperCase().replace("0X", "0x"), name: "mine", manifestRef: bytes32(9), parentPodId: "3", blockNumber: 42 });
    api.events.emit("rollback", rollback);
    const published = await mine.next();
    expect(published.data!.podPublished).to.deep.equal({ __typename: "PodPublished", podId: "9", owner: address(1), name: "mine", manifestRef: bytes32(9), forkedFrom: "3", blockNumber: 42 });
    const notice = await mine.next();
    expect(notice.data!.podPublished).to.deep.equal({ __typename: "Rollback", fromBlock: 41, toBlock: 43, commonAncestor: { number: 40, hash: bytes32(40) } });
  });

  it("purchase delivers sales (filtered by pod) and rollbacks", async () => {
    const stream = await sub(`subscription { purchase(podId: "5") { __typename ... on PurchaseMade { kind podId buyer price txHash logIndex } ${ROLLBACK_FRAGMENT} } }`);
    const sale = (podId: string, kind: "license" | "pod") => ({ kind, podId, buyer: address(3), seller: address(2), token: address(0), price: "1000000000000000000000", blockNumber: 42, txHash: bytes32(77), logIndex: 2 });
    await emitWhenListening(api, "purchase", sale("4", "license"));
    api.events.emit("purchase", sale("5", "pod"));
    api.events.emit("rollback", rollback);
    expect((await stream.next()).data!.purchase).to.deep.equal({ __typename: "PurchaseMade", kind: "POD", podId: "5", buyer: address(3), price: "1000000000000000000000", txHash: bytes32(77), logIndex: 2 });
    expect((await stream.next<{ purchase: { __typename: string } }>()).data!.purchase.__typename).to.equal("Rollback");
  });

  it("blocks streams every block; reorgs streams rollbacks only; both see the same rollback", async () => {
    const blocks = await sub(`subscription { blocks { __typename ... on NewBlock { number hash timestamp } ${ROLLBACK_FRAGMENT} } }`);
    const reorgs = await sub(`subscription { reorgs { fromBlock toBlock commonAncestor { number hash } } }`);
    await emitWhenListening(api, "block", { number: 41, hash: bytes32(41), timestamp: 1_700_000_041 });
    await emitWhenListening(api, "rollback", rollback, 2);
    api.events.emit("block", { number: 41, hash: bytes32(0x41b), timestamp: 1_700_000_042 });
    expect((await blocks.next()).data!.blocks).to.deep.equal({ __typename: "NewBlock", number: 41, hash: bytes32(41), timestamp: 1_700_000_041 });
    expect((await blocks.next()).data!.blocks).to.deep.include({ __typename: "Rollback", fromBlock: 41, toBlock: 43 });
    expect((await blocks.next<{ blocks: { hash: string } }>()).data!.blocks.hash).to.equal(bytes32(0x41b));
    expect((await reorgs.next()).data!.reorgs).to.deep.equal({ fromBlock: 41, toBlock: 43, commonAncestor: { number: 40, hash: bytes32(40) } });
  });

  it("a closed subscription removes its listeners", async () => {
    const stream = await sub(`subscription { blocks { __typename } }`);
    await emitWhenListening(api, "block", { number: 1, hash: bytes32(1), timestamp: 1 });
    await stream.next();
    const before = api.events.listenerCount("block");
    stream.close();
    const deadline = Date.now() + 5000;
    while (api.events.listenerCount("block") >= before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(api.events.listenerCount("block")).to.equal(before - 1);
    expect(api.events.listenerCount("rollback")).to.equal(0);
  });

  it("a bad subscription argument is an error naming it", async () => {
    const result = await api.query(`subscription { podPublished(owner: "0xnope") { __typename } }`);
    expect(result.errors![0].message).to.match(/Argument "owner".*Address/);
  });
});
