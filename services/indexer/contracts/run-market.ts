// The factory file only: the typechain index pulls in every contract of the repository. The
// contract's factory, not its interface's: its ABI lists the events it inherits too (roles, pausing).
import { RunMarket__factory } from "../../../typechain-types/factories/contracts/RunMarket.sol/RunMarket__factory";
import { FAIL_PHASES, failPhaseConstant } from "../../chain/run-enums";
import type { ChainEvent } from "../chain-event";
import { CHANGED_BY_COLUMNS, changedBy, stamp } from "../changed-by";
import type { Row, TableSpec } from "../tables";
import { eventsOf } from "./abi-types";
import { defineContract, type EventEffects, type RowKeys } from "./module";

/**
 * RunMarket: runs of pods paid in escrow, the runners that claim and settle them, and per-pod run
 * prices (migration 070). A run is a task of one stage: both have a `runs` row and one `run_stages`
 * row per stage. RunMarket's credits are not written to the shared ledger (balances.ts): its
 * settlement events name no token, and the ledger's rows are keyed by token, so the rows to load
 * could not be named before the run's row is read. Its Withdrawn, governance, pause and role events
 * land in `events`.
 */

const RUNS: TableSpec = {
  name: "runs",
  key: ["id"],
  columns: [
    ["id", "numeric"],
    ["requester", "text"],
    ["named_runner", "text"],
    ["runner", "text"],
    ["status", "text"],
    ["failed_phase", "text"],
    ["failed_stage", "int"],
    ["fail_log_ref", "text"],
    ["pod_id", "numeric"],
    ["stage_count", "int"],
    ["stages_completed", "int"],
    ["input_ref", "text"],
    ["token", "text"],
    ["escrow", "numeric"],
    ["pod_price", "numeric"],
    ["runner_fee", "numeric"],
    ["fee_bps", "int"],
    ["deadline", "numeric"],
    ["claimed_until", "numeric"],
    ["runner_paid", "numeric"],
    ["pod_proceeds", "numeric"],
    ["platform_fees", "numeric"],
    ["refund", "numeric"],
    ["slashed", "numeric"],
    ["lapsed_claims", "int"],
    ["requested_block", "numeric"],
    ["requested_at", "numeric"],
    ["requested_tx", "text"],
    ["claimed_block", "numeric"],
    ["claimed_at", "numeric"],
    ["claimed_tx", "text"],
    ["ended_block", "numeric"],
    ["ended_at", "numeric"],
    ["ended_tx", "text"],
    ...CHANGED_BY_COLUMNS,
  ],
};

/** The stages of a run: mutable, since StageCompleted fills in the outputs of a stage requested earlier. */
const RUN_STAGES: TableSpec = {
  name: "run_stages",
  key: ["run_id", "stage_index"],
  columns: [
    ["run_id", "numeric"],
    ["stage_index", "int"],
    ["pod_id", "numeric"],
    ["version", "int"],
    ["pod_price", "numeric"],
    ["output_ref", "text"],
    ["log_ref", "text"],
    ["pod_owner", "text"],
    ["pod_proceeds", "numeric"],
    ["platform_fee", "numeric"],
    ["runner_fee", "numeric"],
    ["completed_block", "numeric"],
    ["completed_at", "numeric"],
    ["completed_tx", "text"],
    ...CHANGED_BY_COLUMNS,
  ],
};

const RUNNERS: TableSpec = {
  name: "runners",
  key: ["address"],
  columns: [
    ["address", "text"],
    ["runner_id", "int"],
    ["bond", "numeric"],
    ["public_key", "text"],
    ["paused", "boolean"],
    ["unbonding_at", "numeric"],
    ["unregistered", "boolean"],
    ["runs_completed", "int"],
    ["runs_failed", "int"],
    ["runs_expired", "int"],
    ["lapsed_claims", "int"],
    ["slashed", "numeric"],
    ["registered_block", "numeric"],
    ["registered_at", "numeric"],
    ...CHANGED_BY_COLUMNS,
  ],
};

