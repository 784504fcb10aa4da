/**
 * `npm run bench:indexer [-- --events N] [-- --latency-samples N] [-- --phases pglite|postgres] [-- --rounds N]`
 * `BENCH_CPU_PROF=<dir>` writes a V8 CPU profile of every phase child into <dir>.
 * The phase children run the compiled bench (dist/, `npm run build:services`, as `npm run indexer` runs
 * the service) with the Node flags of `npm run indexer` (package.json), or BENCH_CHILD_NODE_FLAGS.
 * `BENCH_CHILD_OUT=<prefix>` keeps each child's stdout in <prefix>-<phase>.txt (e.g. with --trace-gc).
 *
 * 1. starts a Hardhat node and deploys three EventFlood contracts (contracts/test/EventFlood.sol) in the
 *    PodRegistry, PodLicenses and PodMarket roles; each transaction emits thousands of Lure-shaped v2
 *    events (Transfer + PodPublished + VersionPublished per pod, LicensePurchased per sale and its
 *    TransferSingle mint), so ≥100k events
 *    take a few dozen transactions. Then 256 empty blocks, so every event block is final.
 *    The node's memory: EDR keeps each transaction's execution trace (one record per EVM step) until
 *    V8 collects the JSON-RPC response object that owns it, and V8, with a small heap, rarely does;
 *    so the node is started with scripts/lib/hardhat-node-gc.ts preloaded (a full collection per
 *    256 MB of RSS growth), and EventFlood emits its events from assembly (~12-20 EVM steps per
 *    event, not 65-155). Together: 1M events flood in ~9 s and the node peaks at ~2.4 GB over the
 *    whole run, where it used to pass 20 GB and be OOM-killed. The node's RSS after the flood and its
 *    peak are printed.
 * 2. makes one untimed pass over the logs (the node's first answers are slower: cold code and
 *    caches), then measures the raw eth_getLogs ceiling: the same logs, fetched in ranges of ≤10k
 *    logs with plain fetch + JSON.parse and nothing else (the denominator), before and after every
 *    phase; a phase is compared with the mean of the two around it (the node's speed drifts);
 * 3. indexes from scratch into PGlite (a fresh data dir, whatever DATABASE_URL says) and into
 *    PostgreSQL (DATABASE_URL or postgres://postgres@127.0.0.1:5432/test, fresh schema), each phase
 *    in a database of its own that it removes at the end (scripts/lib/bench-phase-database.ts);
 * 4. prints events/s, the ratio to the ceiling around it, the peak RSS of each phase (each phase runs in a
 *    child process of its own so the peaks do not mix) and the CPU seconds the phase, the node and
 *    the PostgreSQL server spent meanwhile, then the realtime latency from "mined" (the
 *    automining eth_sendTransaction returned) to "committed and announced" (the indexer's block event).
 * `--rounds N` repeats the phases N times (latency in the first only) and prints each phase's median ratio.
 */
import { spawn } from "node:child_process";
import { request as httpRequest } from "node:http";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsonRpcProvider } from "ethers";
import type { Deployment } from "../services/chain/deployments";
import { createIndexerMetrics, startIndexer, type Indexer, type IndexerMetrics } from "../services/indexer";
import { CONTRACT_MODULES } from "../services/indexer/contracts";
import { loadConfig } from "../services/config";
import type { OpenDatabaseOptions } from "../services/database";
import { startHardhatNode } from "../services/devnet/hardhat-node";
import { logger } from "../services/log";
import { phaseDatabaseOptions, removePhaseDatabase } from "./lib/bench-phase-database";
import { projectRoot } from "./lib/project-root";
import { benchChildNodeFlags, indexerScript } from "./lib/indexer-script";
// The factory file only: the typechain index pulls in every contract of the repository.
import { EventFlood__factory } from "../typechain-types/factories/contracts/test/EventFlood__factory";

const ROOT = projectRoot();
/** The compiled bench the measured children run: the service's code as deployed, without ts-node. */
const COMPILED_SELF = join(ROOT, "dist", "scripts", "bench-indexer.js");
/** Preloaded into the Hardhat node (never into the measured children): see scripts/lib/hardhat-node-gc.ts. */
const COMPILED_NODE_GC = join(ROOT, "dist", "scripts", "lib", "hardhat-node-gc.js");

