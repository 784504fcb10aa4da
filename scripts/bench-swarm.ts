/**
 * npm run bench:swarm — storage throughput of pod persist and fork against the embedded dev
 * node, plus the raw BMT hashing rate of Lure's WebAssembly keccak against bee-js's pure-JS
 * MerkleTree (cafe-utility), both measured in this run.
 *
 * A "pod" here is a collection like the ones pod:persist uploads: a recipe, a script and
 * payload files, of 1, 10 and 50 MB in total. Upload = POST /bzz tar collection through bee-js
 * (persist's storage part); download = walking the manifest and fetching every file (fork's).
 *
 * Last, the dev node's memory while it streams one large POST /bytes body (BENCH_SWARM_STREAM_MB,
 * default 200): the node runs alone in a child process so that its peak RSS is its own.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { MerkleTree } from "cafe-utility";
import { createSwarmClient, swarmReference, type SwarmClient } from "../services/swarm";
import { startDevSwarmNode } from "../services/swarm-dev-node/server";
import { toHex } from "../services/swarm/bmt";
import { ChunkTreeWriter } from "../services/swarm/chunk-tree-writer";
import { payloadLimits } from "../services/config";
import type { PodContracts } from "../services/chain/contracts";
import { forkPod } from "../services/pods/fork";
import { persistPod } from "../services/pods/persist";
import { scaffoldPod } from "../services/pods/scaffold";

const MB = 1024 * 1024;
const UPLOAD_GOAL_MB_PER_S = 20;

function podEntries(totalBytes: number): { path: string; data: Uint8Array }[] {
  const recipe = new TextEncoder().encode(JSON.stringify({ name: "bench", version: "1.0.0", golem: { exec: "/bin/sh [@]/script/run.sh", payload: "payload" } }));
  const script = new TextEncoder().encode("#!/bin/sh\nsha256sum /golem/input/* > /golem/output/sums.txt\n");
  const rest = totalBytes - recipe.length - script.length;
  const table = Math.floor(rest * 0.1);
  return [
    { path: "recipe.json", data: recipe },
    { path: "script/run.sh", data: script },
    { path: "payload/table.csv", data: new Uint8Array(randomBytes(table)) },
    { path: "payload/model.bin", data: new Uint8Array(randomBytes(rest - table)) },
  ];
}

function rate(bytes: number, milliseconds: number): number {
  return bytes / MB / (milliseconds / 1000);
}

/**
 * Wall-clock time, and this process's CPU time (client and node both run here), so a figure
 * taken on a machine busy with other work can be told apart from the code's own speed.
 */
