/**
 * `npm run bench:graphql`: the GraphQL API over 100k pods, driven by autocannon.
 *
 * For each database (embedded PGlite in a temporary data directory, and the local PostgreSQL when
 * reachable) a child process builds the database through the indexer's migrations plus one bulk
 * INSERT … SELECT generate_series, loaded as a backfill loads it (secondary indexes deferred, then
 * rebuilt, then the indexer's own ANALYZE: scripts/lib/pods-seed.ts), and serves the real API (express + yoga) on a free port of
 * 127.0.0.1. This process drives it, so the load generator and the server do not share an event
 * loop. Each request asks for a pod id (or a price range) drawn at random over the whole dataset.
 *
 * The filtered page is measured first "right after a backfill" (with the statistics the indexer
 * took, issue 12 §7), then the child runs a manual ANALYZE of the whole database before the rest.
 *
 * Goals (issue 4): pod(id) p99 ≤ 10 ms; a filtered, ordered page of 100 p99 ≤ 25 ms;
 * ≥ 2,000 requests/s at 10 connections.
 *
 * Options (environment): BENCH_PODS (default 100000), BENCH_SECONDS per run (default 10),
 * BENCH_DATABASE_URL (default DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres;
 * `none` skips PostgreSQL), BENCH_API_WORKERS (default 2: PostgreSQL is measured with one API
 * process and again with this many worker processes of services/api/http/cluster, as API_WORKERS runs
 * them; 1 skips that run), BENCH_BACKENDS (comma-separated, e.g. `postgres`: only these),
 * BENCH_CPU_PROF (a directory: every API process writes a CPU profile there), BENCH_CHILD_NODE_FLAGS
 * (replaces the service's Node flags below).
 *
 * The API child runs the compiled services (dist/, `npm run build:services`, which `npm run
 * bench:graphql` runs first) with the Node flags and environment of `npm run indexer` (package.json),
 * so the bench measures the API as the service runs it, not under ts-node.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { once } from "node:events";
import { cpus, loadavg } from "node:os";
import { createInterface } from "node:readline";
import autocannon from "autocannon";
import { Pool } from "pg";
import { projectRoot } from "./lib/project-root";
import { benchChildNodeFlags, indexerScript } from "./lib/indexer-script";

const PODS = Number(process.env.BENCH_PODS ?? 100_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const OWNERS = 5000;
/** PostgreSQL is also measured with the API in this many processes (services/api/http/cluster). */
const API_WORKERS = Number(process.env.BENCH_API_WORKERS ?? 2);

/** The compiled bench the API child runs: the services as `npm run indexer` runs them. */
const COMPILED_SELF = join(projectRoot(), "dist", "scripts", "bench-graphql.js");

/** The Node flags of `npm run indexer`, or BENCH_CHILD_NODE_FLAGS. */
function childNodeFlags(): string[] {
  return benchChildNodeFlags();
}

/** The environment `npm run indexer` sets before `node` (e.g. MALLOC_ARENA_MAX=1). */
function childEnvironment(): Record<string, string> {
  return indexerScript().environment;
}

// ------------------------------------------------------------------ child: database + API

