import type { Signer } from "ethers";
import type { PodRegistry, RunMarket } from "../../typechain-types";
import { ChainError } from "../chain/errors";
import { errorText, StoppedError, type RpcClient } from "../chain/rpc";
import type { Logger } from "../log";
import type { UnpackLimits } from "../pods/archive";
import type { PodStorage } from "../pods/storage";
import type { Executor } from "./executor";
import { RunFollower, type OpenRun } from "./follower";
import { RunJournal, type ClaimRecord, type RunPlan } from "./journal";
import { failPhaseIndex, type FailPhase } from "../chain/run-enums";
import { fetchRecipe, runStage, type StageOutcome, type StageTimings } from "./pipeline";
import { TransactionSender } from "./sender";
import type { PrivatePodAccess } from "./private-pod";

/**
 * A runner: follows run requests on chain, claims those it can serve, runs each stage through its
 * executor, uploads output and logs to Swarm, and settles on chain.
 *
 * Crash safety: before a claim is sent, the run is written to the journal; each stage's outcome
 * (its uploaded references, or its failure) is written before it is reported. A restarted runner
 * asks the chain which runs it still holds and resumes each at the stage the chain expects,
 * reporting a stage it had finished instead of running it again. Several runners may follow one
 * chain: the contract lets exactly one claim win, and a runner only reports runs it claimed.
 */

/** RunStatus in IRunMarket. */
const STATUS = { None: 0, Requested: 1, Claimed: 2 } as const;
const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";
/** Seconds kept free before a claim lapses: to upload the output and settle. */
const SETTLE_MARGIN_SECONDS = 20;
/** A stage whose execution was begun this many times without an outcome (the runner died each time) fails as Provision. */
const MAX_ATTEMPTS = 2;
/** A declined run is looked at again after this long (its requester or this runner's fee may change nothing, or everything). */
const RECONSIDER_MS = 30_000;

export type RunnerEvent =
  | { type: "claimed"; runId: bigint; tx: string }
  | { type: "declined"; runId: bigint; reason: string }
  | { type: "resumed"; runId: bigint; stage: number }
  | { type: "stage"; runId: bigint; stage: number; ok: boolean; phase?: FailPhase; reason?: string; timings: StageTimings }
  | { type: "settled"; runId: bigint; stage: number; ending: "stage" | "completed" | "failed"; phase?: FailPhase; tx: string }
  | { type: "dropped"; runId: bigint; reason: string };

export interface RunnerServiceOptions {
  /** RunMarket connected to the runner's signer. */
  runMarket: RunMarket;
  registry: Pick<PodRegistry, "pod" | "version">;
  signer: Signer;
  /** The chain, for logs and heads. */
  rpc: RpcClient;
  storage: PodStorage;
  executor: Executor;
  /** This chain's and deployment's journal folder. */
  dataDir: string;
  /** Where following starts without a saved cursor (RunMarket's deployment block). */
  startBlock: number;
  concurrency: number;
  pollMs: number;
  confirmations: number;
  downloadLimits: UnpackLimits;
  /** How it opens the private pods it was granted (its X25519 key, the grants contract); without it, private pods fail as FetchPod. */
  privatePods?: PrivatePodAccess;
  log: Logger;
  onEvent?: (event: RunnerEvent) => void;
}

export class RunnerService {
  private readonly journal: RunJournal;
  private readonly sender: TransactionSender;
  private follower!: RunFollower;
  private account = "";
  private claimWindow = 0;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly declined = new Map<string, number>();
  private readonly stopping = new AbortController();
  /** Set by stop(): no new claim, while runs in flight end. */
  private draining = false;
  private loop?: Promise<void>;

  constructor(private readonly options: RunnerServiceOptions) {
    this.journal = new RunJournal(options.dataDir);
    this.sender = new TransactionSender(options.signer);
  }

  get address(): string {
    return this.account;
  }

  /** Runs being claimed, executed or settled now. */
  get busy(): number {
    return this.inFlight.size;
  }

