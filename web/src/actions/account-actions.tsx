import { useState } from "preact/hooks";
import { formatAmount } from "../wallet/format";
import { creditDescription, planWithdraw, readCredits } from "../wallet/withdraw";
import { ActionFlow } from "./flow";
import { SessionGate, useLoaded, useSession } from "./common";

/** On an account's page, when it is the connected account: withdraw earnings, per contract and token. */
export function AccountActions({ account }: { account: string }) {
  const { state, session } = useSession();
  const [version, setVersion] = useState(0);
  const mine = !!state.account && state.account.toLowerCase() === account.toLowerCase();
  const credits = useLoaded(session && mine ? () => readCredits(session) : undefined, `${session?.account ?? "none"}/${account}/${version}`);
  if (!mine) return null;
  return (
    <SessionGate state={state} session={session} what="withdraw your earnings">
      {(active) => (
        <section class="wallet-actions" aria-labelledby="withdraw-h" data-account={active.account}>
          <h3 id="withdraw-h">Withdraw</h3>
          {credits.error && (
            <p class="wallet-error-inline" role="alert">
              {credits.error}
            </p>
          )}
          {credits.value && credits.value.length === 0 && <p class="wallet-standing">Nothing to withdraw: no credit in PodMarket, RunMarket or MessageBus.</p>}
          {credits.value?.map((credit) => (
            <div key={`${credit.source}/${credit.token.address}`} class="wallet-row wallet-credit" data-source={credit.source} data-token={credit.token.address}>
              <span>
                {formatAmount(credit.amount, credit.token)} in {credit.source} <span class="muted">({creditDescription(credit.source)})</span>
              </span>
              <ActionFlow name={`withdraw-${credit.source}`} label="Withdraw" plan={() => Promise.resolve(planWithdraw(active, credit))} onDone={() => setVersion((value) => value + 1)} />
            </div>
          ))}
        </section>
      )}
    </SessionGate>
  );
}
