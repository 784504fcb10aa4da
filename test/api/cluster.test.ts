import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { request as httpRequest } from "node:http";
import { Pool } from "pg";
import { Counter, Registry } from "prom-client";
import { startApiCluster, type RunningApiCluster } from "../../services/api/http/cluster/primary";
import type { ApiIndexerStatus } from "../../services/api/events";
import { migrate, openDatabase, type Database } from "../../services/database";
import { loadConfig } from "../../services/config";
import { address, bytes32, insertPod, setCursor } from "../support/api/fixtures";
import { subscribe, type SseSubscription } from "../support/api/sse";

interface Answer {
  status: number;
  worker: string | undefined;
  body: string;
}

/** One request on a connection of its own, so the cluster hands it to the next worker in turn. */
function freshRequest(url: string, path: string, body?: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      `${url}${path}`,
      { method: body === undefined ? "GET" : "POST", agent: false, headers: body === undefined ? {} : { "content-type": "application/json" } },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (text += chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, worker: response.headers["x-lure-api-worker"] as string | undefined, body: text }));
      },
    );
    request.on("error", reject);
    request.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const query = (url: string, text: string) => freshRequest(url, "/graphql", { query: text });

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("API_WORKERS: PGlite serves one process", () => {
  it("more than one worker without DATABASE_URL is a start-up error naming API_WORKERS", () => {
    expect(() => loadConfig({ API_WORKERS: "2" })).to.throw(/API_WORKERS="2": more than one API worker needs PostgreSQL/);
    expect(loadConfig({ API_WORKERS: "2", DATABASE_URL: "postgres://postgres@127.0.0.1:5432/test" }).API_WORKERS).to.equal(2);
    expect(loadConfig({}).API_WORKERS).to.equal(1);
  });
});

