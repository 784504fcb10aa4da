import { expect } from "chai";
import type { Indexer, IndexerEventMap } from "../../services/indexer";
import { startHardhatNode, type TestHardhatNode } from "../support/hardhat-node";
import { deployFloods, prng, randomActivity, type FloodChain } from "../support/indexer/flood";
import { backends, dumpTables, freshIndexDump, startTestIndexer, waitFor, waitForHead, type Backend, latestBlock } from "../support/indexer/harness";

describe("indexer: a restarted dev chain", function () {
  this.timeout(240_000);
  let node: TestHardhatNode | undefined;
  let chain: FloodChain;
  const used: Backend[] = [];
  const running: Indexer[] = [];

  const head = () => latestBlock(chain.provider);

  after(async () => {
    await Promise.all(running.map((indexer) => indexer.stop().catch(() => undefined)));
    for (const backend of used) await backend.cleanup();
    await node?.stop();
  });

  it("notices the new genesis hash under the same chain id and re-indexes from scratch", async () => {
    node = await startHardhatNode();
    const port = node.port;
    chain = await deployFloods(node.url);
    await randomActivity(chain, prng(1), 30);
    const first = await head();

    const watched: { label: string; indexer: Indexer; rollbacks: IndexerEventMap["rollback"][] }[] = [];
    for (const backend of backends()) {
      used.push(backend);
      const indexer = await startTestIndexer({ rpcUrl: node.url, deployment: chain.deployment, db: await backend.open() });
      running.push(indexer);
      const rollbacks: IndexerEventMap["rollback"][] = [];
      indexer.events.on("rollback", (event) => rollbacks.push(event));
      watched.push({ label: backend.label, indexer, rollbacks });
      await waitForHead(indexer, head);
    }

    // Same port, same chain id, same deployer: the contracts land at the same addresses, but it is a new chain.
    await node.stop();
    node = await startHardhatNode({ port });
    chain.provider.destroy();
    chain = await deployFloods(node.url);
    await randomActivity(chain, prng(2), 12);
    const second = await head();
    expect(second.number).to.be.lessThan(first.number);

    for (const { label, indexer, rollbacks } of watched) {
      await waitForHead(indexer, head, 60_000);
      await waitFor(`${label} to announce the reset`, () => rollbacks.length > 0);
      expect(indexer.status().hasIndexingErrors).to.equal(false);
    }
    const reference = await freshIndexDump(node.url, chain.deployment, head);
    for (const { label, indexer } of watched) {
      const dump = await dumpTables(indexer.db);
      for (const table of Object.keys(reference)) expect(dump[table], `${label}: table ${table}`).to.deep.equal(reference[table]);
    }
  });
});