const RUNNER_FEES: TableSpec = {
  name: "runner_fees",
  key: ["runner", "token"],
  columns: [["runner", "text"], ["token", "text"], ["fee", "numeric"], ["accepted", "boolean"], ...CHANGED_BY_COLUMNS],
};

const RUN_PRICES: TableSpec = {
  name: "run_prices",
  key: ["pod_id"],
  columns: [["pod_id", "numeric"], ["owner", "text"], ["token", "text"], ["price", "numeric"], ...CHANGED_BY_COLUMNS],
};

/** IRunMarket.RunStatus without `None` (an unknown run has no row). */
export type RunStatusName = "REQUESTED" | "CLAIMED" | "COMPLETED" | "FAILED" | "EXPIRED" | "CANCELLED";

/** What moved a run, one per announcement: its status changes, and the stages of a task completing on the way. */
export type RunChange = RunStatusName | "STAGE_COMPLETED";

/** IRunMarket.FailPhase, by its value. */
const FAIL_PHASE_CONSTANTS = FAIL_PHASES.map(failPhaseConstant);
const failPhaseName = (value: string) => FAIL_PHASE_CONSTANTS[Number(value)] ?? `UNKNOWN_${value}`;

/** Payloads RunMarket's events announce (IndexerEventMap; the API subscribes to them). */
export interface RunMarketAnnouncements {
  runUpdated: {
    runId: string;
    status: RunStatusName;
    change: RunChange;
    requester: string;
    /** The runner holding (or that last held) the claim; null before any claim. */
    runner: string | null;
    /** The (first) stage's pod. */
    podId: string;
    /** The stage completed or failed; null for the other changes. */
    stage: number | null;
    blockNumber: number;
    txHash: string;
    logIndex: number;
  };
}

const ABI = eventsOf(RunMarket__factory.abi);
type Abi = typeof ABI;
type Effects = EventEffects<RunMarketAnnouncements>;

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";
const ZERO_REF = `0x${"0".repeat(64)}`;
/** A Swarm reference of an event, NULL for "none" (the zero word). */
const refOrNull = (ref: string) => (ref === ZERO_REF ? null : ref);
const add = (total: unknown, amount: string) => (BigInt(total as string) + BigInt(amount)).toString();

const stageKey = (runId: string, stage: string | number) => `${runId}|${stage}`;
const touchRun = (args: { readonly runId: string }, keys: RowKeys) => keys.add(RUNS, args.runId);

/** A requested stage, nothing reported yet. */
function newStage(runId: string, stage: number, podId: string, version: string, podPrice: string, event: ChainEvent): Row {
  return {
    run_id: runId,
    stage_index: stage,
    pod_id: podId,
    version: Number(version),
    pod_price: podPrice,
    output_ref: null,
    log_ref: null,
    pod_owner: null,
    pod_proceeds: null,
    platform_fee: null,
    runner_fee: null,
    completed_block: null,
    completed_at: null,
    completed_tx: null,
    ...changedBy(event),
  };
}

/** The request terms RunRequested and TaskRequested share. */
interface Request {
  readonly runId: string;
  readonly requester: string;
  readonly runner: string;
  readonly inputRef: string;
  readonly token: string;
  readonly escrow: string;
  readonly podPrice: string;
  readonly feeBps: string;
  readonly deadline: string;
}

/** A requested run: what its request fixed, nothing claimed, paid or ended yet. */
function newRun(args: Request, podId: string, stageCount: number, event: ChainEvent): Row {
  return {
    id: args.runId,
    requester: args.requester,
    named_runner: args.runner === ZERO_ADDRESS ? null : args.runner,
    runner: null,
    status: "REQUESTED",
    failed_phase: null,
    failed_stage: null,
    fail_log_ref: null,
    pod_id: podId,
    stage_count: stageCount,
    stages_completed: 0,
    input_ref: refOrNull(args.inputRef),
    token: args.token,
    escrow: args.escrow,
    pod_price: args.podPrice,
    runner_fee: null,
    fee_bps: Number(args.feeBps),
    deadline: args.deadline,
    claimed_until: null,
    runner_paid: "0",
    pod_proceeds: "0",
    platform_fees: "0",
    refund: null,
    slashed: "0",
    lapsed_claims: 0,
    requested_block: String(event.blockNumber),
    requested_at: String(event.timestamp),
    requested_tx: event.txHash,
    claimed_block: null,
    claimed_at: null,
    claimed_tx: null,
    ended_block: null,
    ended_at: null,
    ended_tx: null,
    ...changedBy(event),
  };
}

