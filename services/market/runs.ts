import { randomBytes } from "node:crypto";
import { FAIL_PHASES, RUN_STATUSES, type FailPhase, type RunStatusName } from "../chain/run-enums";
import { lstat, mkdir, readdir, readFile, rename, rm, rmdir } from "node:fs/promises";
import path from "node:path";
import { ZeroAddress, ZeroHash, formatUnits, toBeHex, zeroPadValue, type LogDescription, type Provider } from "ethers";
import type { RunMarket } from "../../typechain-types";
import type { Deployment } from "../chain/deployments";
import type { LureContracts } from "../chain/contracts";
import { eventsOf } from "../chain/events";
import { refHex, refToBytes32, VISIBILITY_PRIVATE } from "../chain/refs";
import { decimalsOf, NATIVE_TOKEN, tokenLabel } from "../chain/tokens";
import { read, transact } from "../chain/transact";
import { safeEntryPath, SafeWriter } from "../pods/archive";
import type { PodStorage } from "../pods/storage";
import { prepareErc20Payment } from "./allowance";
import { MarketError } from "./errors";

/**
 * The requester's side of RunMarket: quote a run or a task, escrow its payment through the one
 * payment path (the ERC-20 allowance of `allowance.ts`, or exact native value), follow it on chain
 * and fetch what it produced from Swarm. Every refusal that can be known from the chain's state is
 * raised here, naming the value, before anything is signed; the rest is caught by `transact`'s
 * simulation, which names RunMarket's custom error.
 */


/** The statuses a run never leaves. */
export const FINAL_STATUSES: readonly RunStatusName[] = ["completed", "failed", "expired", "cancelled"];

/** What a request gives the runner when no deadline is asked for: an hour to claim and settle. */
export const DEFAULT_DEADLINE_SECONDS = 3600;

/** Largest amount RunMarket stores (uint96), and the largest deadline (uint40). */
const MAX_AMOUNT = (1n << 96n) - 1n;
const MAX_DEADLINE = (1n << 40n) - 1n;
/** RunMarket.MAX_STAGES. */
const MAX_STAGES = 16;

/** A run request refused before anything was sent, or a run's files that cannot be read or written. */
export class RunError extends MarketError {
  constructor(message: string) {
    super(message);
    this.name = "RunError";
  }
}

/** What RunMarket needs of the caller's contracts; `deployment` (when known) bounds the log searches. */
export type RunContracts = LureContracts & { deployment?: Deployment };
type RunReader = Pick<LureContracts, "runMarket"> & { deployment?: Deployment };

/** One stage as asked: a pod and its version (undefined or 0 = the latest, pinned when quoted). */
export interface StageRequest {
  podId: bigint;
  version?: bigint;
}

export interface QuoteOptions {
  /** Payment token (address(0) = native); default: the token of the first priced stage, else native. */
  token?: string;
  /** A named runner: the escrow is the pod prices plus its fee per stage. Undefined = any runner. */
  runner?: string;
  /** The most the requester pays. Any runner: required, it is the escrow. Named runner: default the exact payment. */
  maxPayment?: bigint;
}

export interface QuotedStage {
  podId: bigint;
  /** The version that will run (the latest when none was asked for). */
  version: bigint;
  /** Its per-run price, in the quote's token (0 = free). */
  podPrice: bigint;
}

/** What a run or a task costs now; `requestRun`/`requestTask` take it. */
export interface RunQuote {
  kind: "run" | "task";
  requester: string;
  stages: QuotedStage[];
  token: string;
  decimals: number;
  /** Sum of the stages' pod prices. */
  podPrice: bigint;
  /** The named runner and its fee per stage; undefined for any runner. */
  runner?: string;
  runnerFee?: bigint;
  /** What is escrowed: exact for a named runner, `maxPayment` for any runner (what the claim leaves is refunded). */
  payment: bigint;
  maxPayment: bigint;
}

export interface RequestOptions {
  /** Swarm reference of the input collection (64 hex, 0x optional); none by default. */
  inputRef?: string;
  /** Unix seconds; default: the chain's time + `deadlineSeconds`. */
  deadline?: bigint;
  /** Seconds from now (chain time) when `deadline` is not given; default DEFAULT_DEADLINE_SECONDS. */
  deadlineSeconds?: number;
}

export interface RunRequestResult extends RunQuote {
  runId: bigint;
  /** The escrow RunMarket took (from the request event). */
  escrow: bigint;
  deadline: Date;
  inputRef?: string;
  /** The ERC-20 approval sent first, when the allowance was short. */
  approvalTx?: string;
  tx: string;
}

const amount = (value: bigint, decimals: number) => formatUnits(value, decimals);