  /**
   * Checks that the executor can start and that the account is a registered runner, resumes what the
   * journal holds, and begins to follow the chain. Throws (and starts nothing) when it cannot serve.
   */
  async start(): Promise<void> {
    const { options } = this;
    this.account = await options.signer.getAddress();
    await options.executor.check();
    const info = await options.runMarket.runnerInfo(this.account);
    if (info.id === 0n) {
      throw new Error(`${this.account} is not a registered runner on RunMarket ${await options.runMarket.getAddress()}: register it first (npx hardhat runner:register)`);
    }
    if (info.unbondingAt !== 0n) throw new Error(`runner ${this.account} is unregistering: it can claim no run`);
    if (info.paused) options.log.warn({ runner: this.account }, "this runner is paused: it follows the chain but claims nothing until resumed");
    this.claimWindow = Number((await options.runMarket.settings()).claimWindow);

    const saved = this.journal.followState();
    const head = await options.rpc.latestHeader();
    // A saved cursor past the head means a new chain (a restarted dev chain): start over.
    const usable = saved && saved.nextBlock <= head.number + 1 ? saved : undefined;
    if (saved && !usable) options.log.warn({ savedBlock: saved.nextBlock, head: head.number }, "the chain is behind the saved cursor (a new chain?): following from the start");
    this.follower = new RunFollower(options.rpc, { address: await options.runMarket.getAddress(), interface: options.runMarket.interface }, Number((await options.signer.provider!.getNetwork()).chainId), options.startBlock, usable);

    for (const record of this.journal.claims()) this.track(record.plan.runId, this.resume(record));
    this.loop = this.follow();
    options.log.info({ runner: this.account, executor: options.executor.name, concurrency: options.concurrency, fromBlock: this.follower.nextBlock }, "runner started");
  }

