import { expect } from "chai";
import { request as httpRequest } from "node:http";
import type { Database } from "../../services/database";
import { startTestApi, type TestApi } from "../support/api/client";
import { testBackends } from "../support/api/database";
import { insertPod } from "../support/api/fixtures";

/** POSTs `chunks` with chunked transfer encoding: no Content-Length for the server to check first. */
function chunkedPost(url: string, chunks: string[], contentType = "application/json"): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${url}/graphql`, { method: "POST", headers: { "content-type": contentType, "transfer-encoding": "chunked" } }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (text += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    // The server may answer 413 and close before the whole body is sent.
    request.on("error", reject);
    for (const chunk of chunks) request.write(chunk);
    request.end();
  });
}

const post = async (api: TestApi, body: string, contentType = "application/json") => {
  const response = await fetch(`${api.running.url}/graphql`, { method: "POST", headers: { "content-type": contentType }, body });
  return { status: response.status, json: (await response.json()) as { data?: Record<string, unknown>; errors?: { message: string }[] } };
};

describe("GraphQL request bodies (read and bounded by the API, then handed to yoga)", () => {
  let db: Database;
  let dispose: () => Promise<void>;
  let api: TestApi;

  before(async () => {
    ({ db, dispose } = await testBackends()[0].open());
    await insertPod(db, { id: 1, name: "one" });
    api = await startTestApi(db);
  });
  after(async () => {
    await api?.close();
    await dispose?.();
  });

  it("a chunked body without Content-Length is read whole", async () => {
    const body = JSON.stringify({ query: `query($id: BigInt!) { pod(id: $id) { name } }`, variables: { id: "1" } });
    const answer = await chunkedPost(api.running.url, [body.slice(0, 10), body.slice(10, 30), body.slice(30)]);
    expect(answer.status).to.equal(200);
    expect(JSON.parse(answer.body)).to.deep.equal({ data: { pod: { name: "one" } } });
  });

  it("a chunked body over the limit is refused with 413 before it is all buffered", async () => {
    const chunk = "x".repeat(64 * 1024);
    const answer = await chunkedPost(api.running.url, [`{"query":"{ __typename }","variables":{"padding":"`, chunk, chunk, chunk, chunk, chunk, `"}}`]);
    expect(answer.status).to.equal(413);
    expect((JSON.parse(answer.body) as { errors: { message: string }[] }).errors[0].message).to.match(/exceeds the limit of 262144 bytes/);
  });

  it("malformed, empty, non-object and non-JSON bodies get yoga's own errors", async () => {
    const invalid = await post(api, `{"query": "{ __typename }"`);
    expect(invalid.status).to.equal(400);
    expect(invalid.json.errors![0].message).to.match(/invalid JSON/);
    const empty = await post(api, "");
    expect(empty.status).to.be.within(400, 499);
    expect(empty.json.errors).to.have.length.greaterThan(0);
    const array = await post(api, `[1, 2]`);
    expect(array.status).to.be.within(400, 499);
    expect(array.json.errors![0].message).to.match(/Batching is not supported/);
    const noQuery = await post(api, `{"variables": {}}`);
    expect(noQuery.json.errors![0].message, JSON.stringify(noQuery)).to.match(/query/i);
    // application/graphql+json and the like are still parsed by yoga.
    const graphqlText = await post(api, `{ pod(id: "1") { name } }`, "application/graphql");
    expect(graphqlText.json).to.deep.equal({ data: { pod: { name: "one" } } });
  });

  it("GET requests still carry the operation in the URL", async () => {
    const response = await fetch(`${api.running.url}/graphql?query=${encodeURIComponent(`{ pod(id: "1") { name } }`)}`, { headers: { accept: "application/json" } });
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({ data: { pod: { name: "one" } } });
    // Only the endpoint itself goes to yoga; a longer path is express's (unknown: 404).
    expect((await fetch(`${api.running.url}/graphqlx`)).status).to.equal(404);
  });

  it("GraphQL requests are counted in /metrics like the other routes", async () => {
    const count = async () => {
      const text = await (await fetch(`${api.running.url}/metrics`)).text();
      const line = text.split("\n").find((l) => l.startsWith('lure_api_http_requests_total{method="POST",route="/graphql",status="200"}'));
      return Number(line?.split(" ").pop() ?? 0);
    };
    const before = await count();
    await post(api, JSON.stringify({ query: `{ __typename }` }));
    await post(api, JSON.stringify({ query: `{ __typename }` }));
    expect((await count()) - before).to.equal(2);
    expect(await (await fetch(`${api.running.url}/metrics`)).text()).to.match(/lure_api_http_request_duration_seconds_count\{route="\/graphql"\} \d+/);
  });

  it("the express app serves GraphQL by itself too (yoga stays mounted on it for embedders)", async () => {
    const { createServer } = await import("node:http");
    const { createApiServer } = await import("../../services/api/http/server");
    const { EventEmitter } = await import("node:events");
    const embedded = createApiServer({ db, events: new EventEmitter(), status: () => api.status, dev: false });
    const server = createServer(embedded.app);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as { port: number };
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: `query($id: BigInt!) { pod(id: $id) { name } }`, variables: { id: "1" } }),
      });
      expect(response.status).to.equal(200);
      expect(await response.json()).to.deep.equal({ data: { pod: { name: "one" } } });
      const tooLarge = await fetch(`http://127.0.0.1:${port}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: "x".repeat(300 * 1024) });
      expect(tooLarge.status).to.equal(413);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