interface PhaseResult {
  phase: string;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  maxRssMb: number;
  latencyMs?: { samples: number; p50: number; p95: number; max: number; pollMs: number };
  /** CPU seconds spent during the measured part, per process (Linux /proc only). */
  cpuSeconds?: { self: number; node: number; postgres: number };
  /**
   * From the phase process's start to the indexer's ready (backfilled and indexes rebuilt), in ms,
   * split into its steps: what a user waits for on an empty database (issue 12 §6).
   */
  endToEnd?: { processMs: number; connectMs: number; databaseOpenMs: number; migrationsMs: number; startMs: number; backfillMs: number; rebuildMs: number; totalMs: number };
}

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 && args[index + 1] ? args[index + 1] : fallback;
};
const PG_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const TARGET_LOGS = 10_000;

async function main(): Promise<void> {
  const phase = option("phase", "");
  if (phase) return runPhase(phase);

  const wanted = Number(option("events", "100000"));
  if (!Number.isInteger(wanted) || wanted < 1000) throw new Error(`--events must be an integer ≥ 1000, got ${option("events", "")}`);
  const latencySamples = Number(option("latency-samples", "60"));
  const rounds = Number(option("rounds", "1"));
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) throw new Error(`--rounds must be an integer from 1 to 20, got ${option("rounds", "")}`);
  // --phases pglite or postgres: one backend only, for quicker iterations; the ceiling always runs.
  const phases = option("phases", "pglite,postgres").split(",");
  if (phases.some((name) => name !== "pglite" && name !== "postgres")) throw new Error(`--phases takes pglite and/or postgres, got ${option("phases", "")}`);
  const port = Number(option("port", String(20_000 + Math.floor(Math.random() * 20_000))));
  const logDir = mkdtempSync(join(tmpdir(), "lure-bench-"));
  console.log(`bench:indexer — ${wanted} events; hardhat node on 127.0.0.1:${port} (log ${logDir}/node.log)`);
  console.log(`phase children run with Node flags: ${childNodeFlags().join(" ") || "(none)"}; environment: ${Object.entries(childEnvironment()).map(([name, value]) => `${name}=${value}`).join(" ") || "(none)"}`);
  const node = await startHardhatNode({ host: "127.0.0.1", port, logFile: join(logDir, "node.log"), readyTimeoutMs: 120_000, env: hardhatNodeEnv() });
  // The node runs in its own process group: an interrupted benchmark must not leave it behind.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => void node.stop().finally(() => process.exit(130)));
  }
  try {
    const started = Date.now();
    const { deployment, events } = await flood(node.url, wanted);
    console.log(`emitted ${events} events in ${((Date.now() - started) / 1000).toFixed(1)} s (EventFlood: many events per transaction); hardhat node: ${nodeMemoryText(node.url)}`);

    // One untimed pass over the logs first, so that neither the first ceiling nor the first phase pays
    // for the node's first answers over these blocks (its code paths and caches are cold after the flood).
    const warmStarted = Date.now();
    const warm = await measureCeiling(node.url, deployment);
    console.log(`warm-up pass (not measured): ${warm.events} logs in ${((Date.now() - warmStarted) / 1000).toFixed(2)} s`);

    // Each phase is compared with the mean of the ceilings measured right before and right after it:
    // on a shared machine the node's speed drifts by tens of percent within a minute, and a ceiling
    // taken once, minutes away from a phase, moved the ratios as much as any change to the indexer.
    const common = ["--rpc", node.url, "--deployment", JSON.stringify(deployment)];
    const ratios = new Map<string, number[]>(phases.map((name) => [name, []]));
    const report = (result: PhaseResult) => {
      const cpu = result.cpuSeconds;
      const cpuText = cpu ? `; CPU s: this process ${cpu.self.toFixed(1)}, node ${cpu.node.toFixed(1)}${result.phase === "ceiling" ? "" : `, postgres server ${cpu.postgres.toFixed(1)}`}` : "";
      console.log(`  ${result.phase.padEnd(9)} ${result.events} events in ${result.seconds.toFixed(2)} s = ${Math.round(result.eventsPerSecond)} events/s, peak RSS ${result.maxRssMb} MB${cpuText}`);
    };
    const ceilingNow = async () => {
      const result = await runChild([...common, "--phase", "ceiling"]);
      report(result);
      return result.eventsPerSecond;
    };
    let before = await ceilingNow();
    const summary: string[] = [];
    for (let round = 1; round <= rounds; round++) {
      if (rounds > 1) console.log(`round ${round} of ${rounds}`);
      for (const name of phases) {
        // Realtime latency is sampled in the first round only: it does not depend on the backfill.
        const result = await runChild([...common, "--phase", name, "--latency-samples", String(round === 1 ? latencySamples : 0)]);
        report(result);
        const after = await ceilingNow();
        const ceiling = (before + after) / 2;
        const ratio = (100 * result.eventsPerSecond) / ceiling;
        ratios.get(name)!.push(ratio);
        before = after;
        const goal = name === "postgres" ? 70 : 50;
        summary.push(
          `${name.padEnd(9)}: ${Math.round(result.eventsPerSecond)} events/s = ${ratio.toFixed(0)}% of the ceiling around it (${Math.round(ceiling)} events/s; goal ≥${goal}%: ${ratio >= goal ? "met" : "NOT met"}), ` +
            `peak RSS ${result.maxRssMb} MB (goal ≤300 MB: ${result.maxRssMb <= 300 ? "met" : "NOT met"})`,
        );
        if (result.endToEnd) {
          const e = result.endToEnd;
          const endToEndRate = result.events / (e.totalMs / 1000);
          const endToEndRatio = (100 * endToEndRate) / ceiling;
          const endToEndGoal = name === "postgres" ? 80 : 60;
          const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
          summary.push(
            `${"".padEnd(9)}  end to end, process start → ready on an empty database: ${s(e.totalMs)} = ${Math.round(endToEndRate)} events/s = ${endToEndRatio.toFixed(0)}% of the ceiling (goal ≥${endToEndGoal}%: ${endToEndRatio >= endToEndGoal ? "met" : "NOT met"}); ` +
              `process start ${s(e.processMs)}, chain connect ${s(e.connectMs)}, database open ${s(e.databaseOpenMs)}, migrations ${s(e.migrationsMs)}, start ${s(e.startMs)}, backfill ${s(e.backfillMs)}, index rebuild and ready ${s(e.rebuildMs)}`,
          );
        }
        if (result.latencyMs) {
          const l = result.latencyMs;
          summary.push(
            `${"".padEnd(9)}  realtime latency mined → committed over ${l.samples} events, polling every ${l.pollMs} ms: p50 ${l.p50} ms, p95 ${l.p95} ms, max ${l.max} ms (goal p95 ≤300 ms: ${l.p95 <= 300 ? "met" : "NOT met"})`,
          );
        }
      }
    }
    console.log(`  hardhat node after the phases: ${nodeMemoryText(node.url)}`);
    console.log("");
    console.log("raw eth_getLogs ceiling: fetch + JSON.parse of the same logs, measured before and after every phase");
    for (const line of summary) console.log(line);
    if (rounds > 1) {
      for (const [name, list] of ratios) {
        const sorted = [...list].sort((a, b) => a - b);
        const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
        console.log(`${name.padEnd(9)}: median ${median.toFixed(0)}% of the ceiling over ${rounds} rounds (${sorted.map((ratio) => ratio.toFixed(0)).join(", ")})`);
      }
    }
  } finally {
    await node.stop();
    rmSync(logDir, { recursive: true, force: true });
  }
}

