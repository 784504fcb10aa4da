import type { RunChange, RunFailPhase, RunStatus } from "../../../../graphql/generated/types";
import type { ChangeRefModel } from "../../graphql/models";
import type { Page } from "../../graphql/sql/list";

/** The parent values the runs domain's resolvers receive, by SDL type (see domains/types.ts). */

/** A row of `runs` as lists.ts selects it. */
export interface RunRow extends ChangeRefModel {
  id: string;
  requester: string;
  status: RunStatus;
  namedRunner: string | null;
  runnerAddress: string | null;
  failedPhase: RunFailPhase | null;
  failedStage: number | null;
  failLogRef: string | null;
  podId: string;
  stageCount: number;
  stagesCompleted: number;
  inputRef: string | null;
  token: string;
  escrow: string;
  podPrice: string;
  runnerFee: string | null;
  feeBps: number;
  runnerPaid: string;
  podProceeds: string;
  platformFees: string;
  refund: string | null;
  slashed: string;
  lapsedClaims: number;
  deadline: number;
  claimedUntil: number | null;
  requestedAt: number;
  requestedBlock: number;
  requestedTx: string;
  claimedAt: number | null;
  claimedBlock: number | null;
  claimedTx: string | null;
  endedAt: number | null;
  endedBlock: number | null;
  endedTx: string | null;
}

export interface RunStageRow {
  runId: string;
  index: number;
  podId: string;
  version: number;
  podPrice: string;
  outputRef: string | null;
  logRef: string | null;
  completedAt: number | null;
  podOwner: string | null;
  podProceeds: string | null;
  platformFee: string | null;
}

/** A row of `runners` as lists.ts selects it. */
export interface RunnerRow extends ChangeRefModel {
  address: string;
  runnerId: number;
  bond: string;
  publicKey: string;
  paused: boolean;
  unbondingAt: number | null;
  unregistered: boolean;
  runsCompleted: number;
  runsFailed: number;
  runsExpired: number;
  lapsedClaims: number;
  slashed: string;
  registeredAt: number;
}

export interface RunnerFeeRow {
  runner: string;
  token: string;
  fee: string;
  accepted: boolean;
}

export interface RunPriceRow {
  podId: string;
  owner: string;
  token: string;
  price: string;
}

/** A pod's stages and how many of them ended and completed (Pod.runCount, Pod.runSuccessRate). */
export interface PodRunStats {
  podId: string;
  runCount: number;
  completed: number;
  ended: number;
}

export interface RunChangedModel {
  __typename: "RunChanged";
  runId: string;
  change: RunChange;
  status: RunStatus;
  stage: number | null;
  requester: string;
  runner: string | null;
  podId: string;
  blockNumber: number;
  txHash: string;
  logIndex: number;
}

export interface RunsModels {
  Run: RunRow;
  RunList: Page<RunRow>;
  RunStage: RunStageRow;
  Runner: RunnerRow;
  RunnerList: Page<RunnerRow>;
  RunnerFee: RunnerFeeRow;
  RunPrice: RunPriceRow;
  RunChanged: RunChangedModel;
}
