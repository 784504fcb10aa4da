import { expect } from "chai";
import { JsonRpcProvider, ZeroAddress, type JsonRpcSigner } from "ethers";
import type { Indexer } from "../../services/indexer";
import type { Database } from "../../services/database";
import { PodLicenses__factory, PodMarket__factory, PodRegistry__factory, type PodLicenses, type PodMarket, type PodRegistry } from "../../typechain-types";
import { startHardhatNode, type TestHardhatNode } from "../support/hardhat-node";
import { backends, startTestIndexer, waitFor, waitForHead, type Backend, latestBlock } from "../support/indexer/harness";

const ref = (byte: string) => `0x${byte.repeat(32)}`;
const PUBLIC = 1;
const DAY = 24 * 3600;

describe("indexer: the real PodRegistry, PodLicenses and PodMarket (v2)", function () {
  this.timeout(180_000);
  let node: TestHardhatNode;
  let provider: JsonRpcProvider;
  let registry: PodRegistry;
  let licenses: PodLicenses;
  let market: PodMarket;
  let signers: JsonRpcSigner[];
  const used: Backend[] = [];
  const running: Indexer[] = [];

  const head = () => latestBlock(provider);
  const send = async (tx: Promise<{ wait(): Promise<unknown> }>) => (await tx).wait();

  before(async () => {
    node = await startHardhatNode();
    provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    signers = await Promise.all([0, 1, 2, 3, 4, 5, 6, 7, 8].map((index) => provider.getSigner(index)));
    const [admin, , , , , treasury, governor, pauser] = signers;
    registry = await new PodRegistry__factory(admin).deploy();
    await registry.waitForDeployment();
    licenses = await new PodLicenses__factory(admin).deploy(await registry.getAddress(), DAY, admin.address, ZeroAddress);
    await licenses.waitForDeployment();
    market = await new PodMarket__factory(admin).deploy(
      await registry.getAddress(),
      await licenses.getAddress(),
      DAY,
      admin.address,
      governor.address,
      pauser.address,
      treasury.address,
      250,
      DAY,
    );
    await market.waitForDeployment();
    await send(licenses.connect(admin).grantRole(await licenses.MINTER_ROLE(), await market.getAddress()));
  });

  after(async () => {
    await Promise.all(running.map((indexer) => indexer.stop().catch(() => undefined)));
    for (const backend of used) await backend.cleanup();
    provider?.destroy();
    await node?.stop();
  });

  /** The licence holdings (balance > 0) as the indexer has them, in key order. */
  const holdings = (db: Database) =>
    db.query<{ pod_id: string; account: string; balance: string }>(`SELECT pod_id, account, balance::text AS balance FROM licenses WHERE balance > 0 ORDER BY pod_id, account`);

  it("indexes publishes, a fork chain, versions, listings, licences as tokens, a pod sale, royalties per ancestor, withdrawTo, fee changes, and a reorg of a licence transfer", async () => {
    const [, alice, bob, carol, dave, treasury, governor, , erin] = signers;
    const deployed = async (contract: { deploymentTransaction(): { wait(): Promise<{ blockNumber: number; hash: string } | null> } | null; getAddress(): Promise<string> }) => {
      const receipt = (await contract.deploymentTransaction()!.wait())!;
      return { address: await contract.getAddress(), blockNumber: receipt.blockNumber, txHash: receipt.hash };
    };
    const deployment = {
      chainId: 31337,
      contracts: { PodRegistry: await deployed(registry), PodLicenses: await deployed(licenses), PodMarket: await deployed(market) },
    };
    const watched: { label: string; indexer: Indexer }[] = [];
    for (const backend of backends()) {
      used.push(backend);
      const indexer = await startTestIndexer({ rpcUrl: node.url, deployment, db: await backend.open() });
      running.push(indexer);
      watched.push({ label: backend.label, indexer });
    }
    const marketAddress = await market.getAddress();
    const lower = (signer: JsonRpcSigner) => signer.address.toLowerCase();

    // A lineage of three: alpha (alice) <- beta (bob) <- gamma (carol); every fork owes its parent 10%.
    await send(registry.connect(alice).publish("alpha", ref("a1"), PUBLIC, 0, 0, 1000));
    await send(registry.connect(bob).publish("beta", ref("b1"), PUBLIC, 1, 1, 1000));
    await send(registry.connect(carol).publish("gamma", ref("c1"), PUBLIC, 2, 1, 1000));
    await send(registry.connect(alice).publishVersion(1, ref("a2")));
    for (const owner of [alice, carol]) await send(registry.connect(owner).setApprovalForAll(marketAddress, true));
    await send(market.connect(alice).list(1, ZeroAddress, 1_000, 50_000, true));
    await send(market.connect(bob).buy(1, 2, ZeroAddress, 1_000, { value: 1_000 }));
    // Licences of alpha are transferable: bob gives his to dave.
    await send(licenses.connect(bob).safeTransferFrom(bob.address, dave.address, 1, 1, "0x"));
    await send(market.connect(carol).list(3, ZeroAddress, 10_000, 0, false));
    // gamma's sale pays beta (bob) 900 and alpha (alice) 100.
    await send(market.connect(dave).buy(3, 1, ZeroAddress, 10_000, { value: 10_000 }));
    await send(market.connect(carol).buyPod(1, 2, ZeroAddress, 50_000, { value: 50_000 }));
    // Now alpha's share goes to its new owner, carol.
    await send(market.connect(bob).buy(3, 1, ZeroAddress, 10_000, { value: 10_000 }));
    await send(market.connect(alice).withdrawTo(ZeroAddress, erin.address));
    await send(market.connect(governor).proposeFeeChange(300));

    for (const { label, indexer } of watched) {
      await waitForHead(indexer, head);
      const db = indexer.db;
      const pods = await db.query<Record<string, unknown>>(`SELECT * FROM pods ORDER BY id`);
      expect(
        pods.map((pod) => [pod.id, pod.name, pod.owner, pod.creator, pod.version_count, pod.revision, pod.latest_ref, pod.parent_pod_id, pod.listed]),
        label,
      ).to.deep.equal([
        ["1", "alpha", lower(carol), lower(alice), 2, 2, ref("a2"), null, false],
        ["2", "beta", lower(bob), lower(bob), 1, 1, ref("b1"), "1", false],
        ["3", "gamma", lower(carol), lower(carol), 1, 1, ref("c1"), "2", true],
      ]);
      expect(pods.map((pod) => Number(pod.license_sales))).to.deep.equal([1, 0, 2]);
      expect(pods[0].revenue).to.equal("51000");
      expect(pods.map((pod) => pod.royalties_earned), "royalties earned per ancestor pod").to.deep.equal(["200", "1800", "0"]);
      expect(pods.map((pod) => pod.licenses_transferable)).to.deep.equal([true, false, false]);
      expect([pods[2].listing_fee_bps, pods[2].listing_transferable]).to.deep.equal([250, false]);
      for (const pod of pods) {
        expect(Number(pod.revision), `${label}: pod ${String(pod.id)} revision`).to.equal(Number(await registry.revisionOf(pod.id as string)));
        expect(pod.listed, `${label}: pod ${String(pod.id)} listed`).to.equal((await market.listing(pod.id as string)).active);
        expect(pod.licenses_transferable).to.equal(await licenses.isTransferable(pod.id as string));
      }

      // Every balance equals the market's credit.
      const balances = await db.query<{ account: string; token: string; withdrawable: string }>(`SELECT account, token, withdrawable::text AS withdrawable FROM balances`);
      expect(balances.length).to.be.greaterThan(3);
      for (const balance of balances) {
        expect(balance.withdrawable, `${label}: balance of ${balance.account}`).to.equal((await market.creditOf(balance.account, balance.token)).toString());
      }

      // Licences are the PodLicenses balances: dave received bob's alpha licence and bought gamma's; bob bought gamma's.
      const held = await holdings(db);
      expect(held, label).to.deep.equal(
        [
          { pod_id: "1", account: lower(dave), balance: "1" },
          { pod_id: "3", account: lower(bob), balance: "1" },
          { pod_id: "3", account: lower(dave), balance: "1" },
        ].sort((a, b) => a.pod_id.localeCompare(b.pod_id) || a.account.localeCompare(b.account)),
      );
      for (const licence of await db.query<{ pod_id: string; account: string; balance: string }>(`SELECT pod_id, account, balance::text AS balance FROM licenses`)) {
        expect(licence.balance, `${label}: licence ${licence.pod_id} of ${licence.account}`).to.equal((await licenses.balanceOf(licence.account, licence.pod_id)).toString());
        if (licence.balance !== "0") expect(await licenses.hasLicense(licence.account, licence.pod_id)).to.equal(true);
      }
      const [bobsAlpha] = await db.query<{ balance: string; price: string }>(`SELECT balance::text AS balance, price::text AS price FROM licenses WHERE pod_id = 1 AND account = $1`, [lower(bob)]);
      expect(bobsAlpha, "a licence given away keeps its purchase, at balance 0").to.deep.equal({ balance: "0", price: "1000" });

      const purchases = await db.query<{ kind: string; price: string; fee: string; royalty: string; seller_proceeds: string; revision: number }>(
        `SELECT kind, price::text AS price, fee::text AS fee, royalty::text AS royalty, seller_proceeds::text AS seller_proceeds, revision FROM purchases ORDER BY block_number`,
      );
      expect(purchases.map((p) => [p.kind, p.revision, p.royalty])).to.deep.equal([
        ["license", 2, "0"],
        ["license", 1, "1000"],
        ["pod", 2, "0"],
        ["license", 1, "1000"],
      ]);
      for (const p of purchases) expect(BigInt(p.fee) + BigInt(p.royalty) + BigInt(p.seller_proceeds)).to.equal(BigInt(p.price));

      // One royalty row per ancestor and sale, credited to the ancestor's owner at the sale.
      const royalties = await db.query(`SELECT pod_id::text AS pod, ancestor_pod_id::text AS ancestor, receiver, amount::text AS amount, depth FROM royalty_payments ORDER BY block_number, log_index`);
      expect(royalties).to.deep.equal([
        { pod: "3", ancestor: "2", receiver: lower(bob), amount: "900", depth: 1 },
        { pod: "3", ancestor: "1", receiver: lower(alice), amount: "100", depth: 2 },
        { pod: "3", ancestor: "2", receiver: lower(bob), amount: "900", depth: 1 },
        { pod: "3", ancestor: "1", receiver: lower(carol), amount: "100", depth: 2 },
      ]);

      const [withdrawal] = await db.query<{ account: string; recipient: string; amount: string }>(`SELECT account, recipient, amount::text AS amount FROM withdrawals`);
      expect(withdrawal).to.deep.equal({ account: lower(alice), recipient: lower(erin), amount: String(1_000 - 25 + 100 + 50_000 - 1_250) }); // licence and pod sale proceeds, and a royalty share
      const transfers = await db.query<{ pod_id: string }>(`SELECT pod_id FROM transfers`);
      expect(transfers.length).to.equal(4); // three mints and the sale
      const settings = Object.fromEntries((await db.query<{ key: string; value: string }>(`SELECT key, value FROM market_settings`)).map((row) => [row.key, row.value]));
      const [pendingBps, executableAt] = await market.pendingFeeChange();
      expect(settings).to.deep.include({ fee_bps: "250", fee_recipient: lower(treasury), pending_fee_bps: String(pendingBps), pending_fee_executable_at: String(executableAt) });
      const [{ n }] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE name = 'RoleGranted'`);
      expect(n, "inherited AccessControl events are kept too").to.be.greaterThan(0);
      const [{ m }] = await db.query<{ m: number }>(`SELECT count(*)::int AS m FROM events WHERE name = 'MetadataUpdate'`);
      expect(m, "ERC-4906 MetadataUpdate lands in events").to.equal(1);
    }

    // A reorg: dave's transfer of his alpha licence to erin is on an abandoned branch only.
    const before = await Promise.all(watched.map(({ indexer }) => holdings(indexer.db)));
    const snapshot = (await provider.send("evm_snapshot", [])) as string;
    await send(licenses.connect(dave).safeTransferFrom(dave.address, erin.address, 1, 1, "0x"));
    for (const { indexer } of watched) {
      await waitFor("the abandoned transfer indexed", async () => (await holdings(indexer.db)).some((row) => row.account === lower(erin)));
    }
    expect(await provider.send("evm_revert", [snapshot])).to.equal(true);
    for (let block = 0; block < 3; block++) await provider.send("evm_mine", []);
    for (const [index, { label, indexer }] of watched.entries()) {
      await waitForHead(indexer, head);
      expect(await holdings(indexer.db), `${label}: holdings after the reorg`).to.deep.equal(before[index]);
    }
  });
});