function providerOf(runMarket: RunMarket): Provider {
  const provider = runMarket.runner?.provider;
  if (!provider) throw new RunError("the run market is not connected to a provider");
  return provider;
}

/** The chain's time (the latest block's timestamp): deadlines are checked against it, not the local clock. */
export async function chainTime(contracts: Pick<LureContracts, "runMarket">): Promise<bigint> {
  const block = await providerOf(contracts.runMarket).getBlock("latest");
  if (!block) throw new RunError("the node returned no latest block");
  return BigInt(block.timestamp);
}

/** A Swarm reference as bytes32, or a RunError naming the value. */
function inputRefBytes(ref: string | undefined): string {
  if (ref === undefined || ref === "") return ZeroHash;
  if (!/^(0x)?[0-9a-fA-F]{64}$/.test(ref.trim())) throw new RunError(`input reference: expected a 64-hex Swarm reference, got ${JSON.stringify(ref)}`);
  return refToBytes32(ref.trim());
}

/**
 * Checks one stage for the requester (pod exists, licensed, version exists) and returns what it
 * costs and the token its price is in. The same checks as RunMarket's `_checkStage`, read first so
 * the refusal names the pod.
 */
async function checkStage(contracts: LureContracts, stage: StageRequest, index: number, count: number): Promise<QuotedStage & { priceToken: string }> {
  const { podId } = stage;
  const label = count > 1 ? `stage ${index}: pod ${podId}` : `pod ${podId}`;
  if (podId <= 0n) throw new RunError(`${label}: a pod id is a positive integer`);
  if (!(await read(() => contracts.registry.exists(podId), { action: `pod ${podId}` }))) throw new RunError(`${label} does not exist`);
  if (!(await read(() => contracts.licenses.hasLicense(contracts.account, podId), { action: `licence of pod ${podId}` }))) {
    throw new RunError(`${label}: ${contracts.account} holds no licence of it and does not own it; buy one first (market:buy --pod ${podId})`);
  }
  const [latest] = await read(() => contracts.registry.latestVersion(podId), { action: `latest version of pod ${podId}` });
  const asked = stage.version ?? 0n;
  if (asked < 0n) throw new RunError(`${label}: version ${asked} is not a version number`);
  if (asked > latest) throw new RunError(`${label} has no version ${asked} (its latest is ${latest})`);
  const [priceToken, podPrice] = await read(() => contracts.runMarket.runPrice(podId), { action: `run price of pod ${podId}` });
  return { podId, version: asked === 0n ? latest : asked, podPrice, priceToken };
}

/** Quotes a run of one pod: see `quoteTask`. */
export async function quoteRun(contracts: LureContracts, podId: bigint, options: QuoteOptions & { version?: bigint } = {}): Promise<RunQuote> {
  return quote(contracts, [{ podId, version: options.version }], options, "run");
}

/**
 * Quotes a task (stages run in order on one runner): every stage's pod exists, the account holds a
 * licence of it (or owns it), its version exists; the pods' run prices are in one token, which is
 * allowed; the named runner is active and accepts the token. The payment is the pod prices plus the
 * named runner's fee per stage, or `maxPayment` for any runner. A RunError, naming the value, when
 * anything is wrong or the payment is above `maxPayment`.
 */
export async function quoteTask(contracts: LureContracts, stages: StageRequest[], options: QuoteOptions = {}): Promise<RunQuote> {
  return quote(contracts, stages, options, "task");
}