async function serve(backend: "pglite" | "postgres", databaseUrl: string | undefined, workers: number): Promise<void> {
  const { openDatabase, migrate } = await import("../services/database");
  const { seedPodsAsBackfill } = await import("./lib/pods-seed");
  const { logger } = await import("../services/log");
  const { createApiServer } = await import("../services/api/http/server");
  const { startApiCluster } = await import("../services/api/http/cluster/primary");
  const { EventEmitter } = await import("node:events");
  const schema = backend === "postgres" ? `bench_graphql_${randomBytes(4).toString("hex")}` : undefined;
  // PGlite in a data directory of its own, as the service keeps it (PGLITE_DIR), not in memory:
  // an in-memory PGlite holds the whole database in the JavaScript heap (~1.1 GB RSS here).
  const pgliteDir = backend === "pglite" ? join(mkdtempSync(join(tmpdir(), "lure-bench-graphql-")), "pglite") : undefined;
  const db = await openDatabase(backend === "postgres" ? { databaseUrl, schema } : { pgliteDir });
  const started = Date.now();
  await migrate(db);
  // As a backfill from an empty database leaves it: indexes deferred and rebuilt, then the
  // indexer's own statistics. The first page runs are measured so; `analyze` on stdin then runs
  // a manual ANALYZE of the whole database before the other runs.
  await seedPodsAsBackfill(db, logger("bench-graphql").child({}, { level: "warn" }), PODS, OWNERS);
  await db.query(
    `INSERT INTO cursor (id, chain_id, block_number, block_hash, block_timestamp) VALUES (1, 31337, $1, $2, $3)`,
    [String(PODS), `0x${"ab".repeat(32)}`, String(1_700_000_000 + PODS)],
  );
  const seedMs = Date.now() - started;
  const status = { chainId: 31337, headBlock: PODS, indexedBlock: { number: PODS, hash: `0x${"ab".repeat(32)}`, timestamp: 1_700_000_000 + PODS }, backfilling: false, hasIndexingErrors: false };
  const events = new EventEmitter();
  // With workers > 1 this process plays the indexer's part (the cluster's primary), as in `npm start`.
  const cluster =
    workers > 1 && databaseUrl
      ? await startApiCluster({ workers, settings: { databaseUrl, schema, host: "127.0.0.1", port: 0, dev: false }, events, status: () => status })
      : undefined;
  const running = cluster ?? (await createApiServer({ db, events, status: () => status, dev: false }).listen("127.0.0.1", 0));
  process.stdout.write(JSON.stringify({ url: running.url, seedMs }) + "\n");
  const stop = async () => {
    await running.close();
    await db.close();
    if (pgliteDir) rmSync(dirname(pgliteDir), { recursive: true, force: true });
    if (schema && databaseUrl) {
      const admin = new Pool({ connectionString: databaseUrl, max: 1 });
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => admin.end());
    }
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop());
  // "cpu" on stdin: report the CPU time of every API process (this one and its workers), so the
  // parent can compute CPU per request.
  createInterface({ input: process.stdin }).on("line", (line) => {
    if (line.trim() === "analyze") {
      void db.query("ANALYZE").then(() => process.stdout.write(JSON.stringify({ analyzed: true }) + "\n"));
      return;
    }
    if (line.trim() !== "cpu") return;
    const usage = process.cpuUsage();
    const total = cluster ? cluster.cpuMicros() : Promise.resolve(usage.user + usage.system);
    // Peak RSS of this process (with workers, the primary's only): PGlite lives here.
    const maxRssKb = process.resourceUsage().maxRSS;
    void total.then((cpuMicros) => process.stdout.write(JSON.stringify({ cpuMicros, maxRssKb }) + "\n"));
  });
  process.stdin.on("end", () => void stop());
}

// ------------------------------------------------------------------ parent: load generator

const POD_QUERY = `query($id: BigInt!) { pod(id: $id) { id owner name visibility versionCount listed listing { price token } } }`;
const PAGE_QUERY = `query($min: BigInt, $max: BigInt) {
  pods(where: { listed: true, visibility: PUBLIC, listingPrice_gte: $min, listingPrice_lte: $max }, orderBy: listingPrice, orderDirection: asc, first: 100) {
    items { id owner name versionCount listing { price } } pageInfo { hasNextPage endCursor } } }`;

function podBody(): string {
  return JSON.stringify({ query: POD_QUERY, variables: { id: String(1 + Math.floor(Math.random() * PODS)) } });
}

function pageBody(): string {
  const min = Math.floor(Math.random() * 500_000);
  return JSON.stringify({ query: PAGE_QUERY, variables: { min: `${min}000000000000`, max: `${min + 400_000}000000000000` } });
}

