import { changeRefColumns } from "../../graphql/sql/columns";
import type { KeyColumn, ListSpec } from "../../graphql/sql/list";

/**
 * The runs domain's lists over the indexer's RunMarket tables (migration 070). Every SQL fragment
 * here is a trusted constant; user values reach the database only as bound parameters. Statuses and
 * failure phases are stored as the SDL's enum values, so filters bind them unchanged.
 */

/** Every Run field read from its row (the select list of the list and of `run(id)`). */
export const RUN_COLUMNS = [
  `id::text AS id`,
  `requester`,
  `status`,
  `named_runner AS "namedRunner"`,
  `runner AS "runnerAddress"`,
  `failed_phase AS "failedPhase"`,
  `failed_stage AS "failedStage"`,
  `fail_log_ref AS "failLogRef"`,
  `pod_id::text AS "podId"`,
  `stage_count AS "stageCount"`,
  `stages_completed AS "stagesCompleted"`,
  `input_ref AS "inputRef"`,
  `token`,
  `escrow::text AS escrow`,
  `pod_price::text AS "podPrice"`,
  `runner_fee::text AS "runnerFee"`,
  `fee_bps AS "feeBps"`,
  `runner_paid::text AS "runnerPaid"`,
  `pod_proceeds::text AS "podProceeds"`,
  `platform_fees::text AS "platformFees"`,
  `refund::text AS refund`,
  `slashed::text AS slashed`,
  `lapsed_claims AS "lapsedClaims"`,
  `deadline::float8 AS deadline`,
  `claimed_until::float8 AS "claimedUntil"`,
  `requested_at::float8 AS "requestedAt"`,
  `requested_block::float8 AS "requestedBlock"`,
  `requested_tx AS "requestedTx"`,
  `claimed_at::float8 AS "claimedAt"`,
  `claimed_block::float8 AS "claimedBlock"`,
  `claimed_tx AS "claimedTx"`,
  `ended_at::float8 AS "endedAt"`,
  `ended_block::float8 AS "endedBlock"`,
  `ended_tx AS "endedTx"`,
  changeRefColumns,
].join(", ");

/** Sort keys are qualified with their table: the select list renames columns (`id::text AS id` would sort as text). */
const runIdKey: KeyColumn = { sql: "runs.id", type: "numeric" };

export const runsList: ListSpec = {
  name: "runs",
  from: "runs",
  select: RUN_COLUMNS,
  filters: {
    id: { sql: "id", type: "numeric" },
    podId: { sql: "pod_id", type: "numeric" },
    requester: { sql: "requester", type: "text" },
    runner: { sql: "runner", type: "text" },
    namedRunner: { sql: "named_runner", type: "text" },
    status: { sql: "status", type: "text" },
    failedPhase: { sql: "failed_phase", type: "text" },
    token: { sql: "token", type: "text" },
    stageCount: { sql: "stage_count", type: "integer" },
    requestedBlock: { sql: "requested_block", type: "numeric" },
  },
  orders: {
    id: runIdKey,
    requestedBlock: { sql: "runs.requested_block", type: "numeric" },
    endedBlock: { sql: "runs.ended_block", type: "numeric", nullable: true },
  },
  primaryKey: [runIdKey],
};

/** Every Runner field read from its row; `registeredBlock` is for the fees of its current registration. */
export const RUNNER_COLUMNS = [
  `address`,
  `runner_id AS "runnerId"`,
  `bond::text AS bond`,
  `public_key AS "publicKey"`,
  `paused`,
  `unbonding_at::float8 AS "unbondingAt"`,
  `unregistered`,
  `runs_completed AS "runsCompleted"`,
  `runs_failed AS "runsFailed"`,
  `runs_expired AS "runsExpired"`,
  `lapsed_claims AS "lapsedClaims"`,
  `slashed::text AS slashed`,
  `registered_at::float8 AS "registeredAt"`,
  changeRefColumns,
].join(", ");

const runnerKey: KeyColumn = { sql: "runners.address", type: "text" };

export const runnersList: ListSpec = {
  name: "runners",
  from: "runners",
  select: RUNNER_COLUMNS,
  filters: {
    address: { sql: "address", type: "text" },
    paused: { sql: "paused", type: "boolean" },
    unregistered: { sql: "unregistered", type: "boolean" },
    bond: { sql: "bond", type: "numeric" },
    runsCompleted: { sql: "runs_completed", type: "integer" },
  },
  orders: {
    runnerId: { sql: "runners.runner_id", type: "integer" },
    bond: { sql: "runners.bond", type: "numeric" },
    runsCompleted: { sql: "runners.runs_completed", type: "integer" },
  },
  primaryKey: [runnerKey],
};