async function quote(contracts: LureContracts, stages: StageRequest[], options: QuoteOptions, kind: RunQuote["kind"]): Promise<RunQuote> {
  const { runMarket } = contracts;
  if (stages.length === 0 || stages.length > MAX_STAGES) throw new RunError(`a task has 1 to ${MAX_STAGES} stages, got ${stages.length}`);
  if (await read(() => runMarket.paused(), { action: "run market pause" })) throw new RunError("the run market is paused: no run can be requested now");
  const checked: (QuotedStage & { priceToken: string })[] = [];
  for (const [index, stage] of stages.entries()) checked.push(await checkStage(contracts, stage, index, stages.length));

  const priced = checked.filter((stage) => stage.podPrice > 0n);
  const token = options.token ?? priced[0]?.priceToken ?? NATIVE_TOKEN;
  if (!(await read(() => runMarket.isTokenAllowed(token), { action: `token ${token}` }))) {
    throw new RunError(`token ${token} is not accepted by the run market (not on its allow-list)`);
  }
  for (const stage of priced) {
    if (stage.priceToken.toLowerCase() !== token.toLowerCase()) {
      throw new RunError(`pod ${stage.podId} is priced in ${tokenLabel(stage.priceToken)}, not in ${tokenLabel(token)}: pay with --token ${tokenLabel(stage.priceToken)}`);
    }
  }
  const decimals = await decimalsOf(token, runMarket.runner);
  const podPrice = checked.reduce((sum, stage) => sum + stage.podPrice, 0n);
  // A private pod runs only on a runner its owner granted the version's key to (PodKeyGrants).
  for (const [index, stage] of checked.entries()) {
    if (Number(await read(() => contracts.registry.visibilityOf(stage.podId), { action: `visibility of pod ${stage.podId}` })) !== VISIBILITY_PRIVATE) continue;
    const label = stages.length > 1 ? `stage ${index}: pod ${stage.podId}` : `pod ${stage.podId}`;
    if (options.runner === undefined || options.runner === ZeroAddress) {
      throw new RunError(`${label} is private: name a runner its owner granted version ${stage.version} to (--runner)`);
    }
    const runnerAddress = options.runner;
    if (!(await read(() => contracts.keyGrants.isGranted(stage.podId, stage.version, runnerAddress), { action: `key grant of pod ${stage.podId}` }))) {
      throw new RunError(`${label} is private and runner ${runnerAddress} holds no key grant for its version ${stage.version}: its owner grants it with pod:grant-key`);
    }
  }

  let runner: string | undefined;
  let runnerFee: bigint | undefined;
  let payment: bigint;
  if (options.runner !== undefined && options.runner !== ZeroAddress) {
    runner = options.runner;
    const info = await read(() => runMarket.runnerInfo(options.runner!), { action: `runner ${options.runner}` });
    if (info.id === 0n) throw new RunError(`runner ${runner} is not a registered runner`);
    if (info.paused) throw new RunError(`runner ${runner} is paused: it takes no runs now`);
    if (info.unbondingAt !== 0n) throw new RunError(`runner ${runner} is leaving (unregistering): it takes no runs`);
    const [fee, accepted] = await read(() => runMarket.runnerFee(options.runner!, token), { action: `fee of runner ${options.runner}` });
    if (!accepted) throw new RunError(`runner ${runner} does not accept ${tokenLabel(token)}`);
    runnerFee = fee;
    payment = podPrice + fee * BigInt(stages.length);
  } else {
    if (options.maxPayment === undefined) {
      throw new RunError("a maximum payment is required when no runner is named: it is the escrow any runner's fee is taken from (what is left is refunded)");
    }
    payment = options.maxPayment;
  }
  const maxPayment = options.maxPayment ?? payment;
  if (payment > MAX_AMOUNT || maxPayment > MAX_AMOUNT) throw new RunError(`payment ${amount(payment > maxPayment ? payment : maxPayment, decimals)} is larger than the run market can hold`);
  const due = runner === undefined ? podPrice : payment;
  if (due > maxPayment) {
    const what = runner === undefined ? "the pod prices" : `the pod prices plus runner ${runner}'s fee`;
    throw new RunError(`the payment is ${amount(due, decimals)} ${tokenLabel(token)} (${what}), above the maximum ${amount(maxPayment, decimals)}`);
  }
  return {
    kind,
    requester: contracts.account,
    stages: checked.map(({ podId, version, podPrice: price }) => ({ podId, version, podPrice: price })),
    token,
    decimals,
    podPrice,
    runner,
    runnerFee,
    payment,
    maxPayment,
  };
}

/** Requests the quoted run (one stage): see `requestTask`. */
export async function requestRun(contracts: RunContracts, quoted: RunQuote, options: RequestOptions = {}): Promise<RunRequestResult> {
  if (quoted.stages.length !== 1) throw new RunError(`a run has one stage; this quote has ${quoted.stages.length}: use requestTask`);
  return request(contracts, quoted, options);
}

/**
 * Requests the quoted task and escrows its payment: the deadline (default: an hour from the chain's
 * time) must be in the future; an ERC-20 payment checks the balance and approves RunMarket for
 * exactly the escrow when the allowance is short; the native coin travels as the exact value. The
 * request carries the quote's maximum, so a price or fee raised since the quote is refused by the
 * simulation (RunMarketPaymentAboveMax) and nothing is sent.
 */
export async function requestTask(contracts: RunContracts, quoted: RunQuote, options: RequestOptions = {}): Promise<RunRequestResult> {
  return request(contracts, quoted, options);
}

