import { expect } from "chai";
import hre from "hardhat";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { deployLure, type LureDeployment } from "../../scripts/deploy";
import { runTask, taskError } from "../support/capture";
import { startTestNode, type TestNode } from "../support/swarm";

const REF_A = "92672a471f4419b255d7cb0cf313474a6f5856fb347c5ece85fb706d644b630f";
const REF_B = "680bb26ce329867d9063251135dea6f02b58d0ef3d4eb9076c3d5fc03fe54cf6";
const bytes = (text: string) => new Uint8Array(Buffer.from(text));

describe("Hardhat tasks (runs and runners)", function () {
  this.timeout(120_000);
  const previousDir = process.env.DEPLOYMENTS_DIR;
  let deployed: LureDeployment;
  let signers: HardhatEthersSigner[];
  let node: TestNode;
  let work: string;
  let podId: string;
  let secondPodId: string;
  /** Account #2 is the runner; account #0 owns the pods (an owner is licensed) and requests runs. */
  const RUNNER = 2;
  let runnerAddress: string;

  before(async function () {
    process.env.DEPLOYMENTS_DIR = mkdtempSync(join(tmpdir(), "lure-run-deployments-"));
    deployed = (await deployLure(hre, { verbose: false }))!;
    signers = await hre.ethers.getSigners();
    runnerAddress = signers[RUNNER].address;
    node = await startTestNode();
    work = mkdtempSync(join(tmpdir(), "lure-run-tasks-"));
    podId = (await runTask<{ podId: string }>("pod:publish", { name: "run-tasks-pod", ref: REF_A })).podId;
    secondPodId = (await runTask<{ podId: string }>("pod:publish", { name: "run-tasks-second", ref: REF_B })).podId;
  });

  after(async function () {
    await node?.close();
    if (previousDir === undefined) delete process.env.DEPLOYMENTS_DIR;
    else process.env.DEPLOYMENTS_DIR = previousDir;
  });

  const nonce = (index = 0) => hre.ethers.provider.getTransactionCount(signers[index].address);
  const asRunner = () => deployed.runMarket.connect(signers[RUNNER]);
  /** A collection as the runner uploads it: output/… beside logs/…. */
  const uploadCollection = (files: Record<string, string>) => node.client.uploadCollection(Object.entries(files).map(([path, text]) => ({ path, data: bytes(text) })));

  describe("runner:*", function () {
    it("registers with a key made in --key-dir (0600, never printed), and refuses a second registration", async function () {
      const keyDir = join(work, "runner-keys");
      const before = await nonce(RUNNER);
      expect(await taskError("runner:register", { account: String(RUNNER), bond: "0.01", keyDir })).to.equal("bond 0.01 is below the minimum bond 0.1 (native coin)");
      expect(existsSync(keyDir)).to.equal(false);
      expect(await nonce(RUNNER)).to.equal(before);

      const registered = await runTask<{ runnerId: number; publicKey: string; keyFile: string; keyCreated: boolean; fee: string; bond: string; token: string }>("runner:register", {
        account: String(RUNNER),
        fee: "0.001",
        keyDir,
      });
      expect(registered).to.deep.include({ runnerId: 1, keyCreated: true, fee: "0.001", bond: "0.1", token: "native" });
      expect(statSync(registered.keyFile).mode & 0o777).to.equal(0o600);
      const pem = readFileSync(registered.keyFile, "utf8");
      expect(JSON.stringify(registered)).not.to.contain(pem.split("\n")[1]);
      expect((await deployed.runMarket.runnerInfo(runnerAddress)).publicKey).to.equal(registered.publicKey);
      expect(await taskError("runner:register", { account: String(RUNNER), keyDir })).to.contain("is already runner #1");
    });

    it("runner:update sends only what changed", async function () {
      expect(await taskError("runner:update", { account: String(RUNNER) })).to.contain("nothing to change");
      expect(await taskError("runner:update", { account: String(RUNNER), pause: true, resume: true })).to.equal("--pause and --resume: give one of them");
      const before = await nonce(RUNNER);
      const same = await runTask<{ changes: unknown[]; unchanged: string[] }>("runner:update", { account: String(RUNNER), fee: "0.001", keyDir: join(work, "runner-keys") });
      expect(same).to.deep.include({ changes: [], unchanged: ["fee in native", "key"] });
      expect(await nonce(RUNNER)).to.equal(before);
      const paused = await runTask<{ changes: { change: string }[] }>("runner:update", { account: String(RUNNER), pause: true, addBond: "0.5" });
      expect(paused.changes.map((change) => change.change)).to.deep.equal(["pause", "bond +0.5"]);
      expect((await deployed.runMarket.runnerInfo(runnerAddress)).paused).to.equal(true);
      await runTask("runner:update", { account: String(RUNNER), resume: true });
      expect((await deployed.runMarket.runnerInfo(runnerAddress)).bond).to.equal(hre.ethers.parseEther("0.6"));
    });
  });

  describe("pod:run-price, pod:run, run:status, run:cancel, run:expire", function () {
    it("sets a run price as the pod's owner only", async function () {
      expect(await taskError("pod:run-price", { pod: podId, price: "1", account: "3" })).to.contain(`pod ${podId} is owned by ${signers[0].address}, not by ${signers[3].address}`);
      const priced = await runTask<{ price: string; token: string }>("pod:run-price", { pod: podId, price: "0.01" });
      expect(priced).to.deep.include({ price: "0.01", token: "native" });
    });

    it("requests a run from a named runner, escrowing price + fee, and shows it", async function () {
      const requested = await runTask<{ runId: string; kind: string; escrow: string; runner: string; stages: { podId: string; version: string }[]; inputRef: string }>("pod:run", { pod: podId, runner: runnerAddress });
      expect(requested).to.deep.include({ kind: "run", escrow: "0.011", runner: runnerAddress, inputRef: null });
      expect(requested.stages).to.deep.equal([{ podId, version: "1", podPrice: "0.01" }]);
      const status = await runTask<{ status: string; runner: string; stages: { status: string }[] }>("run:status", { run: requested.runId });
      expect(status).to.deep.include({ status: "requested", runner: runnerAddress });
      const cancelled = await runTask<{ refund: string }>("run:cancel", { run: requested.runId });
      expect(cancelled.refund).to.equal("0.011");
      expect((await runTask<{ status: string }>("run:status", { run: requested.runId })).status).to.equal("cancelled");
      expect(await taskError("run:cancel", { run: requested.runId })).to.contain("is cancelled, not requested");
    });

    for (const [label, args, expected] of [
      ["an account without a licence", { account: "5", maxPay: "1" }, /holds no licence of it and does not own it/],
      ["no runner and no --max-pay", {}, /^--max-pay: required when no --runner is named/],
      ["a version the pod does not have", { podVersion: "9", maxPay: "1" }, /has no version 9 \(its latest is 1\)/],
      ["a payment above --max-pay", { runner: "RUNNER", maxPay: "0.005" }, /^the payment is 0.011 native \(the pod prices plus runner 0x[0-9a-fA-F]{40}'s fee\), above the maximum 0.005$/],
      ["an input that is neither folder nor reference", { maxPay: "1", input: "/no/such/folder" }, '--input: "/no/such/folder" is neither a folder nor a 64-hex Swarm reference'],
      ["a bad deadline", { maxPay: "1", deadline: "soon" }, '--deadline: expected seconds from now, 1 to 31536000, got "soon"'],
      ["a bad runner address", { runner: "0x123" }, '--runner: expected a 20-byte 0x address, got "0x123"'],
      ["an unknown pod", { pod: "999", maxPay: "1" }, "pod 999 does not exist"],
      ["--out without --wait", { maxPay: "1", out: "x" }, "--out: only meaningful with --wait"],
    ] as const) {
      it(`pod:run refuses ${label}, sending nothing`, async function () {
        const before = [await nonce(0), await nonce(5)];
        const runs = await deployed.runMarket.runCount();
        const resolved = { pod: podId, ...args, ...("runner" in args && args.runner === "RUNNER" ? { runner: runnerAddress } : {}) };
        const message = await taskError("pod:run", resolved);
        if (typeof expected === "string") expect(message).to.contain(expected);
        else expect(message).to.match(expected);
        expect([await nonce(0), await nonce(5)]).to.deep.equal(before);
        expect(await deployed.runMarket.runCount()).to.equal(runs);
      });
    }

    it("run:expire refuses before the deadline and expires after it", async function () {
      const { runId } = await runTask<{ runId: string }>("pod:run", { pod: podId, maxPay: "0.02", deadline: "100" });
      expect(await taskError("run:expire", { run: runId, account: "4" })).to.match(new RegExp(`^run ${runId} cannot expire yet: its deadline is \\d{4}-`));
      await time.increase(101);
      const expired = await runTask<{ refund: string }>("run:expire", { run: runId, account: "4" });
      expect(expired.refund).to.equal("0.02");
      expect(await taskError("run:status", { run: "4242" })).to.equal("run 4242 does not exist");
      expect(await taskError("run:status", { run: "0" })).to.contain("--run: expected a run id");
    });
  });

  describe("with Swarm: inputs, logs and outputs", function () {
    it("uploads an --input folder, then run:logs and run:fetch read the collection the runner reported", async function () {
      const input = join(work, "input");
      mkdirSync(join(input, "data"), { recursive: true });
      writeFileSync(join(input, "data", "numbers.txt"), "1 2 3");
      const requested = await runTask<{ runId: string; inputRef: string }>("pod:run", { pod: podId, runner: runnerAddress, input, beeUrl: node.node.url });
      expect(requested.inputRef).to.match(/^[0-9a-f]{64}$/);
      const uploaded = await node.client.downloadCollection(requested.inputRef);
      expect(uploaded.map((file) => file.path)).to.deep.equal(["data/numbers.txt"]);

      const outputRef = await uploadCollection({ "output/result.txt": "6", "output/deep/more.txt": "more", "logs/stdout.txt": "summing\n", "logs/stderr.txt": "warning: none\n", "logs/run.txt": "exit 0\n" });
      await (await asRunner().claim(requested.runId)).wait();
      await (await asRunner().complete(requested.runId, `0x${outputRef}`, `0x${outputRef}`)).wait();

      const status = await runTask<{ status: string; stages: { outputRef: string; logRef: string }[] }>("run:status", { run: requested.runId });
      expect(status.status).to.equal("completed");
      expect(status.stages[0]).to.deep.include({ outputRef, logRef: outputRef });

      const logs = await runTask<{ stdout: string; stderr: string; run: string; files: { path: string }[] }>("run:logs", { run: requested.runId, beeUrl: node.node.url });
      expect(logs).to.deep.include({ stdout: "summing\n", stderr: "warning: none\n", run: "exit 0\n" });
      expect(logs.files.map((file) => file.path).sort()).to.deep.equal(["logs/run.txt", "logs/stderr.txt", "logs/stdout.txt"]);

      const out = join(work, "fetched");
      const fetched = await runTask<{ files: string[]; out: string }>("run:fetch", { run: requested.runId, out, beeUrl: node.node.url });
      expect(fetched.files.sort()).to.deep.equal(["deep/more.txt", "result.txt"]);
      expect(readFileSync(join(out, "result.txt"), "utf8")).to.equal("6");
      expect(readdirSync(out).sort()).to.deep.equal(["deep", "result.txt"]);
      expect(await taskError("run:fetch", { run: requested.runId, out, beeUrl: node.node.url })).to.contain("already exists and is not empty");
      expect(await taskError("run:fetch", { run: requested.runId, out: join(work, "x"), stage: "3", beeUrl: node.node.url })).to.contain(`run ${requested.runId} has no stage 3`);
    });

    it("pod:run --wait reports each state and downloads the output on completion", async function () {
      const out = join(work, "waited");
      const runs = await deployed.runMarket.runCount();
      const waiting = runTask<{ runId: string; status: string; states: { status: string; elapsed: string }[]; out: string; files: string[] }>("pod:run", {
        pod: podId,
        runner: runnerAddress,
        wait: true,
        pollMs: "25",
        out,
        beeUrl: node.node.url,
      });
      const runId = runs + 1n;
      while ((await deployed.runMarket.runCount()) < runId) await new Promise((resolve) => setTimeout(resolve, 20));
      const outputRef = await uploadCollection({ "output/answer.txt": "42", "logs/stdout.txt": "", "logs/stderr.txt": "" });
      await new Promise((resolve) => setTimeout(resolve, 100));
      await (await asRunner().claim(runId)).wait();
      await new Promise((resolve) => setTimeout(resolve, 100));
      await (await asRunner().complete(runId, `0x${outputRef}`, `0x${outputRef}`)).wait();
      const result = await waiting;
      expect(result.status).to.equal("completed");
      expect(result.states.map((state) => state.status)).to.deep.equal(["requested", "claimed", "completed"]);
      expect(result.states[0].elapsed).to.match(/^\d+\.\ds$/);
      expect(result.out).to.equal(out);
      expect(readFileSync(join(out, "answer.txt"), "utf8")).to.equal("42");
    });

    it("pod:run --wait exits non-zero on a failure with the phase and the last 20 lines of stderr and stdout", async function () {
      const runs = await deployed.runMarket.runCount();
      // The error itself, not only its message: with --json the command line prints its code and details.
      const failing = hre.run("pod:run", { pod: podId, runner: runnerAddress, wait: true, pollMs: "25", beeUrl: node.node.url, json: true }).then(
        () => Promise.reject(new Error("pod:run --wait was expected to fail")),
        (error: { message: string; code: string; details?: { run: { status: string; phase: string; logRef: string | null } } }) => error,
      );
      const runId = runs + 1n;
      while ((await deployed.runMarket.runCount()) < runId) await new Promise((resolve) => setTimeout(resolve, 20));
      const stderr = Array.from({ length: 30 }, (_, index) => `err line ${index + 1}`).join("\n");
      const logRef = await uploadCollection({ "logs/stderr.txt": `${stderr}\n`, "logs/stdout.txt": "partial output\n", "logs/run.txt": "exit 1\n" });
      await (await asRunner().claim(runId)).wait();
      await (await asRunner().fail(runId, 3, `0x${logRef}`)).wait();
      const error = await failing;
      const message = error.message;
      expect(error.code).to.equal("RUN_FAILED");
      expect(error.details?.run).to.deep.include({ status: "failed", phase: "Execute", logRef });
      expect(message).to.contain(`run ${runId} failed in phase Execute`);
      expect(message).to.contain("stderr (last 20 lines):\nerr line 11\n");
      expect(message).to.contain("err line 30\nstdout (last 1 lines):\npartial output");
      expect(message).not.to.contain("err line 10\n");
    });
  });

  describe("task:run", function () {
    it("requests a task from a recipe of pod ids and published references; a pod recipe is refused", async function () {
      const recipeDir = join(work, "task");
      mkdirSync(recipeDir);
      writeFileSync(join(recipeDir, "recipe.json"), JSON.stringify({ name: "chain", pods: [Number(podId), REF_B] }));
      const requested = await runTask<{ runId: string; kind: string; stages: { podId: string; version: string }[]; escrow: string }>("task:run", { recipe: recipeDir, runner: runnerAddress });
      expect(requested.kind).to.equal("task");
      expect(requested.stages.map((stage) => [stage.podId, stage.version])).to.deep.equal([
        [podId, "1"],
        [secondPodId, "1"],
      ]);
      // pod price 0.01 (the second pod is free) + the runner's fee per stage.
      expect(requested.escrow).to.equal("0.012");

      const podRecipe = join(work, "pod-recipe.json");
      writeFileSync(podRecipe, JSON.stringify({ name: "p", golem: { exec: "echo" } }));
      expect(await taskError("task:run", { recipe: podRecipe, runner: runnerAddress })).to.contain("is a pod recipe (golem), not a task (pods)");
      const unknownRef = join(work, "unknown.json");
      writeFileSync(unknownRef, JSON.stringify({ name: "u", pods: ["ab".repeat(32)] }));
      expect(await taskError("task:run", { recipe: unknownRef, runner: runnerAddress })).to.contain(`pods[0]: ${"ab".repeat(32)} is not a version published on this chain's registry`);
    });
  });

  describe("runner:unregister and runner:withdraw", function () {
    it("asks to leave, refuses the bond before the delay, then credits it; the runner withdraws fees and bond", async function () {
      const fees = await runTask<{ amount: string }>("runner:withdraw", { account: String(RUNNER) });
      // Two completed runs at 0.001 each, and the fee of the failed one (the pod's failure pays the runner).
      expect(fees.amount).to.equal("0.003");
      const leaving = await runTask<{ step: string; withdrawableAt: string }>("runner:unregister", { account: String(RUNNER) });
      expect(leaving.step).to.equal("requested");
      // The task requested above is still open: that is no claim, so only the delay holds the bond.
      expect(await taskError("runner:unregister", { account: String(RUNNER) })).to.equal(`the bond can be withdrawn from ${leaving.withdrawableAt} (the unbonding delay is not over)`);
      await time.increaseTo(Math.ceil(Date.parse(leaving.withdrawableAt) / 1000));
      const left = await runTask<{ step: string; bond: string }>("runner:unregister", { account: String(RUNNER) });
      expect(left).to.deep.include({ step: "bond-withdrawn", bond: "0.6" });
      expect((await runTask<{ amount: string }>("runner:withdraw", { account: String(RUNNER) })).amount).to.equal("0.6");
      expect(await taskError("runner:withdraw", { account: String(RUNNER) })).to.contain("nothing to withdraw");
    });
  });
});