async function timed<T>(work: () => Promise<T> | T): Promise<{ result: T; ms: number; cpuMs: number }> {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const result = await work();
  const cpu = process.cpuUsage(cpuStarted);
  return { result, ms: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000 };
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "lure-bench-swarm-"));
  const node = await startDevSwarmNode({ dataDir, port: 0, maxBodyBytes: 256 * MB });
  try {
    const client = createSwarmClient({ url: node.url, timeoutMs: 300_000 });
    await client.buyStamp(10n ** 10n, 22);
    console.log(`bench:swarm against the dev node at ${node.url} (data in ${dataDir})`);

    // Warm-up: JIT, WebAssembly compilation, first connection.
    await client.uploadCollection(podEntries(256 * 1024));

    console.log("\npod size | upload (persist): wall-clock, [per CPU second] | download (fork): wall-clock, [per CPU second]");
    const uploadRates: number[] = [];
    for (const sizeMb of [1, 10, 50]) {
      const entries = podEntries(sizeMb * MB);
      const bytes = entries.reduce((sum, entry) => sum + entry.data.length, 0);
      const upload = await timed(() => client.uploadCollection(entries, { indexDocument: "recipe.json" }));
      const download = await timed(() => client.downloadCollection(upload.result));
      const back = new Map(download.result.map((file) => [file.path, file.data]));
      for (const entry of entries) {
        if (!Buffer.from(back.get(entry.path) ?? []).equals(Buffer.from(entry.data))) throw new Error(`${entry.path} came back different from pod ${upload.result}`);
      }
      uploadRates.push(rate(bytes, upload.ms));
      console.log(
        `${String(sizeMb).padStart(5)} MB | ${rate(bytes, upload.ms).toFixed(1).padStart(6)} MB/s (${upload.ms.toFixed(0)} ms) [${rate(bytes, upload.cpuMs).toFixed(1)} MB/s] ` +
          `| ${rate(bytes, download.ms).toFixed(1).padStart(6)} MB/s (${download.ms.toFixed(0)} ms) [${rate(bytes, download.cpuMs).toFixed(1)} MB/s]`,
      );
    }

    const persistRates = await benchPodLifeCycle(client, dataDir);

    const hashInput = new Uint8Array(randomBytes(16 * MB));
    const ours = await timed(() => swarmReference(hashInput));
    const baselineInput = hashInput.subarray(0, 4 * MB);
    const baseline = await timed(() => MerkleTree.root(baselineInput));
    if (swarmReference(baselineInput) !== Buffer.from(baseline.result.hash()).toString("hex")) throw new Error("BMT mismatch with cafe-utility's MerkleTree");
    const oursRate = rate(hashInput.length, ours.ms);
    const baselineRate = rate(baselineInput.length, baseline.ms);
    console.log("\nraw BMT hashing (same references, checked):");
    console.log(`  Lure (WebAssembly keccak):             ${oursRate.toFixed(1)} MB/s [${rate(hashInput.length, ours.cpuMs).toFixed(1)} MB/s per CPU second]`);
    console.log(`  bee-js / cafe-utility MerkleTree (JS): ${baselineRate.toFixed(1)} MB/s [${rate(baselineInput.length, baseline.cpuMs).toFixed(1)} MB/s per CPU second]`);
    console.log(`  ratio: ${(oursRate / baselineRate).toFixed(1)}x`);

    const slowest = Math.min(...uploadRates);
    console.log(`\nupload goal ≥ ${UPLOAD_GOAL_MB_PER_S} MB/s end to end (wall-clock): slowest pod ${slowest.toFixed(1)} MB/s — ${slowest >= UPLOAD_GOAL_MB_PER_S ? "met" : "NOT met"}`);
    const slowestPersist = Math.min(...persistRates);
    console.log(`persist goal ≥ ${UPLOAD_GOAL_MB_PER_S} MB/s (folder → Swarm → chain, wall-clock): slowest pod ${slowestPersist.toFixed(1)} MB/s — ${slowestPersist >= UPLOAD_GOAL_MB_PER_S ? "met" : "NOT met"}`);
    console.log(`load average while measuring: ${os.loadavg().map((load) => load.toFixed(1)).join(" ")} on ${os.cpus().length} CPUs`);
  } finally {
    await node.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  await benchStreamingMemory(Number(process.env.BENCH_SWARM_STREAM_MB ?? 200));
}

/** A process's memory figure from /proc (Linux), in MB; NaN elsewhere. */
function procMemoryMb(pid: number, key: "VmRSS" | "VmHWM"): number {
  try {
    const match = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** 1 MiB parts of deterministic content, every 4 KiB leaf distinct (the part number leads each). */
function* streamParts(sizeMb: number): Generator<Buffer> {
  const base = Buffer.alloc(MB);
  let state = 0x12345678;
  for (let i = 0; i < base.length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    base[i] = state >>> 24;
  }
  for (let part = 0; part < sizeMb; part++) {
    const bytes = Buffer.from(base);
    for (let at = 0; at < bytes.length; at += 4096) bytes.writeUInt32LE(part, at);
    yield bytes;
  }
}

/**
 * Peak RSS (VmHWM) of a dev node, alone in a child process (`scripts/swarm.ts`), receiving one
 * POST /bytes body of `sizeMb` MB streamed by the client; the reference is checked against
 * ChunkTreeWriter fed the same parts. A node that buffered bodies would peak above the body size.
 */
async function benchStreamingMemory(sizeMb: number): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "lure-bench-swarm-stream-"));
  const child = spawn(
    process.execPath,
    ["-r", "ts-node/register/transpile-only", "scripts/swarm.ts", "--port", "0", "--data", dataDir, "--max-body-bytes", String((sizeMb + 1) * MB)],
    { cwd: path.resolve(__dirname, ".."), env: { ...process.env, LOG_LEVEL: "warn" }, stdio: ["ignore", "pipe", "inherit"] },
  );
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let output = "";
      child.stdout.on("data", (part: Buffer) => {
        output += part.toString();
        const match = /listening on (http:\/\/\S+)/.exec(output);
        if (match) resolve(match[1]);
      });
      child.once("exit", (code) => reject(new Error(`the dev node exited early with code ${code}: ${output}`)));
    });
    const bought = await fetch(`${url}/stamps/${10n ** 10n}/24`, { method: "POST" });
    const { batchID } = (await bought.json()) as { batchID: string };
    const idleMb = procMemoryMb(child.pid!, "VmRSS");
    const target = new URL(`${url}/bytes`);
    const upload = await timed(
      () =>
        new Promise<string>((resolve, reject) => {
          const request = http.request(
            {
              host: target.hostname,
              port: target.port,
              path: target.pathname,
              method: "POST",
              headers: { "content-type": "application/octet-stream", "content-length": sizeMb * MB, "swarm-postage-batch-id": batchID },
            },
            (response) => {
              let text = "";
              response.on("data", (part: Buffer) => (text += part.toString()));
              response.on("end", () => (response.statusCode === 201 ? resolve((JSON.parse(text) as { reference: string }).reference) : reject(new Error(`${response.statusCode} ${text}`))));
            },
          );
          request.on("error", reject);
          const parts = streamParts(sizeMb);
          const writeMore = () => {
            for (let next = parts.next(); !next.done; next = parts.next()) {
              if (!request.write(next.value)) {
                request.once("drain", writeMore);
                return;
              }
            }
            request.end();
          };
          writeMore();
        }),
    );
    const peakMb = procMemoryMb(child.pid!, "VmHWM");
    const tree = new ChunkTreeWriter(() => undefined);
    for (const part of streamParts(sizeMb)) tree.write(part);
    const expected = toHex(tree.end().address);
    if (upload.result !== expected) throw new Error(`streamed upload gave ${upload.result}, the offline tree ${expected}`);
    console.log(`\nstreaming POST /bytes of ${sizeMb} MB into a dev node in its own process (reference checked):`);
    console.log(`  ${rate(sizeMb * MB, upload.ms).toFixed(1)} MB/s (${upload.ms.toFixed(0)} ms); node RSS idle ${idleMb.toFixed(0)} MB, peak ${peakMb.toFixed(0)} MB (+${(peakMb - idleMb).toFixed(0)} MB for a ${sizeMb} MB body)`);
  } finally {
    child.kill("SIGTERM");
    if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once("exit", resolve));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * The whole life cycle as `pod:persist` and `pod:fork` run it: a pod folder on disk is read,
 * hashed offline, uploaded and published on an in-process Hardhat chain; then forked by pod id
 * into a new folder. Returns persist rates in MB/s.
 */