async function request(contracts: RunContracts, quoted: RunQuote, options: RequestOptions): Promise<RunRequestResult> {
  const { runMarket } = contracts;
  if (quoted.requester.toLowerCase() !== contracts.account.toLowerCase()) {
    throw new RunError(`the quote was made for ${quoted.requester}, not for ${contracts.account}: quote again as the account that pays`);
  }
  const inputRef = inputRefBytes(options.inputRef);
  const now = await chainTime(contracts);
  const seconds = options.deadlineSeconds ?? DEFAULT_DEADLINE_SECONDS;
  if (options.deadline === undefined && (!Number.isInteger(seconds) || seconds <= 0)) throw new RunError(`deadline: expected a positive number of seconds, got ${seconds}`);
  const deadline = options.deadline ?? now + BigInt(seconds);
  if (deadline <= now) throw new RunError(`deadline ${new Date(Number(deadline) * 1000).toISOString()} is not in the future (the chain's time is ${new Date(Number(now) * 1000).toISOString()})`);
  if (deadline > MAX_DEADLINE) throw new RunError(`deadline ${deadline} is beyond what the run market stores`);

  const native = quoted.token === NATIVE_TOKEN;
  const approvalTx = native ? undefined : await prepareErc20Payment({ account: contracts.account, spender: contracts.runMarket }, quoted.token, quoted.payment, quoted.decimals);
  const value = native ? quoted.payment : 0n;
  const runner = quoted.runner ?? ZeroAddress;
  const action = quoted.kind === "run" ? `request a run of pod ${quoted.stages[0].podId}` : `request a task of ${quoted.stages.length} stages`;
  let receipt;
  let event: LogDescription | undefined;
  if (quoted.kind === "run") {
    const [stage] = quoted.stages;
    receipt = await transact(runMarket.requestRun, [stage.podId, stage.version, inputRef, quoted.token, quoted.maxPayment, deadline, runner, { value }], { action });
    event = eventsOf(receipt, runMarket.interface, "RunRequested")[0];
  } else {
    const stages = quoted.stages.map((stage) => ({ podId: stage.podId, version: stage.version }));
    receipt = await transact(runMarket.requestTask, [stages, inputRef, quoted.token, quoted.maxPayment, deadline, runner, { value }], { action });
    event = eventsOf(receipt, runMarket.interface, "TaskRequested")[0];
  }
  if (!event) throw new RunError(`${action}: transaction ${receipt.hash} carries no request event`);
  return {
    ...quoted,
    runId: event.args.runId as bigint,
    escrow: event.args.escrow as bigint,
    deadline: new Date(Number(deadline) * 1000),
    inputRef: inputRef === ZeroHash ? undefined : refHex(inputRef),
    approvalTx,
    tx: receipt.hash,
  };
}

// ------------------------------------------------------------------ reading a run

export interface RunStageView {
  stage: number;
  podId: bigint;
  /** The pinned version (from the request events; undefined if they were not found). */
  version?: bigint;
  podPrice?: bigint;
  status: "pending" | "completed" | "failed";
  /** Swarm references (64 hex) of its output and its logs, once reported. */
  outputRef?: string;
  logRef?: string;
  /** Where it failed. */
  phase?: FailPhase;
}

export interface RunView {
  runId: bigint;
  kind: "run" | "task";
  status: RunStatusName;
  requester: string;
  /** The named runner before a claim, the claiming runner after; undefined when any runner may claim. */
  runner?: string;
  named: boolean;
  token: string;
  /** Still in escrow. */
  escrow: bigint;
  /** Pod prices of the stages not paid yet. */
  podPrice: bigint;
  /** Per stage, fixed at claim (0 before). */
  runnerFee: bigint;
  feeBps: number;
  deadline: Date;
  claimedUntil?: Date;
  inputRef?: string;
  stageCount: number;
  nextStage: number;
  stages: RunStageView[];
  /** The failed stage and where it failed, for a failed run. */
  failure?: { stage: number; phase: FailPhase; logRef?: string };
  /** What the ending refunded to the requester (completed, failed, expired, cancelled). */
  refund?: bigint;
}

const RUN_EVENTS = ["RunRequested", "TaskRequested", "StageRequested", "RunClaimed", "StageCompleted", "RunCompleted", "RunFailed", "RunExpired", "RunCancelled"] as const;

/** `0x00…` (no reference) → undefined, else the reference as Bee prints it. */
function optionalRef(value: unknown): string | undefined {
  const text = String(value);
  return /^0x0{64}$/.test(text) ? undefined : refHex(text);
}

/**
 * Every event of one run, with one eth_getLogs filtered on the run id (RunMarket's run events all
 * index it first), from the market's deployment block: what the indexer would say, without it.
 */
