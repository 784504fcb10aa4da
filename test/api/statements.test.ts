import { expect } from "chai";
import { parse } from "graphql";
import type { Database } from "../../services/database";
import { buildApiSchema } from "../../services/api/graphql/schema";
import { checkStatementDeclarations, FIELD_STATEMENTS } from "../../services/api/graphql/snapshot/declarations";
import { MANY } from "../../services/api/graphql/snapshot/statement-count";
import { statementsOf } from "../../services/api/graphql/snapshot/statements";
import { startTestApi, type TestApi } from "../support/api/client";
import { testBackends } from "../support/api/database";
import { insertPod, setCursor } from "../support/api/fixtures";
import { spyDatabase, type SpyDatabase } from "../support/api/spy-database";

describe("statement counts of operations (which may skip the snapshot transaction)", () => {
  const schema = buildApiSchema();
  const count = (query: string, operationName?: string) => statementsOf(schema, parse(query), operationName);

  it("count one statement for a single pod, a page without totalCount, or _meta", () => {
    expect(count(`{ pod(id: "1") { id name owner listing { price } lastChange { blockNumber } } }`)).to.equal(1);
    expect(count(`query($id: BigInt!) { pod(id: $id) { id __typename } }`)).to.equal(1);
    expect(count(`{ pods(first: 5) { items { id name } pageInfo { hasNextPage endCursor } } }`)).to.equal(1);
    expect(count(`{ _meta { block { number } chainId } }`)).to.equal(1);
    expect(count(`{ account(address: "0x0000000000000000000000000000000000000001") { address balances { token } } }`)).to.equal(1);
    expect(count(`{ __typename account(address: "0x0000000000000000000000000000000000000001") { address } }`)).to.equal(0);
  });

  it("count every reading field, through aliases, fragments and inline fragments", () => {
    expect(count(`{ a: pod(id: "1") { id } b: pod(id: "2") { id } }`)).to.equal(2);
    expect(count(`{ pod(id: "1") { id parent { id } } }`)).to.equal(2);
    expect(count(`{ pods { items { id } totalCount } }`)).to.equal(2);
    expect(count(`{ _meta { chainId } pod(id: "1") { id } }`)).to.equal(2);
    expect(count(`fragment P on Pod { parent { id } } { pod(id: "1") { ...P } }`)).to.equal(2);
    expect(count(`{ pod(id: "1") { ... on Pod { forks { items { id } } } } }`)).to.equal(2);
    expect(count(`fragment A on Account { pods { totalCount } } { account(address: "0x0000000000000000000000000000000000000001") { ...A } }`)).to.equal(2);
  });

  it("count anything that reads below a list, and recursive reads, as many", () => {
    expect(count(`{ pods { items { id versions { items { version } } } } }`)).to.equal(MANY);
    expect(count(`{ podVersions { items { pod { name } } } }`)).to.equal(MANY);
    expect(count(`{ lineage(podId: "1") { truncated } }`)).to.equal(MANY);
    expect(count(`{ search(text: "x") { items { pod { parent { id } } } } }`)).to.equal(MANY);
  });

  it("pick the named operation, and never skip the snapshot for other operation types", () => {
    const document = `query One { pod(id: "1") { id } } query Two { pod(id: "1") { parent { id } } }`;
    expect(count(document, "One")).to.equal(1);
    expect(count(document, "Two")).to.equal(2);
    expect(count(`subscription { blocks { __typename } }`)).to.equal(MANY);
    expect(count(document, "Three")).to.equal(MANY);
  });

  it("refuse to start when a resolver has no declared count, or a declaration names no field", () => {
    expect(() => checkStatementDeclarations(schema, { Pod: { name: () => "x" } })).to.throw(/Pod\.name has a resolver but no statement count/);
    const declarations = FIELD_STATEMENTS as Record<string, number>;
    declarations["Pod.nothing"] = 1;
    try {
      expect(() => checkStatementDeclarations(schema, {})).to.throw(/Pod\.nothing is declared but not in the schema/);
    } finally {
      delete declarations["Pod.nothing"];
    }
    expect(() => checkStatementDeclarations(schema, { Pod: { parent: () => null }, Query: { pod: () => null } })).not.to.throw();
  });
});

