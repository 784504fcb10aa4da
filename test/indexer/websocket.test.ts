import { expect } from "chai";
import type { Indexer } from "../../services/indexer";
import { startHardhatNode, type TestHardhatNode } from "../support/hardhat-node";
import { deployFloods, prng, randomActivity, type FloodChain } from "../support/indexer/flood";
import { dumpTables, freshIndexDump, latestBlock, startTestIndexer, waitForHead } from "../support/indexer/harness";

describe("indexer: a ws:// RPC URL (newHeads subscription)", function () {
  this.timeout(180_000);
  let node: TestHardhatNode;
  let chain: FloodChain;
  let indexer: Indexer | undefined;
  const head = () => latestBlock(chain.provider);

  before(async () => {
    node = await startHardhatNode();
    chain = await deployFloods(node.url);
    await randomActivity(chain, prng(7), 10);
  });

  after(async () => {
    await indexer?.stop();
    chain?.provider.destroy();
    await node?.stop();
  });

  it("backfills over WebSocket, follows new heads, and ends equal to an index made over HTTP", async () => {
    const wsUrl = node.url.replace(/^http/, "ws");
    // Slow polling: following the head in time proves the newHeads subscription wakes the loop.
    indexer = await startTestIndexer({ rpcUrl: wsUrl, deployment: chain.deployment, pollMs: 60_000 });
    await waitForHead(indexer, head);
    const before = indexer.status().indexedBlock!.number;

    await randomActivity(chain, prng(8), 6, 10_000);
    await waitForHead(indexer, head, 20_000);
    expect(indexer.status().indexedBlock!.number).to.be.greaterThan(before);

    const reference = await freshIndexDump(node.url, chain.deployment, head);
    const dump = await dumpTables(indexer.db);
    for (const table of Object.keys(reference)) expect(dump[table], `table ${table}`).to.deep.equal(reference[table]);
  });
});