/**
 * The Hardhat node's environment on top of ours: NODE_OPTIONS preloading the RSS-driven collector
 * (scripts/lib/hardhat-node-gc.ts), for the node alone; the phase children never see it.
 */
function hardhatNodeEnv(): Record<string, string> {
  if (!existsSync(COMPILED_NODE_GC)) throw new Error(`${COMPILED_NODE_GC} is missing: run \`npm run build:services\` (npm run bench:indexer does)`);
  return { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --expose-gc --require ${JSON.stringify(COMPILED_NODE_GC)}`.trim() };
}

/**
 * Node flags of the phase children: those `npm run indexer` starts the indexer service with (read
 * from package.json, so the bench measures the service as deployed), or BENCH_CHILD_NODE_FLAGS.
 * Never passed to the Hardhat node.
 */
function childNodeFlags(): string[] {
  return benchChildNodeFlags(ROOT);
}

/** The environment `npm run indexer` sets before `node` (e.g. MALLOC_ARENA_MAX=1), passed to the phase children too. */
function childEnvironment(): Record<string, string> {
  return indexerScript(ROOT).environment;
}

function runChild(childArgs: string[]): Promise<PhaseResult> {
  return new Promise((resolve, reject) => {
    // BENCH_CPU_PROF=<dir>: each phase child writes a V8 CPU profile there (open it in Chrome DevTools).
    const profileDir = process.env.BENCH_CPU_PROF;
    const profiling = profileDir ? ["--cpu-prof", "--cpu-prof-dir", profileDir, "--cpu-prof-name", `${childArgs[childArgs.indexOf("--phase") + 1]}-${Date.now()}.cpuprofile`] : [];
    const nodeFlags = childNodeFlags();
    if (!existsSync(COMPILED_SELF)) return reject(new Error(`${COMPILED_SELF} is missing: run \`npm run build:services\` (npm run bench:indexer does)`));
    const child = spawn(process.execPath, [...nodeFlags, ...profiling, COMPILED_SELF, ...childArgs], {
      env: { ...process.env, ...childEnvironment(), LOG_LEVEL: process.env.LOG_LEVEL ?? "warn" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("exit", (code) => {
      if (process.env.BENCH_CHILD_OUT) writeFileSync(`${process.env.BENCH_CHILD_OUT}-${childArgs[childArgs.indexOf("--phase") + 1]}.txt`, output);
      const line = output.split("\n").find((candidate) => candidate.startsWith("RESULT "));
      if (code !== 0 || !line) return reject(new Error(`bench phase ${childArgs.join(" ")} failed with code ${code}: ${output.slice(-1000)}`));
      resolve(JSON.parse(line.slice("RESULT ".length)) as PhaseResult);
    });
  });
}