async function runEvents(contracts: RunReader, runId: bigint, fromBlock?: number): Promise<LogDescription[]> {
  const { runMarket } = contracts;
  const iface = runMarket.interface;
  const topics = RUN_EVENTS.map((name) => iface.getEvent(name).topicHash);
  const start = fromBlock ?? contracts.deployment?.contracts.RunMarket?.blockNumber ?? 0;
  const logs = await read(
    async () => providerOf(runMarket).getLogs({ address: await runMarket.getAddress(), topics: [topics, zeroPadValue(toBeHex(runId), 32)], fromBlock: start, toBlock: "latest" }),
    { action: `events of run ${runId}` },
  );
  return logs.map((log) => iface.parseLog(log)).filter((parsed): parsed is LogDescription => parsed !== null);
}

/**
 * A run as the chain knows it: its state from `run(id)`, its stages, pinned versions and input from
 * the request events, and each stage's output and log references from StageCompleted / RunFailed.
 * A RunError when the run does not exist.
 */
export async function readRun(contracts: RunReader, runId: bigint, options: { fromBlock?: number } = {}): Promise<RunView> {
  const { runMarket } = contracts;
  const stored = await read(() => runMarket.run(runId), { action: `run ${runId}` });
  const status = RUN_STATUSES[Number(stored.status)] ?? "none";
  if (status === "none") throw new RunError(`run ${runId} does not exist`);
  const stageCount = Number(stored.stageCount);
  const events = await runEvents(contracts, runId, options.fromBlock);
  const requestEvent = events.find((event) => event.name === "RunRequested" || event.name === "TaskRequested");
  const stages: RunStageView[] = [];
  for (let index = 0; index < stageCount; index++) {
    const requested = events.find((event) => event.name === "StageRequested" && Number(event.args.stage) === index);
    let podId: bigint;
    let version: bigint | undefined;
    let podPrice: bigint | undefined;
    if (requested) {
      ({ podId, version, podPrice } = requested.args as unknown as { podId: bigint; version: bigint; podPrice: bigint });
    } else if (requestEvent?.name === "RunRequested") {
      ({ podId, version, podPrice } = requestEvent.args as unknown as { podId: bigint; version: bigint; podPrice: bigint });
    } else {
      // The logs are out of reach (a node that prunes them): the view still has pod and price.
      [podId, podPrice] = await read(() => runMarket.stageOf(runId, index), { action: `stage ${index} of run ${runId}` });
    }
    stages.push({ stage: index, podId, version, podPrice, status: "pending" });
  }
  let failure: RunView["failure"];
  let refund: bigint | undefined;
  for (const event of events) {
    if (event.name === "StageCompleted") {
      const stage = stages[Number(event.args.stage)];
      if (stage) Object.assign(stage, { status: "completed", outputRef: optionalRef(event.args.outputRef), logRef: optionalRef(event.args.logRef) });
    } else if (event.name === "RunFailed") {
      const index = Number(event.args.stage);
      const phase = FAIL_PHASES[Number(event.args.phase)] ?? "Execute";
      const logRef = optionalRef(event.args.logRef);
      failure = { stage: index, phase, logRef };
      const stage = stages[index];
      if (stage) Object.assign(stage, { status: "failed", phase, logRef });
      refund = event.args.refund as bigint;
    } else if (event.name === "RunCompleted" || event.name === "RunExpired" || event.name === "RunCancelled") {
      refund = event.args.refund as bigint;
    }
  }
  return {
    runId,
    kind: stageCount > 1 || requestEvent?.name === "TaskRequested" ? "task" : "run",
    status,
    requester: stored.requester,
    runner: stored.runner === ZeroAddress ? undefined : stored.runner,
    named: stored.named,
    token: stored.token,
    escrow: stored.escrow,
    podPrice: stored.podPrice,
    runnerFee: stored.runnerFee,
    feeBps: Number(stored.feeBps),
    deadline: new Date(Number(stored.deadline) * 1000),
    claimedUntil: stored.claimedUntil === 0n ? undefined : new Date(Number(stored.claimedUntil) * 1000),
    inputRef: requestEvent ? optionalRef(requestEvent.args.inputRef) : undefined,
    stageCount,
    nextStage: Number(stored.nextStage),
    stages,
    failure,
    refund,
  };
}

/** A change of a run's state, as `waitForRun` reports it. */
export interface RunStateChange {
  runId: bigint;
  status: RunStatusName;
  /** The state before (undefined for the first report). */
  previous?: RunStatusName;
  /** The stage due next (tasks report each stage as it completes). */
  nextStage: number;
  runner?: string;
  /** Where it failed, for a failed run. */
  phase?: FailPhase;
  /** True when the deadline (chain time) passed while the run was still requested or claimed: `expireRun` refunds it. */
  overdue: boolean;
  run: RunView;
}

