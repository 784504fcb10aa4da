import { expect } from "chai";
import type { EventEmitter } from "node:events";
import type { Indexer } from "../../services/indexer";
import { EventFlood__factory } from "../../typechain-types/factories/contracts/test/EventFlood__factory";
import { CONTRACT_MODULES } from "../../services/indexer/contracts";
import { startHardhatNode, type TestHardhatNode } from "../support/hardhat-node";
import { deployFloods, type FloodChain } from "../support/indexer/flood";
import { backends, latestBlock, startTestIndexer, waitForHead, type Backend } from "../support/indexer/harness";
import { TRANSFER_LOG_MIGRATION, transferLogModule, type TransferLogAnnouncements } from "../support/indexer/transfer-log-module";

const ALICE = "0x1111111111111111111111111111111111111111";
const BOB = "0x2222222222222222222222222222222222222222";
const ZERO = "0x0000000000000000000000000000000000000000";

/**
 * A contract module the engine has never heard of (test/support/indexer/transfer-log-module.ts) is
 * followed from its deployment entry: its events reach its own tables, the rest reach `events`,
 * its announcements are emitted, and a reorg rolls its rows back, with no edit to services/indexer.
 */
describe("indexer: a contract module plugs in without an engine edit", function () {
  this.timeout(180_000);
  let node: TestHardhatNode;
  let chain: FloodChain;
  const used: Backend[] = [];
  const running: Indexer[] = [];
  const head = () => latestBlock(chain.provider);

  before(async () => {
    node = await startHardhatNode();
  });

  after(async () => {
    for (const indexer of running.splice(0)) await indexer.stop();
    for (const backend of used.splice(0)) await backend.cleanup();
    await node?.stop();
  });

  it("is not registered: the engine only meets it through startIndexer({ contracts })", () => {
    expect(CONTRACT_MODULES.map((module) => module.name)).to.not.include(transferLogModule.name);
  });

  for (const backend of backends()) {
    it(`indexes its events into its tables, announces them, and rolls them back on a reorg (${backend.label})`, async () => {
      used.push(backend);
      chain = await deployFloods(node.url); // contracts of its own: each backend indexes only its own events
      const db = await backend.open();
      for (const statement of TRANSFER_LOG_MIGRATION) await db.query(statement);
      const { deployment } = chain;
      const registry = EventFlood__factory.connect(deployment.contracts.PodRegistry.address, chain.signer);
      const indexer = await startTestIndexer({
        rpcUrl: node.url,
        db,
        contracts: [transferLogModule],
        deployment: { chainId: deployment.chainId, contracts: { TransferLog: deployment.contracts.PodRegistry } },
      });
      running.push(indexer);
      const announced: TransferLogAnnouncements["testTransfer"][] = [];
      // The announcement is not in IndexerEventMap (the module is not registered): listened to untyped.
      (indexer.events as EventEmitter).on("testTransfer", (payload: TransferLogAnnouncements["testTransfer"]) => announced.push(payload));

      await (await registry.transfer(ZERO, ALICE, 7)).wait();
      await (await registry.setVisibility(7, 1, ALICE, 2)).wait();
      await waitForHead(indexer, head);
      const snapshot = (await chain.provider.send("evm_snapshot", [])) as string;
      await (await registry.transfer(ALICE, BOB, 7)).wait();
      await waitForHead(indexer, head);
      expect(await db.query(`SELECT token_id, holder, transfers FROM test_holders`)).to.deep.equal([{ token_id: "7", holder: BOB, transfers: 2 }]);

      await chain.provider.send("evm_revert", [snapshot]);
      await (await registry.transfer(ALICE, ZERO, 7)).wait();
      await waitForHead(indexer, head);

      expect(await db.query(`SELECT token_id, to_address FROM test_transfer_log ORDER BY block_number`)).to.deep.equal([
        { token_id: "7", to_address: ALICE },
        { token_id: "7", to_address: ZERO },
      ]);
      expect(await db.query(`SELECT token_id, holder, transfers FROM test_holders`)).to.deep.equal([{ token_id: "7", holder: ZERO, transfers: 2 }]);
      // An event the module records nowhere lands in `events`, under the module's name; Transfer does not.
      expect(await db.query(`SELECT contract, name, args FROM events`)).to.deep.equal([{ contract: "TransferLog", name: "VisibilityChanged", args: { podId: "7", visibility: "1", actor: ALICE, revision: "2" } }]);
      expect(announced.map((payload) => payload.to)).to.deep.equal([ALICE, BOB, ZERO]);
      expect(indexer.status().hasIndexingErrors).to.equal(false);
    });
  }
});
