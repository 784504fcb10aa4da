import { ZeroAddress, ZeroHash, toBeHex, zeroPadValue, type ContractTransactionReceipt } from "ethers";
import { FAIL_PHASES, RUN_STATUSES, type RunStatusName } from "../../../services/chain/run-enums";
import { invalid } from "./errors";
import { formatAmount, parseAmount, tokenInfo, type TokenInfo } from "./format";
import { paymentSteps } from "./allowance";
import type { WalletSession } from "./store";
import { txStep, type ActionPlan } from "./transaction";

/**
 * Requesting a run of a pod and following it, as services/market/runs.ts does for `pod:run`: the
 * requester must hold a licence (or own the pod); the pod's run price decides the token; with any
 * runner the escrow is the maximum payment the user gives (at least the pod price: a runner's fee
 * is taken from the rest at its claim, and what is left is refunded); the deadline is counted from
 * the chain's time; the version run is the latest, pinned in the request.
 */

/** The statuses a run never leaves. */
const FINAL: readonly RunStatusName[] = ["completed", "failed", "expired", "cancelled"];
/** What a request gives the runner when the user changes nothing: an hour (DEFAULT_DEADLINE_SECONDS on the command line). */
export const DEFAULT_DEADLINE_MINUTES = 60;
const MAX_AMOUNT = (1n << 96n) - 1n;

export interface RunTerms {
  token: TokenInfo;
  /** The pod's per-run price (0 = free). */
  podPrice: bigint;
  /** The latest version: the one a request pins. */
  version: bigint;
  licensed: boolean;
  paused: boolean;
  /** A suggested maximum payment: the pod price plus a hundredth of the token, as a starting point. */
  suggestedMax: bigint;
}

/** What a run of the pod costs now, read through the wallet. */
export async function readRunTerms(session: WalletSession, podId: bigint): Promise<RunTerms> {
  const { registry, runMarket, licenses } = session.contracts;
  const [[priceToken, podPrice], [version], licensed, paused] = await Promise.all([
    runMarket.runPrice(podId),
    registry.latestVersion(podId),
    licenses.hasLicense(session.account, podId),
    runMarket.paused(),
  ]);
  const token = await tokenInfo(session.config, podPrice > 0n ? priceToken : ZeroAddress, session.signer);
  return { token, podPrice, version, licensed, paused, suggestedMax: podPrice + 10n ** BigInt(Math.max(0, token.decimals - 2)) };
}

export interface RunInput {
  /** The maximum payment as typed, in the token's units ("0.01"). */
  maxPayment: string;
  /** Minutes from the chain's time until the deadline, as typed. */
  deadlineMinutes: string;
  /** A Swarm reference of an input collection (64 hex), or empty. */
  inputRef: string;
}

