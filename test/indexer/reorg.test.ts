import { expect } from "chai";
import type { Indexer, IndexerEventMap } from "../../services/indexer";
import { startHardhatNode, type TestHardhatNode } from "../support/hardhat-node";
import { deployFloods, prng, randomActivity, type FloodChain } from "../support/indexer/flood";
import { backends, dumpTables, freshIndexDump, startTestIndexer, waitFor, waitForHead, type Backend, latestBlock } from "../support/indexer/harness";

describe("indexer: chain reorganisations", function () {
  this.timeout(240_000);
  let node: TestHardhatNode;
  let chain: FloodChain;
  const used: Backend[] = [];
  const running: Indexer[] = [];

  const head = () => latestBlock(chain.provider);

  before(async () => {
    node = await startHardhatNode();
    chain = await deployFloods(node.url);
    await randomActivity(chain, prng(11), 12);
  });

  after(async () => {
    await Promise.all(running.map((indexer) => indexer.stop().catch(() => undefined)));
    for (const backend of used) await backend.cleanup();
    await node?.stop();
  });

  it("rolls back reorgs of depth 1 to 20 in realtime and ends equal, row for row, to a fresh index", async () => {
    const watched: { label: string; indexer: Indexer; rollbacks: IndexerEventMap["rollback"][] }[] = [];
    for (const backend of backends()) {
      used.push(backend);
      const db = await backend.open();
      const indexer = await startTestIndexer({ rpcUrl: node.url, deployment: chain.deployment, db });
      running.push(indexer);
      const rollbacks: IndexerEventMap["rollback"][] = [];
      indexer.events.on("rollback", (event) => rollbacks.push(event));
      watched.push({ label: backend.label, indexer, rollbacks });
    }
    const allAtHead = () => Promise.all(watched.map(({ indexer }) => waitForHead(indexer, head)));
    await allAtHead();

    const random = prng(2024);
    const expected: { ancestor: number; removedTo: number }[] = [];
    for (let depth = 1; depth <= 20; depth++) {
      const base = await head();
      const snapshot = (await chain.provider.send("evm_snapshot", [])) as string;
      await randomActivity(chain, random, depth);
      const abandoned = await head();
      await allAtHead();
      expect(await chain.provider.send("evm_revert", [snapshot])).to.equal(true);
      // The replacement branch is sometimes shorter, sometimes longer than the abandoned one.
      const replacement = Math.max(1, depth + Math.floor(random() * 4) - 1);
      await randomActivity(chain, random, replacement);
      await allAtHead();
      expected.push({ ancestor: base.number, removedTo: abandoned.number });
      for (const { label, rollbacks } of watched) {
        const last = rollbacks[rollbacks.length - 1];
        expect(last, `${label}: rollback event for depth ${depth}`).to.not.equal(undefined);
        expect(last.commonAncestor, `${label}: ancestor at depth ${depth}`).to.deep.equal({ number: base.number, hash: base.hash });
        expect(last.fromBlock).to.equal(base.number + 1);
        expect(last.toBlock).to.equal(abandoned.number);
      }
    }

    const reference = await freshIndexDump(node.url, chain.deployment, head);
    const produced = ["purchases", "listing_events", "transfers", "licenses", "royalty_payments"].reduce((sum, table) => sum + reference[table].length, 0);
    expect(produced, "the scenario produced events").to.be.greaterThan(200);
    expect(reference.licenses.length, "licence holdings moved").to.be.greaterThan(5);
    expect(reference.royalty_payments.length, "royalty shares paid").to.be.greaterThan(0);
    for (const { label, indexer, rollbacks } of watched) {
      expect(rollbacks.length, `${label}: one rollback per reorg`).to.equal(20);
      const dump = await dumpTables(indexer.db);
      for (const table of Object.keys(reference)) {
        expect(dump[table], `${label}: table ${table}`).to.deep.equal(reference[table]);
      }
      expect(indexer.status().hasIndexingErrors).to.equal(false);
    }
  });

  it("stops with a clear error on a reorg deeper than the finality depth, and keeps its data intact", async () => {
    const backend = backends()[0];
    used.push(backend);
    const db = await backend.open();
    const indexer = await startTestIndexer({ rpcUrl: node.url, deployment: chain.deployment, db, finalityDepth: 3 });
    running.push(indexer);
    await waitForHead(indexer, head);
    const snapshot = (await chain.provider.send("evm_snapshot", [])) as string;
    await randomActivity(chain, prng(5), 6);
    await waitForHead(indexer, head);
    const before = await dumpTables(db);
    const indexedBefore = indexer.status().indexedBlock;

    await chain.provider.send("evm_revert", [snapshot]);
    await randomActivity(chain, prng(6), 8);
    await waitFor("the indexer to report the deep reorg", () => indexer.status().hasIndexingErrors, 20_000);
    const status = indexer.status();
    expect(status.lastError).to.match(/reorg deeper than the finality depth \(3 blocks\)/);
    expect(status.lastError).to.contain(indexedBefore!.hash);

    // It stopped: no crash loop, no further writes, the data is what it was before the reorg.
    await randomActivity(chain, prng(7), 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(indexer.status().indexedBlock).to.deep.equal(indexedBefore);
    expect(await dumpTables(db)).to.deep.equal(before);
  });
});
