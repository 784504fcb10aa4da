import { expect } from "chai";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ethers } from "ethers";
import { DEV_RUNNER_ACCOUNT, type RunnerEvent } from "../../services/runner";
import { RunJournal } from "../../services/runner/journal";
import { LOG_FILES } from "../../services/runner/pipeline";
import { CLAIM_WINDOW, NATIVE, PHASE, ROOT, RUN_PRICE, RUNNER_FEE, RunnerWorld, SECOND_RUNNER, STATUS, until } from "../support/runner";

/**
 * The runner end to end: a Hardhat node over HTTP with Lure deployed by the deploy script, the dev
 * Swarm node over HTTP, bubblewrap. Runs are requested on chain as a licence holder would; runners
 * follow the chain, execute, upload and settle; the assertions read the chain and Swarm back.
 */
describe("runner service: follow, claim, execute in the sandbox, upload, settle", function () {
  this.timeout(240_000);
  let world: RunnerWorld;
  const children: ChildProcess[] = [];
  const pods: Record<string, bigint> = {};

  before(async function () {
    if (!existsSync("/usr/bin/bwrap")) {
      console.warn("\n  !!! SKIPPED: bubblewrap is not installed, so the runner cannot execute pods (apt-get install bubblewrap) !!!\n");
      this.skip();
    }
    world = await RunnerWorld.start();
    pods.echo = await world.publish("echo", { "run.sh": "#!/bin/sh\necho \"hello from $(pwd)\"\ntr a-z A-Z < payload/input/words.txt > /golem/output/upper.txt\n" }, { exec: "sh [@]run.sh" });
    pods.broken = await world.publish("broken", { "run.sh": "#!/bin/sh\necho about to fail >&2\nexit 3\n" }, { exec: "sh [@]run.sh" });
    pods.greedy = await world.publish("greedy", { "run.sh": "echo never\n" }, { exec: "sh [@]run.sh", resources: { minMemGib: 64 } });
    pods.slow = await world.publish("slow", { "run.sh": "#!/bin/sh\nsleep 4\necho done > /golem/output/slow.txt\n" }, { exec: "sh [@]run.sh" });
    pods.count = await world.publish("count", { "run.sh": "#!/bin/sh\nls payload/external > /golem/output/seen.txt\nwc -c < payload/external/upper.txt >> /golem/output/seen.txt\n" }, { exec: "sh [@]run.sh" });
    // A pod whose registered reference is not a pod collection at all.
    const junk = await world.swarm.client.uploadBytes(Buffer.from("not a pod"));
    await (await world.alice.registry.publish("junk", `0x${junk}`, 1, 0, 0, 0)).wait();
    pods.junk = await world.alice.registry.podIdOf(world.alice.account, "junk");
    await (await world.alice.runMarket.setRunPrice(pods.junk, NATIVE, RUN_PRICE)).wait();
  });

  afterEach(async function () {
    await world?.stopRunners();
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null && child.pid) process.kill(-child.pid, "SIGKILL");
    }
  });

  after(async function () {
    await world?.close();
  });

  it("completes a run: the pod sees its input, output and logs are one Swarm collection, the runner and the pod owner are paid", async function () {
    const input = await world.swarm.client.uploadCollection([{ path: "words.txt", data: Buffer.from("lure runs pods") }]);
    const runId = await world.requestRun(pods.echo, { inputRef: input });
    const events: RunnerEvent[] = [];
    const runner = await world.runner(DEV_RUNNER_ACCOUNT, events);
    expect(await world.ended(runId)).to.equal(STATUS.Completed);
    const completed = (await world.events(runId)).find((event) => event.name === "StageCompleted")!;
    expect(completed.args.runner).to.equal(runner.address);
    expect(completed.args.runnerFee).to.equal(RUNNER_FEE);
    expect(completed.args.outputRef).to.equal(completed.args.logRef);
    const files = await world.collection(completed.args.outputRef as string);
    expect(files["output/upper.txt"]).to.equal("LURE RUNS PODS");
    expect(files[LOG_FILES.stdout]).to.equal("hello from /golem/work\n");
    expect(files[LOG_FILES.run]).to.match(/in place of the recipe's image/);
    expect(await world.alice.runMarket.creditOf(runner.address, NATIVE)).to.equal(RUNNER_FEE);
    expect(events.map((event) => event.type)).to.include.members(["claimed", "stage", "settled"]);
  });

  it("a pod that exits non-zero fails as Execute: the runner is paid its fee, the pod price comes back, the log holds stderr", async function () {
    const runId = await world.requestRun(pods.broken);
    const runner = await world.runner(DEV_RUNNER_ACCOUNT, []);
    const before = await world.alice.runMarket.creditOf(runner.address, NATIVE);
    expect(await world.ended(runId)).to.equal(STATUS.Failed);
    const failed = await world.failure(runId);
    expect(failed.args.phase).to.equal(PHASE.Execute);
    expect(failed.args.runnerPaid).to.equal(RUNNER_FEE);
    expect(failed.args.refund).to.equal(RUN_PRICE);
    const logs = await world.collection(failed.args.logRef as string);
    expect(logs[LOG_FILES.stderr]).to.equal("about to fail\n");
    expect(logs[LOG_FILES.run]).to.match(/exit code 3/);
    expect((await world.alice.runMarket.creditOf(runner.address, NATIVE)) - before).to.equal(RUNNER_FEE);
  });

  it("a pod whose reference is not a pod fails as FetchPod with a full refund; a recipe above the runner's limits is not claimed", async function () {
    const junkRun = await world.requestRun(pods.junk);
    const greedyRun = await world.requestRun(pods.greedy);
    const events: RunnerEvent[] = [];
    await world.runner(DEV_RUNNER_ACCOUNT, events);
    expect(await world.ended(junkRun)).to.equal(STATUS.Failed);
    const failed = await world.failure(junkRun);
    expect(failed.args.phase).to.equal(PHASE.FetchPod);
    expect(failed.args.runnerPaid).to.equal(0n);
    expect(failed.args.refund).to.equal(RUN_PRICE + RUNNER_FEE);
    const declined = await until("the greedy run to be declined", () => Promise.resolve(events.find((event) => event.type === "declined" && event.runId === greedyRun)));
    expect(declined.type === "declined" && declined.reason).to.match(/needs 64 GiB of memory/);
    expect((await world.alice.runMarket.run(greedyRun)).status).to.equal(STATUS.Requested);
    await (await world.alice.runMarket.cancel(greedyRun)).wait();
  });

  it("runs a two-stage task on one runner: the first stage's output is the second's payload/external", async function () {
    const input = await world.swarm.client.uploadCollection([{ path: "words.txt", data: Buffer.from("abc") }]);
    const value = 2n * (RUN_PRICE + RUNNER_FEE);
    const deadline = (await world.provider.getBlock("latest"))!.timestamp + 3600;
    const stages = [
      { podId: pods.echo, version: 0 },
      { podId: pods.count, version: 0 },
    ];
    const receipt = await (await world.alice.runMarket.requestTask(stages, `0x${input}`, NATIVE, value, deadline, NATIVE, { value })).wait();
    const runId = receipt!.logs.map((log) => world.alice.runMarket.interface.parseLog(log)).find((parsed) => parsed?.name === "TaskRequested")!.args.runId as bigint;
    await world.runner(DEV_RUNNER_ACCOUNT, []);
    expect(await world.ended(runId)).to.equal(STATUS.Completed);
    const completed = (await world.events(runId)).filter((event) => event.name === "StageCompleted");
    expect(completed.map((event) => Number(event.args.stage))).to.deep.equal([0, 1]);
    const second = await world.collection(completed[1].args.outputRef as string);
    expect(second["output/seen.txt"]).to.equal("upper.txt\n3\n");
  });

  it("two runners on one chain: every run is claimed, executed and reported exactly once", async function () {
    const runIds: bigint[] = [];
    for (let i = 0; i < 4; i++) runIds.push(await world.requestRun(pods.broken));
    const events: RunnerEvent[] = [];
    await Promise.all([world.runner(DEV_RUNNER_ACCOUNT, events), world.runner(SECOND_RUNNER, events)]);
    for (const runId of runIds) expect(await world.ended(runId)).to.equal(STATUS.Failed);
    for (const runId of runIds) {
      const onChain = await world.events(runId);
      expect(onChain.filter((event) => event.name === "RunClaimed"), `claims of run ${runId}`).to.have.length(1);
      expect(events.filter((event) => event.type === "stage" && event.runId === runId), `executions of run ${runId}`).to.have.length(1);
      expect(events.filter((event) => event.type === "settled" && event.runId === runId), `reports of run ${runId}`).to.have.length(1);
    }
  });

  it("a runner killed with SIGKILL while a pod runs finishes the run when started again", async function () {
    const runId = await world.requestRun(pods.slow);
    const dataDir = join(world.work, "killed-runner");
    const start = () => {
      const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/runner.ts"], {
        cwd: ROOT,
        env: { ...world.env, RUNNER_DATA_DIR: dataDir },
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      });
      children.push(child);
      return child;
    };
    const first = start();
    await until("the claim", async () => ((await world.alice.runMarket.run(runId)).status === STATUS.Claimed ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // inside the pod's sleep
    process.kill(-first.pid!, "SIGKILL");
    await new Promise((resolve) => first.once("exit", resolve));
    expect((await world.alice.runMarket.run(runId)).status).to.equal(STATUS.Claimed);
    const second = start();
    let output = "";
    second.stdout.on("data", (chunk) => (output += chunk));
    second.stderr.on("data", (chunk) => (output += chunk));
    expect(await world.ended(runId), output).to.equal(STATUS.Completed);
    const onChain = await world.events(runId);
    expect(onChain.filter((event) => event.name === "RunClaimed")).to.have.length(1);
    const completed = onChain.find((event) => event.name === "StageCompleted")!;
    expect((await world.collection(completed.args.outputRef as string))["output/slow.txt"]).to.equal("done\n");
    // The killed runner's sandbox died with it; its empty cgroups were removed by the next start.
    const leftovers = spawnSync("find", ["/sys/fs/cgroup", "-maxdepth", "5", "-type", "d", "-name", `lure-run-${first.pid}-*`], { encoding: "utf8" }).stdout.trim();
    expect(leftovers, "cgroups of the killed runner").to.equal("");
    const [journal] = readdirSync(dataDir);
    expect(readdirSync(join(dataDir, journal, "claims")), "claims left in the journal").to.deep.equal([]);
    expect(readFileSync(join(dataDir, journal, "follow.json"), "utf8")).to.contain("nextBlock");
  });

  it("after a crash between upload and report, the restarted runner reports the uploaded stage without running it again", async function () {
    const runId = await world.requestRun(pods.echo);
    const runner = world.wallet(DEV_RUNNER_ACCOUNT);
    await (await world.alice.runMarket.connect(runner).claim(runId)).wait();
    const uploaded = await world.swarm.client.uploadCollection([{ path: "output/made-before-the-crash.txt", data: Buffer.from("kept") }]);
    const journal = new RunJournal(join(world.work, `runner-${DEV_RUNNER_ACCOUNT}`));
    const plan = { runId: runId.toString(), requester: world.alice.account, runner: NATIVE, token: NATIVE, deadline: 2 ** 40 - 1, requestBlock: 0, stages: [{ podId: pods.echo.toString(), version: "1" }] };
    journal.saveClaim({ plan, stages: { "0": { attempts: 1, outcome: { ok: true, outputRef: uploaded, logRef: uploaded } } } });
    const events: RunnerEvent[] = [];
    await world.runner(DEV_RUNNER_ACCOUNT, events);
    expect(await world.ended(runId)).to.equal(STATUS.Completed);
    const completed = (await world.events(runId)).find((event) => event.name === "StageCompleted")!;
    expect(completed.args.outputRef).to.equal(`0x${uploaded}`);
    expect(events.filter((event) => event.type === "stage"), "stages executed").to.deep.equal([]);
    expect(events.map((event) => event.type)).to.include.members(["resumed", "settled"]);
    // The entry goes once the runner has read the run's end back from the chain.
    await until("the journal entry to go", () => Promise.resolve(journal.claims().length === 0 ? true : undefined), 10_000);
  });

  it("a stage the runner died in twice is failed as Provision (a full refund), not run a third time", async function () {
    const runId = await world.requestRun(pods.echo);
    await (await world.alice.runMarket.connect(world.wallet(DEV_RUNNER_ACCOUNT)).claim(runId)).wait();
    const journal = new RunJournal(join(world.work, `runner-${DEV_RUNNER_ACCOUNT}`));
    const plan = { runId: runId.toString(), requester: world.alice.account, runner: NATIVE, token: NATIVE, deadline: 2 ** 40 - 1, requestBlock: 0, stages: [{ podId: pods.echo.toString(), version: "1" }] };
    journal.saveClaim({ plan, stages: { "0": { attempts: 2 } } });
    await world.runner(DEV_RUNNER_ACCOUNT, []);
    expect(await world.ended(runId)).to.equal(STATUS.Failed);
    const failed = await world.failure(runId);
    expect(failed.args.phase).to.equal(PHASE.Provision);
    expect(failed.args.refund).to.equal(RUN_PRICE + RUNNER_FEE);
  });

  it("a journal entry for a run the chain no longer gives this runner is dropped, and nothing is sent", async function () {
    const runId = await world.requestRun(pods.broken);
    await (await world.alice.runMarket.cancel(runId)).wait();
    const journal = new RunJournal(join(world.work, `runner-${DEV_RUNNER_ACCOUNT}`));
    const plan = { runId: runId.toString(), requester: world.alice.account, runner: NATIVE, token: NATIVE, deadline: 2 ** 40 - 1, requestBlock: 0, stages: [{ podId: pods.broken.toString(), version: "1" }] };
    journal.saveClaim({ plan, stages: {} });
    const nonce = await world.provider.getTransactionCount(world.wallet(DEV_RUNNER_ACCOUNT).address);
    const events: RunnerEvent[] = [];
    await world.runner(DEV_RUNNER_ACCOUNT, events);
    await until("the entry to be dropped", () => Promise.resolve(events.find((event) => event.type === "dropped" && event.runId === runId)));
    expect(journal.claims()).to.deep.equal([]);
    expect(await world.provider.getTransactionCount(world.wallet(DEV_RUNNER_ACCOUNT).address)).to.equal(nonce);
  });

  it("a claim that lapsed is taken over by another runner, which completes the run; the first runner is slashed", async function () {
    const input = await world.swarm.client.uploadCollection([{ path: "words.txt", data: Buffer.from("x") }]);
    const runId = await world.requestRun(pods.echo, { inputRef: input });
    // The second runner claims and then is never heard from again.
    await (await world.alice.runMarket.connect(world.wallet(SECOND_RUNNER)).claim(runId)).wait();
    await world.provider.send("evm_increaseTime", [CLAIM_WINDOW + 1]);
    await world.provider.send("evm_mine", []);
    await world.runner(DEV_RUNNER_ACCOUNT, []);
    expect(await world.ended(runId)).to.equal(STATUS.Completed);
    const onChain = await world.events(runId);
    const lapsed = onChain.find((event) => event.name === "ClaimLapsed");
    expect(lapsed?.args.runner).to.equal(world.wallet(SECOND_RUNNER).address);
    expect(lapsed?.args.slashed).to.be.greaterThan(0n);
    expect(onChain.filter((event) => event.name === "RunClaimed").map((event) => String(event.args.runner))).to.deep.equal([
      world.wallet(SECOND_RUNNER).address,
      world.wallet(DEV_RUNNER_ACCOUNT).address,
    ]);
    expect(ethers.isAddress(lapsed?.args.requester)).to.equal(true);
  });
});
