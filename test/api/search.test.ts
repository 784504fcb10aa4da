import { expect } from "chai";
import type { Database } from "../../services/database";
import { startTestApi, type Page, type TestApi } from "../support/api/client";
import { testBackends } from "../support/api/database";
import { address, insertPod, setCursor } from "../support/api/fixtures";
import { spyDatabase, type SpyDatabase } from "../support/api/spy-database";

type Hits = { search: Page<{ pod: { id: string; name: string }; rank: number }> };

const PODS: { id: number; name: string; description?: string; owner?: string }[] = [
  { id: 1, name: "HelloWorld" },
  { id: 2, name: "hello" },
  { id: 3, name: "say hello to the world", description: "a greeting" },
  { id: 4, name: "othello-board" },
  { id: 5, name: "worldwide-weather", description: "forecasts" },
  { id: 6, name: "unrelated", description: "nothing to see" },
  { id: 7, name: "100%_done", owner: address(2) },
  { id: 8, name: "helloKitty", owner: address(2) },
];

for (const backend of testBackends()) {
  describe(`GraphQL search: words, prefixes and substrings (${backend.name})`, function () {
    let db: Database;
    let spy: SpyDatabase;
    let dispose: () => Promise<void>;
    let api: TestApi;
    const search = async (text: string, rest = "") => (await api.data<Hits>(`query($t: String!) { search(text: $t${rest}) { items { pod { id name } rank } totalCount pageInfo { hasNextPage endCursor } } }`, { t: text })).search;
    const ids = (page: Hits["search"]) => page.items.map((hit) => hit.pod.id);

    before(async () => {
      ({ db, dispose } = await backend.open());
      for (const pod of PODS) await insertPod(db, pod);
      await setCursor(db, 30);
      spy = spyDatabase(db);
      api = await startTestApi(spy);
    });
    after(async () => {
      await api?.close();
      await dispose?.();
    });

    it('"hello" finds every name with it: the exact name, then the word, then prefixes, then substrings', async () => {
      const page = await search("hello");
      expect(page.totalCount).to.equal(5);
      const ranks = page.items.map((hit) => hit.rank);
      expect(ranks).to.deep.equal([...ranks].sort((a, b) => b - a));
      // 2: name is "hello" (4); 3: the word hello (2..3); 8 and 1: names starting with it (1.5, equal
      // ranks in the id order of the page, descending); 4: "othello" contains it (1)
      expect(ids(page)).to.deep.equal(["2", "3", "8", "1", "4"]);
      expect(page.items[0].rank).to.equal(4);
      expect(page.items[1].rank).to.be.within(2, 3);
      expect(page.items[2].rank).to.equal(1.5);
      expect(page.items[4].rank).to.equal(1);
    });

    it('"world" finds "HelloWorld" too, below the word match and the prefix match; case does not matter', async () => {
      const page = await search("WORLD");
      expect(ids(page)).to.deep.equal(["3", "5", "1"]);
      expect(page.items.map((hit) => hit.rank)).to.deep.equal([page.items[0].rank, 1.5, 1]);
      expect(ids(await search("loWor"))).to.deep.equal(["1"]);
    });

    it("full-text ranking still orders word matches (stemming, description words)", async () => {
      expect(ids(await search("greetings"))).to.deep.equal(["3"]);
      expect(ids(await search("forecast"))).to.deep.equal(["5"]);
    });

    it("LIKE wildcards in the text are literal", async () => {
      expect(ids(await search("%"))).to.deep.equal(["7"]);
      expect(ids(await search("_done"))).to.deep.equal(["7"]);
      expect(ids(await search("0%_d"))).to.deep.equal(["7"]);
      expect((await search("h_llo")).totalCount).to.equal(0);
    });

    it("keeps where, pagination and one statement per page", async () => {
      expect(ids(await search("hello", `, where: { owner: "${address(2)}" }`))).to.deep.equal(["8"]);
      const all = ids(await search("hello"));
      const seen: string[] = [];
      let after: string | null = null;
      for (;;) {
        spy.reset();
        const page: Hits["search"] = (await api.data<Hits>(`query($after: String) { search(text: "hello", first: 2, after: $after) { items { pod { id name } rank } pageInfo { hasNextPage endCursor } } }`, { after })).search;
        expect(spy.statements, "one statement for a page").to.have.length(1);
        seen.push(...ids(page));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(seen).to.deep.equal(all);
    });
  });
}