async function check(url: string, body: string, expectItems: boolean): Promise<void> {
  const response = await fetch(`${url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body });
  const json = (await response.json()) as { data?: { pods?: { items: unknown[] }; pod?: unknown }; errors?: unknown };
  if (json.errors || !json.data) throw new Error(`benchmark query failed: ${JSON.stringify(json)}`);
  if (expectItems && (json.data.pods?.items.length ?? 0) < 100) throw new Error(`the page query returned ${json.data.pods?.items.length} items, expected 100`);
}

interface RunFigures {
  p50: number;
  p99: number;
  rps: number;
  errors: number;
  /** Server CPU time per request (ms): what the API itself costs, whatever else the machine runs. */
  cpuMsPerRequest: number;
  /** The PostgreSQL server's CPU time per request (ms), null when it cannot be seen (/proc) or for PGlite. */
  postgresMsPerRequest: number | null;
  /** Busy CPU time of the whole machine per request (ms): API, database, load generator and the rest. */
  machineMsPerRequest: number | null;
}

/** CPU time (ms) of every process named postgres (the local server) by pid, from /proc; null elsewhere. */
function postgresCpuMs(): Map<string, number> | null {
  if (!existsSync("/proc/self/stat")) return null;
  const tick = 10; // USER_HZ is 100 on Linux
  const byPid = new Map<string, number>();
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      if (!stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")).startsWith("postgres")) continue;
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      byPid.set(pid, (Number(fields[11]) + Number(fields[12])) * tick);
    } catch {
      // the process ended meanwhile
    }
  }
  return byPid;
}

/**
 * PostgreSQL CPU (ms) spent between two samples by the processes alive at the second one: a backend
 * of someone else's that ended meanwhile must not make the figure smaller (it once went negative).
 */
function postgresCpuBetween(before: Map<string, number>, after: Map<string, number>): number {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

/** Busy (non-idle) CPU time of the machine so far (ms), from /proc/stat; null elsewhere. */
function machineBusyMs(): number | null {
  if (!existsSync("/proc/stat")) return null;
  const [user, nice, system, , , irq, softirq] = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq) * 10;
}

/** Asks the API process for its CPU time so far. */
type CpuProbe = () => Promise<number>;

async function drive(url: string, body: () => string, connections: number, cpu: CpuProbe): Promise<RunFigures> {
  const cpuBefore = await cpu();
  const postgresBefore = postgresCpuMs();
  const machineBefore = machineBusyMs();
  const result = await autocannon({
    url: `${url}/graphql`,
    connections,
    duration: SECONDS,
    method: "POST",
    headers: { "content-type": "application/json" },
    requests: [{ setupRequest: (request) => ({ ...request, body: body() }) }],
  });
  const cpuMs = ((await cpu()) - cpuBefore) / 1000;
  const requests = Math.max(1, result.requests.total);
  const postgresAfter = postgresCpuMs();
  const machineAfter = machineBusyMs();
  return {
    postgresMsPerRequest: postgresBefore === null || postgresAfter === null ? null : postgresCpuBetween(postgresBefore, postgresAfter) / requests,
    machineMsPerRequest: machineBefore === null || machineAfter === null ? null : (machineAfter - machineBefore) / requests,
    p50: result.latency.p50,
    p99: result.latency.p99,
    rps: result.requests.average,
    errors: result.errors + result.non2xx + result.timeouts,
    cpuMsPerRequest: cpuMs / Math.max(1, result.requests.total),
  };
}

async function startChild(
  backend: "pglite" | "postgres",
  databaseUrl: string | undefined,
  workers: number,
): Promise<{ child: ChildProcess; url: string; seedMs: number; cpu: CpuProbe; analyze: () => Promise<void>; maxRssMb: () => number }> {
  // BENCH_CPU_PROF=<dir>: the API process writes a V8 CPU profile there (open it in Chrome DevTools).
  const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  if (!existsSync(COMPILED_SELF)) throw new Error(`${COMPILED_SELF} is missing: run \`npm run build:services\` (npm run bench:graphql does)`);
  const child = spawn(process.execPath, [...childNodeFlags(), ...profile, COMPILED_SELF, "--serve", backend, String(workers)], {
    env: { ...process.env, ...childEnvironment(), BENCH_CHILD_DATABASE_URL: databaseUrl ?? "", LOG_LEVEL: "warn" },
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout });
  const exited = once(child, "exit").then(([code]) => {
    throw new Error(`the ${backend} API process exited with code ${code} before it was ready`);
  });
  const replies: ((line: string) => void)[] = [];
  const ready = new Promise<{ url: string; seedMs: number }>((resolve) => {
    lines.on("line", (line) => {
      const parsed = JSON.parse(line) as { url?: string; seedMs?: number };
      if (parsed.url) resolve({ url: parsed.url, seedMs: parsed.seedMs ?? 0 });
      else replies.shift()?.(line);
    });
  });
  const { url, seedMs } = await Promise.race([ready, exited]);
  exited.catch(() => undefined);
  let maxRssKb = 0;
  const cpu: CpuProbe = () =>
    new Promise((resolve) => {
      replies.push((line) => {
        const reply = JSON.parse(line) as { cpuMicros: number; maxRssKb: number };
        maxRssKb = reply.maxRssKb;
        resolve(reply.cpuMicros);
      });
      child.stdin.write("cpu\n");
    });
  const analyze = () =>
    new Promise<void>((resolve) => {
      replies.push(() => resolve());
      child.stdin.write("analyze\n");
    });
  return { child, url, seedMs, cpu, analyze, maxRssMb: () => maxRssKb / 1024 };
}

