import { expect } from "chai";
import type { Indexer } from "../../services/indexer";
import type { Database, Transaction } from "../../services/database";
import { startHardhatNode, type TestHardhatNode } from "../support/hardhat-node";
import { deployFloods, sellLicenses, type FloodChain } from "../support/indexer/flood";
import { backends, dumpTables, freshIndexDump, latestBlock, startTestIndexer, waitForHead } from "../support/indexer/harness";

const FINALITY = 8;

/**
 * `db` whose `failAt`-th transaction that writes with COPY (a backfill commit) fails after `delayMs`,
 * long enough for the loop to apply the next ranges and queue their commits behind it.
 */
function failingOnce(db: Database, failAt: number, delayMs: number): { db: Database; failed: () => boolean } {
  let copyingTransactions = 0;
  let failed = false;
  const wrapped: Database = {
    ...db,
    transaction: <T>(fn: (tx: Transaction) => Promise<T>) =>
      db.transaction((tx) => {
        let counted = false;
        const copyFrom: Transaction["copyFrom"] = async (table, columns, data) => {
          if (!counted) {
            counted = true;
            copyingTransactions++;
            if (copyingTransactions === failAt) {
              await new Promise((resolve) => setTimeout(resolve, delayMs));
              failed = true;
              throw new Error("injected commit failure");
            }
          }
          return tx.copyFrom(table, columns, data);
        };
        return fn({ ...tx, copyFrom });
      }),
  };
  return { db: wrapped, failed: () => failed };
}

describe("indexer: backfill commits queued behind one another", function () {
  this.timeout(240_000);
  let node: TestHardhatNode;
  let chain: FloodChain;
  const list = backends();
  const running: Indexer[] = [];

  before(async () => {
    node = await startHardhatNode();
    chain = await deployFloods(node.url);
    const owner = await chain.signer.getAddress();
    for (let block = 0; block < 10; block++) {
      await (await chain.registry.publish(1 + block * 20, 20, owner, 0, `0x${"ab".repeat(32)}`)).wait();
      await sellLicenses(chain, 1 + block * 20, 0x9000 + block * 1000, 60, owner, "0x0000000000000000000000000000000000000000", 700 + block);
    }
    for (let block = 0; block < FINALITY; block++) await chain.provider.send("evm_mine", []);
  });

  after(async () => {
    await Promise.all(running.map((indexer) => indexer.stop().catch(() => undefined)));
    for (const backend of list) await backend.cleanup();
    await node?.stop();
  });

  for (const backend of list) {
    it(`${backend.label}: a commit that fails while later ranges wait behind it: none of them commits, the retry redoes them all, and the data equals a fresh index`, async () => {
      const head = () => latestBlock(chain.provider);
      const failing = failingOnce(await backend.open(), 4, 300);
      const announced: number[] = [];
      // ~150 logs per range: the 20 event blocks take a dozen ranges, so ranges wait behind the failing commit.
      const indexer = await startTestIndexer({ rpcUrl: node.url, deployment: chain.deployment, db: failing.db, finalityDepth: FINALITY, targetLogsPerRange: 150 });
      running.push(indexer);
      indexer.events.on("block", (block: { number: number }) => announced.push(block.number));
      await waitForHead(indexer, head, 60_000);
      expect(failing.failed(), "the injected failure happened").to.equal(true);
      // Strictly in order: nothing after the failed range was announced before the retry redid it.
      for (let index = 1; index < announced.length; index++) expect(announced[index], `announcement ${index}: ${announced.join(",")}`).to.be.greaterThan(announced[index - 1]);
      const fresh = await freshIndexDump(node.url, chain.deployment, head);
      const dump = await dumpTables(indexer.db);
      expect(fresh.licenses.length, "licences indexed").to.equal(600);
      for (const table of Object.keys(fresh)) expect(dump[table], `table ${table}`).to.deep.equal(fresh[table]);
    });
  }
});