/** The plan of a run request; `onRequested` gets the run id once the request is mined. */
export async function planRun(session: WalletSession, podId: bigint, terms: RunTerms, input: RunInput, onRequested: (runId: bigint, receipt: ContractTransactionReceipt) => void): Promise<ActionPlan> {
  const { runMarket } = session.contracts;
  const { token } = terms;
  if (!terms.licensed) throw invalid(`you hold no licence of pod ${podId} and do not own it: buy a licence first`);
  if (terms.paused) throw invalid("the run market is paused: no run can be requested now");
  const maxPayment = parseAmount(input.maxPayment, token, "maximum payment");
  if (maxPayment > MAX_AMOUNT) throw invalid(`maximum payment ${input.maxPayment} is larger than the run market can hold`);
  if (maxPayment < terms.podPrice) throw invalid(`maximum payment ${formatAmount(maxPayment, token)} is below the pod's run price ${formatAmount(terms.podPrice, token)}`);
  const minutes = Number(input.deadlineMinutes.trim());
  if (!/^[0-9]+$/.test(input.deadlineMinutes.trim()) || minutes <= 0 || minutes > 365 * 24 * 60) throw invalid(`deadline ${JSON.stringify(input.deadlineMinutes)}: expected whole minutes from now, 1 to ${365 * 24 * 60}`);
  const ref = input.inputRef.trim();
  if (ref !== "" && !/^(0x)?[0-9a-fA-F]{64}$/.test(ref)) throw invalid(`input reference ${JSON.stringify(input.inputRef)}: expected a 64-hex Swarm reference`);
  const inputRef = ref === "" ? ZeroHash : `0x${ref.replace(/^0x/, "").toLowerCase()}`;
  const block = await session.provider.getBlock("latest");
  if (!block) throw invalid("the wallet's node returned no latest block");
  const deadline = BigInt(block.timestamp) + BigInt(minutes * 60);
  const title = `Request a run of pod ${podId}`;
  const payment = await paymentSteps(session, token, runMarket, "RunMarket", maxPayment);
  const value = token.native ? maxPayment : 0n;
  return {
    title,
    costs: [
      { label: "Escrow (your maximum payment)", amount: formatAmount(maxPayment, token) },
      { label: "of which the pod's run price", amount: formatAmount(terms.podPrice, token) },
    ],
    notes: [
      `Any runner may claim the run; its fee is taken from the escrow at its claim and what is left is refunded to you (withdraw it from your account page).`,
      `Version ${terms.version} runs. A run nobody settles by ${new Date(Number(deadline) * 1000).toLocaleString()} (chain time) can be expired for a full refund.`,
      ...payment.notes,
      `Gas is paid in ${session.config.nativeSymbol} on top.`,
    ],
    steps: [...payment.steps, txStep(title, runMarket.requestRun, [podId, terms.version, inputRef, token.address, maxPayment, deadline, ZeroAddress, { value }])],
    result: (receipt) => {
      const runId = runIdOf(session, receipt);
      return runId === undefined ? undefined : `Run ${runId} requested.`;
    },
    after: (receipt) => {
      const runId = runIdOf(session, receipt);
      if (runId !== undefined) onRequested(runId, receipt);
    },
  };
}

function runIdOf(session: WalletSession, receipt: ContractTransactionReceipt): bigint | undefined {
  const iface = session.contracts.runMarket.interface;
  for (const log of receipt.logs) {
    const parsed = iface.parseLog(log);
    if (parsed?.name === "RunRequested") return parsed.args.runId as bigint;
  }
  return undefined;
}

export interface RunState {
  runId: bigint;
  status: RunStatusName;
  runner?: string;
  /** The completed stage's output and log references (64 hex). */
  outputRef?: string;
  logRef?: string;
  /** A failed run's phase. */
  phase?: string;
  final: boolean;
}

const refOrUndefined = (value: unknown) => (typeof value === "string" && !/^0x0{64}$/.test(value) ? value.replace(/^0x/, "") : undefined);

/**
 * Follows a run on chain (one `run(id)` read per `pollMs`, the events read when it ends) and calls
 * `onState` at every change, until it ends or `signal` aborts.
 */
export async function watchRun(session: WalletSession, runId: bigint, fromBlock: number, onState: (state: RunState) => void, signal: AbortSignal, pollMs = 1000): Promise<void> {
  const { runMarket } = session.contracts;
  let key = "";
  while (!signal.aborted) {
    const stored = await runMarket.run(runId);
    const status = RUN_STATUSES[Number(stored.status)] ?? "none";
    const runner = stored.runner === ZeroAddress ? undefined : stored.runner;
    const final = FINAL.includes(status);
    if (`${status}/${runner}` !== key) {
      key = `${status}/${runner}`;
      const state: RunState = { runId, status, runner, final };
      if (final) {
        const address = await runMarket.getAddress();
        const topics = [[runMarket.interface.getEvent("StageCompleted").topicHash, runMarket.interface.getEvent("RunFailed").topicHash], zeroPadValue(toBeHex(runId), 32)];
        const logs = await session.provider.getLogs({ address, topics, fromBlock, toBlock: "latest" });
        for (const log of logs) {
          const parsed = runMarket.interface.parseLog(log);
          if (parsed?.name === "StageCompleted") Object.assign(state, { outputRef: refOrUndefined(parsed.args.outputRef), logRef: refOrUndefined(parsed.args.logRef) });
          if (parsed?.name === "RunFailed") Object.assign(state, { phase: FAIL_PHASES[Number(parsed.args.phase)], logRef: refOrUndefined(parsed.args.logRef) });
        }
      }
      onState(state);
    }
    if (final) return;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
