import { expect } from "chai";
import { getIntrospectionQuery } from "graphql";
import { Counter, Registry } from "prom-client";
import type { Database } from "../../services/database";
import { startTestApi, type TestApi } from "../support/api/client";
import { testBackends } from "../support/api/database";
import { seedDataset } from "../support/api/dataset";

describe("GraphQL guards and operations endpoints", function () {
  let db: Database;
  let dispose: () => Promise<void>;
  let api: TestApi;
  let production: TestApi;
  const indexerRegistry = new Registry();
  const indexerCounter = new Counter({ name: "lure_indexer_events_processed_total", help: "test stand-in", registers: [indexerRegistry] });

  before(async () => {
    ({ db, dispose } = await testBackends()[0].open());
    await seedDataset(db);
    api = await startTestApi(db, { registry: indexerRegistry });
    production = await startTestApi(db, { dev: false });
  });
  after(async () => {
    await api?.close();
    await production?.close();
    await dispose?.();
  });

  describe("guards", () => {
    it("rejects a query deeper than the depth limit", async () => {
      const deep = `{ pod(id: "9") { parent { parent { parent { parent { parent { parent { parent { parent { parent { parent { id } } } } } } } } } } } }`;
      const result = await api.query(deep);
      expect(result.errors![0].message).to.match(/depth/i);
      expect(result.data ?? null).to.equal(null);
      const fine = await api.data<{ pod: { parent: { parent: { parent: unknown } } } }>(`{ pod(id: "9") { parent { parent { parent { id } } } } }`);
      expect(fine.pod.parent.parent.parent).to.deep.equal({ id: "1" });
    });

    it("rejects too many aliases", async () => {
      const aliases = Array.from({ length: 20 }, (_, i) => `a${i}: pod(id: "1") { id }`).join(" ");
      const result = await api.query(`{ ${aliases} }`);
      expect(result.errors![0].message).to.match(/alias/i);
    });

    it("rejects nested pages whose size multiplies past the cost limit, also through variables", async () => {
      const literal = await api.query(`{ pods(first: 1000) { items { forks(first: 1000) { items { id name } } } } }`);
      expect(literal.errors![0].message).to.match(/cost .* exceeds the limit/);
      const viaVariables = await api.query(`query($n: Int, $m: Int) { pods(first: $n) { items { forks(first: $m) { items { id name } } } } }`, { n: 1000, m: 1000 });
      expect(viaVariables.errors![0].message).to.match(/cost .* exceeds the limit/);
      const small = await api.data<{ pods: { items: unknown[] } }>(`query($n: Int) { pods(first: $n) { items { forks(first: 5) { items { id } } } } }`, { n: 10 });
      expect(small.pods.items).to.have.length(10);
    });

    it("refuses an oversized request body with 413", async () => {
      const response = await fetch(`${api.running.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: `{ __typename }`, variables: { padding: "x".repeat(300 * 1024) } }),
      });
      expect(response.status).to.equal(413);
      expect(((await response.json()) as { errors: { message: string }[] }).errors[0].message).to.match(/exceeds the limit/);
    });

    it("introspection and GraphiQL are on in dev and off in production", async () => {
      const dev = await api.data<{ __schema: { queryType: { name: string } } }>(`{ __schema { queryType { name } } }`);
      expect(dev.__schema.queryType.name).to.equal("Query");
      // GraphiQL's own introspection query must pass the guards.
      const full = await api.data<{ __schema: { types: { name: string }[] } }>(getIntrospectionQuery());
      expect(full.__schema.types.map((t: { name: string }) => t.name)).to.include.members(["Pod", "PodWhere", "Rollback"]);
      const prod = await production.query(`{ __schema { queryType { name } } }`);
      expect(prod.errors![0].message).to.match(/introspection/i);
      const graphiql = await fetch(`${api.running.url}/graphql`, { headers: { accept: "text/html" } });
      expect(graphiql.status).to.equal(200);
      expect(await graphiql.text()).to.match(/graphiql/i);
      const queryPage = await fetch(`${api.running.url}/query`);
      expect(queryPage.status).to.equal(200);
      expect(await queryPage.text()).to.match(/Lure GraphQL[\s\S]*href="\/graphql"/);
      expect((await fetch(`${production.running.url}/query`)).status).to.equal(404);
      const prodGraphiql = await fetch(`${production.running.url}/graphql`, { headers: { accept: "text/html" } });
      expect(await prodGraphiql.text()).to.not.match(/<html/i);
    });

    it("an unexpected internal failure is masked, not leaked", async () => {
      // A corrupt row makes the Bytes32 serializer throw: the client sees a generic message.
      await db.query(`UPDATE pods SET latest_ref = 'not-hex' WHERE id = 12`);
      try {
        const result = await api.query(`{ pod(id: "12") { latestRef } }`);
        expect(result.errors![0].message).to.equal("Unexpected error.");
      } finally {
        await db.query(`UPDATE pods SET latest_ref = $1 WHERE id = 12`, [`0x${"0".repeat(62)}0c`]);
      }
    });
  });

  describe("operations endpoints", () => {
    it("/health answers 200 while up", async () => {
      api.status.backfilling = true;
      try {
        const response = await fetch(`${api.running.url}/health`);
        expect(response.status).to.equal(200);
        expect(await response.json()).to.deep.equal({ status: "ok" });
      } finally {
        api.status.backfilling = false;
      }
    });

    it("/ready is 503 before the first block and while backfilling, 200 at the head", async () => {
      const indexed = api.status.indexedBlock;
      api.status.indexedBlock = null;
      let response = await fetch(`${api.running.url}/ready`);
      expect(response.status).to.equal(503);
      expect(((await response.json()) as { reason: string }).reason).to.match(/no block/);
      api.status.indexedBlock = indexed;
      api.status.backfilling = true;
      response = await fetch(`${api.running.url}/ready`);
      expect(response.status).to.equal(503);
      expect(((await response.json()) as { reason: string }).reason).to.equal("backfilling");
      api.status.backfilling = false;
      api.status.headBlock = 102;
      response = await fetch(`${api.running.url}/ready`);
      expect(response.status).to.equal(200);
      expect(await response.json()).to.deep.include({ ready: true, indexedBlock: 100, headBlock: 102, lag: 2 });
    });

    it("/metrics serves the indexer's registry and the API's request metrics in Prometheus format", async () => {
      indexerCounter.inc(7);
      await api.data(`{ pods(first: 1) { totalCount } }`);
      const response = await fetch(`${api.running.url}/metrics`);
      expect(response.status).to.equal(200);
      expect(response.headers.get("content-type")).to.match(/text\/plain/);
      const text = await response.text();
      expect(text).to.match(/^lure_indexer_events_processed_total 7$/m);
      expect(text).to.match(/^lure_api_http_requests_total\{method="POST",route="\/graphql",status="200"\} \d+$/m);
      expect(text).to.match(/^lure_api_http_request_duration_seconds_bucket\{le="0.1",route="\/graphql"\} \d+$/m);
      expect(text).to.match(/^lure_api_graphql_operations_total\{type="query",outcome="ok"\} \d+$/m);
    });

    it("unknown paths are 404 and counted under one label", async () => {
      const response = await fetch(`${api.running.url}/nope/${"x".repeat(20)}`);
      expect(response.status).to.equal(404);
      const text = await (await fetch(`${api.running.url}/metrics`)).text();
      expect(text).to.match(/route="other",status="404"/);
      expect(text).to.not.match(/xxxxxxxx/);
    });
  });
});