/** Announces the state of `run` after `event` changed it. */
function announceRun(effects: Effects, run: Row, change: RunChange, stage: number | null, event: ChainEvent): void {
  effects.announce("runUpdated", {
    runId: run.id as string,
    status: run.status as RunStatusName,
    change,
    requester: run.requester as string,
    runner: (run.runner as string | null) ?? null,
    podId: run.pod_id as string,
    stage,
    blockNumber: event.blockNumber,
    txHash: event.txHash,
    logIndex: event.logIndex,
  });
}

/** Ends a run (completed, failed, expired, cancelled): its refund and where it ended; announced. */
function endRun(effects: Effects, runId: string, status: RunStatusName, refund: string, event: ChainEvent, settle?: (run: Row) => void, stage: number | null = null): void {
  effects.changeExisting(RUNS, runId, event, (run) => {
    run.status = status;
    run.refund = refund;
    run.ended_block = String(event.blockNumber);
    run.ended_at = String(event.timestamp);
    run.ended_tx = event.txHash;
    settle?.(run);
    stamp(run, event);
    announceRun(effects, run, status, stage, event);
    return run;
  });
}

/** Adds one to a runner's counter of run endings. */
function countForRunner(effects: Effects, runner: string, counter: "runs_completed" | "runs_failed" | "runs_expired", event: ChainEvent): void {
  effects.changeExisting(RUNNERS, runner, event, (row) => {
    row[counter] = Number(row[counter]) + 1;
    return stamp(row, event);
  });
}

/** Changes a registered runner's row in place. */
function changeRunner(effects: Effects, runner: string, event: ChainEvent, update: (row: Row) => void): void {
  effects.changeExisting(RUNNERS, runner, event, (row) => {
    update(row);
    return stamp(row, event);
  });
}

const touchRunner = (args: { readonly runner: string }, keys: RowKeys) => keys.add(RUNNERS, args.runner);

