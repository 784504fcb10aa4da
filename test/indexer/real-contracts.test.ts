import { expect } from "chai";
import { JsonRpcProvider, ZeroAddress, type JsonRpcSigner } from "ethers";
import type { Indexer } from "../../services/indexer";
import { PodMarket__factory, PodRegistry__factory, type PodMarket, type PodRegistry } from "../../typechain-types";
import { startHardhatNode, type TestHardhatNode } from "../support/hardhat-node";
import { backends, startTestIndexer, waitForHead, type Backend, latestBlock } from "../support/indexer/harness";

const ref = (byte: string) => `0x${byte.repeat(32)}`;

describe("indexer: the real PodRegistry and PodMarket", function () {
  this.timeout(180_000);
  let node: TestHardhatNode;
  let provider: JsonRpcProvider;
  let registry: PodRegistry;
  let market: PodMarket;
  let signers: JsonRpcSigner[];
  const used: Backend[] = [];
  const running: Indexer[] = [];

  const head = () => latestBlock(provider);

  before(async () => {
    node = await startHardhatNode();
    provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    signers = await Promise.all([0, 1, 2, 3].map((index) => provider.getSigner(index)));
    const [admin, , , treasury] = signers;
    registry = await new PodRegistry__factory(admin).deploy();
    await registry.waitForDeployment();
    market = await new PodMarket__factory(admin).deploy(await registry.getAddress(), admin.address, treasury.address, 250);
    await market.waitForDeployment();
  });

  after(async () => {
    await Promise.all(running.map((indexer) => indexer.stop().catch(() => undefined)));
    for (const backend of used) await backend.cleanup();
    provider?.destroy();
    await node?.stop();
  });

  it("indexes publishes, forks, versions, listings, licences, a pod sale, royalties and withdrawals as the contracts see them", async () => {
    const [alice, bob, carol] = signers;
    const registryBlock = (await registry.deploymentTransaction()!.wait())!;
    const marketBlock = (await market.deploymentTransaction()!.wait())!;
    const deployment = {
      chainId: 31337,
      contracts: {
        PodRegistry: { address: await registry.getAddress(), blockNumber: registryBlock.blockNumber, txHash: registryBlock.hash },
        PodMarket: { address: await market.getAddress(), blockNumber: marketBlock.blockNumber, txHash: marketBlock.hash },
      },
    };
    const watched: { label: string; indexer: Indexer }[] = [];
    for (const backend of backends()) {
      used.push(backend);
      const indexer = await startTestIndexer({ rpcUrl: node.url, deployment, db: await backend.open() });
      running.push(indexer);
      watched.push({ label: backend.label, indexer });
    }

    const send = async (tx: Promise<{ wait(): Promise<unknown> }>) => (await tx).wait();
    await send(registry.connect(alice).publish("alpha", ref("a1"), 1, 0, 0, 1000));
    await send(registry.connect(bob).publish("beta", ref("b1"), 1, 1, 1, 500));
    await send(registry.connect(alice).publishVersion(1, ref("a2")));
    await send(registry.connect(alice).setApprovalForAll(await market.getAddress(), true));
    await send(market.connect(alice).list(1, ZeroAddress, 1_000, 50_000));
    await send(market.connect(bob).buy(1, ZeroAddress, 1_000, { value: 1_000 }));
    await send(market.connect(carol).buyPod(1, ZeroAddress, 50_000, { value: 50_000 }));
    await send(market.connect(bob).list(2, ZeroAddress, 2_000, 0));
    await send(market.connect(carol).buy(2, ZeroAddress, 2_000, { value: 2_000 }));
    await send(market.connect(alice).withdraw(ZeroAddress));

    for (const { label, indexer } of watched) {
      await waitForHead(indexer, head);
      const db = indexer.db;
      const pods = await db.query<Record<string, unknown>>(`SELECT * FROM pods ORDER BY id`);
      expect(pods.map((pod) => [pod.id, pod.name, pod.owner, pod.creator, pod.version_count, pod.latest_ref, pod.parent_pod_id, pod.listed]), label).to.deep.equal([
        ["1", "alpha", carol.address.toLowerCase(), alice.address.toLowerCase(), 2, ref("a2"), null, false],
        ["2", "beta", bob.address.toLowerCase(), bob.address.toLowerCase(), 1, ref("b1"), "1", true],
      ]);
      expect(pods[0].license_sales).to.equal(1);
      expect(pods[0].revenue).to.equal("51000");
      expect(pods[1].royalty_bps).to.equal(1000);

      // Listings as the market sees them.
      for (const pod of await db.query<{ id: string; listed: boolean }>(`SELECT id, listed FROM pods ORDER BY id`)) {
        const [, valid] = await market.listing(pod.id);
        expect(pod.listed, `${label}: pod ${pod.id} listed`).to.equal(valid);
      }
      // Every balance equals the contract's credit, and every licence is one the contract knows.
      const balances = await db.query<{ account: string; token: string; withdrawable: string }>(`SELECT account, token, withdrawable FROM balances`);
      expect(balances.length).to.be.greaterThan(2);
      for (const balance of balances) {
        expect(balance.withdrawable, `${label}: balance of ${balance.account}`).to.equal((await market.balanceOf(balance.account, balance.token)).toString());
      }
      const licenses = await db.query<{ pod_id: string; account: string }>(`SELECT pod_id, account FROM licenses ORDER BY pod_id`);
      expect(licenses).to.deep.equal([
        { pod_id: "1", account: bob.address.toLowerCase() },
        { pod_id: "2", account: carol.address.toLowerCase() },
      ]);
      for (const licence of licenses) expect(await market.hasLicense(licence.pod_id, licence.account)).to.equal(true);
      const purchases = await db.query<{ kind: string; price: string; fee: string; royalty: string; seller_proceeds: string }>(
        `SELECT kind, price, fee, royalty, seller_proceeds FROM purchases ORDER BY block_number`,
      );
      expect(purchases.map((p) => p.kind)).to.deep.equal(["license", "pod", "license"]);
      for (const p of purchases) expect(BigInt(p.fee) + BigInt(p.royalty) + BigInt(p.seller_proceeds)).to.equal(BigInt(p.price));
      // The fork owes its parent's current owner (carol) a royalty on its licence sale.
      expect(purchases[2].royalty).to.equal("200");
      const [withdrawal] = await db.query<{ account: string; amount: string }>(`SELECT account, amount FROM withdrawals`);
      expect(withdrawal.account).to.equal(alice.address.toLowerCase());
      const transfers = await db.query<{ pod_id: string }>(`SELECT pod_id FROM transfers`);
      expect(transfers.length).to.equal(3); // two mints and the sale
      const versions = await db.query(`SELECT pod_id, version FROM pod_versions ORDER BY pod_id, version`);
      expect(versions).to.deep.equal([
        { pod_id: "1", version: 1 },
        { pod_id: "1", version: 2 },
        { pod_id: "2", version: 1 },
      ]);
      const [{ n }] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE name = 'RoleGranted'`);
      expect(n, "inherited AccessControl events are kept too").to.be.greaterThan(0);
    }
  });
});
