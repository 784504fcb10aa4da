import { useState } from "preact/hooks";
import { formatAmount } from "../wallet/format";
import { planJoin, readStanding, type GroupStanding } from "../wallet/groups";
import { planGroupMessage, quoteGroupMessage } from "../wallet/messages";
import type { WalletSession } from "../wallet/store";
import { ActionFlow } from "./flow";
import { parseId, SessionGate, useLoaded, useSession } from "./common";

function standingText(standing: GroupStanding): string {
  switch (standing.status) {
    case "member":
      if (!standing.active) return "Your membership has expired: renew it to pay the member fee again.";
      return standing.expiresAt === 0n ? "You are a member." : `You are a member until ${new Date(Number(standing.expiresAt) * 1000).toLocaleString()}.`;
    case "requested":
      return "You asked to join: an admin approves or rejects the request.";
    case "banned":
      return "You are banned from this group.";
    default:
      return "You are not a member.";
  }
}

function MessageForm({ session, groupId, version, onDone }: { session: WalletSession; groupId: bigint; version: number; onDone: () => void }) {
  const [text, setText] = useState("");
  const [decoder, setDecoder] = useState("");
  const quote = useLoaded(() => quoteGroupMessage(session, groupId), `${session.account}/${String(groupId)}/${version}`);
  const id = `msg-${String(groupId)}`;
  return (
    <fieldset class="wallet-form">
      <legend>Send a message</legend>
      {quote.value && (
        <p class="wallet-quote" data-fee={String(quote.value.fee)}>
          A message from you costs {formatAmount(quote.value.fee, quote.value.token)} now.
        </p>
      )}
      {quote.error && (
        <p class="wallet-error-inline" role="alert">
          {quote.error}
        </p>
      )}
      <label for={`${id}-text`}>Message</label>
      <textarea id={`${id}-text`} name="message" rows={3} value={text} onInput={(event) => setText(event.currentTarget.value)} />
      <label for={`${id}-decoder`}>Decoder pod (optional)</label>
      <input id={`${id}-decoder`} name="decoder" inputMode="numeric" value={decoder} onInput={(event) => setDecoder(event.currentTarget.value)} />
      <ActionFlow
        name="send-message"
        label="Send"
        plan={async () => planGroupMessage(session, groupId, await quoteGroupMessage(session, groupId), { text, decoder })}
        onDone={() => {
          setText("");
          onDone();
        }}
      />
    </fieldset>
  );
}

/** On a group's page: join the group, send a paid message (fee quoted before signing). */
export function GroupActions({ groupId }: { groupId: string }) {
  const { state, session } = useSession();
  const [version, setVersion] = useState(0);
  const id = parseId(groupId);
  const standing = useLoaded(session && id !== undefined ? () => readStanding(session, id) : undefined, `${session?.account ?? "none"}/${groupId}/${version}`);
  if (id === undefined) return null;
  const reload = () => setVersion((value) => value + 1);
  return (
    <SessionGate state={state} session={session} what="join this group or send it a message">
      {(active) => (
        <section class="wallet-actions" aria-labelledby={`group-actions-${groupId}`} data-account={active.account}>
          <h2 id={`group-actions-${groupId}`}>Take part</h2>
          {standing.error && (
            <p class="wallet-error-inline" role="alert">
              {standing.error}
            </p>
          )}
          {standing.value && (
            <p class="wallet-standing" data-member={standing.value.status}>
              {standingText(standing.value)}
            </p>
          )}
          {standing.value && standing.value.status !== "banned" && standing.value.status !== "requested" && !(standing.value.status === "member" && standing.value.expiresAt === 0n) && (
            <ActionFlow
              name="join-group"
              label={standing.value.status === "member" ? "Renew membership" : standing.value.policy === "approval" ? "Ask to join" : standing.value.policy === "fee" ? `Join (${formatAmount(standing.value.joinFee, standing.value.token)})` : "Join"}
              plan={() => planJoin(active, standing.value!)}
              onDone={reload}
            />
          )}
          <MessageForm session={active} groupId={id} version={version} onDone={reload} />
        </section>
      )}
    </SessionGate>
  );
}