for (const backend of testBackends()) {
  describe(`operations without a snapshot transaction (${backend.name})`, function () {
    let db: Database;
    let spy: SpyDatabase;
    let dispose: () => Promise<void>;
    let api: TestApi;

    before(async () => {
      ({ db, dispose } = await backend.open());
      await insertPod(db, { id: 1, name: "block-10", block: 10 });
      await insertPod(db, { id: 2, parent: 1, block: 10 });
      await setCursor(db, 10);
      spy = spyDatabase(db);
      api = await startTestApi(spy);
    });
    beforeEach(() => spy.reset());
    after(async () => {
      await api?.close();
      await dispose?.();
    });

    it("a one-statement operation runs its statement alone: no BEGIN, no COMMIT", async () => {
      const pod = await api.data(`query($id: BigInt!) { pod(id: $id) { id name listing { price } } }`, { id: "2" });
      expect(pod).to.deep.equal({ pod: { id: "2", name: "pod-2", listing: null } });
      const page = await api.data(`{ pods(first: 1) { items { id } pageInfo { hasNextPage } } }`);
      expect(page.pods).to.deep.equal({ items: [{ id: "1" }], pageInfo: { hasNextPage: true } });
      expect(spy.snapshots).to.equal(0);
      expect(spy.statements.map((s) => s.via)).to.deep.equal(["direct", "direct"]);
      expect(spy.statements.some((s) => /^\s*(BEGIN|COMMIT|SET TRANSACTION)/i.test(s.sql))).to.equal(false);
    });

    it("an operation of two statements still reads both from one snapshot while a block commits in between", async () => {
      let committed = false;
      let writer: Promise<void> | undefined;
      spy.betweenStatements = async () => {
        if (writer) return;
        // What the indexer does for block 11: the data and the cursor in one transaction.
        writer = db.transaction(async (tx) => {
          await tx.query(`UPDATE pods SET name = 'block-11' WHERE id = 1`);
          await setCursor(tx, 11);
        }).then(() => void (committed = true));
        // PostgreSQL commits at once; PGlite has one connection, so its writer waits for the snapshot.
        await Promise.race([writer, new Promise((resolve) => setTimeout(resolve, 200))]);
      };
      try {
        const data = await api.data<{ _meta: { block: { number: number } }; pod: { name: string } }>(`{ _meta { block { number } } pod(id: "1") { name } }`);
        if (backend.name === "postgres") expect(committed, "the block should commit between the two statements").to.equal(true);
        expect(data.pod.name, "the pod must be read at the block _meta names").to.equal(`block-${data._meta.block.number}`);
        expect(spy.snapshots).to.equal(1);
        expect(spy.statements).to.have.length(2);
        await writer;
        // A new operation sees the new block.
        spy.reset();
        expect(await api.data(`{ _meta { block { number } } pod(id: "1") { name } }`)).to.deep.equal({ _meta: { block: { number: 11 } }, pod: { name: "block-11" } });
      } finally {
        await writer;
        await db.query(`UPDATE pods SET name = 'block-10' WHERE id = 1`);
        await setCursor(db, 10);
      }
    });

    it("a pod and its parent are two statements, read in one snapshot", async () => {
      const data = await api.data(`{ pod(id: "2") { name parent { name } } }`);
      expect(data.pod).to.deep.equal({ name: "pod-2", parent: { name: "block-10" } });
      expect(spy.snapshots).to.equal(1);
      expect(spy.statements.map((s) => s.via)).to.deep.equal(["snapshot", "snapshot"]);
    });
  });
}
