import { expect } from "chai";
import { ethers } from "hardhat";
import { mkdtempSync, readFileSync, readdirSync, statSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { LureContracts } from "../../services/chain/contracts";
import { ChainError } from "../../services/chain/errors";
import { NATIVE_TOKEN } from "../../services/chain/tokens";
import { MarketError } from "../../services/market/errors";
import {
  RUNNER_KEY_FILE,
  checkRegistration,
  loadOrCreateRunnerKey,
  readRunner,
  registerRunner,
  unregisterRunner,
  updateRunner,
  withdrawRunCredit,
} from "../../services/market/runners";
import {
  cancelRun,
  expireRun,
  fetchRunOutput,
  lastLines,
  quoteRun,
  quoteTask,
  readRun,
  readRunLogs,
  requestRun,
  requestTask,
  runCreditOf,
  setRunPrice,
  uploadRunInput,
  waitForRun,
  type RunStateChange,
} from "../../services/market/runs";
import { CLAIM_WINDOW, MIN_BOND, RUN_PRICE, RUNNER_FEE, UNBONDING_DELAY, deployRunMarket, ref, type RunMarketFixture } from "../support/contracts";

/** The fixture's contracts, acting as `signer`. */
function actingAs(f: RunMarketFixture, signer: HardhatEthersSigner): LureContracts {
  // The run services use neither the groups nor the message bus, which this fixture does not deploy.
  return {
    registry: f.registry.connect(signer),
    licenses: f.licenses.connect(signer),
    market: f.market.connect(signer),
    runMarket: f.runMarket.connect(signer),
    account: signer.address,
  } as LureContracts;
}

async function refusal(work: () => Promise<unknown>): Promise<Error> {
  try {
    await work();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a refusal");
}

const nonce = (signer: HardhatEthersSigner) => ethers.provider.getTransactionCount(signer.address);

describe("services/market/runs: requesting runs", function () {
  it("quotes and requests a run for a named runner in the native coin: exact value, run id from the event", async function () {
    const f = await loadFixture(deployRunMarket);
    const carol = actingAs(f, f.carol);
    const quote = await quoteRun(carol, f.alicePod, { runner: f.runner1.address });
    expect(quote).to.deep.include({ kind: "run", token: NATIVE_TOKEN, podPrice: RUN_PRICE, runnerFee: RUNNER_FEE, payment: RUN_PRICE + RUNNER_FEE, maxPayment: RUN_PRICE + RUNNER_FEE });
    expect(quote.stages).to.deep.equal([{ podId: f.alicePod, version: 1n, podPrice: RUN_PRICE }]);

    const input = "ab".repeat(32);
    const requested = await requestRun(carol, quote, { inputRef: `0x${input}`, deadlineSeconds: 600 });
    expect(requested.runId).to.equal(1n);
    expect(requested.escrow).to.equal(RUN_PRICE + RUNNER_FEE);
    expect(requested.approvalTx).to.equal(undefined);
    expect((await ethers.provider.getTransaction(requested.tx))?.value).to.equal(RUN_PRICE + RUNNER_FEE);
    const block = await ethers.provider.getBlock("latest");
    expect(requested.deadline.getTime()).to.be.within((block!.timestamp + 590) * 1000, (block!.timestamp + 600) * 1000);

    const view = await readRun(carol, requested.runId);
    expect(view).to.deep.include({ status: "requested", kind: "run", requester: f.carol.address, runner: f.runner1.address, named: true, inputRef: input, stageCount: 1, nextStage: 0 });
    expect(view.stages).to.deep.equal([{ stage: 0, podId: f.alicePod, version: 1n, podPrice: RUN_PRICE, status: "pending" }]);
  });

  it("for any runner escrows the given maximum; without one it refuses", async function () {
    const f = await loadFixture(deployRunMarket);
    const carol = actingAs(f, f.carol);
    expect((await refusal(() => quoteRun(carol, f.alicePod))).message).to.contain("a maximum payment is required when no runner is named");
    const max = ethers.parseEther("0.05");
    const requested = await requestRun(carol, await quoteRun(carol, f.alicePod, { maxPayment: max }));
    expect(requested.escrow).to.equal(max);
    expect((await readRun(carol, requested.runId)).runner).to.equal(undefined);
    // Default deadline: an hour of chain time.
    const block = await ethers.provider.getBlock("latest");
    expect(requested.deadline.getTime() / 1000).to.be.within(block!.timestamp + 3590, block!.timestamp + 3600);
  });

  it("pays in an ERC-20 through the allowance path: approves exactly the escrow for RunMarket when short", async function () {
    const f = await loadFixture(deployRunMarket);
    const { bob, carol, bobFork, usd, usdAddress, runMarketAddress, runner1 } = f;
    await setRunPrice(actingAs(f, bob), bobFork, usdAddress, 5000n);
    await usd.connect(carol).approve(runMarketAddress, 0);
    const buyer = actingAs(f, carol);
    const quote = await quoteRun(buyer, bobFork, { runner: runner1.address });
    expect(quote).to.deep.include({ token: usdAddress, podPrice: 5000n, runnerFee: 1000n, payment: 6000n });
    const balance = await usd.balanceOf(carol.address);
    const requested = await requestRun(buyer, quote);
    expect(requested.approvalTx).to.match(/^0x[0-9a-f]{64}$/);
    expect(await usd.balanceOf(carol.address)).to.equal(balance - 6000n);
    expect(await usd.allowance(carol.address, runMarketAddress)).to.equal(0n);
    expect((await readRun(buyer, requested.runId)).escrow).to.equal(6000n);
  });

  it("requests a task of two stages and reads each stage's output and log references from the runner's reports", async function () {
    const f = await loadFixture(deployRunMarket);
    const { carol, runner1, alicePod, bobFork } = f;
    const buyer = actingAs(f, carol);
    const quote = await quoteTask(buyer, [{ podId: alicePod }, { podId: bobFork, version: 1n }], { runner: runner1.address });
    expect(quote.payment).to.equal(RUN_PRICE + 2n * RUNNER_FEE);
    const { runId } = await requestTask(buyer, quote);
    const asRunner = f.runMarket.connect(runner1);
    await (await asRunner.claim(runId)).wait();
    expect((await readRun(buyer, runId)).status).to.equal("claimed");
    await (await asRunner.completeStage(runId, 0, ref("out0"), ref("log0"))).wait();
    let view = await readRun(buyer, runId);
    expect(view.nextStage).to.equal(1);
    expect(view.stages.map((stage) => stage.status)).to.deep.equal(["completed", "pending"]);
    await (await asRunner.completeStage(runId, 1, ref("out1"), ref("log1"))).wait();
    view = await readRun(buyer, runId);
    expect(view.kind).to.equal("task");
    expect(view.status).to.equal("completed");
    expect(view.refund).to.equal(0n);
    expect(view.stages.map((stage) => [stage.podId, stage.version, stage.outputRef, stage.logRef])).to.deep.equal([
      [alicePod, 1n, ref("out0").slice(2), ref("log0").slice(2)],
      [bobFork, 1n, ref("out1").slice(2), ref("log1").slice(2)],
    ]);
  });

  it("reads a failed run's phase and log reference", async function () {
    const f = await loadFixture(deployRunMarket);
    const buyer = actingAs(f, f.carol);
    const { runId } = await requestRun(buyer, await quoteRun(buyer, f.alicePod, { runner: f.runner1.address }));
    const asRunner = f.runMarket.connect(f.runner1);
    await (await asRunner.claim(runId)).wait();
    await (await asRunner.fail(runId, 3, ref("failed-logs"))).wait();
    const view = await readRun(buyer, runId);
    expect(view.status).to.equal("failed");
    expect(view.failure).to.deep.equal({ stage: 0, phase: "Execute", logRef: ref("failed-logs").slice(2) });
    expect(view.stages[0]).to.deep.include({ status: "failed", phase: "Execute", logRef: ref("failed-logs").slice(2) });
    // The pod failed: the runner keeps its fee, the pod price comes back.
    expect(view.refund).to.equal(RUN_PRICE);
  });

  describe("refusals name the value and send nothing", function () {
    const cases: [string, (f: RunMarketFixture) => Promise<unknown>, string | RegExp][] = [
      ["an unknown pod", (f) => quoteRun(actingAs(f, f.carol), 9999n, { runner: f.runner1.address }), "pod 9999 does not exist"],
      ["an account without a licence", (f) => quoteRun(actingAs(f, f.dave), f.alicePod, { runner: f.runner1.address }), /holds no licence of it and does not own it/],
      ["a version the pod does not have", (f) => quoteRun(actingAs(f, f.carol), f.alicePod, { version: 5n, runner: f.runner1.address }), "has no version 5 (its latest is 1)"],
      ["a token not on the allow-list", (f) => quoteRun(actingAs(f, f.carol), f.bobFork, { token: f.alice.address, runner: f.runner1.address }), /is not accepted by the run market/],
      ["a token other than the pod's price", (f) => quoteRun(actingAs(f, f.carol), f.alicePod, { token: f.usdAddress, runner: f.runner1.address }), /is priced in native, not in 0x/],
      ["a runner that does not take the token", (f) => quoteRun(actingAs(f, f.carol), f.bobFork, { token: f.usdAddress, runner: f.runner2.address }), /does not accept 0x/],
      ["an account that is no runner", (f) => quoteRun(actingAs(f, f.carol), f.alicePod, { runner: f.dave.address }), /is not a registered runner/],
      ["a payment above the maximum", (f) => quoteRun(actingAs(f, f.carol), f.alicePod, { runner: f.runner1.address, maxPayment: RUN_PRICE }), "the payment is 0.012 native (the pod prices plus runner"],
      ["a maximum below the pod price (any runner)", (f) => quoteRun(actingAs(f, f.carol), f.alicePod, { maxPayment: 1n }), "the payment is 0.01 native (the pod prices), above the maximum 0.000000000000000001"],
      [
        "a deadline in the past",
        async (f) => {
          const buyer = actingAs(f, f.carol);
          return requestRun(buyer, await quoteRun(buyer, f.alicePod, { runner: f.runner1.address }), { deadline: 1000n });
        },
        "deadline 1970-01-01T00:16:40.000Z is not in the future",
      ],
      [
        "a bad input reference",
        async (f) => {
          const buyer = actingAs(f, f.carol);
          return requestRun(buyer, await quoteRun(buyer, f.alicePod, { runner: f.runner1.address }), { inputRef: "xyz" });
        },
        'input reference: expected a 64-hex Swarm reference, got "xyz"',
      ],
      [
        "an ERC-20 payment above the balance",
        async (f) => {
          await setRunPrice(actingAs(f, f.bob), f.bobFork, f.usdAddress, ethers.parseEther("2000000"));
          const buyer = actingAs(f, f.carol);
          return requestRun(buyer, await quoteRun(buyer, f.bobFork, { runner: f.runner1.address }));
        },
        /balance 1000000.0 of 0x[0-9a-fA-F]{40} is below the price 2000000.000000000000001/,
      ],
      [
        "a price raised since the quote (the simulation names the contract's error)",
        async (f) => {
          const buyer = actingAs(f, f.carol);
          const quote = await quoteRun(buyer, f.alicePod, { runner: f.runner1.address });
          await setRunPrice(actingAs(f, f.alice), f.alicePod, NATIVE_TOKEN, RUN_PRICE * 2n);
          return requestRun(buyer, quote);
        },
        /refused: RunMarket: RunMarketPaymentAboveMax\(payment=22000000000000000, maxPayment=12000000000000000\)/,
      ],
    ];
    for (const [label, work, expected] of cases) {
      it(`refuses ${label}`, async function () {
        const f = await loadFixture(deployRunMarket);
        const setupDone = await nonce(f.carol);
        const error = await refusal(() => work(f));
        expect(error).to.be.instanceOf(Error);
        expect(error instanceof MarketError || error instanceof ChainError, error.message).to.equal(true);
        if (typeof expected === "string") expect(error.message).to.contain(expected);
        else expect(error.message).to.match(expected);
        expect(await nonce(f.carol)).to.equal(setupDone);
        expect(await f.runMarket.runCount()).to.equal(0n);
      });
    }
  });

  it("cancels an unclaimed run (its requester only) and refunds it; a claimed one cannot be cancelled", async function () {
    const f = await loadFixture(deployRunMarket);
    const buyer = actingAs(f, f.carol);
    const { runId, escrow } = await requestRun(buyer, await quoteRun(buyer, f.alicePod, { runner: f.runner1.address }));
    const before = await nonce(f.alice);
    expect((await refusal(() => cancelRun(actingAs(f, f.alice), runId))).message).to.contain(`run ${runId} was requested by ${f.carol.address}`);
    expect(await nonce(f.alice)).to.equal(before);
    const cancelled = await cancelRun(buyer, runId);
    expect(cancelled.refund).to.equal(escrow);
    expect(await runCreditOf(buyer, f.carol.address, NATIVE_TOKEN)).to.equal(escrow);
    expect((await readRun(buyer, runId)).status).to.equal("cancelled");
    expect((await refusal(() => cancelRun(buyer, runId))).message).to.equal(`run ${runId} is cancelled, not requested: only a run nobody has claimed can be cancelled`);

    const second = await requestRun(buyer, await quoteRun(buyer, f.alicePod, { runner: f.runner1.address }));
    await (await f.runMarket.connect(f.runner1).claim(second.runId)).wait();
    expect((await refusal(() => cancelRun(buyer, second.runId))).message).to.contain("a runner claimed it");
    expect((await refusal(() => cancelRun(buyer, 77n))).message).to.equal("run 77 does not exist");
  });

  it("expires a run only once its deadline passed (anyone may), refunding the requester", async function () {
    const f = await loadFixture(deployRunMarket);
    const buyer = actingAs(f, f.carol);
    const { runId, escrow } = await requestRun(buyer, await quoteRun(buyer, f.alicePod, { runner: f.runner1.address }), { deadlineSeconds: 120 });
    const stranger = actingAs(f, f.stranger);
    const before = await nonce(f.stranger);
    expect((await refusal(() => expireRun(stranger, runId))).message).to.match(new RegExp(`run ${runId} cannot expire yet: its deadline is \\d{4}-`));
    expect(await nonce(f.stranger)).to.equal(before);
    await time.increase(121);
    const expired = await expireRun(stranger, runId);
    expect(expired.refund).to.equal(escrow);
    expect((await readRun(buyer, runId)).status).to.equal("expired");
    expect((await refusal(() => expireRun(stranger, runId))).message).to.equal(`run ${runId} is expired: only a requested or claimed run can expire`);
  });

  it("expires a claimed run whose claim lapsed: the runner is slashed", async function () {
    const f = await loadFixture(deployRunMarket);
    const buyer = actingAs(f, f.carol);
    const { runId } = await requestRun(buyer, await quoteRun(buyer, f.alicePod, { runner: f.runner1.address }));
    await (await f.runMarket.connect(f.runner1).claim(runId)).wait();
    await time.increase(CLAIM_WINDOW + 1);
    const expired = await expireRun(buyer, runId);
    expect(expired.slashed).to.equal(f.settings.slashAmount);
  });

  it("waitForRun reports requested → claimed → completed, reading the chain", async function () {
    const f = await loadFixture(deployRunMarket);
    const buyer = actingAs(f, f.carol);
    const { runId } = await requestRun(buyer, await quoteRun(buyer, f.alicePod, { runner: f.runner1.address }));
    const seen: RunStateChange[] = [];
    const waiting = waitForRun(buyer, runId, { pollMs: 20, onState: (change) => seen.push(change) });
    const asRunner = f.runMarket.connect(f.runner1);
    while (seen.length < 1) await new Promise((resolve) => setTimeout(resolve, 10));
    await (await asRunner.claim(runId)).wait();
    while (seen.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    await (await asRunner.complete(runId, ref("o"), ref("l"))).wait();
    const last = await waiting;
    expect(seen.map((change) => [change.previous, change.status])).to.deep.equal([
      [undefined, "requested"],
      ["requested", "claimed"],
      ["claimed", "completed"],
    ]);
    expect(last.run.stages[0].outputRef).to.equal(ref("o").slice(2));
    expect(last.overdue).to.equal(false);
  });

  it("waitForRun reports a failure with its phase, stops at an overdue run, and stops when aborted", async function () {
    const f = await loadFixture(deployRunMarket);
    const buyer = actingAs(f, f.carol);
    const failedRun = await requestRun(buyer, await quoteRun(buyer, f.alicePod, { runner: f.runner1.address }));
    const asRunner = f.runMarket.connect(f.runner1);
    await (await asRunner.claim(failedRun.runId)).wait();
    await (await asRunner.fail(failedRun.runId, 2, ref("provision-log"))).wait();
    const failed = await waitForRun(buyer, failedRun.runId, { pollMs: 10 });
    expect(failed).to.deep.include({ status: "failed", phase: "Provision", overdue: false });

    const late = await requestRun(buyer, await quoteRun(buyer, f.alicePod, { runner: f.runner1.address }), { deadlineSeconds: 60 });
    await time.increase(61);
    const overdue = await waitForRun(buyer, late.runId, { pollMs: 10 });
    expect(overdue).to.deep.include({ status: "requested", overdue: true });

    const open = await requestRun(buyer, await quoteRun(buyer, f.alicePod, { runner: f.runner1.address }));
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("test stopped waiting")), 50);
    expect((await refusal(() => waitForRun(buyer, open.runId, { pollMs: 10, signal: controller.signal }))).message).to.equal("test stopped waiting");
  });

  it("sets a pod's run price as its owner only", async function () {
    const f = await loadFixture(deployRunMarket);
    const before = await nonce(f.carol);
    expect((await refusal(() => setRunPrice(actingAs(f, f.carol), f.alicePod, NATIVE_TOKEN, 1n))).message).to.contain(`pod ${f.alicePod} is owned by ${f.alice.address}, not by ${f.carol.address}`);
    expect((await refusal(() => setRunPrice(actingAs(f, f.alice), f.alicePod, f.carol.address, 1n))).message).to.contain("is not accepted by the run market");
    expect(await nonce(f.carol)).to.equal(before);
    await setRunPrice(actingAs(f, f.alice), f.alicePod, f.usdAddress, 7n);
    expect(await f.runMarket.runPrice(f.alicePod)).to.deep.equal([f.usdAddress, 7n]);
  });
});

describe("services/market/runners: a runner's account", function () {
  it("generates an X25519 key once, 0600, and reuses it", async function () {
    const dir = join(mkdtempSync(join(tmpdir(), "lure-runner-key-")), "data");
    const first = await loadOrCreateRunnerKey(dir);
    expect(first.created).to.equal(true);
    expect(first.publicKey).to.match(/^0x[0-9a-f]{64}$/);
    expect(first.keyFile).to.equal(join(dir, RUNNER_KEY_FILE));
    expect(statSync(first.keyFile).mode & 0o777).to.equal(0o600);
    expect(readFileSync(first.keyFile, "utf8")).to.contain("BEGIN PRIVATE KEY");
    const again = await loadOrCreateRunnerKey(dir);
    expect(again).to.deep.equal({ ...first, created: false });
    writeFileSync(join(dir, "other.pem"), "not a key");
    const broken = join(mkdtempSync(join(tmpdir(), "lure-runner-key-")), RUNNER_KEY_FILE);
    writeFileSync(broken, "garbage");
    expect((await refusal(() => loadOrCreateRunnerKey(join(broken, "..")))).message).to.contain("not a PEM private key");
  });

  it("registers, updates only what changed, leaves in two steps and withdraws the bond", async function () {
    const f = await loadFixture(deployRunMarket);
    const signer = f.signers[14];
    const runner = actingAs(f, signer);
    const key = await loadOrCreateRunnerKey(mkdtempSync(join(tmpdir(), "lure-runner-")));
    const before = await nonce(signer);
    expect((await refusal(() => checkRegistration(runner, { fees: [], bond: MIN_BOND - 1n }))).message).to.equal("bond 0.999999999999999999 is below the minimum bond 1.0 (native coin)");
    expect((await refusal(() => checkRegistration(runner, { fees: [{ token: f.alice.address, fee: 1n }] }))).message).to.contain("is not accepted by the run market");
    expect((await refusal(() => registerRunner(actingAs(f, f.runner1), { publicKey: key.publicKey, fees: [] }))).message).to.contain("is already runner #1");
    expect(await nonce(signer)).to.equal(before);

    const registered = await registerRunner(runner, { publicKey: key.publicKey, fees: [{ token: NATIVE_TOKEN, fee: 5n }] });
    expect(registered.runnerId).to.equal(4);
    expect(registered.bond).to.equal(MIN_BOND);
    expect(await readRunner(runner, signer.address)).to.deep.include({ registered: true, bond: MIN_BOND, paused: false, publicKey: key.publicKey });

    const sent = await nonce(signer);
    const same = await updateRunner(runner, { fees: [{ token: NATIVE_TOKEN, fee: 5n }], publicKey: key.publicKey, paused: false });
    expect(same.changes).to.deep.equal([]);
    expect(same.unchanged).to.deep.equal(["fee in native", "key", "running"]);
    expect(await nonce(signer)).to.equal(sent);

    const changed = await updateRunner(runner, { fees: [{ token: NATIVE_TOKEN, fee: 9n }, { token: f.usdAddress, fee: 3n }], paused: true, addBond: 10n });
    expect(changed.changes.map((change) => change.change)).to.deep.equal(["fee in native 5 -> 9", `fee in ${f.usdAddress} 0 (not accepted) -> 3`, "pause", "bond +0.00000000000000001"]);
    expect(await f.runMarket.runnerFee(signer.address, f.usdAddress)).to.deep.equal([3n, true]);
    const dropped = await updateRunner(runner, { fees: [{ token: f.usdAddress, fee: 0n, accepted: false }], paused: false });
    expect(dropped.changes.map((change) => change.change)).to.deep.equal([`stop accepting ${f.usdAddress}`, "resume"]);
    expect(await f.runMarket.runnerFee(signer.address, f.usdAddress)).to.deep.equal([3n, false]);

    const requested = await unregisterRunner(runner);
    expect(requested.step).to.equal("requested");
    const waiting = await nonce(signer);
    expect((await refusal(() => unregisterRunner(runner))).message).to.match(/^the bond can be withdrawn from \d{4}-/);
    expect(await nonce(signer)).to.equal(waiting);
    await time.increase(UNBONDING_DELAY);
    const left = await unregisterRunner(runner);
    expect(left).to.deep.include({ step: "bond-withdrawn", bond: MIN_BOND + 10n });
    expect((await withdrawRunCredit(runner, NATIVE_TOKEN)).amount).to.equal(MIN_BOND + 10n);
    expect((await refusal(() => withdrawRunCredit(runner, NATIVE_TOKEN))).message).to.equal(`nothing to withdraw: ${signer.address} has no native credit in the run market`);
    expect((await refusal(() => updateRunner(runner, { paused: true }))).message).to.contain("is not a registered runner");
  });
});

describe("services/market/runs: a run's files", function () {
  /** Storage that answers one collection, for the file handling alone (Swarm itself is tested in test/tasks/runs.test.ts). */
  const storageOf = (entries: { path: string; data: Uint8Array }[]) => ({ downloadCollection: () => Promise.resolve(entries) });
  const bytes = (text: string) => new Uint8Array(Buffer.from(text));

  it("fetches output/ into a new folder atomically, and refuses a non-empty folder or an escaping path without writing", async function () {
    const root = mkdtempSync(join(tmpdir(), "lure-run-output-"));
    const storage = storageOf([
      { path: "output/a.txt", data: bytes("A") },
      { path: "output/deep/b.txt", data: bytes("BB") },
      { path: "logs/stdout.txt", data: bytes("out") },
    ]);
    const fetched = await fetchRunOutput(storage, "ab".repeat(32), join(root, "out"));
    expect(fetched.files).to.deep.equal(["a.txt", "deep/b.txt"]);
    expect(readFileSync(join(root, "out", "deep", "b.txt"), "utf8")).to.equal("BB");
    expect((await refusal(() => fetchRunOutput(storage, "ab".repeat(32), join(root, "out")))).message).to.contain("already exists and is not empty");

    const hostile = storageOf([{ path: "output/ok.txt", data: bytes("ok") }, { path: "output/../../evil.txt", data: bytes("x") }]);
    expect((await refusal(() => fetchRunOutput(hostile, "ab".repeat(32), join(root, "hostile")))).message).to.contain("escapes the destination folder");
    expect(existsSync(join(root, "hostile"))).to.equal(false);
    expect(readdirSync(root)).to.deep.equal(["out"]);
  });

  it("reads the log files and tails them", async function () {
    const logs = await readRunLogs(storageOf([{ path: "logs/stderr.txt", data: bytes("1\n2\n3\n") }, { path: "logs/run.txt", data: bytes("ran") }, { path: "output/x", data: bytes("x") }]), "cd".repeat(32));
    expect(logs).to.deep.include({ stderr: "1\n2\n3\n", stdout: undefined, run: "ran" });
    expect(logs.files).to.deep.equal([{ path: "logs/stderr.txt", bytes: 6 }, { path: "logs/run.txt", bytes: 3 }]);
    expect(lastLines(logs.stderr, 2)).to.deep.equal(["2", "3"]);
  });

  it("uploads an input folder as a collection; an empty folder is refused", async function () {
    const dir = mkdtempSync(join(tmpdir(), "lure-run-input-"));
    const uploaded: string[][] = [];
    const storage = { uploadCollection: (entries: { path: string }[]) => (uploaded.push(entries.map((entry) => entry.path)), Promise.resolve("ef".repeat(32))) };
    expect((await refusal(() => uploadRunInput(storage, dir))).message).to.contain("the folder is empty");
    mkdirSync(join(dir, "sub"));
    writeFileSync(join(dir, "sub", "b.txt"), "b");
    writeFileSync(join(dir, "a.txt"), "a");
    expect(await uploadRunInput(storage, dir)).to.deep.equal({ ref: "ef".repeat(32), files: 2, bytes: 2 });
    expect(uploaded).to.deep.equal([["a.txt", "sub/b.txt"]]);
  });
});
