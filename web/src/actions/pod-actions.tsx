import { formatUnits } from "ethers";
import { useEffect, useState } from "preact/hooks";
import { formatAmount } from "../wallet/format";
import { planPurchase, readPodMarket, type PodMarketView } from "../wallet/purchase";
import { DEFAULT_DEADLINE_MINUTES, planRun, readRunTerms, watchRun, type RunState, type RunTerms } from "../wallet/runs";
import type { WalletSession } from "../wallet/store";
import { ActionFlow } from "./flow";
import { parseId, SessionGate, useLoaded, useSession } from "./common";

/** A run requested here, followed live until it ends. */
function RunWatch({ session, runId, fromBlock }: { session: WalletSession; runId: bigint; fromBlock: number }) {
  const [state, setState] = useState<RunState | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    const controller = new AbortController();
    watchRun(session, runId, fromBlock, setState, controller.signal).catch((failure: Error) => setError(failure.message));
    return () => controller.abort();
  }, [session, runId, fromBlock]);
  const proxy = session.config.swarmProxyUrl;
  return (
    <div class="wallet-run" data-run={String(runId)} data-run-status={state?.status ?? "requested"} role="status" aria-live="polite">
      <a href={`#/runs/${runId}`}>Run {String(runId)}</a>: <strong class="wallet-run-status">{state?.status ?? "requested"}</strong>
      {state?.runner && <> by runner <code title={state.runner}>{state.runner.slice(0, 10)}…</code></>}
      {!state?.final && !error && <span class="muted"> (watching the chain…)</span>}
      {state?.phase && <> in phase {state.phase}</>}
      {state?.outputRef && (
        <>
          {" "}
          · <a href={`${proxy}/bzz/${state.outputRef}/`}>output</a>
        </>
      )}
      {state?.logRef && (
        <>
          {" "}
          · <a href={`${proxy}/bzz/${state.logRef}/`}>logs</a>
        </>
      )}
      {error && <span class="wallet-error-inline"> (stopped watching: {error})</span>}
    </div>
  );
}

function RunForm({ session, podId, terms, onDone }: { session: WalletSession; podId: bigint; terms: RunTerms; onDone: () => void }) {
  const [maxPayment, setMaxPayment] = useState(formatUnits(terms.suggestedMax, terms.token.decimals).replace(/\.0$/, ""));
  const [deadline, setDeadline] = useState(String(DEFAULT_DEADLINE_MINUTES));
  const [inputRef, setInputRef] = useState("");
  const [runs, setRuns] = useState<{ runId: bigint; fromBlock: number }[]>([]);
  const id = `run-${String(podId)}`;
  return (
    <fieldset class="wallet-form">
      <legend>Request a run</legend>
      <p class="muted">
        Run price {formatAmount(terms.podPrice, terms.token)}; version {String(terms.version)} runs.
      </p>
      <label for={`${id}-max`}>Maximum payment ({terms.token.symbol}, escrowed)</label>
      <input id={`${id}-max`} name="maxPayment" inputMode="decimal" value={maxPayment} onInput={(event) => setMaxPayment(event.currentTarget.value)} />
      <label for={`${id}-deadline`}>Deadline (minutes from now)</label>
      <input id={`${id}-deadline`} name="deadline" inputMode="numeric" value={deadline} onInput={(event) => setDeadline(event.currentTarget.value)} />
      <label for={`${id}-input`}>Input collection (Swarm reference, optional)</label>
      <input id={`${id}-input`} name="inputRef" value={inputRef} onInput={(event) => setInputRef(event.currentTarget.value)} />
      <ActionFlow
        name="request-run"
        label="Request a run"
        plan={() => planRun(session, podId, terms, { maxPayment, deadlineMinutes: deadline, inputRef }, (runId, receipt) => setRuns((previous) => [...previous, { runId, fromBlock: receipt.blockNumber }]))}
        onDone={onDone}
      />
      {runs.map((run) => (
        <RunWatch key={String(run.runId)} session={session} runId={run.runId} fromBlock={run.fromBlock} />
      ))}
    </fieldset>
  );
}

function Standing({ podId, view, account }: { podId: bigint; view: PodMarketView; account: string }) {
  const owner = view.owner.toLowerCase() === account.toLowerCase();
  return (
    <p class="wallet-standing" data-owner={owner} data-licensed={view.licensed}>
      {owner ? `You own pod ${podId}.` : view.licensed ? `You hold a licence of pod ${podId}.` : `You hold no licence of pod ${podId}.`}
      {!view.listed && !owner && " It is not listed for sale."}
      {view.listed && view.paused && " Its sales are paused."}
    </p>
  );
}

/** On a pod's page: buy a licence, buy the pod, request a run (and watch it finish). */
export function PodActions({ podId }: { podId: string }) {
  const { state, session } = useSession();
  const [version, setVersion] = useState(0);
  const id = parseId(podId);
  const key = `${session ? `${session.account}/${session.config.chainId}` : "none"}/${podId}/${version}`;
  const market = useLoaded(session && id !== undefined ? () => readPodMarket(session, id) : undefined, key);
  const terms = useLoaded(session && id !== undefined ? () => readRunTerms(session, id) : undefined, key);
  if (id === undefined) return null;
  const reload = () => setVersion((value) => value + 1);
  return (
    <SessionGate state={state} session={session} what="buy or run this pod">
      {(active) => (
        <section class="wallet-actions" aria-labelledby={`pod-actions-${podId}`} data-account={active.account}>
          <h2 id={`pod-actions-${podId}`}>Buy and run</h2>
          {market.error && (
            <p class="wallet-error-inline" role="alert">
              {market.error}
            </p>
          )}
          {market.value && <Standing podId={id} view={market.value} account={active.account} />}
          {market.value?.listed && market.value.token && market.value.owner.toLowerCase() !== active.account.toLowerCase() && (
            <div class="wallet-row">
              {!market.value.licensed && (
                <ActionFlow name="buy-licence" label={`Buy a licence (${formatAmount(market.value.price, market.value.token)})`} plan={() => planPurchase(active, id, "licence", market.value!)} onDone={reload} />
              )}
              {market.value.podPrice > 0n && (
                <ActionFlow name="buy-pod" label={`Buy the pod (${formatAmount(market.value.podPrice, market.value.token)})`} plan={() => planPurchase(active, id, "pod", market.value!)} onDone={reload} />
              )}
            </div>
          )}
          {terms.value && market.value && (market.value.licensed || terms.value.licensed) && <RunForm session={active} podId={id} terms={terms.value} onDone={reload} />}
        </section>
      )}
    </SessionGate>
  );
}