/** Deploys EventFlood contracts standing in for the registry, the licences, the market and an idle stand-in for every other indexed contract, and emits about `wanted` events; returns the deployment. */
async function flood(url: string, wanted: number): Promise<{ deployment: Deployment; events: number }> {
  const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true, cacheTimeout: -1 });
  const signer = await provider.getSigner(0);
  const factory = new EventFlood__factory(signer);
  const deployOne = async () => {
    const contract = await factory.deploy();
    const receipt = await contract.deploymentTransaction()!.wait();
    return { contract, entry: { address: await contract.getAddress(), blockNumber: receipt!.blockNumber, txHash: receipt!.hash } };
  };
  const registry = await deployOne();
  const licenses = await deployOne();
  const market = await deployOne();
  // Every registered indexer module needs its contract in the deployment: the others (RunMarket,
  // GroupRegistry, MessageBus, PodKeyGrants, and any module added later) get a stand-in that emits nothing.
  const flooded = new Set(["PodRegistry", "PodLicenses", "PodMarket"]);
  const idle: Record<string, Deployment["contracts"][string]> = {};
  for (const { name } of CONTRACT_MODULES) if (!flooded.has(name)) idle[name] = (await deployOne()).entry;
  const owner = await signer.getAddress();
  const native = "0x0000000000000000000000000000000000000000";
  // Per round: 1,500 pods (3 events each) in one transaction, 1,750 licence sales of them in another
  // (LicensePurchased) and their 1,750 mints in a third (PodLicenses' TransferSingle), as the v2 contracts emit them.
  // Raw eth_sendTransaction: ethers' receipt decoding of thousands of logs per transaction would
  // dominate the set-up time; automine answers once the transaction is mined, and reverts are errors.
  const PODS = 1_500;
  const SALES = 1_750;
  const encode = factory.interface;
  const send = (to: string, data: string) => sendTransaction(url, { from: owner, to, data, gas: "0xf42400" });
  let events = 0;
  let nextPod = 1;
  let round = 0;
  let pending: Promise<unknown>[] = [];
  while (events < wanted) {
    const podCount = Math.min(PODS, Math.ceil((wanted - events) / 3));
    pending.push(send(registry.entry.address, encode.encodeFunctionData("publish", [nextPod, podCount, owner, 0, `0x${"ee".repeat(32)}`])));
    events += podCount * 3;
    if (events < wanted) {
      const sales = Math.min(SALES, Math.ceil((wanted - events) / 2));
      const podId = nextPod + (round % podCount);
      const firstBuyer = 0x1_0000 + round * SALES;
      pending.push(send(market.entry.address, encode.encodeFunctionData("buyLicenses", [podId, firstBuyer, sales, owner, native, 10_000 + round, owner])));
      pending.push(send(licenses.entry.address, encode.encodeFunctionData("mintLicenses", [podId, firstBuyer, sales, market.entry.address])));
      events += sales * 2;
    }
    nextPod += podCount;
    round++;
    if (pending.length >= 4) {
      await Promise.all(pending);
      pending = [];
    }
  }
  await Promise.all(pending);
  // Bury the event blocks under more than any finality depth, so the backfill measures the fast path.
  // evm_mine, not hardhat_mine: the latter's lazily created blocks report parent hashes that do not
  // match their parents' hashes, which the indexer rightly refuses to follow.
  for (let block = 0; block < 256; block++) await rpc(url, "evm_mine", []);
  provider.destroy();
  return { deployment: { chainId: 31337, contracts: { PodRegistry: registry.entry, PodLicenses: licenses.entry, PodMarket: market.entry, ...idle } }, events };
}

