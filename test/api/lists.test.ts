import { expect } from "chai";
import type { Database } from "../../services/database";
import { startTestApi, type Page, type TestApi } from "../support/api/client";
import { testBackends } from "../support/api/database";
import { DATASET, seedDataset, TOKEN, type DatasetPod } from "../support/api/dataset";
import { address, insertPod, ZERO } from "../support/api/fixtures";

const byId = (pods: DatasetPod[]) => pods.map((pod) => String(pod.id));

for (const backend of testBackends()) {
  describe(`GraphQL lists: filters, orders and pagination (${backend.name})`, function () {
    let db: Database;
    let dispose: () => Promise<void>;
    let api: TestApi;

    before(async () => {
      ({ db, dispose } = await backend.open());
      await seedDataset(db);
      api = await startTestApi(db);
    });
    after(async () => {
      await api?.close();
      await dispose?.();
    });

    async function ids(where: Record<string, unknown>): Promise<string[]> {
      const data = await api.data<{ pods: Page<{ id: string }> }>(`query($where: PodWhere) { pods(where: $where, first: 1000) { items { id } totalCount } }`, { where });
      expect(data.pods.totalCount).to.equal(data.pods.items.length);
      return data.pods.items.map((pod: { id: string }) => pod.id);
    }

    describe("where suffixes", () => {
      const cases: [string, Record<string, unknown>, (pod: DatasetPod) => boolean][] = [
        ["equality", { owner: address(2) }, (p) => p.owner === address(2)],
        ["equality on an upper-case address", { owner: address(2).toUpperCase().replace("0X", "0x") }, (p) => p.owner === address(2)],
        ["_not", { owner_not: address(2) }, (p) => p.owner !== address(2)],
        ["_gt", { id_gt: "9" }, (p) => p.id > 9],
        ["_gte", { id_gte: "9" }, (p) => p.id >= 9],
        ["_lt", { versionCount_lt: 3 }, (p) => p.versionCount < 3],
        ["_lte", { versionCount_lte: 3 }, (p) => p.versionCount <= 3],
        ["_in", { id_in: ["2", "3", "999"] }, (p) => p.id === 2 || p.id === 3],
        ["_in with an empty list", { id_in: [] }, () => false],
        ["_contains_nocase", { name_contains_nocase: "GAMMA" }, (p) => p.name.toLowerCase().includes("gamma")],
        ["_contains_nocase treats % and _ literally", { name_contains_nocase: "a_1" }, (p) => p.name.toLowerCase().includes("a_1")],
        ["_contains_nocase with a wildcard only", { name_contains_nocase: "%" }, () => false],
        ["_starts_with (case-sensitive)", { name_starts_with: "beta" }, (p) => p.name.startsWith("beta")],
        ["_starts_with does not fold case", { name_starts_with: "gamma" }, () => false],
        ["enum", { visibility: "PRIVATE" }, (p) => p.visibility === "PRIVATE"],
        ["enum _in", { visibility_in: ["PRIVATE", "PUBLIC"] }, () => true],
        ["boolean", { listed: true }, (p) => p.listed],
        ["boolean _not", { listed_not: true }, (p) => !p.listed],
        ["price range", { listingPrice_gte: "400", listingPrice_lt: "1000" }, (p) => p.price !== null && Number(p.price) >= 400 && Number(p.price) < 1000],
        ["token", { token: TOKEN }, (p) => p.token === TOKEN],
        ["token _in", { token_in: [ZERO] }, (p) => p.token === ZERO],
        ["forkedFrom", { forkedFrom: "1" }, (p) => p.parent === 1],
        ["forkedFrom: null selects originals", { forkedFrom: null }, (p) => p.parent === null],
        ["forkedFrom_not: null selects forks", { forkedFrom_not: null }, (p) => p.parent !== null],
        ["forkedFrom_not keeps originals (NULL is not equal)", { forkedFrom_not: "1" }, (p) => p.parent !== 1],
        ["createdBlock range", { createdBlock_gt: 4, createdBlock_lte: 10 }, (p) => p.id * 2 > 4 && p.id * 2 <= 10],
        ["licenseSales", { licenseSales_gte: 3 }, (p) => p.licenseSales >= 3],
        ["description", { description_contains_nocase: "NEURAL" }, (p) => (p.description ?? "").toLowerCase().includes("neural")],
        ["AND", { AND: [{ owner: address(1) }, { id_gt: "4" }] }, (p) => p.owner === address(1) && p.id > 4],
        ["OR", { OR: [{ id: "1" }, { name_starts_with: "Gamma" }] }, (p) => p.id === 1 || p.name.startsWith("Gamma")],
        ["OR inside AND with a sibling field", { listed: true, OR: [{ id_lt: "3" }, { id_gt: "10" }] }, (p) => p.listed && (p.id < 3 || p.id > 10)],
        ["nested OR of ANDs", { OR: [{ AND: [{ listed: true }, { visibility: "PRIVATE" }] }, { AND: [{ listed: false }, { versionCount: 4 }] }] }, (p) => (p.listed && p.visibility === "PRIVATE") || (!p.listed && p.versionCount === 4)],
        ["empty OR matches nothing", { OR: [] }, () => false],
        ["empty AND matches everything", { AND: [] }, () => true],
      ];
      for (const [title, where, predicate] of cases) {
        it(title, async () => {
          expect(await ids(where)).to.deep.equal(byId(DATASET.filter(predicate)));
        });
      }

      it("a value that tries SQL injection is only ever data", async () => {
        expect(await ids({ name: "x' OR '1'='1" })).to.deep.equal([]);
        expect(await ids({ name_contains_nocase: "'; DROP TABLE pods; --" })).to.deep.equal([]);
        expect(await ids({})).to.have.length(DATASET.length);
      });
    });

    describe("orders", () => {
      it("orders by a column with ties broken by id, in both directions", async () => {
        const data = await api.data<{ asc: Page<{ id: string }>; desc: Page<{ id: string }> }>(`{ asc: pods(orderBy: versionCount) { items { id versionCount } } desc: pods(orderBy: versionCount, orderDirection: desc) { items { id } } }`);
        const expected = [...DATASET].sort((a, b) => a.versionCount - b.versionCount || a.id - b.id);
        expect(data.asc.items.map((p: { id: string }) => p.id)).to.deep.equal(byId(expected));
        expect(data.desc.items.map((p: { id: string }) => p.id)).to.deep.equal(byId(expected).reverse());
      });

      it("orders by a nullable column (listingPrice) with unlisted pods last ascending", async () => {
        const data = await api.data<{ pods: Page<{ id: string }> }>(`{ pods(orderBy: listingPrice) { items { id } } }`);
        const listed = DATASET.filter((p) => p.listed).sort((a, b) => Number(a.price) - Number(b.price));
        const unlisted = DATASET.filter((p) => !p.listed);
        expect(data.pods.items.map((p: { id: string }) => p.id)).to.deep.equal(byId([...listed, ...unlisted]));
      });
    });

    describe("pagination", () => {
      async function walk(orderBy: string, orderDirection: string, first: number, where: Record<string, unknown> = {}, between?: (page: number) => Promise<void>) {
        const seen: string[] = [];
        let after: string | null = null;
        for (let page = 0; page < 100; page++) {
          // Annotated: `after`, a variable of the query, is assigned from `data` below.
          const data: { pods: Page<{ id: string }> } = await api.data(
            `query($orderBy: PodOrderBy, $dir: OrderDirection, $first: Int, $after: String, $where: PodWhere) {
               pods(where: $where, orderBy: $orderBy, orderDirection: $dir, first: $first, after: $after) { items { id } pageInfo { hasNextPage endCursor } } }`,
            { orderBy, dir: orderDirection, first, after, where },
          );
          seen.push(...data.pods.items.map((p: { id: string }) => p.id));
          if (!data.pods.pageInfo.hasNextPage) return seen;
          after = data.pods.pageInfo.endCursor;
          await between?.(page);
        }
        throw new Error("pagination did not end");
      }

      for (const [orderBy, dir] of [["id", "asc"], ["name", "desc"], ["listingPrice", "asc"], ["listingPrice", "desc"], ["versionCount", "asc"], ["owner", "desc"]]) {
        it(`walks every pod exactly once by ${orderBy} ${dir}, pages of 5`, async () => {
          const all = await api.data<{ pods: Page<{ id: string }> }>(`{ pods(orderBy: ${orderBy}, orderDirection: ${dir}, first: 1000) { items { id } } }`);
          const pages = await walk(orderBy, dir, 5);
          expect(pages).to.deep.equal(all.pods.items.map((p: { id: string }) => p.id));
        });
      }

      it("is stable under inserts between pages: no duplicates, no skips", async () => {
        const before = new Set((await ids({})).map(String));
        let nextId = 1000;
        const seen = await walk("id", "asc", 4, { id_lt: "2000" }, async () => {
          // One pod lands before the cursor (must not shift the pages) and one after it (must be seen).
          await insertPod(db, { id: nextId++ - 990 + 100, name: "late-low", block: 40 });
          await insertPod(db, { id: nextId++, name: "late-high", block: 40 });
        });
        expect(new Set(seen).size).to.equal(seen.length, "duplicates");
        for (const id of before) expect(seen, `skipped ${id}`).to.include(id);
        expect(seen.filter((id) => Number(id) >= 1000)).to.have.length.greaterThan(0);
        await db.query(`DELETE FROM pods WHERE id >= 100`);
      });

      it("first defaults to 100 and accepts 0 and 1000", async () => {
        await db.transaction(async (tx) => {
          for (let id = 100; id < 230; id++) await insertPod(tx, { id, block: 50 });
        });
        try {
          const data = await api.data<{ d: Page<unknown>; z: Page<unknown>; m: Page<unknown> }>(`{ d: pods { items { id } pageInfo { hasNextPage } totalCount } z: pods(first: 0) { items { id } pageInfo { hasNextPage endCursor } } m: pods(first: 1000) { items { id } pageInfo { hasNextPage } } }`);
          expect(data.d.items).to.have.length(100);
          expect(data.d.pageInfo.hasNextPage).to.equal(true);
          expect(data.d.totalCount).to.equal(130 + DATASET.length);
          expect(data.z.items).to.deep.equal([]);
          expect(data.z.pageInfo).to.deep.equal({ hasNextPage: true, endCursor: null });
          expect(data.m.items).to.have.length(130 + DATASET.length);
          expect(data.m.pageInfo.hasNextPage).to.equal(false);
        } finally {
          await db.query(`DELETE FROM pods WHERE id >= 100`);
        }
      });
    });

    describe("bad arguments name the argument", () => {
      async function errorOf(query: string, variables?: Record<string, unknown>): Promise<string> {
        const result = await api.query(query, variables);
        expect(result.errors, JSON.stringify(result)).to.be.an("array").that.has.length.greaterThan(0);
        return result.errors![0].message;
      }

      it("first above 1000", async () => {
        expect(await errorOf(`{ pods(first: 1001) { items { id } } }`)).to.match(/"first".*1000.*1001/);
      });
      it("negative first", async () => {
        expect(await errorOf(`{ pods(first: -1) { items { id } } }`)).to.match(/"first"/);
      });
      it("first on a nested list", async () => {
        expect(await errorOf(`{ pod(id: "1") { versions(first: 5000) { items { version } } } }`)).to.match(/"first"/);
      });
      it("a garbage cursor", async () => {
        expect(await errorOf(`{ pods(after: "not a cursor!") { items { id } } }`)).to.match(/"after"/);
      });
      it("a cursor of another order", async () => {
        const data = await api.data<{ pods: Page<unknown> }>(`{ pods(first: 1, orderBy: name) { pageInfo { endCursor } } }`);
        expect(await errorOf(`query($after: String) { pods(after: $after, orderBy: id) { items { id } } }`, { after: data.pods.pageInfo.endCursor })).to.match(/"after".*another order/);
      });
      it("a tampered cursor with a non-numeric key", async () => {
        const forged = Buffer.from(JSON.stringify(["pods:id:asc", "1 OR 1=1"])).toString("base64url");
        expect(await errorOf(`query($after: String) { pods(after: $after) { items { id } } }`, { after: forged })).to.match(/"after"/);
      });
      it("a malformed BigInt literal", async () => {
        expect(await errorOf(`{ pod(id: "12abc") { id } }`)).to.match(/Argument "id".*BigInt/);
      });
      it("a malformed Address in a where literal", async () => {
        expect(await errorOf(`{ pods(where: { owner: "0x1234" }) { items { id } } }`)).to.match(/Argument "where".*Address/);
      });
      it("a malformed Address in a variable", async () => {
        expect(await errorOf(`query($w: PodWhere) { pods(where: $w) { items { id } } }`, { w: { owner: "nope" } })).to.match(/\$w.*Address/);
      });
      it("an unknown where field", async () => {
        expect(await errorOf(`{ pods(where: { colour: "red" }) { items { id } } }`)).to.match(/colour/);
      });
      it("an unknown orderBy value", async () => {
        expect(await errorOf(`{ pods(orderBy: price) { items { id } } }`)).to.match(/Argument "orderBy"/);
      });
      it("too many _in values", async () => {
        const many = Array.from({ length: 1001 }, (_, i) => String(i));
        expect(await errorOf(`query($w: PodWhere) { pods(where: $w) { items { id } } }`, { w: { id_in: many } })).to.match(/"where.id_in".*1001/);
      });
      it("a BigInt wider than 256 bits", async () => {
        expect(await errorOf(`{ pod(id: "${"9".repeat(78)}") { id } }`)).to.match(/Argument "id".*256 bits/);
      });
    });
  });
}
