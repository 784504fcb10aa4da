import type { ContractTransactionReceipt, ContractTransactionResponse, Interface } from "ethers";
import { ActionError, toActionError } from "./errors";

/**
 * The one way the app sends a transaction, as services/chain/transact.ts does on the command line:
 * an action is first a plan (what it costs, the transactions it needs), shown to the user before
 * the wallet is asked anything; once confirmed, each step is simulated (a revert is named, and
 * nothing is sent), handed to the wallet, then followed until mined.
 */

/** A contract method as typechain binds it: callable to send, `.staticCall` to simulate. */
export interface SendableMethod<Args extends unknown[]> {
  (...args: Args): Promise<ContractTransactionResponse>;
  staticCall(...args: Args): Promise<unknown>;
}

/** One transaction of a plan. */
export interface TxStep {
  /** "Approve PodMarket to spend exactly 1 TST", "Buy a licence for pod 3". */
  label: string;
  /** Checked right before the step: false skips it (an allowance that became enough meanwhile). */
  needed?: () => Promise<boolean>;
  simulate(): Promise<unknown>;
  send(): Promise<ContractTransactionResponse>;
  /** The called contract's ABI, tried first when a revert is decoded. */
  calledOn?: Interface;
}

/** The interface of the contract a typechain method belongs to (ethers keeps it on the method). */
function interfaceOf(method: object): Interface | undefined {
  return (method as { _contract?: { interface?: Interface } })._contract?.interface;
}

/** A step calling `method(...args)`; `args` may be computed when the step runs (a reference uploaded just before). */
export function txStep<Args extends unknown[]>(label: string, method: SendableMethod<Args>, args: Args | (() => Args), options: { needed?: () => Promise<boolean> } = {}): TxStep {
  const argsNow = () => (typeof args === "function" ? args() : args);
  return { label, needed: options.needed, simulate: () => method.staticCall(...argsNow()), send: () => method(...argsNow()), calledOn: interfaceOf(method) };
}

/** One line of what an action costs, shown before the wallet is asked. */
export interface CostLine {
  label: string;
  /** `0.1 ETH`. */
  amount: string;
}

/** What an action is, costs and sends. */
export interface ActionPlan {
  /** "Buy a licence for pod 3": leads every message about it. */
  title: string;
  costs: CostLine[];
  /** Conditions worth reading before confirming (refunds, deadlines, what the quote covers). */
  notes: string[];
  /** Work after the confirmation and before the first transaction (a Swarm upload), with its label. */
  before?: { label: string; run: () => Promise<void> };
  steps: TxStep[];
  /** What the last receipt means, in words (the run id, the message id). */
  result?: (receipt: ContractTransactionReceipt) => string | undefined;
  /** Called once the last step is mined (a run to watch, a view to refresh). */
  after?: (receipt: ContractTransactionReceipt) => void;
}

export type StepStatus = "waiting" | "checking" | "wallet" | "pending" | "confirmed" | "skipped" | "failed" | "done";

export interface StepProgress {
  label: string;
  status: StepStatus;
  hash?: string;
}

export interface PlanOutcome {
  receipts: ContractTransactionReceipt[];
  result?: string;
}

/** Runs a confirmed plan, reporting every step's progress; an ActionError when a step does not go through. */
export async function runPlan(plan: ActionPlan, onProgress: (steps: StepProgress[]) => void): Promise<PlanOutcome> {
  const waiting = (label: string): StepProgress => ({ label, status: "waiting" });
  const progress: StepProgress[] = [...(plan.before ? [waiting(plan.before.label)] : []), ...plan.steps.map((step) => waiting(step.label))];
  const set = (index: number, patch: Partial<StepProgress>) => {
    progress[index] = { ...progress[index], ...patch };
    onProgress([...progress]);
  };
  onProgress([...progress]);
  let index = 0;
  if (plan.before) {
    set(0, { status: "checking" });
    try {
      await plan.before.run();
    } catch (error) {
      set(0, { status: "failed" });
      throw toActionError(error, plan.title, "simulate");
    }
    set(0, { status: "done" });
    index = 1;
  }
  const receipts: ContractTransactionReceipt[] = [];
  for (const step of plan.steps) {
    const at = index++;
    if (step.needed && !(await step.needed())) {
      set(at, { status: "skipped" });
      continue;
    }
    set(at, { status: "checking" });
    try {
      await step.simulate();
    } catch (error) {
      set(at, { status: "failed" });
      throw toActionError(error, step.label, "simulate", { calledOn: step.calledOn });
    }
    set(at, { status: "wallet" });
    let response: ContractTransactionResponse;
    try {
      response = await step.send();
    } catch (error) {
      set(at, { status: "failed" });
      // The wallet estimates gas again, against a state that may have moved since the simulation.
      throw toActionError(error, step.label, "send", { calledOn: step.calledOn });
    }
    set(at, { status: "pending", hash: response.hash });
    let receipt: ContractTransactionReceipt | null;
    try {
      receipt = await response.wait();
    } catch (error) {
      set(at, { status: "failed" });
      throw toActionError(error, step.label, "mined", { hash: response.hash, calledOn: step.calledOn });
    }
    if (!receipt) throw new ActionError("other", `${step.label}: the wallet's node returned no receipt for ${response.hash}`);
    receipts.push(receipt);
    set(at, { status: "confirmed" });
  }
  const last = receipts[receipts.length - 1];
  const result = last ? plan.result?.(last) : undefined;
  if (last) plan.after?.(last);
  return { receipts, result };
}
