import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ethers } from "ethers";
import { loadConfig, type LureConfig } from "../../services/config";
import { connectLure, type LureConnection } from "../../services/chain/contracts";
import { devAccounts } from "../../services/devnet/accounts";
import { persistPod } from "../../services/pods/persist";
import { createRunner, DEV_RUNNER_ACCOUNT, type RunnerEvent, type RunnerService } from "../../services/runner";
import { LOG_FILES } from "../../services/runner/pipeline";
import { startHardhatNode, type TestHardhatNode } from "../support/hardhat-node";
import { startTestNode, type TestNode } from "../support/swarm";

/**
 * The runner end to end: a Hardhat node over HTTP with Lure deployed by the deploy script, the dev
 * Swarm node over HTTP, bubblewrap. Runs are requested on chain as a licence holder would; runners
 * follow the chain, execute, upload and settle; the assertions read the chain and Swarm back.
 */

const ROOT = join(__dirname, "..", "..");
const hardhatBin = join(dirname(require.resolve("hardhat/package.json")), "internal", "cli", "bootstrap.js");
const NATIVE = ethers.ZeroAddress;
const ZERO_REF = ethers.ZeroHash;
const RUN_PRICE = ethers.parseEther("0.01");
const RUNNER_FEE = ethers.parseEther("0.002");
const CLAIM_WINDOW = 60;
/** RunStatus */
const REQUESTED = 1n;
const CLAIMED = 2n;
const COMPLETED = 3n;
const FAILED = 4n;

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

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("runner service: follow, claim, execute in the sandbox, upload, settle", function () {
  this.timeout(240_000);
  let chain: TestHardhatNode;
  let swarm: TestNode;
  let work: string;
  let env: Record<string, string>;
  let config: LureConfig;
  let provider: ethers.JsonRpcProvider;
  let alice: LureConnection;
  const runners: RunnerService[] = [];
  const children: ChildProcess[] = [];
  const pods: Record<string, bigint> = {};

  const wallet = (index: number) => new ethers.Wallet(accounts[index].privateKey, provider);

  async function publish(name: string, files: Record<string, string>, golem: Record<string, unknown>): Promise<bigint> {
    const dir = join(work, "pods", name);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "recipe.json"), JSON.stringify({ name, golem }));
    for (const [file, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, file)), { recursive: true });
      await writeFile(join(dir, file), text);
    }
    const persisted = await persistPod({ dir, storage: swarm.client, contracts: alice, keysDir: join(work, "keys") });
    return persisted.podId;
  }

  async function requestRun(podId: bigint, options: { inputRef?: string; runner?: string; deadlineIn?: number } = {}): Promise<bigint> {
    const value = RUN_PRICE + RUNNER_FEE;
    const block = await provider.getBlock("latest");
    const deadline = BigInt(block!.timestamp + (options.deadlineIn ?? 3600));
    const tx = await alice.runMarket.requestRun(podId, 0, options.inputRef ? `0x${options.inputRef}` : ZERO_REF, NATIVE, value, deadline, options.runner ?? NATIVE, { value });
    const receipt = await tx.wait();
    for (const log of receipt!.logs) {
      const parsed = alice.runMarket.interface.parseLog(log);
      if (parsed?.name === "RunRequested") return parsed.args.runId as bigint;
    }
    throw new Error("no RunRequested event");
  }

  async function runnerWith(index: number, events: RunnerEvent[], overrides: Partial<Record<keyof LureConfig, string>> = {}): Promise<RunnerService> {
    const runnerConfig = loadConfig({ ...env, ...overrides });
    const runner = await createRunner({ config: runnerConfig, signer: wallet(index), dataDir: join(work, `runner-${index}`), onEvent: (event) => events.push(event) });
    runners.push(runner);
    await runner.start();
    return runner;
  }

  async function ended(runId: bigint): Promise<bigint> {
    return until(`run ${runId} to end`, async () => {
      const status = (await alice.runMarket.run(runId)).status;
      return status >= COMPLETED ? status : undefined;
    });
  }

  /** The StageCompleted / RunFailed event of a run, as the chain has it. */
  async function ending(runId: bigint): Promise<ethers.LogDescription[]> {
    const logs = await provider.getLogs({ address: await alice.runMarket.getAddress(), fromBlock: 0 });
    return logs
      .map((log) => alice.runMarket.interface.parseLog(log))
      .filter((parsed): parsed is ethers.LogDescription => parsed !== null && ["StageCompleted", "RunFailed", "RunClaimed", "RunCompleted", "ClaimLapsed"].includes(parsed.name) && parsed.args.runId === runId);
  }

  async function collection(ref: string): Promise<Record<string, string>> {
    const entries = await swarm.client.downloadCollection(ref.replace(/^0x/, ""));
    return Object.fromEntries(entries.map((entry) => [entry.path.replace(/^\/+/, ""), Buffer.from(entry.data).toString("utf8")]));
  }

  before(async function () {
    if (!existsSync("/usr/bin/bwrap")) {
      console.warn("\n  !!! SKIPPED: bubblewrap is not installed, so the runner cannot execute pods (apt-get install bubblewrap) !!!\n");
      this.skip();
    }
    work = mkdtempSync(join(tmpdir(), "lure-runner-service-"));
    chain = await startHardhatNode();
    swarm = await startTestNode();
    const deploymentsDir = join(work, "deployments");
    env = {
      ...(process.env as Record<string, string>),
      NETWORK: "localhost",
      LOCAL_RPC_URL: chain.url,
      DEPLOYMENTS_DIR: deploymentsDir,
      BEE_URL: swarm.node.url,
      BEE_POSTAGE_BATCH: swarm.batch,
      RUNNER_POLL_MS: "100",
      RUNNER_DATA_DIR: join(work, "runner-data"),
      RUNNER_WALL_CLOCK_SECONDS: "20",
      RUNNER_MEMORY_MB: "256",
      LURE_RUN_CLAIM_WINDOW: String(CLAIM_WINDOW),
      LOG_LEVEL: "warn",
    };
    for (const unset of ["RPC_URL", "RUNNER_PRIVATE_KEY", "RUNNER_KEYSTORE", "DATABASE_URL"]) delete env[unset];
    await deploy(env);
    config = loadConfig(env);
    provider = new ethers.JsonRpcProvider(chain.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    alice = await connectLure(wallet(5), { network: "localhost", deploymentsDir: config.DEPLOYMENTS_DIR });
    const minBond = (await alice.runMarket.settings()).minBond;
    for (const index of [DEV_RUNNER_ACCOUNT, 14]) {
      const runMarket = alice.runMarket.connect(wallet(index));
      await (await runMarket.registerRunner(ethers.keccak256(ethers.toUtf8Bytes(`key ${index}`)), [NATIVE], [RUNNER_FEE], { value: minBond })).wait();
    }

    pods.echo = await publish("echo", { "run.sh": "#!/bin/sh\necho \"hello from $(pwd)\"\ntr a-z A-Z < payload/input/words.txt > /golem/output/upper.txt\n" }, { exec: "sh [@]run.sh" });
    pods.broken = await publish("broken", { "run.sh": "#!/bin/sh\necho about to fail >&2\nexit 3\n" }, { exec: "sh [@]run.sh" });
    pods.greedy = await publish("greedy", { "run.sh": "echo never\n" }, { exec: "sh [@]run.sh", resources: { minMemGib: 64 } });
    pods.slow = await publish("slow", { "run.sh": "#!/bin/sh\nsleep 4\necho done > /golem/output/slow.txt\n" }, { exec: "sh [@]run.sh" });
    pods.count = await publish("count", { "run.sh": "#!/bin/sh\nls payload/external > /golem/output/seen.txt\nwc -c < payload/external/upper.txt >> /golem/output/seen.txt\n" }, { exec: "sh [@]run.sh" });
    for (const podId of Object.values(pods)) await (await alice.runMarket.setRunPrice(podId, NATIVE, RUN_PRICE)).wait();
    // A pod whose registered reference is not a pod collection at all.
    const junk = await swarm.client.uploadBytes(Buffer.from("not a pod"));
    await (await alice.registry.publish("junk", `0x${junk}`, 1, 0, 0, 0)).wait();
    pods.junk = await alice.registry.podIdOf(alice.account, "junk");
    await (await alice.runMarket.setRunPrice(pods.junk, NATIVE, RUN_PRICE)).wait();
  });

  afterEach(async function () {
    for (const runner of runners.splice(0)) await runner.stop(2_000);
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  });

  after(async function () {
    provider?.destroy();
    await swarm?.close();
    await chain?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("completes a run: the pod sees its input, output and logs are one Swarm collection, the runner and the pod owner are paid", async function () {
    const input = await swarm.client.uploadCollection([{ path: "words.txt", data: Buffer.from("lure runs pods") }]);
    const runId = await requestRun(pods.echo, { inputRef: input });
    const events: RunnerEvent[] = [];
    const runner = await runnerWith(DEV_RUNNER_ACCOUNT, events);
    expect(await ended(runId)).to.equal(COMPLETED);
    const [completed] = (await ending(runId)).filter((event) => event.name === "StageCompleted");
    expect(completed.args.runner).to.equal(runner.address);
    expect(completed.args.runnerFee).to.equal(RUNNER_FEE);
    expect(completed.args.outputRef).to.equal(completed.args.logRef);
    const files = await collection(completed.args.outputRef as string);
    expect(files["output/upper.txt"]).to.equal("LURE RUNS PODS");
    expect(files[LOG_FILES.stdout]).to.equal("hello from /golem/work\n");
    expect(files[LOG_FILES.run]).to.match(/in place of the recipe's image/);
    expect(await alice.runMarket.creditOf(runner.address, NATIVE)).to.equal(RUNNER_FEE);
    expect(events.map((event) => event.type)).to.include.members(["claimed", "stage", "settled"]);
  });

  it("a pod that exits non-zero fails as Execute: the runner is paid its fee, the pod price comes back, the log holds stderr", async function () {
    const runId = await requestRun(pods.broken);
    const events: RunnerEvent[] = [];
    const runner = await runnerWith(DEV_RUNNER_ACCOUNT, events);
    const before = await alice.runMarket.creditOf(runner.address, NATIVE);
    expect(await ended(runId)).to.equal(FAILED);
    const [failed] = (await ending(runId)).filter((event) => event.name === "RunFailed");
    expect(failed.args.phase).to.equal(3n); // Execute
    expect(failed.args.runnerPaid).to.equal(RUNNER_FEE);
    expect(failed.args.refund).to.equal(RUN_PRICE);
    const logs = await collection(failed.args.logRef as string);
    expect(logs[LOG_FILES.stderr]).to.equal("about to fail\n");
    expect(logs[LOG_FILES.run]).to.match(/exit code 3/);
    expect((await alice.runMarket.creditOf(runner.address, NATIVE)) - before).to.equal(RUNNER_FEE);
  });

  it("a pod whose reference is not a pod fails as FetchPod with a full refund; a recipe above the runner's limits is not claimed", async function () {
    const junkRun = await requestRun(pods.junk);
    const greedyRun = await requestRun(pods.greedy);
    const events: RunnerEvent[] = [];
    await runnerWith(DEV_RUNNER_ACCOUNT, events);
    expect(await ended(junkRun)).to.equal(FAILED);
    const [failed] = (await ending(junkRun)).filter((event) => event.name === "RunFailed");
    expect(failed.args.phase).to.equal(0n); // FetchPod
    expect(failed.args.runnerPaid).to.equal(0n);
    expect(failed.args.refund).to.equal(RUN_PRICE + RUNNER_FEE);
    const declined = await until("the greedy run to be declined", () => Promise.resolve(events.find((event) => event.type === "declined" && event.runId === greedyRun)));
    expect(declined.type === "declined" && declined.reason).to.match(/needs 64 GiB of memory/);
    expect((await alice.runMarket.run(greedyRun)).status).to.equal(REQUESTED);
    await (await alice.runMarket.cancel(greedyRun)).wait();
  });

  it("runs a two-stage task on one runner: the first stage's output is the second's payload/external", async function () {
    const input = await swarm.client.uploadCollection([{ path: "words.txt", data: Buffer.from("abc") }]);
    const value = 2n * (RUN_PRICE + RUNNER_FEE);
    const deadline = (await provider.getBlock("latest"))!.timestamp + 3600;
    const receipt = await (
      await alice.runMarket.requestTask(
        [
          { podId: pods.echo, version: 0 },
          { podId: pods.count, version: 0 },
        ],
        `0x${input}`,
        NATIVE,
        value,
        deadline,
        NATIVE,
        { value },
      )
    ).wait();
    const runId = receipt!.logs.map((log) => alice.runMarket.interface.parseLog(log)).find((parsed) => parsed?.name === "TaskRequested")!.args.runId as bigint;
    await runnerWith(DEV_RUNNER_ACCOUNT, []);
    expect(await ended(runId)).to.equal(COMPLETED);
    const stages = (await ending(runId)).filter((event) => event.name === "StageCompleted");
    expect(stages.map((event) => Number(event.args.stage))).to.deep.equal([0, 1]);
    const second = await collection(stages[1].args.outputRef as string);
    expect(second["output/seen.txt"]).to.equal("upper.txt\n3\n");
  });

  it("two runners on one chain: every run is claimed, executed and reported exactly once", async function () {
    const runIds: bigint[] = [];
    for (let i = 0; i < 4; i++) runIds.push(await requestRun(pods.broken));
    const events: RunnerEvent[] = [];
    await Promise.all([runnerWith(DEV_RUNNER_ACCOUNT, events), runnerWith(14, events)]);
    for (const runId of runIds) expect(await ended(runId)).to.equal(FAILED);
    for (const runId of runIds) {
      const onChain = await ending(runId);
      expect(onChain.filter((event) => event.name === "RunClaimed"), `claims of run ${runId}`).to.have.length(1);
      expect(events.filter((event) => event.type === "stage" && event.runId === runId), `executions of run ${runId}`).to.have.length(1);
      expect(events.filter((event) => event.type === "settled" && event.runId === runId), `reports of run ${runId}`).to.have.length(1);
    }
  });

  it("a runner killed with SIGKILL while a pod runs finishes the run when started again", async function () {
    const runId = await requestRun(pods.slow);
    const dataDir = join(work, "killed-runner");
    const start = () => {
      const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/runner.ts"], {
        cwd: ROOT,
        env: { ...env, RUNNER_DATA_DIR: dataDir, TS_NODE_TRANSPILE_ONLY: "1" },
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      });
      children.push(child);
      return child;
    };
    const first = start();
    await until("the claim", async () => ((await alice.runMarket.run(runId)).status === CLAIMED ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // inside the pod's sleep
    process.kill(-first.pid!, "SIGKILL");
    await new Promise((resolve) => first.once("exit", resolve));
    expect((await alice.runMarket.run(runId)).status).to.equal(CLAIMED);
    const second = start();
    let output = "";
    second.stdout.on("data", (chunk) => (output += chunk));
    second.stderr.on("data", (chunk) => (output += chunk));
    expect(await ended(runId), output).to.equal(COMPLETED);
    const onChain = await ending(runId);
    expect(onChain.filter((event) => event.name === "RunClaimed")).to.have.length(1);
    const [completed] = onChain.filter((event) => event.name === "StageCompleted");
    expect((await collection(completed.args.outputRef as string))["output/slow.txt"]).to.equal("done\n");
    expect(readFileSync(join(dataDir, (await import("node:fs")).readdirSync(dataDir)[0], "follow.json"), "utf8")).to.contain("nextBlock");
  });

  it("a claim that lapsed is taken over by another runner, which completes the run; the first runner is slashed", async function () {
    const input = await swarm.client.uploadCollection([{ path: "words.txt", data: Buffer.from("x") }]);
    const runId = await requestRun(pods.echo, { inputRef: input });
    // Runner #14 claims and then is never heard from again.
    await (await alice.runMarket.connect(wallet(14)).claim(runId)).wait();
    await provider.send("evm_increaseTime", [CLAIM_WINDOW + 1]);
    await provider.send("evm_mine", []);
    await runnerWith(DEV_RUNNER_ACCOUNT, []);
    expect(await ended(runId)).to.equal(COMPLETED);
    const onChain = await ending(runId);
    const lapsed = onChain.find((event) => event.name === "ClaimLapsed");
    expect(lapsed?.args.runner).to.equal(wallet(14).address);
    expect(lapsed?.args.slashed).to.be.greaterThan(0n);
    expect(onChain.filter((event) => event.name === "RunClaimed").map((event) => String(event.args.runner))).to.deep.equal([wallet(14).address, wallet(DEV_RUNNER_ACCOUNT).address]);
  });
});