async function runPhase(phase: string): Promise<void> {
  const rpc = option("rpc", "");
  const deployment = JSON.parse(option("deployment", "{}")) as Deployment;
  let result: PhaseResult;
  if (phase === "ceiling") result = await measureCeiling(rpc, deployment);
  else if (phase === "pglite" || phase === "postgres") result = await measureIndexing(phase, rpc, deployment, Number(option("latency-samples", "60")));
  else throw new Error(`unknown --phase ${phase}`);
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  process.exit(0);
}

const maxRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

/**
 * CPU time (user + system) of this process, of the Hardhat node serving `url` and of every
 * `postgres` server process, from /proc: on a shared 2-core machine it tells who the bottleneck is.
 * Undefined where /proc is missing. The postgres figure includes anything else using that server.
 */
function cpuSnapshot(url: string): { self: number; node: number; postgres: number } | undefined {
  if (!existsSync("/proc/self/stat")) return undefined;
  const ticks = (pid: string) => {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
      return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in USER_HZ (100 on Linux)
    } catch {
      return 0; // exited meanwhile
    }
  };
  const port = new URL(url).port;
  let node = 0;
  let postgres = 0;
  const identify = (pid: string) => {
    try {
      const comm = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
      return { comm, cmdline: comm === "postgres" ? "" : readFileSync(`/proc/${pid}/cmdline`, "utf8") };
    } catch {
      return undefined; // exited meanwhile
    }
  };
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    const seen = identify(pid);
    if (!seen) continue;
    if (seen.comm === "postgres") postgres += ticks(pid);
    else if (seen.cmdline.includes(`node\0--hostname\0`) && seen.cmdline.includes(`--port\0${port}\0`)) node += ticks(pid);
  }
  const own = process.cpuUsage();
  return { self: (own.user + own.system) / 1e6, node, postgres };
}

/** The pid of the Hardhat node serving `url` (its command line ends in --hostname … --port <port>), from /proc. */
function hardhatNodePid(url: string): string | undefined {
  if (!existsSync("/proc/self/stat")) return undefined;
  const port = new URL(url).port;
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (cmdline.includes(`node\0--hostname\0`) && cmdline.includes(`--port\0${port}\0`)) return pid;
    } catch {
      // exited meanwhile
    }
  }
  return undefined;
}

/** "RSS x MB, peak y MB" of the Hardhat node (Linux /proc only): the flood's cost lives there. */
function nodeMemoryText(url: string): string {
  const pid = hardhatNodePid(url);
  const status = pid ? readFileSync(`/proc/${pid}/status`, "utf8") : "";
  const mb = (field: string) => Math.round(Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) / 1024);
  return status ? `RSS ${mb("VmRSS")} MB, peak RSS ${mb("VmHWM")} MB` : "RSS unknown (no /proc)";
}

