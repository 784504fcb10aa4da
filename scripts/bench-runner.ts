/**
 * `npm run bench:runner`: runs of the hello pod (the one `pod:init` scaffolds) on a dev chain, a dev
 * Swarm node and the local sandbox, with runners as `npm run runner` runs them (default settings:
 * polling every RUNNER_POLL_MS, the sandbox's limits).
 *
 * It prints:
 * - latency from the request transaction to the requester seeing `RunCompleted`, p50 and p95, over
 *   BENCH_RUNS runs (default 50) requested one after another on one runner;
 * - runs per minute with 8 requests kept in flight, on one runner and on two;
 * - where the time goes (per run, median): the chain (request, claim and report transactions and the
 *   polling between them), Swarm downloads (pod, payloads) and upload, sandbox start, the pod itself;
 * - baselines measured in the same run: the pod alone in the sandbox (no chain, no Swarm), and one
 *   transaction's round trip, with the end-to-end latency as a multiple of each.
 * Goal (issue 14): p50 ≤ 1.5 s with the local sandbox.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { chmod, mkdir, readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ethers } from "ethers";
import { connectLure, type LureConnection } from "../services/chain/contracts";
import { loadConfig, runnerLimits } from "../services/config";
import { devAccounts } from "../services/devnet/accounts";
import { startHardhatNode } from "../services/devnet/hardhat-node";
import { parseRecipe } from "../services/pods/recipe";
import { persistPod } from "../services/pods/persist";
import { scaffoldPod } from "../services/pods/scaffold";
import { createRunner, DEV_RUNNER_ACCOUNT, type RunnerEvent, type RunnerService } from "../services/runner";
import { SandboxExecutor } from "../services/runner/sandbox/executor";
import { createSwarmClient } from "../services/swarm";
import { startDevSwarmNode } from "../services/swarm-dev-node/server";
import { projectRoot } from "./lib/project-root";

const RUNS = Number(process.env.BENCH_RUNS ?? 50);
const IN_FLIGHT = 8;
const THROUGHPUT_RUNS = Number(process.env.BENCH_THROUGHPUT_RUNS ?? 40);
const NATIVE = ethers.ZeroAddress;
const FEE = 10n ** 15n;
const accounts = devAccounts(20);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function deploy(env: NodeJS.ProcessEnv): Promise<void> {
  const hardhatCli = join(require.resolve("hardhat/package.json"), "..", "internal", "cli", "bootstrap.js");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [hardhatCli, "run", "scripts/deploy.ts", "--network", "localhost"], { cwd: projectRoot(), env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`deploy failed: ${output}`))));
  });
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
const median = (values: number[]) => percentile(values, 50);
const ms = (value: number) => `${Math.round(value)} ms`;

interface RunTiming {
  totalMs: number;
  stage?: Extract<RunnerEvent, { type: "stage" }>["timings"];
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "lure-bench-runner-"));
  const port = await freePort();
  const chain = await startHardhatNode({ host: "127.0.0.1", port, logFile: join(work, "node.log") });
  const swarmNode = await startDevSwarmNode({ dataDir: join(work, "swarm"), host: "127.0.0.1", port: 0 });
  const runners: RunnerService[] = [];
  try {
    const swarm = createSwarmClient({ url: swarmNode.url, timeoutMs: 30_000 });
    const batch = await swarm.buyStamp(10n ** 9n, 22);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NETWORK: "localhost",
      LOCAL_RPC_URL: chain.url,
      DEPLOYMENTS_DIR: join(work, "deployments"),
      BEE_URL: swarmNode.url,
      BEE_POSTAGE_BATCH: batch,
      RUNNER_DATA_DIR: join(work, "runner"),
      HARDHAT_NETWORK: undefined,
    };
    await deploy(env);
    const config = loadConfig(env);
    const provider = new ethers.JsonRpcProvider(chain.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    const wallet = (index: number) => new ethers.Wallet(accounts[index].privateKey, provider);
    const alice: LureConnection = await connectLure(wallet(0), { network: "localhost", deploymentsDir: config.DEPLOYMENTS_DIR });
    const minBond = (await alice.runMarket.settings()).minBond;
    for (const index of [DEV_RUNNER_ACCOUNT, 14]) await (await alice.runMarket.connect(wallet(index)).registerRunner(ethers.id(`key ${index}`), [NATIVE], [FEE], { value: minBond })).wait();
    const podDir = join(work, "hello");
    await scaffoldPod("hello", podDir);
    const { podId } = await persistPod({ dir: podDir, storage: swarm, contracts: alice, keysDir: join(work, "keys") });

    // Baselines: the pod alone in the sandbox, and one transaction's round trip.
    const executor = new SandboxExecutor({ limits: runnerLimits(config) });
    await executor.check();
    const recipe = parseRecipe(JSON.parse(await readFile(join(podDir, "recipe.json"), "utf8")));
    if (recipe.kind !== "pod") throw new Error("the hello pod's recipe is not a pod");
    const bare: number[] = [];
    for (let i = 0; i < 10; i++) {
      const dir = join(work, `bare-${i}`);
      await mkdir(dir, { recursive: true });
      await chmod(dir, 0o755);
      const admission = executor.admit(recipe.recipe);
      if (!admission.admitted) throw new Error(admission.reason);
      const started = performance.now();
      const result = await executor.run({ runId: `bare-${i}`, podDir, recipe: recipe.recipe, payloads: [], outputDir: join(dir, "out"), logDir: join(dir, "logs"), limits: admission.limits }, new AbortController().signal);
      if (!result.ok) throw new Error(`the bare run failed: ${result.reason}`);
      bare.push(performance.now() - started);
    }
    const roundTrips: number[] = [];
    for (let i = 0; i < 10; i++) {
      const started = performance.now();
      await (await alice.runMarket.setRunPrice(podId, NATIVE, 10n ** 14n)).wait();
      roundTrips.push(performance.now() - started);
    }

    const deadline = async () => (await provider.getBlock("latest"))!.timestamp + 3600;
    const value = 10n ** 14n + FEE;
    const requester = alice.runMarket;
    const completedOf = (receipt: ethers.TransactionReceipt) => {
      for (const log of receipt.logs) {
        const parsed = requester.interface.parseLog(log);
        if (parsed?.name === "RunRequested") return parsed.args.runId as bigint;
      }
      throw new Error("no RunRequested");
    };
    // As a requester would see it: the run's status read every 50 ms.
    const waitCompleted = async (runId: bigint) => {
      for (;;) {
        const status = (await requester.run(runId)).status;
        if (status === 3n) return;
        if (status > 3n) throw new Error(`run ${runId} ended with status ${status}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const stageTimings = new Map<string, Extract<RunnerEvent, { type: "stage" }>["timings"]>();
    const onEvent = (event: RunnerEvent) => {
      if (event.type === "stage") stageTimings.set(event.runId.toString(), event.timings);
    };
    const startRunner = async (index: number) => {
      const runner = await createRunner({ config, signer: wallet(index), dataDir: join(work, `runner-${index}`), onEvent });
      await runner.start();
      runners.push(runner);
      return runner;
    };

    // Latency: one run at a time.
    await startRunner(DEV_RUNNER_ACCOUNT);
    const timings: RunTiming[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      const receipt = await (await requester.requestRun(podId, 0, ethers.ZeroHash, NATIVE, value, await deadline(), NATIVE, { value })).wait();
      const runId = completedOf(receipt!);
      await waitCompleted(runId);
      timings.push({ totalMs: performance.now() - started, stage: stageTimings.get(runId.toString()) });
      if ((i + 1) % 10 === 0) process.stderr.write(`  ${i + 1}/${RUNS} runs\n`);
    }

    // Throughput: IN_FLIGHT requests outstanding at all times.
    // One account sends every request: a NonceManager hands out nonces so concurrent sends never collide.
    const concurrentRequester = requester.connect(new ethers.NonceManager(wallet(0)));
    const throughput = async (label: string): Promise<number> => {
      let requested = 0;
      const started = performance.now();
      const worker = async () => {
        while (requested < THROUGHPUT_RUNS) {
          requested++;
          const receipt = await (await concurrentRequester.requestRun(podId, 0, ethers.ZeroHash, NATIVE, value, await deadline(), NATIVE, { value })).wait();
          await waitCompleted(completedOf(receipt!));
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
      const perMinute = (THROUGHPUT_RUNS / (performance.now() - started)) * 60_000;
      console.log(`${label}: ${perMinute.toFixed(0)} runs/min (${THROUGHPUT_RUNS} runs, ${IN_FLIGHT} requests in flight, RUNNER_CONCURRENCY=${config.RUNNER_CONCURRENCY} per runner)`);
      return perMinute;
    };

    const totals = timings.map((timing) => timing.totalMs);
    const p50 = median(totals);
    console.log(`\nbench:runner — the hello pod (python3), ${RUNS} runs one after another, runner polling every ${config.RUNNER_POLL_MS} ms, requester every 50 ms`);
    console.log(`request transaction → RunCompleted seen: p50 ${ms(p50)}, p95 ${ms(percentile(totals, 95))}, max ${ms(Math.max(...totals))} (goal p50 ≤ 1500 ms: ${p50 <= 1500 ? "met" : "NOT met"})`);
    const part = (pick: (stage: NonNullable<RunTiming["stage"]>) => number) => median(timings.filter((timing) => timing.stage).map((timing) => pick(timing.stage!)));
    const download = part((stage) => stage.fetchMs + stage.resolveMs);
    const start = part((stage) => stage.provisionMs);
    const pod = part((stage) => stage.executeMs);
    const upload = part((stage) => stage.uploadMs);
    const chainShare = p50 - download - start - pod - upload;
    console.log("where the time goes (medians per run):");
    console.log(`  chain (request, claim, report; polling between them): ${ms(chainShare)} (${((chainShare / p50) * 100).toFixed(0)}%)`);
    console.log(`  Swarm download (pod, payloads): ${ms(download)} · upload (output and logs): ${ms(upload)}`);
    console.log(`  sandbox start: ${ms(start)} · the pod itself: ${ms(pod)}`);
    console.log(`baselines in this run: the pod alone in the sandbox p50 ${ms(median(bare))} (end to end = ${(p50 / median(bare)).toFixed(1)}×); one transaction's round trip p50 ${ms(median(roundTrips))} (end to end = ${(p50 / median(roundTrips)).toFixed(1)}×)`);

    const one = await throughput("one runner");
    await startRunner(14);
    const two = await throughput("two runners");
    console.log(`two runners / one runner: ${(two / one).toFixed(2)}×`);
    // The runners sign through this provider: they stop before it goes.
    for (const runner of runners.splice(0)) await runner.stop(2_000);
    provider.destroy();
  } finally {
    for (const runner of runners) await runner.stop(2_000);
    await swarmNode.close();
    await chain.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`bench:runner failed: ${error.message}`);
    process.exit(1);
  },
);