async function postgresReachable(url: string): Promise<boolean> {
  const pool = new Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 2000 });
  try {
    await pool.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await pool.end();
  }
}

function verdict(value: number, goal: number, lowerIsBetter: boolean): string {
  return (lowerIsBetter ? value <= goal : value >= goal) ? "ok" : "MISSED";
}

async function main(): Promise<void> {
  const only = process.env.BENCH_BACKENDS?.split(",").map((name) => name.trim());
  const backends: { name: "pglite" | "postgres"; label: string; url?: string; workers: number }[] =
    only && !only.includes("pglite") ? [] : [{ name: "pglite", label: "pglite", workers: 1 }];
  const pgUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  if (pgUrl !== "none" && (!only || only.includes("postgres"))) {
    if (await postgresReachable(pgUrl)) {
      backends.push({ name: "postgres", label: "postgres", url: pgUrl, workers: 1 });
      if (API_WORKERS > 1) backends.push({ name: "postgres", label: `pg ×${API_WORKERS}`, url: pgUrl, workers: API_WORKERS });
    }
    else console.log(`PostgreSQL at ${pgUrl.replace(/\/\/[^@]*@/, "//***@")} is not reachable: benchmarking PGlite only`);
  }
  console.log(`bench:graphql: ${PODS} pods, ${SECONDS} s per run, autocannon over HTTP on 127.0.0.1`);
  const environment = Object.entries(childEnvironment()).map(([name, value]) => `${name}=${value} `).join("");
  console.log(`API process: ${environment}node ${childNodeFlags().join(" ")} dist/scripts/bench-graphql.js (as npm run indexer)`);
  // Latency figures mean little on a busy machine; say how busy it was.
  console.log(`machine: ${cpus().length} CPUs, load average ${loadavg().map((n) => n.toFixed(1)).join(" ")} at start`);
  const rows: string[][] = [];
  for (const backend of backends) {
    const { child, url, seedMs, cpu, analyze, maxRssMb } = await startChild(backend.name, backend.url, backend.workers);
    try {
      const processes = backend.workers > 1 ? `${backend.workers} API worker processes + primary` : "one API process";
      console.log(`\n[${backend.label}] ${processes}; database built in ${(seedMs / 1000).toFixed(1)} s; API at ${url}`);
      await check(url, podBody(), false);
      await check(url, pageBody(), true);
      // Right after a backfill: the statistics are the indexer's own (no manual ANALYZE yet).
      await drive(url, pageBody, 4, cpu).catch(() => undefined);
      const fresh = await drive(url, pageBody, 10, cpu);
      await analyze();
      // Warm-up: plans, JIT and caches.
      await drive(url, podBody, 4, cpu).catch(() => undefined);
      const podSingle = await drive(url, podBody, 1, cpu);
      const podTen = await drive(url, podBody, 10, cpu);
      const pageSingle = await drive(url, pageBody, 1, cpu);
      const pageTen = await drive(url, pageBody, 10, cpu);
      const errors = fresh.errors + podSingle.errors + podTen.errors + pageSingle.errors + pageTen.errors;
      rows.push(
        [backend.label, "pod(id) p99, 1 connection", `${podSingle.p99} ms`, "≤ 10 ms", verdict(podSingle.p99, 10, true)],
        [backend.label, "pod(id) p50, 1 connection", `${podSingle.p50} ms`, "", ""],
        [backend.label, "pod(id) p99, 10 connections", `${podTen.p99} ms`, "", ""],
        [backend.label, "pod(id) requests/s, 10 connections", podTen.rps.toFixed(0), "≥ 2000", verdict(podTen.rps, 2000, false)],
        [backend.label, "pod(id) API CPU per request", `${podTen.cpuMsPerRequest.toFixed(2)} ms`, "", ""],
        ...(backend.name === "postgres" && podTen.postgresMsPerRequest !== null
          ? [[backend.label, "pod(id) PostgreSQL server CPU per request", `${podTen.postgresMsPerRequest.toFixed(2)} ms`, "", ""]]
          : []),
        ...(podTen.machineMsPerRequest !== null ? [[backend.label, "pod(id) machine busy CPU per request", `${podTen.machineMsPerRequest.toFixed(2)} ms`, "", ""]] : []),
        [backend.label, "filtered page of 100 p99, 1 connection", `${pageSingle.p99} ms`, "≤ 25 ms", verdict(pageSingle.p99, 25, true)],
        [backend.label, "filtered page of 100 p50, 1 connection", `${pageSingle.p50} ms`, "", ""],
        [backend.label, "filtered page of 100 p99, 10 connections", `${pageTen.p99} ms`, "", ""],
        [backend.label, "filtered page of 100 requests/s, 10 conn.", pageTen.rps.toFixed(0), "", ""],
        [backend.label, "filtered page API CPU per request", `${pageTen.cpuMsPerRequest.toFixed(2)} ms`, "", ""],
        [backend.label, "page right after a backfill req/s, 10 conn.", fresh.rps.toFixed(0), "", ""],
        [backend.label, "page right after a backfill p99, 10 conn.", `${fresh.p99} ms`, "", ""],
        [backend.label, `${backend.workers > 1 ? "primary" : "API"} process peak RSS`, `${maxRssMb().toFixed(0)} MB`, "", ""],
        [backend.label, "errors (non-2xx, timeouts)", String(errors), "0", verdict(errors, 0, true)],
      );
    } finally {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  }
  console.log(`\nload average ${loadavg().map((n) => n.toFixed(1)).join(" ")} at the end`);
  const widths = [8, 42, 10, 9, 6];
  console.log("\n" + ["database", "measure", "value", "goal", ""].map((h, i) => h.padEnd(widths[i])).join("  "));
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i])).join("  "));
}

if (process.argv.includes("--serve")) {
  const backend = process.argv[process.argv.indexOf("--serve") + 1] as "pglite" | "postgres";
  const workers = Number(process.argv[process.argv.indexOf("--serve") + 2] ?? 1);
  serve(backend, process.env.BENCH_CHILD_DATABASE_URL || undefined, workers).catch((error) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