export interface WaitOptions {
  /** Called once with the state at the start, then at every change. */
  onState?: (change: RunStateChange) => void;
  signal?: AbortSignal;
  /** Between two reads of the run; default 2000 ms. */
  pollMs?: number;
  fromBlock?: number;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new RunError("stopped waiting for the run");
}

/**
 * Follows a run on chain (polling `run(id)`, one call per `pollMs`; the events are read only when
 * the state changes) until it ends: completed, failed (with its phase), expired or cancelled. A run
 * nobody settles before its deadline stays "requested" or "claimed" on chain until someone calls
 * `expire`; waiting stops there too and the last report says `overdue`. Returns the last view.
 */
export async function waitForRun(contracts: RunReader, runId: bigint, options: WaitOptions = {}): Promise<RunStateChange> {
  const pollMs = options.pollMs ?? 2000;
  let last: RunStateChange | undefined;
  let key = "";
  for (;;) {
    if (options.signal?.aborted) throw abortReason(options.signal);
    const stored = await read(() => contracts.runMarket.run(runId), { action: `run ${runId}` });
    const status = RUN_STATUSES[Number(stored.status)] ?? "none";
    if (status === "none") throw new RunError(`run ${runId} does not exist`);
    const now = await chainTime(contracts);
    const overdue = !FINAL_STATUSES.includes(status) && now >= stored.deadline;
    const nextKey = `${status}/${stored.nextStage}/${stored.runner}/${overdue}`;
    if (nextKey !== key) {
      key = nextKey;
      const run = await readRun(contracts, runId, { fromBlock: options.fromBlock });
      last = { runId, status: run.status, previous: last?.status, nextStage: run.nextStage, runner: run.runner, phase: run.failure?.phase, overdue, run };
      options.onState?.(last);
    }
    if (FINAL_STATUSES.includes(status) || overdue) return last!;
    await sleep(pollMs, options.signal);
  }
}

// ------------------------------------------------------------------ endings the requester calls

/** Requester only: ends a run nobody has claimed and refunds its escrow (credited; withdraw it). */
export async function cancelRun(contracts: RunContracts, runId: bigint): Promise<{ runId: bigint; refund: bigint; tx: string }> {
  const { runMarket } = contracts;
  const stored = await read(() => runMarket.run(runId), { action: `run ${runId}` });
  const status = RUN_STATUSES[Number(stored.status)] ?? "none";
  if (status === "none") throw new RunError(`run ${runId} does not exist`);
  if (stored.requester.toLowerCase() !== contracts.account.toLowerCase()) throw new RunError(`run ${runId} was requested by ${stored.requester}, not by ${contracts.account}: only its requester may cancel it`);
  if (status !== "requested") {
    const hint = status === "claimed" ? ": a runner claimed it; it can be expired once its deadline passes or the claim lapses" : "";
    throw new RunError(`run ${runId} is ${status}, not requested: only a run nobody has claimed can be cancelled${hint}`);
  }
  const receipt = await transact(runMarket.cancel, [runId], { action: `cancel run ${runId}` });
  const event = eventsOf(receipt, runMarket.interface, "RunCancelled")[0];
  return { runId, refund: (event?.args.refund as bigint | undefined) ?? 0n, tx: receipt.hash };
}

/**
 * Anyone: ends a run whose deadline passed, or whose claim lapsed, and refunds what is left in escrow
 * to its requester (a runner whose claim lapsed is slashed). Refused, sending nothing, before then.
 */
export async function expireRun(contracts: RunContracts, runId: bigint): Promise<{ runId: bigint; refund: bigint; slashed: bigint; tx: string }> {
  const { runMarket } = contracts;
  const stored = await read(() => runMarket.run(runId), { action: `run ${runId}` });
  const status = RUN_STATUSES[Number(stored.status)] ?? "none";
  if (status === "none") throw new RunError(`run ${runId} does not exist`);
  if (status !== "requested" && status !== "claimed") throw new RunError(`run ${runId} is ${status}: only a requested or claimed run can expire`);
  const now = await chainTime(contracts);
  const lapsed = status === "claimed" && stored.claimedUntil <= now;
  if (now < stored.deadline && !lapsed) {
    const iso = (seconds: bigint) => new Date(Number(seconds) * 1000).toISOString();
    const claim = status === "claimed" ? ` or its claim lapses at ${iso(stored.claimedUntil)}` : "";
    throw new RunError(`run ${runId} cannot expire yet: its deadline is ${iso(stored.deadline)}${claim}`);
  }
  const receipt = await transact(runMarket.expire, [runId], { action: `expire run ${runId}` });
  const expired = eventsOf(receipt, runMarket.interface, "RunExpired")[0];
  const lapse = eventsOf(receipt, runMarket.interface, "ClaimLapsed")[0];
  return { runId, refund: (expired?.args.refund as bigint | undefined) ?? 0n, slashed: (lapse?.args.slashed as bigint | undefined) ?? 0n, tx: receipt.hash };
}

