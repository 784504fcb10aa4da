import { useEffect, useState } from "preact/hooks";
import type { Pod, Run, RunChanged, RunStage, Runner } from "../../../graphql/generated/client";
import type { AppConfig } from "../app-config";
import { Address, Amount, Empty, Facts, Hash, PodLink, Show, Status, Table } from "../components/common";
import { Files } from "../components/files";
import { formatDuration, formatTime } from "../format";
import { gql, subscribe } from "../graphql";
import { useLoad } from "../hooks";

export type RunRow = Pick<
  Run,
  | "id" | "requester" | "status" | "failedPhase" | "failedStage" | "runnerAddress" | "stageCount" | "stagesCompleted" | "token" | "escrow" | "podPrice"
  | "runnerFee" | "runnerPaid" | "podProceeds" | "platformFees" | "refund" | "requestedAt" | "claimedAt" | "endedAt" | "deadline"
> & { pod: Pick<Pod, "id" | "name"> };
const RUN_FIELDS = `id requester status failedPhase failedStage runnerAddress stageCount stagesCompleted token escrow podPrice runnerFee runnerPaid
  podProceeds platformFees refund requestedAt claimedAt endedAt deadline pod { id name }`;
const RUN_CHANGES = `subscription ($runId: BigInt) { runUpdated(runId: $runId) { __typename ... on RunChanged { runId change status } ... on Rollback { fromBlock } } }`;
type RunUpdate = { runUpdated: (Pick<RunChanged, "runId" | "change" | "status"> & { __typename: "RunChanged" }) | { __typename: "Rollback"; fromBlock: number } };

/** Where the run is: which stage, or which phase it failed in. */
function runPhase(run: Pick<Run, "status" | "failedPhase" | "failedStage" | "stageCount" | "stagesCompleted">): string {
  switch (run.status) {
    case "REQUESTED":
      return "waiting for a runner";
    case "CLAIMED":
      return `running stage ${Math.min(run.stagesCompleted + 1, run.stageCount)} of ${run.stageCount}`;
    case "COMPLETED":
      return run.stageCount > 1 ? `all ${run.stageCount} stages done` : "done";
    case "FAILED":
      return `failed in ${(run.failedPhase ?? "unknown").toLowerCase()}${run.stageCount > 1 && run.failedStage !== null ? ` (stage ${run.failedStage + 1})` : ""}`;
    default:
      return run.status.toLowerCase();
  }
}

/** "3 s" from the request to the claim, or to the end. */
function timing(run: RunRow): string {
  const end = run.endedAt ?? null;
  const waited = run.claimedAt !== null ? run.claimedAt - run.requestedAt : null;
  const took = end !== null ? end - (run.claimedAt ?? run.requestedAt) : null;
  return `${waited === null ? "not claimed" : `claimed after ${formatDuration(waited)}`}${took === null ? "" : `, ended after ${formatDuration(took)}`}`;
}

export function RunsPage({ config }: { config: AppConfig }) {
  const [loaded, reload] = useLoad(
    (signal) => gql<{ runs: { items: RunRow[]; totalCount: number } }>(`query { runs(orderDirection: desc, first: 50) { items { ${RUN_FIELDS} } totalCount } }`, {}, signal),
    [],
  );
  const [live, setLive] = useState(false);
  const [changes, setChanges] = useState(0);
  useEffect(() => {
    // Every change of any run: reload the list in place (a new run appears, a status moves on).
    const subscription = subscribe<RunUpdate>(
      RUN_CHANGES,
      {},
      () => {
        setChanges((n) => n + 1);
        reload();
      },
      () => {
        setLive(true);
        reload();
      },
    );
    return () => subscription.close();
  }, []);
  return (
    <>
      <h1 tabIndex={-1}>Runs</h1>
      <p class="muted" role="status" id="runs-live" data-live={String(live)} data-changes={changes}>
        {live ? `Live: updates as runs change (${changes} ${changes === 1 ? "change" : "changes"} seen).` : "Connecting to live updates…"}
      </p>
      <Show loaded={loaded}>
        {(data) => (
          <Table caption={`${data.runs.totalCount} runs, newest first`} id="runs" head={["Run", "Pod", "Status", "Phase", "Timings", "Runner", "Requester", "Paid"]}>
            {data.runs.items.length === 0 ? (
              <Empty columns={8} text="No runs yet." />
            ) : (
              data.runs.items.map((run) => (
                <tr key={run.id} data-run-id={run.id} data-status={run.status}>
                  <td>
                    <a href={`#/runs/${run.id}`}>run {run.id}</a>
                  </td>
                  <td>
                    <PodLink id={run.pod.id} name={run.pod.name} />
                    {run.stageCount > 1 && <span class="tag">task · {run.stageCount} stages</span>}
                  </td>
                  <td>
                    <Status status={run.status} />
                  </td>
                  <td>{runPhase(run)}</td>
                  <td>
                    <span title={`requested ${formatTime(run.requestedAt)}`}>{timing(run)}</span>
                  </td>
                  <td>
                    <Address address={run.runnerAddress} />
                  </td>
                  <td>
                    <Address address={run.requester} />
                  </td>
                  <td class="num">
                    <Amount config={config} token={run.token} value={run.escrow} />
                    <span class="muted"> escrow</span>
                  </td>
                </tr>
              ))
            )}
          </Table>
        )}
      </Show>
    </>
  );
}

