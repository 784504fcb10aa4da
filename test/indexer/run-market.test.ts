import { expect } from "chai";
import { ZeroAddress, ZeroHash } from "ethers";
import type { Database } from "../../services/database";
import type { Indexer, IndexerEventMap } from "../../services/indexer";
import { CONTRACT_MODULES } from "../../services/indexer/contracts";
import { startHardhatNode, type TestHardhatNode } from "../support/hardhat-node";
import { backends, dumpTables, freshIndexDump, latestBlock, startTestIndexer, waitFor, waitForHead, type Backend } from "../support/indexer/harness";
import {
  ANY_RUNNER_BUDGET,
  FAIL_PHASES,
  MIN_BOND,
  RUN_FEE_BPS,
  RUN_PRICE,
  RUNNER_FEE,
  SLASH,
  X25519_KEY,
  deadline,
  deployRunMarketChain,
  mined,
  runEveryKind,
  swarmRef,
  type RunMarketChain,
} from "../support/indexer/run-market-chain";

/** IRunMarket.RunStatus by its value (None = 0 is an unknown run). */
const STATUS = ["NONE", "REQUESTED", "CLAIMED", "COMPLETED", "FAILED", "EXPIRED", "CANCELLED"];
/** The failure phases in which the pod failed, not the runner: the runner is paid its fee. */
const POD_PHASES = new Set(["EXECUTE", "TIMEOUT", "OUTPUT_TOO_LARGE"]);

interface RunRow {
  id: string;
  requester: string;
  named_runner: string | null;
  runner: string | null;
  status: string;
  failed_phase: string | null;
  failed_stage: number | null;
  fail_log_ref: string | null;
  pod_id: string;
  stage_count: number;
  stages_completed: number;
  input_ref: string | null;
  escrow: string;
  pod_price: string;
  runner_fee: string | null;
  fee_bps: number;
  runner_paid: string;
  pod_proceeds: string;
  platform_fees: string;
  refund: string | null;
  slashed: string;
  lapsed_claims: number;
  requested_block: string;
  claimed_block: string | null;
  ended_block: string | null;
  ended_at: string | null;
}

const runsOf = (db: Database) => db.query<RunRow>(`SELECT * FROM runs ORDER BY id`);
const stagesOf = (db: Database) =>
  db.query<{ run_id: string; stage_index: number; pod_id: string; version: number; pod_price: string; output_ref: string | null; log_ref: string | null; pod_owner: string | null; pod_proceeds: string | null; platform_fee: string | null; completed_at: string | null }>(
    `SELECT run_id, stage_index, pod_id, version, pod_price, output_ref, log_ref, pod_owner, pod_proceeds, platform_fee, completed_at FROM run_stages ORDER BY run_id, stage_index`,
  );

