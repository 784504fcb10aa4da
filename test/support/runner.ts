import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ethers } from "ethers";
import { loadConfig, type LureConfig } from "../../services/config";
import { connectLure, type LureConnection } from "../../services/chain/contracts";
import { devAccounts } from "../../services/devnet/accounts";
import { persistPod } from "../../services/pods/persist";
import { createRunner, DEV_RUNNER_ACCOUNT, type RunnerEvent, type RunnerService } from "../../services/runner";
import { startHardhatNode, type TestHardhatNode } from "./hardhat-node";
import { startTestNode, type TestNode } from "./swarm";

/**
 * A world for runner tests: a Hardhat node over HTTP with Lure deployed by the deploy script (a
 * 60 s claim window), the dev Swarm node over HTTP, two registered runners (#15, the dev runner,
 * and #14), and alice (#5) who publishes pods, sets their run price and requests runs of them.
 */

export const ROOT = join(__dirname, "..", "..");
const hardhatBin = join(dirname(require.resolve("hardhat/package.json")), "internal", "cli", "bootstrap.js");
export const NATIVE = ethers.ZeroAddress;
export const RUN_PRICE = ethers.parseEther("0.01");
export const RUNNER_FEE = ethers.parseEther("0.002");
export const CLAIM_WINDOW = 60;
export const SECOND_RUNNER = 14;
/** IRunMarket.RunStatus */
export const STATUS = { Requested: 1n, Claimed: 2n, Completed: 3n, Failed: 4n, Expired: 5n, Cancelled: 6n } as const;
/** IRunMarket.FailPhase */
export const PHASE = { FetchPod: 0n, ResolvePayload: 1n, Provision: 2n, Execute: 3n, Timeout: 4n, OutputTooLarge: 5n, UploadOutput: 6n } as const;

const accounts = devAccounts(20);

function deploy(env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [hardhatBin, "run", "scripts/deploy.ts", "--network", "localhost"], { cwd: ROOT, env: { ...process.env, HARDHAT_NETWORK: undefined, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("exit", (code) => (code === 0 ? resolve(output) : reject(new Error(`deploy failed (${code}): ${output}`))));
  });
}

