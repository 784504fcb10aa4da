import { expect } from "chai";
import type { Database } from "../../services/database";
import { startTestApi, type Page, type TestApi } from "../support/api/client";
import { testBackends } from "../support/api/database";
import { seedDataset, TOKEN } from "../support/api/dataset";
import { address, bytes32, insertBalance, insertLicenseHolding, insertPod, insertPurchase, insertRoyaltyPayment, insertVersion, insertWithdrawal, setCursor, ZERO } from "../support/api/fixtures";

for (const backend of testBackends()) {
  describe(`GraphQL queries (${backend.name})`, function () {
    let db: Database;
    let dispose: () => Promise<void>;
    let api: TestApi;

    before(async () => {
      ({ db, dispose } = await backend.open());
      await seedDataset(db);
      await insertVersion(db, 1, 1, 2);
      await insertVersion(db, 1, 2, 5, address(7));
      await insertVersion(db, 2, 1, 4);
      await insertPurchase(db, { block: 20, podId: 2, buyer: address(3), seller: address(2), price: "200", token: TOKEN });
      await insertPurchase(db, { block: 21, podId: 4, buyer: address(3), seller: address(2), price: "400" });
      await insertPurchase(db, { block: 22, logIndex: 3, kind: "pod", podId: 6, buyer: address(4), seller: address(2), price: "5000" });
      await insertBalance(db, address(2), ZERO, "4000", "4400");
      await insertBalance(db, address(2), TOKEN, "0", "180");
      await insertWithdrawal(db, address(2), TOKEN, "180", 23);
      api = await startTestApi(db);
    });
    after(async () => {
      await api?.close();
      await dispose?.();
    });

    it("pod(id) returns every field, and null for an unknown id", async () => {
      const data = await api.data<{ pod: { parent: unknown; listing: unknown; latestRef: string; lastChange: { blockNumber: number } }; missing: unknown }>(`{
        pod(id: "10") { id owner creator name description visibility versionCount latestRef forkedFrom parent { id name } parentVersion
          royaltyBps forkRoyaltyBps listed listing { seller token price podPrice paused } licenseSales revenue createdBlock createdAt
          lastChange { blockNumber blockHash txHash logIndex } }
        missing: pod(id: "999") { id } }`);
      expect(data.missing).to.equal(null);
      expect(data.pod).to.deep.include({ id: "10", owner: address(2), name: "Gamma_10", visibility: "PUBLIC", versionCount: 3, forkedFrom: "2", parentVersion: 1, listed: true, createdBlock: 20 });
      expect(data.pod.parent).to.deep.equal({ id: "2", name: "alpha-2" });
      expect(data.pod.listing).to.deep.equal({ seller: address(2), token: TOKEN, price: "1000", podPrice: "0", paused: false });
      expect(data.pod.latestRef).to.equal(bytes32(10));
      expect(data.pod.lastChange.blockNumber).to.equal(20);
    });

    it("pages select only the columns asked for, through aliases and fragments, and stay correct", async () => {
      const data = await api.data<{ a: Page<unknown>; b: Page<unknown>; c: Page<unknown>; full: unknown }>(`
        fragment Names on Pod { name owner }
        {
          a: pods(where: { id_in: ["7", "10"] }) { items { ...Names parent { id name listing { price } } } }
          b: pods(where: { id_in: ["7", "10"] }) { items { ... on Pod { id listing { token price } } lastChange { blockNumber } } }
          c: search(text: "weather") { items { pod { id visibility } } }
          full: pod(id: "10") { name owner parent { id } listing { price } }
        }`);
      expect(data.a.items).to.deep.equal([
        { name: "beta-7", owner: address(1), parent: { id: "5", name: "beta-5", listing: null } },
        { name: "Gamma_10", owner: address(2), parent: { id: "2", name: "alpha-2", listing: { price: "200" } } },
      ]);
      expect(data.b.items).to.deep.equal([
        { id: "7", listing: null, lastChange: { blockNumber: 14 } },
        { id: "10", listing: { token: TOKEN, price: "1000" }, lastChange: { blockNumber: 20 } },
      ]);
      expect(data.c.items).to.deep.equal([{ pod: { id: "8", visibility: "PUBLIC" } }]);
      // A partial row of a page is never served as the pod itself.
      expect(data.full).to.deep.equal({ name: "Gamma_10", owner: address(2), parent: { id: "2" }, listing: { price: "1000" } });
    });

    it("pod versions, nested and top-level, with filters", async () => {
      const data = await api.data<{ pod: { versions: Page<{ version: number }> }; podVersions: Page<unknown>; desc: Page<unknown> }>(`{
        pod(id: "1") { versions { items { version manifestRef publisher publishedAt } totalCount } }
        podVersions(where: { publisher: "${address(7)}" }) { items { podId version pod { name } } }
        desc: podVersions(orderBy: blockNumber, orderDirection: desc, first: 2) { items { podId version } pageInfo { hasNextPage } } }`);
      expect(data.pod.versions.totalCount).to.equal(2);
      expect(data.pod.versions.items.map((v: { version: number }) => v.version)).to.deep.equal([1, 2]);
      expect(data.podVersions.items).to.deep.equal([{ podId: "1", version: 2, pod: { name: "alpha-1" } }]);
      expect(data.desc.items).to.deep.equal([{ podId: "1", version: 2 }, { podId: "2", version: 1 }]);
      expect(data.desc.pageInfo.hasNextPage).to.equal(true);
    });

    it("purchases and licences with filters on kind, buyer and price", async () => {
      const data = await api.data<{ all: Page<{ kind: string }>; pods: Page<unknown>; cheap: Page<{ podId: string }>; licenses: Page<unknown> }>(`{
        all: purchases { items { kind podId price blockNumber logIndex } totalCount }
        pods: purchases(where: { kind: POD }) { items { podId buyer seller price fee sellerProceeds pod { id } } }
        cheap: purchases(where: { price_lt: "1000", buyer: "${address(3)}" }, orderBy: price, orderDirection: desc) { items { podId } }
        licenses(where: { holder: "${address(3)}" }) { items { podId holder token price pod { name } } totalCount } }`);
      expect(data.all.totalCount).to.equal(3);
      expect(data.all.items.map((p: { kind: string }) => p.kind)).to.deep.equal(["LICENSE", "LICENSE", "POD"]);
      expect(data.pods.items).to.deep.equal([{ podId: "6", buyer: address(4), seller: address(2), price: "5000", fee: "0", sellerProceeds: "5000", pod: { id: "6" } }]);
      expect(data.cheap.items.map((p: { podId: string }) => p.podId)).to.deep.equal(["4", "2"]);
      expect(data.licenses.totalCount).to.equal(2);
      expect(data.licenses.items[0]).to.deep.equal({ podId: "2", holder: address(3), token: TOKEN, price: "200", pod: { name: "alpha-2" } });
    });

    it("account(address): pods owned, licences held, balances per token, withdrawals", async () => {
      const data = await api.data<{ seller: { address: string; pods: unknown; balances: unknown; withdrawals: unknown }; buyer: unknown }>(`{
        seller: account(address: "${address(2).toUpperCase().replace("0X", "0x")}") { address
          pods(first: 2, orderBy: id, orderDirection: desc) { items { id } totalCount }
          balances { token withdrawable earned }
          withdrawals { items { token amount blockNumber } totalCount } }
        buyer: account(address: "${address(3)}") { licenses { items { podId } } pods { totalCount } balances { token } } }`);
      expect(data.seller.address).to.equal(address(2));
      expect(data.seller.pods).to.deep.equal({ items: [{ id: "12" }, { id: "10" }], totalCount: 6 });
      expect(data.seller.balances).to.deep.equal([
        { token: ZERO, withdrawable: "4000", earned: "4400" },
        { token: TOKEN, withdrawable: "0", earned: "180" },
      ]);
      expect(data.seller.withdrawals).to.deep.equal({ items: [{ token: TOKEN, amount: "180", blockNumber: 23 }], totalCount: 1 });
      expect(data.buyer).to.deep.equal({ licenses: { items: [{ podId: "2" }, { podId: "4" }] }, pods: { totalCount: 0 }, balances: [] });
    });

    it("search(text) ranks full-text matches over name and description, and paginates", async () => {
      type Hits = { search: Page<{ pod: { id: string }; rank: number }> };
      const data = await api.data<Hits>(`{ search(text: "neural") { items { pod { id name } rank } totalCount pageInfo { hasNextPage } } }`);
      const ids = data.search.items.map((hit: { pod: { id: string } }) => hit.pod.id);
      expect(ids).to.have.members(["3", "4", "11"]);
      expect(data.search.totalCount).to.equal(3);
      const ranks = data.search.items.map((hit: { rank: number }) => hit.rank);
      expect(ranks).to.deep.equal([...ranks].sort((a, b) => b - a));
      // English stemming: "images" matches "image"; a filter narrows the hits.
      const stemmed = await api.data<Hits>(`{ search(text: "image", where: { owner: "${address(2)}" }) { items { pod { id } } } }`);
      expect(stemmed.search.items).to.deep.equal([{ pod: { id: "4" } }]);
      const first = await api.data<Hits>(`{ search(text: "neural", first: 2) { items { pod { id } } pageInfo { hasNextPage endCursor } } }`);
      expect(first.search.pageInfo.hasNextPage).to.equal(true);
      const rest = await api.data<Hits>(`query($after: String) { search(text: "neural", first: 2, after: $after) { items { pod { id } } pageInfo { hasNextPage } } }`, {
        after: first.search.pageInfo.endCursor,
      });
      expect([...first.search.items, ...rest.search.items].map((hit: { pod: { id: string } }) => hit.pod.id)).to.deep.equal(ids);
      expect(rest.search.pageInfo.hasNextPage).to.equal(false);
      const nothing = await api.data<Hits>(`{ search(text: "kubernetes") { items { pod { id } } totalCount } }`);
      expect(nothing.search).to.deep.equal({ items: [], totalCount: 0 });
    });

    it("search rejects empty and oversized text, naming the argument", async () => {
      const empty = await api.query(`{ search(text: "  ") { totalCount } }`);
      expect(empty.errors![0].message).to.match(/Argument "text"/);
      const long = await api.query(`query($t: String!) { search(text: $t) { totalCount } }`, { t: "x".repeat(300) });
      expect(long.errors![0].message).to.match(/Argument "text".*300/);
    });

    it("lineage(podId): the ancestor chain and the descendants tree, depth-bounded", async () => {
      // Fixture lineage: 1 ← 5 ← 7 ← 9 and 1 ← 6; 2 ← 10.
      const data = await api.data<{
        lineage: unknown;
        root: { ancestors: unknown; descendants: unknown; truncated: boolean };
        shallow: unknown;
        short: unknown;
        few: { descendants: { pod: { id: string } }[]; truncated: boolean };
        none: unknown;
      }>(`{
        lineage(podId: "7") { pod { id } ancestors { id } descendants { pod { id } depth children { pod { id } } } truncated }
        root: lineage(podId: "1") { ancestors { id } descendants { pod { id } depth children { pod { id } depth children { pod { id } } } } truncated }
        shallow: lineage(podId: "1", maxDepth: 1) { descendants { pod { id } children { pod { id } } } truncated }
        short: lineage(podId: "9", maxDepth: 2) { ancestors { id } truncated }
        few: lineage(podId: "1", maxDescendants: 2) { descendants { pod { id } children { pod { id } } } truncated }
        none: lineage(podId: "404") { pod { id } } }`);
      expect(data.lineage).to.deep.equal({ pod: { id: "7" }, ancestors: [{ id: "5" }, { id: "1" }], descendants: [{ pod: { id: "9" }, depth: 1, children: [] }], truncated: false });
      expect(data.root.ancestors).to.deep.equal([]);
      expect(data.root.truncated).to.equal(false);
      expect(data.root.descendants).to.deep.equal([
        { pod: { id: "5" }, depth: 1, children: [{ pod: { id: "7" }, depth: 2, children: [{ pod: { id: "9" } }] }] },
        { pod: { id: "6" }, depth: 1, children: [] },
      ]);
      expect(data.shallow).to.deep.equal({ descendants: [{ pod: { id: "5" }, children: [] }, { pod: { id: "6" }, children: [] }], truncated: true });
      expect(data.short).to.deep.equal({ ancestors: [{ id: "7" }, { id: "5" }], truncated: true });
      expect(data.few.truncated).to.equal(true);
      expect(data.few.descendants.map((n: { pod: { id: string } }) => n.pod.id)).to.deep.equal(["5", "6"]);
      expect(data.none).to.equal(null);
    });

    it("lineage rejects a maxDepth out of range, naming it", async () => {
      const result = await api.query(`{ lineage(podId: "1", maxDepth: 1000) { truncated } }`);
      expect(result.errors![0].message).to.match(/Argument "maxDepth".*1000/);
    });

    it("_meta reports the indexed block from the database, the chain id and indexing errors", async () => {
      api.status.hasIndexingErrors = true;
      try {
        const data = await api.data(`{ _meta { block { number hash timestamp } chainId hasIndexingErrors } }`);
        expect(data._meta).to.deep.equal({ block: { number: 30, hash: bytes32(0xb000000 + 30), timestamp: 1_700_000_030 }, chainId: 31337, hasIndexingErrors: true });
      } finally {
        api.status.hasIndexingErrors = false;
      }
    });

    it("every answer is read from one snapshot: _meta.block matches the data while the indexer commits", async function () {
      // A writer commits one block at a time: pods 500.. and the cursor move together, as the indexer does.
      const base = (await api.data<{ pods: { totalCount: number } }>(`{ pods(first: 0) { totalCount } }`)).pods.totalCount;
      let block = 30;
      let writing = true;
      const writer = (async () => {
        while (writing && block < 120) {
          block++;
          await db.transaction(async (tx) => {
            await insertPod(tx, { id: 500 + block, block });
            await setCursor(tx, block);
          });
          await new Promise((resolve) => setImmediate(resolve));
        }
      })();
      const answers: { block: number; count: number; newest: string | null }[] = [];
      try {
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            for (let i = 0; i < 6; i++) {
              const data = await api.data<{ _meta: { block: { number: number } }; pods: Page<{ id: string }> }>(`{ _meta { block { number } } pods(where: { id_gte: "500" }, orderBy: id, orderDirection: desc, first: 1) { items { id } totalCount } }`);
              answers.push({ block: data._meta.block.number, count: data.pods.totalCount, newest: data.pods.items[0]?.id ?? null });
            }
          }),
        );
      } finally {
        writing = false;
        await writer;
      }
      for (const answer of answers) {
        expect(answer.count, JSON.stringify(answer)).to.equal(answer.block - 30);
        expect(answer.newest, JSON.stringify(answer)).to.equal(answer.block === 30 ? null : String(500 + answer.block));
      }
      expect(new Set(answers.map((a) => a.block)).size, "the writer should interleave with the readers").to.be.greaterThan(1);
      await db.query(`DELETE FROM pods WHERE id >= 500`);
      await setCursor(db, 30);
      expect(base).to.equal(12);
    });

    it("v2: licences held with balance and transferability, royalty shares per ancestor, listing terms, revision, market settings", async () => {
      // Pod 7 descends from 5, which descends from 1: a sale of 7 pays 5 (depth 1) and 1 (depth 2).
      await insertRoyaltyPayment(db, { block: 24, podId: 7, ancestorPodId: 5, receiver: address(1), amount: "90", depth: 1 });
      await insertRoyaltyPayment(db, { block: 24, logIndex: 1, podId: 7, ancestorPodId: 1, receiver: address(1), amount: "10", depth: 2 });
      await insertRoyaltyPayment(db, { block: 25, podId: 5, ancestorPodId: 1, receiver: address(8), token: TOKEN, amount: "50", depth: 1 });
      await insertLicenseHolding(db, 8, address(5), "2", 26); // received by transfer
      await insertLicenseHolding(db, 8, address(6), "0", 26); // given away: not listed
      await db.query(`UPDATE pods SET licenses_transferable = true, listing_transferable = true, revision = 3 WHERE id = 8`);
      for (const [key, value] of [["fee_bps", "250"], ["fee_recipient", address(99)], ["paused", "false"], ["pending_fee_bps", "300"], ["pending_fee_executable_at", "1700086400"]]) {
        await db.query(`INSERT INTO market_settings (key, value, block_number, block_hash, tx_hash, log_index) VALUES ($1, $2, 1, $3, $3, 0)`, [key, value, bytes32(1)]);
      }
      try {
        const data = await api.data<Record<string, unknown>>(`{
          root: pod(id: "1") { revision royaltiesEarned royaltyPayments(orderBy: amount) { items { podId ancestorPodId receiver token amount depth pod { id } ancestorPod { id } } totalCount } }
          listed: pod(id: "8") { revision licensesTransferable listing { feeBps transferable } }
          toReceiver: royaltyPayments(where: { receiver: "${address(1)}" }) { items { podId ancestorPodId amount } totalCount }
          ofSale: royaltyPayments(where: { podId: "7", depth: 2 }) { items { ancestorPodId amount } }
          held: licenses(where: { podId: "8" }) { items { holder balance transferable token price purchasedAt } totalCount }
          transferable: licenses(where: { transferable: true }) { items { podId holder } }
          holder: account(address: "${address(5)}") { licenses { items { podId balance transferable } } }
          marketSettings { feeBps feeRecipient paused pendingFeeChange { feeBps executableAt } }
        }`);
        expect(data.root).to.deep.equal({
          revision: 1,
          royaltiesEarned: "60",
          royaltyPayments: {
            items: [
              { podId: "7", ancestorPodId: "1", receiver: address(1), token: ZERO, amount: "10", depth: 2, pod: { id: "7" }, ancestorPod: { id: "1" } },
              { podId: "5", ancestorPodId: "1", receiver: address(8), token: TOKEN, amount: "50", depth: 1, pod: { id: "5" }, ancestorPod: { id: "1" } },
            ],
            totalCount: 2,
          },
        });
        expect(data.listed).to.deep.equal({ revision: 3, licensesTransferable: true, listing: { feeBps: 250, transferable: true } });
        expect(data.toReceiver).to.deep.equal({
          items: [
            { podId: "7", ancestorPodId: "5", amount: "90" },
            { podId: "7", ancestorPodId: "1", amount: "10" },
          ],
          totalCount: 2,
        });
        expect(data.ofSale).to.deep.equal({ items: [{ ancestorPodId: "1", amount: "10" }] });
        expect(data.held).to.deep.equal({ items: [{ holder: address(5), balance: "2", transferable: true, token: null, price: null, purchasedAt: null }], totalCount: 1 });
        expect(data.transferable).to.deep.equal({ items: [{ podId: "8", holder: address(5) }] });
        expect(data.holder).to.deep.equal({ licenses: { items: [{ podId: "8", balance: "2", transferable: true }] } });
        expect(data.marketSettings).to.deep.equal({ feeBps: 250, feeRecipient: address(99), paused: false, pendingFeeChange: { feeBps: 300, executableAt: 1700086400 } });
      } finally {
        await db.query(`DELETE FROM royalty_payments`);
        await db.query(`DELETE FROM licenses WHERE pod_id = 8`);
        await db.query(`DELETE FROM market_settings`);
        await db.query(`UPDATE pods SET royalties_earned = 0, licenses_transferable = false, listing_transferable = CASE WHEN listed THEN false END, revision = 1`);
      }
    });
  });
}
