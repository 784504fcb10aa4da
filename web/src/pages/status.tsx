import type { Block, Meta, Runner } from "../../../graphql/generated/client";
import type { AppConfig } from "../app-config";
import { Address, Empty, Facts, Show, Table } from "../components/common";
import { formatTime } from "../format";
import { gql } from "../graphql";
import { useLoad } from "../hooks";

/** `/status.json` (services/api/http/web.ts). */
interface StatusJson {
  chain: { ok: boolean; rpcUrl: string; chainId: number | null; headBlock: number | null; error?: string };
  swarm: { ok: boolean; beeUrl: string; version: string | null; error?: string };
  indexer: { chainId: number; indexedBlock: number | null; headBlock: number | null; backfilling: boolean; hasIndexingErrors: boolean };
  runners: { address: string; paused: boolean; unregistered: boolean; runsCompleted: number; runsFailed: number; lastActivityBlock: number; lastActivityAt: number | null }[];
}

type MetaData = { _meta: Pick<Meta, "chainId" | "hasIndexingErrors"> & { block: Pick<Block, "number" | "hash" | "timestamp"> | null }; runners: { totalCount: number; items: Pick<Runner, "address" | "runsCompleted" | "runsFailed" | "runsExpired" | "paused" | "unregistered">[] } };

function Health({ ok }: { ok: boolean }) {
  return (
    <span class={`badge ${ok ? "badge-completed" : "badge-failed"}`} data-ok={String(ok)}>
      {ok ? "ok" : "down"}
    </span>
  );
}

export function StatusPage(_props: { config: AppConfig }) {
  const [loaded, reload] = useLoad(async (signal) => {
    const [meta, status] = await Promise.all([
      gql<MetaData>(`query { _meta { chainId hasIndexingErrors block { number hash timestamp } } runners(first: 100) { totalCount items { address runsCompleted runsFailed runsExpired paused unregistered } } }`, {}, signal),
      fetch("/status.json", { signal }).then(async (response) => {
        if (!response.ok) throw new Error(`GET /status.json answered ${response.status}`);
        return (await response.json()) as StatusJson;
      }),
    ]);
    return { meta, status };
  }, []);
  return (
    <>
      <h1 tabIndex={-1}>Status</h1>
      <p>
        <button type="button" onClick={reload}>
          Refresh
        </button>
      </p>
      <Show loaded={loaded}>
        {({ meta, status }) => (
          <>
            <section aria-labelledby="indexer-h" id="indexer">
              <h2 id="indexer-h">Indexer</h2>
              <Facts
                items={[
                  ["Indexed block", <span key="b" data-indexed-block={meta._meta.block?.number ?? ""}>{meta._meta.block ? String(meta._meta.block.number) : "none yet"}</span>],
                  ["Block time", formatTime(meta._meta.block?.timestamp)],
                  ["Chain id", <span key="c" data-chain-id={meta._meta.chainId}>{meta._meta.chainId}</span>],
                  ["Indexing errors", <span key="e" data-indexing-errors={String(meta._meta.hasIndexingErrors)}>{meta._meta.hasIndexingErrors ? "yes: see the indexer's log" : "none"}</span>],
                  ["Backfilling", status.indexer.backfilling ? "yes" : "no"],
                ]}
              />
            </section>
            <section aria-labelledby="chain-h" id="chain">
              <h2 id="chain-h">
                Chain <Health ok={status.chain.ok} />
              </h2>
              <Facts
                items={[
                  ["RPC", <code key="r">{status.chain.rpcUrl}</code>],
                  ["Chain id", status.chain.chainId === null ? "—" : String(status.chain.chainId)],
                  ["Head block", <span key="h" data-head-block={status.chain.headBlock ?? ""}>{status.chain.headBlock ?? "—"}</span>],
                  ...(status.chain.error ? ([["Error", status.chain.error]] as [string, string][]) : []),
                ]}
              />
            </section>
            <section aria-labelledby="swarm-h" id="swarm">
              <h2 id="swarm-h">
                Swarm <Health ok={status.swarm.ok} />
              </h2>
              <Facts
                items={[
                  ["Bee node", <code key="b">{status.swarm.beeUrl}</code>],
                  ["Version", status.swarm.version ?? "—"],
                  ...(status.swarm.error ? ([["Error", status.swarm.error]] as [string, string][]) : []),
                ]}
              />
            </section>
            <section aria-labelledby="runners-h">
              <h2 id="runners-h">Runners ({meta.runners.totalCount})</h2>
              <Table caption="Registered runners and their last activity" id="runners" head={["Runner", "State", "Completed", "Failed", "Last activity"]}>
                {status.runners.length === 0 ? (
                  <Empty columns={5} text="No runner has registered." />
                ) : (
                  status.runners.map((runner) => (
                    <tr key={runner.address} data-runner={runner.address}>
                      <td>
                        <Address address={runner.address} />
                      </td>
                      <td>{runner.unregistered ? "left" : runner.paused ? "paused" : "active"}</td>
                      <td class="num">{runner.runsCompleted}</td>
                      <td class="num">{runner.runsFailed}</td>
                      <td>
                        block {runner.lastActivityBlock}
                        {runner.lastActivityAt !== null && <span class="muted"> · {formatTime(runner.lastActivityAt)}</span>}
                      </td>
                    </tr>
                  ))
                )}
              </Table>
            </section>
          </>
        )}
      </Show>
    </>
  );
}