/** What the account can withdraw from RunMarket in `token`: refunds, runner fees, pod proceeds, returned bonds. */
export async function runCreditOf(contracts: Pick<LureContracts, "runMarket">, account: string, token: string): Promise<bigint> {
  return read(() => contracts.runMarket.creditOf(account, token), { action: `run market credit of ${account}` });
}

// ------------------------------------------------------------------ run prices (pod owners)

/**
 * Sets the per-run price of a pod the account owns (0 = free in any token); applies to runs
 * requested later. Refused, sending nothing, when the account does not own the pod or the token is
 * not allowed.
 */
export async function setRunPrice(contracts: LureContracts, podId: bigint, token: string, price: bigint): Promise<{ podId: bigint; token: string; price: bigint; tx: string }> {
  const { runMarket, registry } = contracts;
  if (!(await read(() => registry.exists(podId), { action: `pod ${podId}` }))) throw new RunError(`pod ${podId} does not exist`);
  const owner = await read(() => registry.ownerOf(podId), { action: `owner of pod ${podId}` });
  if (owner.toLowerCase() !== contracts.account.toLowerCase()) throw new RunError(`pod ${podId} is owned by ${owner}, not by ${contracts.account}: only its owner sets its run price`);
  if (!(await read(() => runMarket.isTokenAllowed(token), { action: `token ${token}` }))) throw new RunError(`token ${token} is not accepted by the run market (not on its allow-list)`);
  if (price < 0n || price > MAX_AMOUNT) throw new RunError(`run price ${price} is outside what the run market stores (0 to 2^96-1)`);
  const receipt = await transact(runMarket.setRunPrice, [podId, token, price], { action: `set the run price of pod ${podId}` });
  return { podId, token, price, tx: receipt.hash };
}

/** A pod's per-run price: its token and price (0 = free in any token). */
export async function runPriceOf(contracts: Pick<LureContracts, "runMarket">, podId: bigint): Promise<{ token: string; price: bigint }> {
  const [token, price] = await read(() => contracts.runMarket.runPrice(podId), { action: `run price of pod ${podId}` });
  return { token, price };
}

// ------------------------------------------------------------------ a run's files on Swarm

/**
 * Uploads a folder as a run's input collection (paths relative to it). Regular files and folders
 * only: a symbolic link could upload files from outside the folder, so it is refused, as is an
 * empty folder. Returns the collection's reference (64 hex).
 */
export async function uploadRunInput(storage: Pick<PodStorage, "uploadCollection">, dir: string): Promise<{ ref: string; files: number; bytes: number }> {
  const root = path.resolve(dir);
  const stats = await lstat(root).catch(() => undefined);
  if (!stats?.isDirectory()) throw new RunError(`input ${root}: not a folder`);
  const entries: { path: string; data: Uint8Array }[] = [];
  const walk = async (relativeDir: string): Promise<void> => {
    const children = await readdir(path.join(root, relativeDir), { withFileTypes: true });
    children.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
    for (const child of children) {
      const relative = relativeDir ? `${relativeDir}/${child.name}` : child.name;
      if (child.isSymbolicLink()) throw new RunError(`input ${path.join(root, relative)}: symbolic links are not uploaded (copy the file in)`);
      if (child.isDirectory()) await walk(relative);
      else if (child.isFile()) entries.push({ path: relative, data: new Uint8Array(await readFile(path.join(root, relative))) });
      else throw new RunError(`input ${path.join(root, relative)}: only regular files and folders can be uploaded`);
    }
  };
  await walk("");
  if (entries.length === 0) throw new RunError(`input ${root}: the folder is empty`);
  const ref = await storage.uploadCollection(entries);
  return { ref, files: entries.length, bytes: entries.reduce((sum, entry) => sum + entry.data.length, 0) };
}

/** The output folder of a run's collection; the runner uploads `output/…` and `logs/…` side by side. */
const OUTPUT_PREFIX = "output/";
const LOGS_PREFIX = "logs/";

/** The stage whose references a command means: the one asked for, else the last one that reported any. */
export function stageOf(run: RunView, stage?: number): RunStageView {
  if (stage !== undefined) {
    const found = run.stages[stage];
    if (!found) throw new RunError(`run ${run.runId} has no stage ${stage} (it has ${run.stageCount}, numbered from 0)`);
    return found;
  }
  const reported = run.stages.filter((entry) => entry.status !== "pending");
  return reported[reported.length - 1] ?? run.stages[0];
}

