import type { Balance, License, Pod, Run } from "../../../graphql/generated/client";
import { AccountActions } from "../actions";
import type { AppConfig } from "../app-config";
import { Amount, Empty, PodLink, Show, Status, Table, Token } from "../components/common";
import { MESSAGE_FIELDS, MessageItem, type MessageRow } from "../components/message";
import { formatRate, formatTime } from "../format";
import { gql } from "../graphql";
import { useLoad } from "../hooks";

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

type AccountData = {
  account: {
    address: string;
    pods: { items: Pick<Pod, "id" | "name" | "versionCount" | "runCount" | "runSuccessRate" | "listed">[]; totalCount: number };
    licenses: { items: (Pick<License, "podId" | "balance" | "token" | "price" | "purchasedAt" | "transferable"> & { pod: Pick<Pod, "id" | "name"> })[]; totalCount: number };
    balances: Pick<Balance, "token" | "withdrawable" | "earned">[];
    inbox: { items: MessageRow[]; totalCount: number };
  };
  runs: { items: (Pick<Run, "id" | "status" | "token" | "escrow" | "refund" | "requestedAt" | "stageCount"> & { pod: Pick<Pod, "id" | "name"> })[]; totalCount: number };
  messages: { items: MessageRow[]; totalCount: number };
};

const ACCOUNT_QUERY = `query ($address: Address!) {
  account(address: $address) {
    address
    pods(first: 100, orderDirection: desc) { items { id name versionCount runCount runSuccessRate listed } totalCount }
    licenses(first: 100, orderDirection: desc) { items { podId balance token price purchasedAt transferable pod { id name } } totalCount }
    balances { token withdrawable earned }
    inbox(first: 50) { items { ${MESSAGE_FIELDS} } totalCount }
  }
  runs(where: { requester: $address }, orderDirection: desc, first: 50) { items { id status token escrow refund requestedAt stageCount pod { id name } } totalCount }
  messages(where: { sender: $address }, orderDirection: desc, first: 50) { items { ${MESSAGE_FIELDS} } totalCount }
}`;

export function AccountPage({ address, config }: { address: string; config: AppConfig }) {
  const valid = ADDRESS.test(address);
  const [loaded] = useLoad(async (signal) => {
    if (!valid) throw new Error(`"${address}" is not an address (0x and 40 hex digits)`);
    return gql<AccountData>(ACCOUNT_QUERY, { address }, signal);
  }, [address]);
  return (
    <>
      <h1 tabIndex={-1}>
        Account <code title={address}>{address}</code>
      </h1>
      <Show loaded={loaded}>
        {(data) => (
          <article data-account={data.account.address}>
            <section aria-labelledby="earnings-h">
              <h2 id="earnings-h">Earnings waiting to be withdrawn</h2>
              <Table caption="Per token" id="balances" head={["Token", "Withdrawable", "Earned in total"]}>
                {data.account.balances.length === 0 ? (
                  <Empty columns={3} text="Nothing earned." />
                ) : (
                  data.account.balances.map((balance) => (
                    <tr key={balance.token} data-token={balance.token}>
                      <td>
                        <Token config={config} token={balance.token} />
                      </td>
                      <td class="num">
                        <Amount config={config} token={balance.token} value={balance.withdrawable} />
                      </td>
                      <td class="num">
                        <Amount config={config} token={balance.token} value={balance.earned} />
                      </td>
                    </tr>
                  ))
                )}
              </Table>
              <AccountActions account={data.account.address} />
            </section>
            <section aria-labelledby="apods-h">
              <h2 id="apods-h">Pods ({data.account.pods.totalCount})</h2>
              <Table caption="Pods it owns" id="account-pods" head={["Pod", "Versions", "Runs", "Success", "Listed"]}>
                {data.account.pods.items.length === 0 ? (
                  <Empty columns={5} text="None." />
                ) : (
                  data.account.pods.items.map((pod) => (
                    <tr key={pod.id} data-pod-id={pod.id}>
                      <td>
                        <PodLink id={pod.id} name={pod.name} />
                      </td>
                      <td class="num">{pod.versionCount}</td>
                      <td class="num">{pod.runCount}</td>
                      <td class="num">{formatRate(pod.runSuccessRate)}</td>
                      <td>{pod.listed ? "yes" : "no"}</td>
                    </tr>
                  ))
                )}
              </Table>
            </section>
            <section aria-labelledby="licences-h">
              <h2 id="licences-h">Licences ({data.account.licenses.totalCount})</h2>
              <Table caption="Licences it holds" id="licences" head={["Pod", "Held", "Paid", "Bought", "Transferable"]}>
                {data.account.licenses.items.length === 0 ? (
                  <Empty columns={5} text="None." />
                ) : (
                  data.account.licenses.items.map((licence) => (
                    <tr key={licence.podId} data-pod-id={licence.podId}>
                      <td>
                        <PodLink id={licence.pod.id} name={licence.pod.name} />
                      </td>
                      <td class="num">{licence.balance}</td>
                      <td class="num">{licence.price !== null ? <Amount config={config} token={licence.token} value={licence.price} /> : "received"}</td>
                      <td>{formatTime(licence.purchasedAt)}</td>
                      <td>{licence.transferable ? "yes" : "no"}</td>
                    </tr>
                  ))
                )}
              </Table>
            </section>
            <section aria-labelledby="aruns-h">
              <h2 id="aruns-h">Runs it requested ({data.runs.totalCount})</h2>
              <Table caption="Runs" id="account-runs" head={["Run", "Pod", "Status", "Escrow", "Refund", "Requested"]}>
                {data.runs.items.length === 0 ? (
                  <Empty columns={6} text="None." />
                ) : (
                  data.runs.items.map((run) => (
                    <tr key={run.id} data-run-id={run.id}>
                      <td>
                        <a href={`#/runs/${run.id}`}>
                          {run.stageCount > 1 ? "task" : "run"} {run.id}
                        </a>
                      </td>
                      <td>
                        <PodLink id={run.pod.id} name={run.pod.name} />
                      </td>
                      <td>
                        <Status status={run.status} />
                      </td>
                      <td class="num">
                        <Amount config={config} token={run.token} value={run.escrow} />
                      </td>
                      <td class="num">
                        <Amount config={config} token={run.token} value={run.refund} />
                      </td>
                      <td>{formatTime(run.requestedAt)}</td>
                    </tr>
                  ))
                )}
              </Table>
            </section>
            <section aria-labelledby="sent-h">
              <h2 id="sent-h">Messages sent ({data.messages.totalCount})</h2>
              {data.messages.items.length === 0 ? (
                <p class="muted">None.</p>
              ) : (
                <ol class="messages" id="sent">
                  {data.messages.items.map((message) => (
                    <MessageItem key={message.id} message={message} config={config} />
                  ))}
                </ol>
              )}
            </section>
            <section aria-labelledby="inbox-h">
              <h2 id="inbox-h">Inbox ({data.account.inbox.totalCount})</h2>
              {data.account.inbox.items.length === 0 ? (
                <p class="muted">Empty.</p>
              ) : (
                <ol class="messages" id="inbox">
                  {data.account.inbox.items.map((message) => (
                    <MessageItem key={message.id} message={message} config={config} />
                  ))}
                </ol>
              )}
            </section>
          </article>
        )}
      </Show>
    </>
  );
}