function cpuSince(url: string, before: ReturnType<typeof cpuSnapshot>): PhaseResult["cpuSeconds"] {
  const after = cpuSnapshot(url);
  if (!before || !after) return undefined;
  return { self: after.self - before.self, node: after.node - before.node, postgres: after.postgres - before.postgres };
}

async function rpc<T>(url: string, method: string, params: unknown[]): Promise<T> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  const body = JSON.parse(await response.text()) as { result: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

/** The `error.message` of a JSON-RPC answer, if it has one. */
function rpcErrorMessage(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null || !("error" in body)) return undefined;
  const error = body.error;
  return typeof error === "object" && error !== null && "message" in error && typeof error.message === "string" ? error.message : undefined;
}

/**
 * A transaction over a connection of its own: a pooled keep-alive socket can be closed by the node
 * just as a long flood transaction is written to it ("other side closed"), and a send is not
 * something to retry blindly.
 */
function sendTransaction(url: string, tx: Record<string, string>): Promise<string> {
  const target = new URL(url);
  const payload = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_sendTransaction", params: [tx] });
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: target.hostname, port: target.port, path: "/", method: "POST", agent: false, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (text += chunk));
        response.on("end", () => {
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            reject(new Error(`eth_sendTransaction: not JSON: ${text.slice(0, 200)}`));
            return;
          }
          const result = typeof body === "object" && body !== null && "result" in body && typeof body.result === "string" ? body.result : undefined;
          if (result) resolve(result);
          else reject(new Error(`eth_sendTransaction: ${rpcErrorMessage(body) ?? text.slice(0, 200)}`));
        });
      },
    );
    request.on("error", reject);
    request.end(payload);
  });
}

/** Fetch + JSON.parse of the same logs, in ranges of at most ~TARGET_LOGS logs, nothing else. */
async function measureCeiling(url: string, deployment: Deployment): Promise<PhaseResult> {
  const addresses = Object.values(deployment.contracts).map((entry) => entry.address);
  const start = Math.min(...Object.values(deployment.contracts).map((entry) => entry.blockNumber));
  const head = Number(BigInt(await rpc<string>(url, "eth_blockNumber", [])));
  const cpuBefore = cpuSnapshot(url);
  const begin = Date.now();
  let events = 0;
  let range = 1;
  for (let from = start; from <= head; ) {
    const to = Math.min(head, from + range - 1);
    const logs = await rpc<unknown[]>(url, "eth_getLogs", [{ fromBlock: `0x${from.toString(16)}`, toBlock: `0x${to.toString(16)}`, address: addresses }]);
    events += logs.length;
    if (logs.length > TARGET_LOGS && range > 1) range = Math.max(1, Math.floor(range / 2));
    else if (logs.length < TARGET_LOGS / 2) range *= 2;
    from = to + 1;
  }
  const seconds = (Date.now() - begin) / 1000;
  return { phase: "ceiling", events, seconds, eventsPerSecond: events / seconds, maxRssMb: maxRssMb(), cpuSeconds: cpuSince(url, cpuBefore) };
}

async function measureIndexing(phase: "pglite" | "postgres", url: string, deployment: Deployment, latencySamples: number): Promise<PhaseResult> {
  // performance.now() counts from this process's start: module loading, Node's own start-up.
  const processMs = performance.now();
  // The backend the phase names, in a database of its own, removed at the end whatever happens.
  // startIndexer opens it, as `npm run indexer` does (the chain first, then the database: see
  // startIndexer), with nothing taken from DATABASE_URL.
  const database = phaseDatabaseOptions(phase, PG_URL);
  try {
    return await measureIndexingIn(database, phase, url, deployment, latencySamples, processMs);
  } finally {
    await removePhaseDatabase(database, PG_URL);
  }
}