async function benchPodLifeCycle(client: SwarmClient, workDir: string): Promise<number[]> {
  process.env.HARDHAT_NETWORK ??= "hardhat";
  const { default: hre } = await import("hardhat");
  await hre.run("compile", { quiet: true });
  const { deployLure } = await import("./deploy");
  const deployed = await deployLure(hre, { write: false, verbose: false });
  if (!deployed) throw new Error("the deploy script sent nothing to the in-process chain");
  const { registry, licenses, market } = deployed;
  const [signer] = await hre.ethers.getSigners();
  const contracts: PodContracts = { registry: registry.connect(signer), licenses: licenses.connect(signer), market: market.connect(signer), account: signer.address };

  console.log("\npod size | persist (folder → Swarm → PodRegistry.publish) | fork (pod id → folder)");
  const rates: number[] = [];
  for (const sizeMb of [1, 10, 50]) {
    const dir = path.join(workDir, `pod-${sizeMb}`);
    await scaffoldPod(`bench-${sizeMb}mb`, dir);
    fs.writeFileSync(path.join(dir, "payload", "table.csv"), randomBytes(Math.floor(sizeMb * MB * 0.1)));
    fs.writeFileSync(path.join(dir, "payload", "model.bin"), randomBytes(Math.floor(sizeMb * MB * 0.9)));
    const bytes = sizeMb * MB;
    const persisted = await timed(() => persistPod({ dir, storage: client, contracts, keysDir: path.join(workDir, "keys") }));
    const forked = await timed(() =>
      forkPod({ source: { podId: persisted.result.podId }, dir: path.join(workDir, `fork-${sizeMb}`), storage: client, contracts, limits: payloadLimits() }),
    );
    if (!fs.readFileSync(path.join(forked.result.dir, "payload", "model.bin")).equals(fs.readFileSync(path.join(dir, "payload", "model.bin")))) {
      throw new Error(`the fork of pod ${persisted.result.podId} differs from its folder`);
    }
    rates.push(rate(bytes, persisted.ms));
    console.log(
      `${String(sizeMb).padStart(5)} MB | ${rate(bytes, persisted.ms).toFixed(1).padStart(6)} MB/s (${persisted.ms.toFixed(0)} ms) [${rate(bytes, persisted.cpuMs).toFixed(1)} MB/s] ` +
        `| ${rate(bytes, forked.ms).toFixed(1).padStart(6)} MB/s (${forked.ms.toFixed(0)} ms) [${rate(bytes, forked.cpuMs).toFixed(1)} MB/s]`,
    );
  }
  return rates;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