  /**
   * Stops claiming and following; runs in flight are given `graceMs` to end, then their executions
   * are aborted and left in the journal, to be resumed by the next start.
   */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.stopping.signal.aborted) return;
    this.draining = true;
    const draining = Promise.allSettled([...this.inFlight.values()]);
    const ended = await Promise.race([draining.then(() => true), sleep(graceMs).then(() => false)]);
    this.stopping.abort();
    this.options.rpc.stop();
    if (!ended) await draining;
    await this.loop?.catch(() => undefined);
    await this.options.executor.close?.().catch((error: unknown) => this.options.log.warn({ err: errorText(error) }, "the executor did not close cleanly"));
  }

  private async follow(): Promise<void> {
    const { options } = this;
    while (!this.stopping.signal.aborted) {
      try {
        const head = await options.rpc.latestHeader();
        const safeHead = head.number - options.confirmations;
        while ((await this.follower.step(safeHead)) > 0) this.journal.saveFollowState(this.follower.state());
        this.journal.saveFollowState(this.follower.state());
        this.considerOpenRuns(Math.max(head.timestamp, Math.floor(Date.now() / 1000)));
      } catch (error) {
        if (error instanceof StoppedError || this.stopping.signal.aborted) return;
        options.log.error({ err: errorText(error) }, "following the chain failed; trying again");
      }
      await sleep(options.pollMs, this.stopping.signal);
    }
  }

  private considerOpenRuns(now: number): void {
    if (this.draining) return;
    for (const run of this.follower.open.values()) {
      if (this.inFlight.size >= this.options.concurrency) return;
      const id = run.plan.runId;
      if (this.inFlight.has(id)) continue;
      const declinedAt = this.declined.get(id);
      if (declinedAt !== undefined && Date.now() - declinedAt < RECONSIDER_MS) continue;
      if (!this.mayClaim(run, now)) continue;
      this.track(id, this.take(run.plan));
    }
  }

  /** Whether the run is worth a look: before its deadline, for any runner or this one, unclaimed or with a lapsed claim of another runner. */
  private mayClaim(run: OpenRun, now: number): boolean {
    if (run.plan.deadline <= now) return false;
    if (run.plan.runner !== ZERO_ADDRESS && !sameAddress(run.plan.runner, this.account)) return false;
    if (run.claimant === undefined) return true;
    if (sameAddress(run.claimant, this.account)) return false;
    // A renewed claim's end is unknown here: the simulation of the claim tells.
    return run.claimedUntil === undefined || run.claimedUntil <= now;
  }

  private track(runId: string, work: Promise<void>): void {
    const tracked = work
      .catch((error: unknown) => {
        if (!this.stopping.signal.aborted) this.options.log.error({ runId, err: errorText(error) }, "run handling failed");
      })
      .finally(() => this.inFlight.delete(runId));
    this.inFlight.set(runId, tracked);
  }

  /** Checks, claims and runs one run. */
  private async take(plan: RunPlan): Promise<void> {
    const { options } = this;
    const runId = BigInt(plan.runId);
    // A recipe this runner cannot honour is not claimed; one that cannot be read is claimed and failed as FetchPod (the requester is refunded at once).
    for (const stage of plan.stages) {
      try {
        const recipe = await fetchRecipe(options, BigInt(stage.podId), BigInt(stage.version), this.stopping.signal);
        const admission = options.executor.admit(recipe);
        if (!admission.admitted) return this.decline(runId, `pod ${stage.podId} version ${stage.version}: ${admission.reason}`);
      } catch (error) {
        if (this.stopping.signal.aborted) return;
        options.log.info({ runId: plan.runId, err: errorText(error) }, "the pod cannot be fetched: claiming to fail it as FetchPod");
        break;
      }
    }
    try {
      await options.runMarket.claim.staticCall(runId);
    } catch (error) {
      return this.decline(runId, `the claim would be refused: ${new ChainError("refused", errorText(error)).reason}`);
    }
    const record: ClaimRecord = { plan, stages: {} };
    this.journal.saveClaim(record);
    let tx: string;
    try {
      const receipt = await this.sender.send(
        `claim run ${runId}`,
        () => options.runMarket.claim.staticCall(runId),
        (overrides) => options.runMarket.claim(runId, overrides),
      );
      tx = receipt.hash;
    } catch (error) {
      // Another runner was faster, or the run ended: nothing of it is this runner's.
      this.journal.forgetClaim(runId);
      return this.decline(runId, errorText(error));
    }
    record.claimTx = tx;
    this.journal.saveClaim(record);
    options.onEvent?.({ type: "claimed", runId, tx });
    options.log.info({ runId: plan.runId, tx }, "run claimed");
    await this.execute(record);
  }

  private decline(runId: bigint, reason: string): void {
    this.declined.set(runId.toString(), Date.now());
    this.options.log.debug({ runId: runId.toString(), reason }, "run not claimed");
    this.options.onEvent?.({ type: "declined", runId, reason });
  }

  /** After a restart: resumes a run the chain still says is this runner's, forgets the others. */
  private async resume(record: ClaimRecord): Promise<void> {
    const runId = BigInt(record.plan.runId);
    const run = await this.options.runMarket.run(runId);
    const now = Math.max(Number((await this.options.rpc.latestHeader()).timestamp), Math.floor(Date.now() / 1000));
    const mine = Number(run.status) === STATUS.Claimed && sameAddress(run.runner, this.account);
    if (!mine || Number(run.claimedUntil) <= now) {
      this.journal.forgetClaim(runId);
      const reason = mine ? "its claim lapsed while this runner was down" : `the chain says it is no longer this runner's (status ${run.status})`;
      this.options.log.warn({ runId: record.plan.runId, reason }, "journal entry dropped");
      this.options.onEvent?.({ type: "dropped", runId, reason });
      return;
    }
    this.options.onEvent?.({ type: "resumed", runId, stage: Number(run.nextStage) });
    this.options.log.info({ runId: record.plan.runId, stage: Number(run.nextStage) }, "resuming a claimed run");
    await this.execute(record);
  }

  /** Runs and reports every stage the chain still expects, in order. */
  private async execute(record: ClaimRecord): Promise<void> {
    const { options } = this;
    const runId = BigInt(record.plan.runId);
    const stageCount = record.plan.stages.length;
    for (;;) {
      const run = await options.runMarket.run(runId);
      if (Number(run.status) !== STATUS.Claimed || !sameAddress(run.runner, this.account)) break;
      const stage = Number(run.nextStage);
      if (stage >= stageCount) break;
      const entry = (record.stages[String(stage)] ??= { attempts: 0 });
      if (!entry.outcome) {
        if (this.stopping.signal.aborted) return;
        entry.attempts += 1;
        this.journal.saveClaim(record);
        const outcome: StageOutcome | undefined =
          entry.attempts > MAX_ATTEMPTS
            ? { ok: false, phase: "Provision", reason: `the runner stopped ${MAX_ATTEMPTS} times while running this stage`, timings: emptyTimings() }
            : await this.runOneStage(record, stage, Number(run.claimedUntil), Number(run.deadline));
        if (!outcome) return; // stopped mid-run: the journal keeps it for the next start
        entry.outcome = outcome.ok
          ? { ok: true, outputRef: outcome.outputRef, logRef: outcome.logRef }
          : { ok: false, phase: outcome.phase, reason: outcome.reason, ...(outcome.logRef ? { logRef: outcome.logRef } : {}) };
        this.journal.saveClaim(record);
        options.onEvent?.({ type: "stage", runId, stage, ok: outcome.ok, ...(outcome.ok ? {} : { phase: outcome.phase, reason: outcome.reason }), timings: outcome.timings });
      }
      const settled = await this.settle(runId, stage, stageCount, entry.outcome);
      if (!settled || !entry.outcome.ok) break;
    }
    this.journal.forgetClaim(runId);
  }

  /** One stage through the pipeline; undefined when the runner is stopping (the stage is resumed later, not reported). */
  private async runOneStage(record: ClaimRecord, stage: number, claimedUntil: number, deadline: number): Promise<StageOutcome | undefined> {
    const { options } = this;
    const plan = record.plan;
    const previous = stage > 0 ? record.stages[String(stage - 1)]?.outcome : undefined;
    const now = Math.floor(Date.now() / 1000);
    const until = Math.min(claimedUntil, deadline);
    const outcome = await runStage(
      {
        runId: BigInt(plan.runId),
        stage,
        podId: BigInt(plan.stages[stage].podId),
        version: BigInt(plan.stages[stage].version),
        ...(stage === 0 && plan.inputRef ? { inputRef: plan.inputRef } : {}),
        ...(previous?.ok ? { previousOutputRef: previous.outputRef } : {}),
        runner: this.account,
      },
      { ...options, maxWallClockSeconds: until - now - SETTLE_MARGIN_SECONDS },
      this.stopping.signal,
    );
    if (this.stopping.signal.aborted) return undefined;
    return outcome;
  }

  /** Reports a stage; true when the chain took it. A refusal (the claim lapsed, the run ended) is final; a failed connection is retried. */
  private async settle(runId: bigint, stage: number, stageCount: number, outcome: NonNullable<ClaimRecord["stages"][string]["outcome"]>): Promise<boolean> {
    const { runMarket } = this.options;
    const last = stage === stageCount - 1;
    const zero = `0x${"0".repeat(64)}`;
    for (let attempt = 0; ; attempt++) {
      try {
        let tx: string;
        if (outcome.ok) {
          const [output, logs] = [`0x${outcome.outputRef}`, `0x${outcome.logRef}`];
          tx = last
            ? (await this.sender.send(`complete run ${runId}`, () => runMarket.complete.staticCall(runId, output, logs), (o) => runMarket.complete(runId, output, logs, o))).hash
            : (await this.sender.send(`complete stage ${stage} of run ${runId}`, () => runMarket.completeStage.staticCall(runId, stage, output, logs), (o) => runMarket.completeStage(runId, stage, output, logs, o))).hash;
        } else {
          const phase = failPhaseIndex(outcome.phase);
          const logs = outcome.logRef ? `0x${outcome.logRef}` : zero;
          tx = (await this.sender.send(`fail run ${runId}`, () => runMarket.fail.staticCall(runId, phase, logs), (o) => runMarket.fail(runId, phase, logs, o))).hash;
        }
        const ending = !outcome.ok ? "failed" : last ? "completed" : "stage";
        this.options.log.info({ runId: runId.toString(), stage, ending, ...(outcome.ok ? {} : { phase: outcome.phase }), tx }, "run settled");
        this.options.onEvent?.({ type: "settled", runId, stage, ending, ...(outcome.ok ? {} : { phase: outcome.phase }), tx });
        return true;
      } catch (error) {
        const final = error instanceof ChainError && (error.kind === "refused" || error.kind === "failed") && /RunMarket/.test(error.reason);
        if (final || this.stopping.signal.aborted || attempt >= 20) {
          this.options.log.error({ runId: runId.toString(), stage, err: errorText(error) }, "the settlement was refused; the run stays as the chain has it");
          this.options.onEvent?.({ type: "dropped", runId, reason: errorText(error) });
          return false;
        }
        await sleep(Math.min(5_000, 200 * 2 ** attempt), this.stopping.signal);
      }
    }
  }
}

function emptyTimings(): StageTimings {
  return { fetchMs: 0, resolveMs: 0, provisionMs: 0, executeMs: 0, uploadMs: 0 };
}

function sameAddress(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