export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export class RunnerWorld {
  readonly runners: RunnerService[] = [];

  private constructor(
    readonly work: string,
    readonly chain: TestHardhatNode,
    readonly swarm: TestNode,
    readonly env: Record<string, string>,
    readonly config: LureConfig,
    readonly provider: ethers.JsonRpcProvider,
    readonly alice: LureConnection,
  ) {}

  static async start(overrides: Record<string, string> = {}): Promise<RunnerWorld> {
    const work = mkdtempSync(join(tmpdir(), "lure-runner-world-"));
    const chain = await startHardhatNode();
    const swarm = await startTestNode();
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      NETWORK: "localhost",
      LOCAL_RPC_URL: chain.url,
      DEPLOYMENTS_DIR: join(work, "deployments"),
      BEE_URL: swarm.node.url,
      BEE_POSTAGE_BATCH: swarm.batch,
      RUNNER_POLL_MS: "100",
      RUNNER_DATA_DIR: join(work, "runner-data"),
      RUNNER_WALL_CLOCK_SECONDS: "20",
      RUNNER_MEMORY_MB: "256",
      LURE_RUN_CLAIM_WINDOW: String(CLAIM_WINDOW),
      ...overrides,
    };
    for (const unset of ["RPC_URL", "RUNNER_PRIVATE_KEY", "RUNNER_KEYSTORE", "DATABASE_URL"]) delete env[unset];
    await deploy(env);
    const config = loadConfig(env);
    const provider = new ethers.JsonRpcProvider(chain.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    const alice = await connectLure(new ethers.Wallet(accounts[5].privateKey, provider), { network: "localhost", deploymentsDir: config.DEPLOYMENTS_DIR });
    const world = new RunnerWorld(work, chain, swarm, env, config, provider, alice);
    const minBond = (await alice.runMarket.settings()).minBond;
    for (const index of [DEV_RUNNER_ACCOUNT, SECOND_RUNNER]) {
      const runMarket = alice.runMarket.connect(world.wallet(index));
      await (await runMarket.registerRunner(ethers.keccak256(ethers.toUtf8Bytes(`key ${index}`)), [NATIVE], [RUNNER_FEE], { value: minBond })).wait();
    }
    return world;
  }

  wallet(index: number): ethers.Wallet {
    return new ethers.Wallet(accounts[index].privateKey, this.provider);
  }

  /** Persists a pod folder made of `files` and a recipe with `golem`, as alice, with RUN_PRICE per run. */
  async publish(name: string, files: Record<string, string>, golem: Record<string, unknown>): Promise<bigint> {
    const dir = join(this.work, "pods", name);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "recipe.json"), JSON.stringify({ name, golem }));
    for (const [file, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, file)), { recursive: true });
      await writeFile(join(dir, file), text);
    }
    const { podId } = await persistPod({ dir, storage: this.swarm.client, contracts: this.alice, keysDir: join(this.work, "keys") });
    await (await this.alice.runMarket.setRunPrice(podId, NATIVE, RUN_PRICE)).wait();
    return podId;
  }

  async requestRun(podId: bigint, options: { inputRef?: string; runner?: string; deadlineIn?: number } = {}): Promise<bigint> {
    const value = RUN_PRICE + RUNNER_FEE;
    const block = await this.provider.getBlock("latest");
    const deadline = BigInt(block!.timestamp + (options.deadlineIn ?? 3600));
    const tx = await this.alice.runMarket.requestRun(podId, 0, options.inputRef ? `0x${options.inputRef}` : ethers.ZeroHash, NATIVE, value, deadline, options.runner ?? NATIVE, { value });
    const receipt = await tx.wait();
    for (const log of receipt!.logs) {
      const parsed = this.alice.runMarket.interface.parseLog(log);
      if (parsed?.name === "RunRequested") return parsed.args.runId as bigint;
    }
    throw new Error("no RunRequested event");
  }

  /** Starts a runner in this process as Hardhat account `index`, its events pushed to `events`. */
  async runner(index: number, events: RunnerEvent[], overrides: Record<string, string> = {}): Promise<RunnerService> {
    const runner = await createRunner({
      config: loadConfig({ ...this.env, ...overrides }),
      signer: this.wallet(index),
      dataDir: join(this.work, `runner-${index}`),
      onEvent: (event) => events.push(event),
    });
    this.runners.push(runner);
    await runner.start();
    return runner;
  }

  async stopRunners(): Promise<void> {
    for (const runner of this.runners.splice(0)) await runner.stop(2_000);
  }

  /** Waits until the run has ended; its status. */
  async ended(runId: bigint, timeoutMs = 60_000): Promise<bigint> {
    return until(
      `run ${runId} to end`,
      async () => {
        const status = (await this.alice.runMarket.run(runId)).status;
        return status >= STATUS.Completed ? status : undefined;
      },
      timeoutMs,
    );
  }

  /** The run's claims, stage reports, lapses and endings, as the chain has them. */
  async events(runId: bigint): Promise<ethers.LogDescription[]> {
    const logs = await this.provider.getLogs({ address: await this.alice.runMarket.getAddress(), fromBlock: 0 });
    return logs
      .map((log) => this.alice.runMarket.interface.parseLog(log))
      .filter((parsed): parsed is ethers.LogDescription => parsed !== null && "runId" in parsed.args.toObject() && parsed.args.runId === runId);
  }

  async failure(runId: bigint): Promise<ethers.LogDescription> {
    const failed = (await this.events(runId)).find((event) => event.name === "RunFailed");
    if (!failed) throw new Error(`run ${runId} did not fail`);
    return failed;
  }

  /** A collection's files as text, by path. */
  async collection(ref: string): Promise<Record<string, string>> {
    const entries = await this.swarm.client.downloadCollection(ref.replace(/^0x/, ""));
    return Object.fromEntries(entries.map((entry) => [entry.path.replace(/^\/+/, ""), Buffer.from(entry.data).toString("utf8")]));
  }

  async close(): Promise<void> {
    await this.stopRunners();
    this.provider.destroy();
    await this.swarm.close();
    await this.chain.stop();
    rmSync(this.work, { recursive: true, force: true });
  }
}