export const runMarket = defineContract<Abi, RunMarketAnnouncements>({
  name: "RunMarket",
  abi: ABI,
  tables: { mutable: [RUNS, RUN_STAGES, RUNNERS, RUNNER_FEES, RUN_PRICES], appendOnly: [] },
  announces: ["runUpdated"],
  handlers: {
    // ---------------------------------------------------------------- runners
    RunnerRegistered: {
      touches: touchRunner,
      apply(args, event, effects) {
        effects.change(RUNNERS, args.runner, event, (row) => ({
          address: args.runner,
          runner_id: Number(args.id),
          bond: args.bond,
          public_key: args.publicKey,
          paused: false,
          unbonding_at: null,
          unregistered: false,
          // A runner that left and came back keeps its record of past runs.
          runs_completed: row?.runs_completed ?? 0,
          runs_failed: row?.runs_failed ?? 0,
          runs_expired: row?.runs_expired ?? 0,
          lapsed_claims: row?.lapsed_claims ?? 0,
          slashed: row?.slashed ?? "0",
          registered_block: String(event.blockNumber),
          registered_at: String(event.timestamp),
          ...changedBy(event),
        }));
      },
    },
    RunnerFeeSet: {
      touches: (args, keys) => keys.add(RUNNER_FEES, `${args.runner}|${args.token}`),
      apply(args, event, effects) {
        effects.change(RUNNER_FEES, `${args.runner}|${args.token}`, event, () => ({ runner: args.runner, token: args.token, fee: args.fee, accepted: args.accepted, ...changedBy(event) }));
      },
    },
    RunnerKeySet: {
      touches: touchRunner,
      apply: (args, event, effects) => changeRunner(effects, args.runner, event, (row) => (row.public_key = args.publicKey)),
    },
    RunnerPaused: {
      touches: touchRunner,
      apply: (args, event, effects) => changeRunner(effects, args.runner, event, (row) => (row.paused = args.paused)),
    },
    BondAdded: {
      touches: touchRunner,
      apply: (args, event, effects) => changeRunner(effects, args.runner, event, (row) => (row.bond = args.bond)),
    },
    RunnerUnbonding: {
      touches: touchRunner,
      apply: (args, event, effects) => changeRunner(effects, args.runner, event, (row) => (row.unbonding_at = args.withdrawableAt)),
    },
    RunnerUnregistered: {
      touches: touchRunner,
      apply(args, event, effects) {
        // The bond was credited back to the runner: none is left at stake.
        changeRunner(effects, args.runner, event, (row) => {
          row.unregistered = true;
          row.bond = "0";
        });
      },
    },

    // ---------------------------------------------------------------- prices
    RunPriceSet: {
      touches: (args, keys) => keys.add(RUN_PRICES, args.podId),
      apply(args, event, effects) {
        effects.change(RUN_PRICES, args.podId, event, () => ({ pod_id: args.podId, owner: args.owner, token: args.token, price: args.price, ...changedBy(event) }));
      },
    },

    // ---------------------------------------------------------------- requests
    RunRequested: {
      recorded: true,
      touches(args, keys) {
        keys.add(RUNS, args.runId);
        keys.add(RUN_STAGES, stageKey(args.runId, 0));
      },
      apply(args, event, effects) {
        effects.change(RUN_STAGES, stageKey(args.runId, 0), event, () => newStage(args.runId, 0, args.podId, args.version, args.podPrice, event));
        effects.change(RUNS, args.runId, event, () => {
          const run = newRun(args, args.podId, 1, event);
          announceRun(effects, run, "REQUESTED", null, event);
          return run;
        });
      },
    },
    StageRequested: {
      recorded: true,
      touches(args, keys) {
        keys.add(RUN_STAGES, stageKey(args.runId, args.stage));
        if (args.stage === "0") keys.add(RUNS, args.runId);
      },
      apply(args, event, effects) {
        const stage = Number(args.stage);
        effects.change(RUN_STAGES, stageKey(args.runId, stage), event, () => newStage(args.runId, stage, args.podId, args.version, args.podPrice, event));
        // TaskRequested, later in the same transaction, names no pod: the first stage's is kept for it.
        if (stage === 0) effects.change(RUNS, args.runId, event, () => ({ id: args.runId, pod_id: args.podId }));
      },
    },
    TaskRequested: {
      recorded: true,
      touches: touchRun,
      apply(args, event, effects) {
        effects.change(RUNS, args.runId, event, (pending) => {
          const run = newRun(args, pending?.pod_id as string, Number(args.stageCount), event);
          announceRun(effects, run, "REQUESTED", null, event);
          return run;
        });
      },
    },

    // ---------------------------------------------------------------- the runner's side
    RunClaimed: {
      touches: touchRun,
      apply(args, event, effects) {
        effects.changeExisting(RUNS, args.runId, event, (run) => {
          run.status = "CLAIMED";
          run.runner = args.runner;
          run.runner_fee = args.runnerFee;
          run.claimed_until = args.claimedUntil;
          run.claimed_block = String(event.blockNumber);
          run.claimed_at = String(event.timestamp);
          run.claimed_tx = event.txHash;
          stamp(run, event);
          announceRun(effects, run, "CLAIMED", null, event);
          return run;
        });
      },
    },
    ClaimLapsed: {
      touches(args, keys) {
        keys.add(RUNS, args.runId);
        keys.add(RUNNERS, args.runner);
      },
      apply(args, event, effects) {
        // Always followed, in the same transaction, by the re-claim or the expiry that released it: they announce.
        effects.changeExisting(RUNS, args.runId, event, (run) => {
          run.slashed = add(run.slashed, args.slashed);
          run.lapsed_claims = Number(run.lapsed_claims) + 1;
          return stamp(run, event);
        });
        changeRunner(effects, args.runner, event, (row) => {
          row.bond = (BigInt(row.bond as string) - BigInt(args.slashed)).toString();
          row.slashed = add(row.slashed, args.slashed);
          row.lapsed_claims = Number(row.lapsed_claims) + 1;
        });
      },
    },
    StageCompleted: {
      recorded: true,
      touches(args, keys) {
        keys.add(RUNS, args.runId);
        keys.add(RUN_STAGES, stageKey(args.runId, args.stage));
      },
      apply(args, event, effects) {
        const stage = Number(args.stage);
        effects.changeExisting(RUN_STAGES, stageKey(args.runId, stage), event, (row) => {
          row.output_ref = args.outputRef;
          row.log_ref = refOrNull(args.logRef);
          row.pod_owner = args.podOwner;
          row.pod_proceeds = args.podProceeds;
          row.platform_fee = args.fee;
          row.runner_fee = args.runnerFee;
          row.completed_block = String(event.blockNumber);
          row.completed_at = String(event.timestamp);
          row.completed_tx = event.txHash;
          return stamp(row, event);
        });
        effects.changeExisting(RUNS, args.runId, event, (run) => {
          run.stages_completed = stage + 1;
          run.runner_paid = add(run.runner_paid, args.runnerFee);
          run.pod_proceeds = add(run.pod_proceeds, args.podProceeds);
          run.platform_fees = add(run.platform_fees, args.fee);
          stamp(run, event);
          // The last stage's completion is announced by RunCompleted, which follows it.
          if (stage + 1 < Number(run.stage_count)) announceRun(effects, run, "STAGE_COMPLETED", stage, event);
          return run;
        });
      },
    },
    RunCompleted: {
      recorded: true,
      touches(args, keys) {
        keys.add(RUNS, args.runId);
        keys.add(RUNNERS, args.runner);
      },
      apply(args, event, effects) {
        endRun(effects, args.runId, "COMPLETED", args.refund, event);
        countForRunner(effects, args.runner, "runs_completed", event);
      },
    },
    RunFailed: {
      recorded: true,
      touches(args, keys) {
        keys.add(RUNS, args.runId);
        keys.add(RUN_STAGES, stageKey(args.runId, args.stage));
        keys.add(RUNNERS, args.runner);
      },
      apply(args, event, effects) {
        const stage = Number(args.stage);
        const logRef = refOrNull(args.logRef);
        if (logRef !== null) {
          effects.changeExisting(RUN_STAGES, stageKey(args.runId, stage), event, (row) => {
            row.log_ref = logRef;
            return stamp(row, event);
          });
        }
        endRun(
          effects,
          args.runId,
          "FAILED",
          args.refund,
          event,
          (run) => {
            run.failed_phase = failPhaseName(args.phase);
            run.failed_stage = stage;
            run.fail_log_ref = logRef;
            run.runner_paid = add(run.runner_paid, args.runnerPaid);
          },
          stage,
        );
        countForRunner(effects, args.runner, "runs_failed", event);
      },
    },
    RunExpired: {
      recorded: true,
      touches(args, keys) {
        keys.add(RUNS, args.runId);
        if (args.runner !== ZERO_ADDRESS) keys.add(RUNNERS, args.runner);
      },
      apply(args, event, effects) {
        endRun(effects, args.runId, "EXPIRED", args.refund, event);
        if (args.runner !== ZERO_ADDRESS) countForRunner(effects, args.runner, "runs_expired", event);
      },
    },
    RunCancelled: {
      recorded: true,
      touches: touchRun,
      apply: (args, event, effects) => endRun(effects, args.runId, "CANCELLED", args.refund, event),
    },
    // Requests, stage completions and endings are recorded by their rows (`recorded`). RunClaimed and
    // ClaimLapsed (a run may be claimed more than once), the runners' and prices' events (their rows
    // hold the latest state only), Withdrawn, SettingsChanged, TokenAllowed, Paused, Unpaused and the
    // roles' events are kept in `events` too: there they are the history.
  },
});