/**
 * Downloads the `output/` folder of a run's output collection into `outDir`, atomically: the files
 * land in a temporary sibling folder that is renamed to `outDir` only once all of them are written,
 * so `outDir` never holds half an output. `outDir` must not exist or be empty. Entry paths are
 * checked (no `..`, no absolute paths) before anything is written.
 */
export async function fetchRunOutput(
  storage: Pick<PodStorage, "downloadCollection">,
  outputRef: string,
  outDir: string,
): Promise<{ dir: string; files: string[]; bytes: number }> {
  const target = path.resolve(outDir);
  const existing = await lstat(target).catch(() => undefined);
  if (existing && (!existing.isDirectory() || (await readdir(target)).length > 0)) throw new RunError(`output folder ${target} already exists and is not empty`);
  const collection = await storage.downloadCollection(outputRef);
  const outputs = collection
    .filter((entry) => entry.path.startsWith(OUTPUT_PREFIX) && entry.path.length > OUTPUT_PREFIX.length)
    .map((entry) => ({ path: safeEntryPath(entry.path.slice(OUTPUT_PREFIX.length), `output collection ${refHex(outputRef)}`), data: entry.data }));
  await mkdir(path.dirname(target), { recursive: true });
  const staging = path.join(path.dirname(target), `.${path.basename(target)}.partial-${randomBytes(4).toString("hex")}`);
  await mkdir(staging);
  try {
    const writer = new SafeWriter(staging, `output collection ${refHex(outputRef)}`, { maxBytes: Number.MAX_SAFE_INTEGER, maxEntries: Number.MAX_SAFE_INTEGER });
    for (const entry of outputs) await writer.file(entry.path, [entry.data], false);
    if (existing) await rmdir(target);
    await rename(staging, target);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  return { dir: target, files: outputs.map((entry) => entry.path), bytes: outputs.reduce((sum, entry) => sum + entry.data.length, 0) };
}

export interface RunLogs {
  ref: string;
  /** Every file under `logs/`, with its size. */
  files: { path: string; bytes: number }[];
  stdout?: string;
  stderr?: string;
  /** The runner's own account of the run (`logs/run.txt`). */
  run?: string;
}

/** Reads a run's log collection: `logs/stdout.txt`, `logs/stderr.txt`, `logs/run.txt` as text and the list of every log file. */
export async function readRunLogs(storage: Pick<PodStorage, "downloadCollection">, logRef: string): Promise<RunLogs> {
  const collection = await storage.downloadCollection(logRef);
  const logs = collection.filter((entry) => entry.path.startsWith(LOGS_PREFIX));
  const text = (name: string) => {
    const entry = logs.find((candidate) => candidate.path === `${LOGS_PREFIX}${name}`);
    return entry ? Buffer.from(entry.data).toString("utf8") : undefined;
  };
  return {
    ref: refHex(logRef),
    files: logs.map((entry) => ({ path: entry.path, bytes: entry.data.length })),
    stdout: text("stdout.txt"),
    stderr: text("stderr.txt"),
    run: text("run.txt"),
  };
}

/** The last `count` lines of a text (a trailing newline does not count as an empty line). */
export function lastLines(text: string | undefined, count: number): string[] {
  if (!text) return [];
  const lines = text.replace(/\n$/, "").split("\n");
  return lines.slice(Math.max(0, lines.length - count));
}

/**
 * The stages of a task recipe's `pods` list: on-chain pod ids run at their latest version; a Swarm
 * reference is looked up among the versions the registry published (VersionPublished events), so
 * it runs as that pod's version. A RunError naming the entry when a reference was never published.
 */
export async function stagesOfTaskPods(
  contracts: Pick<LureContracts, "registry"> & { deployment?: Deployment },
  pods: readonly (number | string)[],
): Promise<StageRequest[]> {
  const refs = pods.filter((entry): entry is string => typeof entry === "string" && /^[0-9a-f]{64}$/.test(entry));
  const published = new Map<string, StageRequest>();
  if (refs.length > 0) {
    const fromBlock = contracts.deployment?.contracts.PodRegistry?.blockNumber ?? 0;
    const events = await read(() => contracts.registry.queryFilter(contracts.registry.filters.VersionPublished(), fromBlock, "latest"), { action: "published versions" });
    for (const event of events) published.set(refHex(event.args.manifestRef), { podId: event.args.podId, version: event.args.version });
  }
  return pods.map((entry, index) => {
    if (typeof entry === "number" || /^[0-9]+$/.test(entry)) return { podId: BigInt(entry) };
    const found = published.get(entry);
    if (!found) throw new RunError(`pods[${index}]: ${entry} is not a version published on this chain's registry; name the pod by its id`);
    return found;
  });
}
