import { expect } from "chai";
import { createIndexerMetrics, type Indexer } from "../../services/indexer";
import { startHardhatNode, type TestHardhatNode } from "../support/hardhat-node";
import { startFlakyProxy, type FlakyProxy } from "../support/indexer/flaky-proxy";
import { deployFloods, sellLicenses, prng, randomActivity, type FloodChain } from "../support/indexer/flood";
import { backends, dumpTables, freshIndexDump, startTestIndexer, waitForHead, type Backend, latestBlock } from "../support/indexer/harness";

describe("indexer: a flaky JSON-RPC endpoint", function () {
  this.timeout(240_000);
  let node: TestHardhatNode;
  let chain: FloodChain;
  let proxy: FlakyProxy;
  const used: Backend[] = [];
  const running: Indexer[] = [];

  const head = () => latestBlock(chain.provider);

  before(async () => {
    node = await startHardhatNode();
    chain = await deployFloods(node.url);
    const owner = await chain.signer.getAddress();
    for (let block = 0; block < 8; block++) {
      await (await chain.registry.publish(1 + block * 30, 30, owner, 0, `0x${"cd".repeat(32)}`)).wait();
      await sellLicenses(chain, 1 + block * 30, 0x7000 + block * 100, 40, owner, "0x0000000000000000000000000000000000000000", 777);
    }
    await randomActivity(chain, prng(99), 20);
    proxy = await startFlakyProxy(node.url, prng(4242), { faultRate: 0.2, maxLogRange: 8 });
  });

  after(async () => {
    await Promise.all(running.map((indexer) => indexer.stop().catch(() => undefined)));
    for (const backend of used) await backend.cleanup();
    await proxy?.close();
    await node?.stop();
  });

  it("drops, 500s, cuts off half-way or delays 20% of requests and still ends equal to a fresh index", async () => {
    const metrics = createIndexerMetrics();
    const watched: { label: string; indexer: Indexer }[] = [];
    for (const backend of backends()) {
      used.push(backend);
      const indexer = await startTestIndexer({ rpcUrl: proxy.url, deployment: chain.deployment, db: await backend.open(), finalityDepth: 10, rpcTimeoutMs: 1_000, metrics, rowCacheLimit: 16 });
      running.push(indexer);
      watched.push({ label: backend.label, indexer });
    }
    // Backfill through the proxy (with a tiny row cache, so batches keep swapping it), then realtime through it.
    for (const { indexer } of watched) await waitForHead(indexer, head, 120_000);
    await randomActivity(chain, prng(100), 15);
    for (const { indexer } of watched) await waitForHead(indexer, head, 120_000);

    expect(proxy.counts.dropped, "dropped").to.be.greaterThan(0);
    expect(proxy.counts.failed, "500s").to.be.greaterThan(0);
    expect(proxy.counts.delayed, "delayed").to.be.greaterThan(0);
    expect(proxy.counts.truncated, "answers cut off half-way").to.be.greaterThan(0);
    expect(proxy.counts.rangeRefused, "wide eth_getLogs refused").to.be.greaterThan(0);
    const retries = (await metrics.registry.getSingleMetric("lure_indexer_rpc_retries_total")!.get()).values[0].value;
    expect(retries, "retried calls").to.be.greaterThan(0);

    const reference = await freshIndexDump(node.url, chain.deployment, head);
    expect(reference.purchases.length + reference.transfers.length).to.be.greaterThan(500);
    for (const { label, indexer } of watched) {
      const dump = await dumpTables(indexer.db);
      for (const table of Object.keys(reference)) expect(dump[table], `${label}: table ${table}`).to.deep.equal(reference[table]);
    }
  });
});
