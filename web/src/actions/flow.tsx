import { useEffect, useRef, useState } from "preact/hooks";
import { ActionError } from "../wallet/errors";
import { runPlan, type ActionPlan, type StepProgress } from "../wallet/transaction";

/**
 * One action's life on screen: a button; then the plan (what it costs, the transactions it needs)
 * with Confirm and Cancel, before the wallet is asked anything; then each step's progress (checking,
 * waiting for the wallet, pending with its hash, confirmed); then the outcome, or a message saying
 * why nothing happened (declined in the wallet, refused by the contract with its custom error) or
 * what failed once mined.
 */
type Phase =
  | { phase: "idle" }
  | { phase: "quoting" }
  | { phase: "quoted"; plan: ActionPlan }
  | { phase: "working"; plan: ActionPlan; steps: StepProgress[] }
  | { phase: "done"; plan: ActionPlan; steps: StepProgress[]; result?: string }
  | { phase: "error"; plan?: ActionPlan; steps?: StepProgress[]; error: ActionError };

const STATUS_TEXT: Record<StepProgress["status"], string> = {
  waiting: "waiting",
  checking: "checking…",
  wallet: "confirm in your wallet…",
  pending: "pending…",
  confirmed: "confirmed",
  skipped: "not needed",
  failed: "failed",
  done: "done",
};

function asActionError(error: unknown): ActionError {
  return error instanceof ActionError ? error : new ActionError("other", error instanceof Error ? error.message : String(error));
}

function Steps({ steps }: { steps: StepProgress[] }) {
  return (
    <ol class="wallet-steps">
      {steps.map((step, index) => (
        <li key={index} class={`wallet-step wallet-step-${step.status}`} data-status={step.status}>
          <span class="wallet-step-label">{step.label}</span> <span class="wallet-step-status">{STATUS_TEXT[step.status]}</span>
          {step.hash && (
            <>
              {" "}
              <code class="wallet-tx" title={step.hash} data-tx={step.hash}>
                tx {step.hash}
              </code>
            </>
          )}
        </li>
      ))}
    </ol>
  );
}

export interface ActionFlowProps {
  /** A stable name for the action (`buy-licence`): the panel's `data-action`. */
  name: string;
  /** The button's text. */
  label: string;
  /** Builds the plan (reads prices, checks inputs); an ActionError "invalid" is shown without asking the wallet. */
  plan: () => Promise<ActionPlan>;
  /** After a confirmed action, once its outcome is closed (reload what it changed). */
  onDone?: () => void;
  disabled?: boolean;
}

export function ActionFlow({ name, label, plan, onDone, disabled }: ActionFlowProps) {
  const [state, setState] = useState<Phase>({ phase: "idle" });
  const alive = useRef(true);
  useEffect(
    () => () => {
      alive.current = false;
    },
    [],
  );
  const set = (next: Phase) => {
    if (alive.current) setState(next);
  };

  const quote = async () => {
    set({ phase: "quoting" });
    try {
      set({ phase: "quoted", plan: await plan() });
    } catch (error) {
      set({ phase: "error", error: asActionError(error) });
    }
  };

  const confirm = async (current: ActionPlan) => {
    let steps: StepProgress[] = [];
    set({ phase: "working", plan: current, steps });
    try {
      const outcome = await runPlan(current, (progress) => {
        steps = progress;
        set({ phase: "working", plan: current, steps });
      });
      set({ phase: "done", plan: current, steps, result: outcome.result });
    } catch (error) {
      set({ phase: "error", plan: current, steps, error: asActionError(error) });
    }
  };

  // What the action changed is read again once its outcome is closed, so the outcome (with its
  // transaction hashes) stays on screen until then even when the action's button goes away.
  const close = () => {
    const wasDone = state.phase === "done";
    set({ phase: "idle" });
    if (wasDone) onDone?.();
  };
  const busy = state.phase === "quoting" || state.phase === "working";

  return (
    <div class="wallet-action" data-action={name} data-phase={state.phase}>
      {(state.phase === "idle" || state.phase === "quoting") && (
        <button type="button" class="wallet-button" onClick={() => void quote()} disabled={disabled || busy}>
          {state.phase === "quoting" ? "Reading the price…" : label}
        </button>
      )}
      {state.phase !== "idle" && state.phase !== "quoting" && (
        <section class="wallet-plan" aria-label={state.plan?.title ?? label}>
          {state.plan && (
            <>
              <h3 class="wallet-plan-title">{state.plan.title}</h3>
              <dl class="wallet-costs">
                {state.plan.costs.map((cost) => (
                  <div key={cost.label} class="wallet-cost">
                    <dt>{cost.label}</dt>
                    <dd>{cost.amount}</dd>
                  </div>
                ))}
              </dl>
            </>
          )}
          {state.phase === "quoted" && (
            <>
              <ul class="wallet-notes">
                {state.plan.notes.map((note) => (
                  <li key={note}>{note}</li>
                ))}
              </ul>
              <p class="wallet-steps-intro">
                {state.plan.steps.length === 1 ? "Your wallet will ask you to confirm one transaction." : `Your wallet will ask you to confirm ${state.plan.steps.length} transactions, in this order:`}
              </p>
              {state.plan.steps.length > 1 && (
                <ol class="wallet-steps">
                  {state.plan.steps.map((step) => (
                    <li key={step.label}>{step.label}</li>
                  ))}
                </ol>
              )}
              <div class="wallet-buttons">
                <button type="button" class="wallet-button wallet-confirm" onClick={() => void confirm(state.plan)}>
                  Confirm
                </button>
                <button type="button" class="wallet-button wallet-cancel" onClick={close}>
                  Cancel
                </button>
              </div>
            </>
          )}
          {(state.phase === "working" || state.phase === "done" || (state.phase === "error" && state.steps && state.steps.length > 0)) && <Steps steps={state.steps ?? []} />}
          {state.phase === "done" && (
            <p class="wallet-done" role="status">
              Done{state.result ? `: ${state.result}` : "."}{" "}
              <button type="button" class="wallet-button wallet-close" onClick={close}>
                Close
              </button>
            </p>
          )}
          {state.phase === "error" && (
            <div class={`wallet-error wallet-error-${state.error.kind}`} role="alert" data-kind={state.error.kind} data-revert={state.error.revertName}>
              <p>{state.error.message}</p>
              <button type="button" class="wallet-button wallet-close" onClick={close}>
                Close
              </button>
            </div>
          )}
        </section>
      )}
    </div>
  );
}