async function measureIndexingIn(database: OpenDatabaseOptions, phase: "pglite" | "postgres", url: string, deployment: Deployment, latencySamples: number, processMs: number): Promise<PhaseResult> {
  const log = logger("bench-indexer");
  const metrics = createIndexerMetrics();
  const startBegin = performance.now();
  const indexer = await startIndexer({
    config: { ...loadConfig(), DATABASE_URL: undefined },
    databaseUrl: database.databaseUrl,
    pgliteDir: database.pgliteDir,
    schema: database.schema,
    rpcUrl: url,
    deployment,
    metrics,
    log,
    // The indexer's own range target (INDEXER_TARGET_LOGS), unless --target-logs says otherwise.
    ...(option("target-logs", "") ? { targetLogsPerRange: Number(option("target-logs", "")) } : {}),
    swarm: false,
  });
  if (indexer.db.dialect !== phase) {
    await indexer.stop();
    throw new Error(`the ${phase} phase opened a ${indexer.db.dialect} database`);
  }
  try {
    return await measureStartedIndexer(indexer, phase, url, deployment, latencySamples, { processMs, startBegin, metrics });
  } finally {
    // Before the database is removed; a second stop() (after the latency samples) does nothing.
    await indexer.stop();
  }
}

async function measureStartedIndexer(
  indexer: Indexer,
  phase: "pglite" | "postgres",
  url: string,
  deployment: Deployment,
  latencySamples: number,
  { processMs, startBegin, metrics }: { processMs: number; startBegin: number; metrics: IndexerMetrics },
): Promise<PhaseResult> {
  const startMs = performance.now() - startBegin;
  const cpuBefore = cpuSnapshot(url);
  const begin = Date.now();
  const head = Number(BigInt(await rpc<string>(url, "eth_blockNumber", [])));
  let backfilledAt: number | undefined;
  while (indexer.status().backfilling || (indexer.status().indexedBlock?.number ?? -1) < head) {
    if (indexer.status().hasIndexingErrors) throw new Error(`indexing failed: ${indexer.status().lastError}`);
    if (backfilledAt === undefined && (indexer.status().indexedBlock?.number ?? -1) >= head) backfilledAt = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const readyAt = performance.now();
  backfilledAt ??= readyAt;
  const seconds = (Date.now() - begin) / 1000;
  const endToEnd = {
    processMs,
    ...indexer.startup,
    backfillMs: backfilledAt - (startBegin + startMs),
    rebuildMs: readyAt - backfilledAt,
    totalMs: readyAt,
  };
  const cpuSeconds = cpuSince(url, cpuBefore);
  const n = (await metrics.eventsProcessed.get()).values[0]?.value ?? 0;
  const rss = maxRssMb();

  // Realtime: one automined transaction at a time; latency = its block announced after commit.
  const latencies: number[] = [];
  const market = deployment.contracts.PodMarket.address;
  const [from] = await rpc<string[]>(url, "eth_accounts", []);
  const floodInterface = EventFlood__factory.createInterface();
  const listData = (i: number) => floodInterface.encodeFunctionData("list", [1, from, "0x0000000000000000000000000000000000000000", 1000 + i, 0, 250, false, 0]);
  for (let i = 0; i < latencySamples; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 200));
    let minedBlock = Number.MAX_SAFE_INTEGER;
    const committed = new Promise<number>((resolve) => {
      const listener = (block: { number: number }) => {
        if (block.number >= minedBlock) {
          indexer.events.off("block", listener);
          resolve(Date.now());
        }
      };
      indexer.events.on("block", listener);
    });
    const txHash = await rpc<string>(url, "eth_sendTransaction", [{ from, to: market, data: listData(i) }]);
    const minedAt = Date.now();
    const receipt = await rpc<{ blockNumber: string }>(url, "eth_getTransactionReceipt", [txHash]);
    minedBlock = Number(BigInt(receipt.blockNumber));
    const indexed = indexer.status().indexedBlock?.number ?? -1;
    const done = indexed >= minedBlock ? Date.now() : await committed;
    latencies.push(done - minedAt);
    const rows = await indexer.db.query(`SELECT 1 FROM listing_events WHERE tx_hash = $1`, [txHash.toLowerCase()]);
    if (rows.length !== 1) throw new Error(`listing of ${txHash} not queryable after its block was announced`);
  }
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return {
    phase,
    events: n,
    seconds,
    eventsPerSecond: n / seconds,
    maxRssMb: rss,
    cpuSeconds,
    endToEnd,
    latencyMs: latencies.length ? { samples: latencies.length, p50: at(0.5), p95: at(0.95), max: latencies[latencies.length - 1], pollMs: Number(process.env.INDEXER_POLL_MS ?? 250) } : undefined,
  };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