type RunDetail = RunRow &
  Pick<Run, "inputRef" | "failLogRef" | "namedRunner" | "feeBps" | "slashed" | "requestedTx" | "claimedUntil"> & {
    stages: (Pick<RunStage, "index" | "version" | "podPrice" | "outputRef" | "logRef" | "completedAt" | "podOwner" | "podProceeds" | "platformFee"> & { pod: Pick<Pod, "id" | "name"> })[];
    runner: Pick<Runner, "address" | "runsCompleted" | "runsFailed"> | null;
  };

export function RunPage({ id, config }: { id: string; config: AppConfig }) {
  const [loaded, reload] = useLoad(
    (signal) =>
      gql<{ run: RunDetail | null }>(
        `query ($id: BigInt!) { run(id: $id) { ${RUN_FIELDS} inputRef failLogRef namedRunner feeBps slashed requestedTx claimedUntil
          stages { index version podPrice outputRef logRef completedAt podOwner podProceeds platformFee pod { id name } }
          runner { address runsCompleted runsFailed } } }`,
        { id },
        signal,
      ),
    [id],
  );
  useEffect(() => {
    const subscription = subscribe<RunUpdate>(RUN_CHANGES, { runId: id }, () => reload(), () => reload());
    return () => subscription.close();
  }, [id]);
  return (
    <Show loaded={loaded}>
      {({ run }) =>
        !run ? (
          <>
            <h1 tabIndex={-1}>Run {id}</h1>
            <p role="alert">There is no run {id}.</p>
          </>
        ) : (
          <article data-run-id={run.id} data-status={run.status}>
            <h1 tabIndex={-1}>
              {run.stageCount > 1 ? "Task" : "Run"} {run.id} <Status status={run.status} />
            </h1>
            <Facts
              items={[
                ["Pod", <PodLink key="p" id={run.pod.id} name={run.pod.name} />],
                ["Phase", runPhase(run)],
                ["Requester", <Address key="r" address={run.requester} />],
                ["Runner", <Address key="ru" address={run.runnerAddress} />],
                ["Requested", formatTime(run.requestedAt)],
                ["Claimed", formatTime(run.claimedAt)],
                ["Ended", formatTime(run.endedAt)],
                ["Deadline", formatTime(run.deadline)],
                ["Input", <Hash key="i" value={run.inputRef} />],
              ]}
            />
            <h2>Payments</h2>
            <Facts
              items={[
                ["Escrow", <Amount key="e" config={config} token={run.token} value={run.escrow} />],
                ["Pod prices", <Amount key="pp" config={config} token={run.token} value={run.podPrice} />],
                ["Runner fee per stage", <Amount key="rf" config={config} token={run.token} value={run.runnerFee} />],
                ["Runner paid", <Amount key="rp" config={config} token={run.token} value={run.runnerPaid} />],
                ["Pod owners paid", <Amount key="po" config={config} token={run.token} value={run.podProceeds} />],
                ["Platform fees", <Amount key="pf" config={config} token={run.token} value={run.platformFees} />],
                ["Refund", <Amount key="rr" config={config} token={run.token} value={run.refund} />],
              ]}
            />
            <h2>Stages</h2>
            <ol class="stages">
              {run.stages.map((stage) => (
                <li key={stage.index} data-stage={stage.index}>
                  <h3>
                    Stage {stage.index + 1}: <PodLink id={stage.pod.id} name={stage.pod.name} /> <span class="muted">version {stage.version}</span>
                  </h3>
                  <p>{stage.completedAt ? `Completed ${formatTime(stage.completedAt)}` : "Not completed."}</p>
                  {stage.outputRef && (
                    <>
                      <h4>Output and logs</h4>
                      <Files reference={stage.outputRef} inline={/^(logs\/|output\/.*\.txt$)/} label={`Output of stage ${stage.index + 1}`} />
                    </>
                  )}
                  {!stage.outputRef && stage.logRef && (
                    <>
                      <h4>Logs</h4>
                      <Files reference={stage.logRef} inline={/^logs\//} label={`Logs of stage ${stage.index + 1}`} />
                    </>
                  )}
                </li>
              ))}
            </ol>
            {run.failLogRef && (
              <>
                <h2>Failure logs</h2>
                <Files reference={run.failLogRef} inline={/^logs\//} label="Failure logs" />
              </>
            )}
          </article>
        )
      }
    </Show>
  );
}