const databaseUrl = process.env.TEST_DATABASE_URL;
(databaseUrl ? describe : describe.skip)("GraphQL API in several worker processes (PostgreSQL)", function () {
  const schema = `api_cluster_${randomBytes(6).toString("hex")}`;
  const events = new EventEmitter();
  const status: ApiIndexerStatus = { chainId: 31337, headBlock: 20, indexedBlock: { number: 20, hash: bytes32(20), timestamp: 1_700_000_020 }, backfilling: false, hasIndexingErrors: false };
  const indexerRegistry = new Registry();
  const indexed = new Counter({ name: "lure_test_indexer_events_total", help: "stands for the indexer's metrics", registers: [indexerRegistry] });
  let db: Database;
  let api: RunningApiCluster;
  const open: SseSubscription[] = [];

  before(async () => {
    db = await openDatabase({ databaseUrl: databaseUrl!, schema });
    await migrate(db);
    for (let id = 1; id <= 3; id++) await insertPod(db, { id, name: `pod-${id}`, block: 10 + id });
    await setCursor(db, 20);
    indexed.inc(7);
    api = await startApiCluster({
      workers: 2,
      settings: { databaseUrl: databaseUrl!, schema, host: "127.0.0.1", port: 0, dev: true },
      events,
      status: () => status,
      registry: indexerRegistry,
    });
  });
  afterEach(() => open.splice(0).forEach((subscription) => subscription.close()));
  after(async () => {
    const pids = api?.workerPids() ?? [];
    await api?.close();
    for (const pid of pids) expect(() => process.kill(pid, 0), `worker ${pid} should be gone`).to.throw();
    await db?.close();
    const admin = new Pool({ connectionString: databaseUrl, max: 1 });
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => admin.end());
  });

  /** Opens subscriptions until every live worker holds at least one. */
  async function subscriptionOnEveryWorker(text: string): Promise<SseSubscription[]> {
    const workers = new Set<string>();
    const mine: SseSubscription[] = [];
    while (workers.size < api.workerPids().length) {
      if (mine.length >= 12) throw new Error(`12 subscriptions all landed on workers ${[...workers].join(", ")}`);
      const subscription = await subscribe(api.url, text);
      open.push(subscription);
      mine.push(subscription);
      expect(subscription.worker, "each stream names its worker").to.be.a("string");
      workers.add(subscription.worker!);
    }
    return mine;
  }

  it("two workers serve queries on one port, from the database", async () => {
    const answers = await Promise.all(Array.from({ length: 6 }, () => query(api.url, `{ pod(id: "2") { id name } _meta { block { number } } }`)));
    for (const answer of answers) {
      expect(answer.status).to.equal(200);
      expect(JSON.parse(answer.body)).to.deep.equal({ data: { pod: { id: "2", name: "pod-2" }, _meta: { block: { number: 20 } } } });
    }
    expect(new Set(answers.map((answer) => answer.worker)).size).to.equal(2);
    expect(api.workerPids()).to.have.length(2);
  });

  it("a subscription on every worker receives the primary's events, in order, bigints as strings", async () => {
    const streams = await subscriptionOnEveryWorker(`subscription { podPublished { __typename ... on PodPublished { podId name } ... on Rollback { fromBlock } } }`);
    events.emit("podPublished", { podId: 41n, owner: address(1), name: "first", manifestRef: bytes32(41), parentPodId: null, blockNumber: 21 });
    events.emit("podPublished", { podId: 42n, owner: address(1), name: "second", manifestRef: bytes32(42), parentPodId: 41n, blockNumber: 22 });
    events.emit("rollback", { fromBlock: 22, toBlock: 22, commonAncestor: { number: 21, hash: bytes32(21) } });
    for (const stream of streams) {
      expect((await stream.next()).data!.podPublished).to.deep.equal({ __typename: "PodPublished", podId: "41", name: "first" });
      expect((await stream.next()).data!.podPublished).to.deep.equal({ __typename: "PodPublished", podId: "42", name: "second" });
      expect((await stream.next()).data!.podPublished).to.deep.equal({ __typename: "Rollback", fromBlock: 22 });
    }
  });

  it("/ready follows the primary's status on every worker; /metrics sums the workers and adds the indexer's", async () => {
    status.backfilling = true;
    try {
      await until("every worker to report backfilling", async () => {
        const answers = await Promise.all([freshRequest(api.url, "/ready"), freshRequest(api.url, "/ready"), freshRequest(api.url, "/ready")]);
        return answers.every((answer) => answer.status === 503 && (JSON.parse(answer.body) as { reason?: string }).reason === "backfilling") ? true : undefined;
      });
    } finally {
      status.backfilling = false;
    }
    await until("every worker to report ready", async () => {
      const answers = await Promise.all([freshRequest(api.url, "/ready"), freshRequest(api.url, "/ready"), freshRequest(api.url, "/ready")]);
      return answers.every((answer) => answer.status === 200) ? true : undefined;
    });

    const before = await freshRequest(api.url, "/metrics");
    const count = (text: string) => {
      const lines = text.split("\n").filter((line) => line.startsWith('lure_api_http_requests_total{method="POST",route="/graphql",status="200"}'));
      expect(lines, text).to.have.length(1);
      return Number(lines[0].split(" ").pop());
    };
    const answers = await Promise.all(Array.from({ length: 4 }, () => query(api.url, `{ pod(id: "1") { id } }`)));
    expect(new Set(answers.map((answer) => answer.worker)).size, "the queries should reach both workers").to.equal(2);
    const after = await freshRequest(api.url, "/metrics");
    expect(count(after.body) - count(before.body)).to.equal(4);
    expect(after.body).to.match(/^lure_test_indexer_events_total 7$/m);
  });

  it("a killed worker is replaced, and the new one serves queries and subscriptions", async () => {
    const [victim, survivor] = api.workerPids();
    process.kill(victim, "SIGKILL");
    const pids = await until("a replacement worker", () => {
      const now = api.workerPids();
      return now.length === 2 && !now.includes(victim) ? now : undefined;
    });
    expect(pids).to.include(survivor);
    // The replacement must be listening before it takes connections; queries succeed meanwhile.
    const workers = await until("answers from two workers", async () => {
      const answers = await Promise.all(Array.from({ length: 4 }, () => query(api.url, `{ pod(id: "3") { name } }`)));
      for (const answer of answers) expect(JSON.parse(answer.body)).to.deep.equal({ data: { pod: { name: "pod-3" } } });
      const seen = new Set(answers.map((answer) => answer.worker));
      return seen.size === 2 ? seen : undefined;
    });
    expect(workers.size).to.equal(2);
    const streams = await subscriptionOnEveryWorker(`subscription { blocks { __typename ... on NewBlock { number } } }`);
    events.emit("block", { number: 23, hash: bytes32(23), timestamp: 1_700_000_023 });
    for (const stream of streams) expect((await stream.next()).data!.blocks).to.deep.equal({ __typename: "NewBlock", number: 23 });
  });
});