describe("indexer: RunMarket (runs, tasks, runners, run prices)", function () {
  this.timeout(240_000);
  let node: TestHardhatNode;
  let chain: RunMarketChain;
  const used: Backend[] = [];
  const running: Indexer[] = [];
  const head = () => latestBlock(chain.provider);

  before(async () => {
    node = await startHardhatNode();
    chain = await deployRunMarketChain(node.url);
  });

  after(async () => {
    await Promise.all(running.map((indexer) => indexer.stop().catch(() => undefined)));
    for (const backend of used) await backend.cleanup();
    chain?.provider.destroy();
    await node?.stop();
  });

  it("is registered", () => {
    expect(CONTRACT_MODULES.map((module) => module.name)).to.include("RunMarket");
  });

  it("indexes every kind of run against the contract's own views, announces each change, and rolls a completion back on a reorg", async () => {
    const watched: { label: string; indexer: Indexer; updates: IndexerEventMap["runUpdated"][] }[] = [];
    for (const backend of backends()) {
      used.push(backend);
      const indexer = await startTestIndexer({ rpcUrl: node.url, deployment: chain.deployment, db: await backend.open() });
      running.push(indexer);
      const updates: IndexerEventMap["runUpdated"][] = [];
      indexer.events.on("runUpdated", (update) => updates.push(update));
      watched.push({ label: backend.label, indexer, updates });
    }
    await runEveryKind(chain);
    const { runMarket, alice, bob, carol, treasury, runner1, runner2, runner3 } = chain;
    const lower = (signer: { address: string }) => signer.address.toLowerCase();
    const fee = (RUN_PRICE * RUN_FEE_BPS) / 10_000n;

    for (const { label, indexer, updates } of watched) {
      await waitForHead(indexer, head);
      const db = indexer.db;
      const runs = await runsOf(db);
      expect(runs.map((run) => run.id), label).to.deep.equal(Array.from({ length: 13 }, (_, index) => String(index + 1)));
      for (const run of runs) {
        const onChain = await runMarket.run(run.id);
        expect(run.status, `${label}: run ${run.id} status`).to.equal(STATUS[Number(onChain.status)]);
        expect(run.requester).to.equal(lower(carol));
        expect(run.pod_id, `${label}: run ${run.id} pod`).to.equal(onChain.podId.toString());
        expect(run.stage_count).to.equal(Number(onChain.stageCount));
        expect(run.fee_bps).to.equal(Number(RUN_FEE_BPS));
        if (onChain.status >= 3n) expect(run.ended_block, `${label}: run ${run.id} ended`).to.not.equal(null);
        else expect(run.ended_block).to.equal(null);
        // Every amount escrowed is accounted for once the run ended: paid to the runner, the pod owners, the platform, or refunded.
        if (run.refund !== null) {
          expect(BigInt(run.runner_paid) + BigInt(run.pod_proceeds) + BigInt(run.platform_fees) + BigInt(run.refund), `${label}: run ${run.id} escrow`).to.equal(BigInt(run.escrow));
        }
      }
      const [completed, ...rest] = runs;
      expect(completed).to.deep.include({
        named_runner: lower(runner1),
        runner: lower(runner1),
        status: "COMPLETED",
        stages_completed: 1,
        input_ref: swarmRef("input 1"),
        escrow: String(RUN_PRICE + RUNNER_FEE),
        pod_price: String(RUN_PRICE),
        runner_fee: String(RUNNER_FEE),
        runner_paid: String(RUNNER_FEE),
        pod_proceeds: String(RUN_PRICE - fee),
        platform_fees: String(fee),
        refund: "0",
        failed_phase: null,
      });
      const failed = rest.slice(0, FAIL_PHASES.length);
      expect(failed.map((run) => [run.status, run.failed_phase, run.failed_stage, run.runner])).to.deep.equal(FAIL_PHASES.map((phase) => ["FAILED", phase, 0, lower(runner2)]));
      for (const run of failed) {
        const paid = POD_PHASES.has(run.failed_phase!) ? 2n * RUNNER_FEE : 0n;
        expect([run.runner_paid, run.refund], `${label}: ${run.failed_phase}`).to.deep.equal([String(paid), String(RUN_PRICE + ANY_RUNNER_BUDGET - paid)]);
        expect(run.fail_log_ref).to.equal(run.failed_phase === "FETCH_POD" ? null : swarmRef(`log ${run.failed_phase}`));
        expect(run.named_runner, "any runner may claim").to.equal(null);
      }
      const [expired, cancelled, task, open, waiting] = rest.slice(FAIL_PHASES.length);
      expect(expired).to.deep.include({ status: "EXPIRED", runner: lower(runner3), slashed: String(SLASH), lapsed_claims: 1, refund: String(RUN_PRICE + ANY_RUNNER_BUDGET) });
      expect(cancelled).to.deep.include({ status: "CANCELLED", runner: null, pod_id: "2", refund: String(ANY_RUNNER_BUDGET), claimed_block: null });
      expect(task).to.deep.include({ status: "COMPLETED", pod_id: "1", stage_count: 2, stages_completed: 2, runner_paid: String(2n * RUNNER_FEE), refund: "0", input_ref: swarmRef("task input") });
      expect(open).to.deep.include({ status: "CLAIMED", runner: lower(runner1), runner_fee: String(RUNNER_FEE), refund: null });
      expect(waiting).to.deep.include({ status: "REQUESTED", runner: null, claimed_block: null, refund: null });

      const stages = await stagesOf(db);
      expect(stages.length, "one stage per run, two for the task").to.equal(14);
      const taskStages = stages.filter((stage) => stage.run_id === task.id);
      expect(taskStages.map((stage) => [stage.stage_index, stage.pod_id, stage.version, stage.pod_price, stage.output_ref, stage.log_ref, stage.pod_owner])).to.deep.equal([
        [0, "1", 1, String(RUN_PRICE), swarmRef("task output 0"), swarmRef("task log 0"), lower(alice)],
        [1, "2", 1, "0", swarmRef("task output 1"), swarmRef("task log 1"), lower(bob)],
      ]);
      expect(taskStages.every((stage) => stage.completed_at !== null)).to.equal(true);
      const failedStage = stages.find((stage) => stage.run_id === failed[3].id)!;
      expect([failedStage.output_ref, failedStage.log_ref, failedStage.completed_at], "a failed stage keeps its logs only").to.deep.equal([null, swarmRef("log EXECUTE"), null]);

      // The credits the contract holds are what the rows say each account was paid.
      const sum = (values: readonly (string | null)[]) => values.reduce((total, value) => total + BigInt(value ?? "0"), 0n);
      expect(await runMarket.creditOf(carol.address, ZeroAddress), "refunds and slashes").to.equal(sum(runs.map((run) => run.refund)) + sum(runs.map((run) => run.slashed)));
      expect(await runMarket.creditOf(treasury.address, ZeroAddress), "platform fees").to.equal(sum(runs.map((run) => run.platform_fees)));
      expect(await runMarket.creditOf(alice.address, ZeroAddress), "alpha's proceeds").to.equal(sum(stages.filter((stage) => stage.pod_id === "1").map((stage) => stage.pod_proceeds)));
      for (const runner of [runner1, runner2]) {
        expect(await runMarket.creditOf(runner.address, ZeroAddress), `${label}: fees of ${runner.address}`).to.equal(sum(runs.filter((run) => run.runner === lower(runner)).map((run) => run.runner_paid)));
      }

      const runners = await db.query<Record<string, unknown>>(`SELECT * FROM runners ORDER BY runner_id`);
      expect(runners.map((row) => [row.address, row.runs_completed, row.runs_failed, row.runs_expired, row.lapsed_claims, row.slashed, row.paused, row.unregistered])).to.deep.equal([
        [lower(runner1), 2, 0, 0, 0, "0", false, false],
        [lower(runner2), 0, 7, 0, 0, "0", true, false],
        [lower(runner3), 0, 0, 1, 1, String(SLASH), false, true],
      ]);
      for (const row of runners.slice(0, 2)) {
        const info = await runMarket.runnerInfo(row.address as string);
        expect([row.runner_id, row.bond, row.public_key, row.unbonding_at], `${label}: runner ${String(row.address)}`).to.deep.equal([Number(info.id), info.bond.toString(), info.publicKey, null]);
      }
      expect(runners[0].bond).to.equal(String(2n * MIN_BOND));
      expect(runners[1].public_key).to.equal(swarmRef("runner2 new key"));
      expect([runners[2].bond, runners[2].public_key, runners[2].unbonding_at === null], "runner3 left: its bond went back").to.deep.equal(["0", X25519_KEY, false]);
      expect(await runMarket.creditOf(runner3.address, ZeroAddress)).to.equal(MIN_BOND - SLASH);

      const fees = await db.query(`SELECT runner, token, fee::text AS fee, accepted FROM runner_fees ORDER BY runner`);
      for (const row of fees as { runner: string; token: string; fee: string; accepted: boolean }[]) {
        const [onChainFee, accepted] = await runMarket.runnerFee(row.runner, row.token);
        if (row.runner !== lower(runner3)) expect([row.fee, row.accepted], `${label}: fee of ${row.runner}`).to.deep.equal([onChainFee.toString(), accepted]);
      }
      expect(fees.find((row) => (row as { runner: string }).runner === lower(runner2))).to.deep.include({ fee: String(3n * RUNNER_FEE), accepted: true });
      expect(await db.query(`SELECT pod_id, owner, token, price::text AS price FROM run_prices`)).to.deep.equal([{ pod_id: "1", owner: lower(alice), token: ZeroAddress, price: String(RUN_PRICE) }]);
      const kept = await db.query<{ name: string; n: number }>(`SELECT name, count(*)::int AS n FROM events WHERE contract = 'RunMarket' GROUP BY name ORDER BY name`);
      const keptCounts = Object.fromEntries(kept.map((row) => [row.name, row.n]));
      for (const recorded of ["RunRequested", "TaskRequested", "StageRequested", "StageCompleted", "RunCompleted", "RunFailed", "RunExpired", "RunCancelled"]) {
        expect(keptCounts[recorded], `${label}: ${recorded} is recorded by its rows, not in events`).to.equal(undefined);
      }
      // Claims can repeat and runner rows hold the latest state only: their history is in `events`.
      expect(keptCounts).to.deep.include({ RunClaimed: 11, ClaimLapsed: 1, RunnerRegistered: 3, RunnerFeeSet: 4, RunPriceSet: 1 });

      // One announcement per change: the task's first stage is announced on its own, the last one by the completion.
      const changesOf = (runId: string) => updates.filter((update) => update.runId === runId).map((update) => [update.change, update.status, update.stage]);
      expect(changesOf("1")).to.deep.equal([
        ["REQUESTED", "REQUESTED", null],
        ["CLAIMED", "CLAIMED", null],
        ["COMPLETED", "COMPLETED", null],
      ]);
      expect(changesOf(task.id)).to.deep.equal([
        ["REQUESTED", "REQUESTED", null],
        ["CLAIMED", "CLAIMED", null],
        ["STAGE_COMPLETED", "CLAIMED", 0],
        ["COMPLETED", "COMPLETED", null],
      ]);
      expect(changesOf(failed[4].id).at(-1)).to.deep.equal(["FAILED", "FAILED", 0]);
      expect(changesOf(expired.id).at(-1)).to.deep.equal(["EXPIRED", "EXPIRED", null]);
      expect(changesOf(cancelled.id)).to.deep.equal([
        ["REQUESTED", "REQUESTED", null],
        ["CANCELLED", "CANCELLED", null],
      ]);
      expect(updates.find((update) => update.runId === task.id)).to.deep.include({ requester: lower(carol), podId: "1", runner: null });
    }

    // A reorg: runner1's completion of a new run (14, claimed) is on an abandoned branch only.
    const escrow = RUNNER_FEE; // beta is free: the named runner's fee alone
    await mined(runMarket.connect(carol).requestRun(chain.beta, 0, ZeroHash, ZeroAddress, escrow, await deadline(chain), runner1.address, { value: escrow }));
    await mined(runMarket.connect(runner1).claim(14));
    for (const { indexer } of watched) await waitForHead(indexer, head);
    const before = await Promise.all(watched.map(({ indexer }) => dumpTables(indexer.db)));
    const snapshot = (await chain.provider.send("evm_snapshot", [])) as string;
    await mined(runMarket.connect(runner1).complete(14, swarmRef("abandoned output"), swarmRef("abandoned log")));
    for (const { indexer } of watched) {
      await waitFor("the abandoned completion indexed", async () => (await runsOf(indexer.db))[13]?.status === "COMPLETED");
      const [{ runs_completed }] = await indexer.db.query<{ runs_completed: number }>(`SELECT runs_completed FROM runners WHERE address = $1`, [lower(runner1)]);
      expect(runs_completed).to.equal(3);
    }
    expect(await chain.provider.send("evm_revert", [snapshot])).to.equal(true);
    for (let block = 0; block < 3; block++) await chain.provider.send("evm_mine", []);
    const reference = await freshIndexDump(node.url, chain.deployment, head);
    for (const [index, { label, indexer }] of watched.entries()) {
      await waitForHead(indexer, head);
      const after = await dumpTables(indexer.db);
      for (const table of ["runs", "run_stages", "runners", "runner_fees", "run_prices"]) {
        expect(after[table], `${label}: ${table} after the reorg`).to.deep.equal(before[index][table]);
        expect(after[table], `${label}: ${table} equals a fresh index`).to.deep.equal(reference[table]);
      }
      expect((await runsOf(indexer.db))[13]).to.deep.include({ status: "CLAIMED", refund: null, ended_block: null, stages_completed: 0 });
    }
  });
});
