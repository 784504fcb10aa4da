-- 070_runs: the indexer follows RunMarket (runs of pods paid in escrow, runners with bonds and fees,
-- per-pod run prices). Additive: new tables only. Conventions are 001_init's. RunMarket's own credits
-- are not in `balances` (its settlement events do not carry the token, which the ledger is keyed
-- by); its Withdrawn, SettingsChanged, TokenAllowed, pause and role events land in `events`.

-- One row per run (a run is a task of one stage). Changed in place as the run moves on.
CREATE TABLE runs (
  id                NUMERIC(78,0) PRIMARY KEY,
  requester         TEXT          NOT NULL,
  named_runner      TEXT,                                   -- the only runner allowed to claim; NULL = any runner
  runner            TEXT,                                   -- the runner holding (or that last held) the claim; NULL before any claim
  status            TEXT          NOT NULL,                 -- 'REQUESTED' | 'CLAIMED' | 'COMPLETED' | 'FAILED' | 'EXPIRED' | 'CANCELLED'
  failed_phase      TEXT,                                   -- FAILED only: 'FETCH_POD' | 'RESOLVE_PAYLOAD' | 'PROVISION' | 'EXECUTE' | 'TIMEOUT' | 'OUTPUT_TOO_LARGE' | 'UPLOAD_OUTPUT'
  failed_stage      INTEGER,                                -- FAILED only: the stage that failed
  fail_log_ref      TEXT,                                   -- FAILED only: Swarm reference of its logs (NULL when none was given)
  pod_id            NUMERIC(78,0) NOT NULL,                 -- the (first) stage's pod
  stage_count       INTEGER       NOT NULL,
  stages_completed  INTEGER       NOT NULL DEFAULT 0,
  input_ref         TEXT,                                   -- Swarm reference of the (first stage's) input; NULL = none
  token             TEXT          NOT NULL,                 -- payment token; the zero address = native coin
  escrow            NUMERIC(78,0) NOT NULL,                 -- escrowed at request
  pod_price         NUMERIC(78,0) NOT NULL,                 -- sum of the stages' pod prices
  runner_fee        NUMERIC(78,0),                          -- per stage, fixed by the latest claim; NULL before any claim
  fee_bps           INTEGER       NOT NULL,                 -- platform fee on pod prices, fixed at request
  deadline          NUMERIC(78,0) NOT NULL,
  claimed_until     NUMERIC(78,0),                          -- when the current claim lapses
  runner_paid       NUMERIC(78,0) NOT NULL DEFAULT 0,       -- runner fees credited (completed stages, a pod-phase failure)
  pod_proceeds      NUMERIC(78,0) NOT NULL DEFAULT 0,       -- credited to pod owners over the completed stages
  platform_fees     NUMERIC(78,0) NOT NULL DEFAULT 0,       -- credited to the fee recipient over the completed stages
  refund            NUMERIC(78,0),                          -- credited back to the requester at the end; NULL until it ends
  slashed           NUMERIC(78,0) NOT NULL DEFAULT 0,       -- taken from lapsed claimants' bonds, credited to the requester (native coin)
  lapsed_claims     INTEGER       NOT NULL DEFAULT 0,
  requested_block   NUMERIC(78,0) NOT NULL,
  requested_at      NUMERIC(78,0) NOT NULL,
  requested_tx      TEXT          NOT NULL,
  claimed_block     NUMERIC(78,0),                          -- of the latest claim
  claimed_at        NUMERIC(78,0),
  claimed_tx        TEXT,
  ended_block       NUMERIC(78,0),                          -- completed, failed, expired or cancelled
  ended_at          NUMERIC(78,0),
  ended_tx          TEXT,
  block_number      NUMERIC(78,0) NOT NULL,
  block_hash        TEXT          NOT NULL,
  tx_hash           TEXT          NOT NULL,
  log_index         INTEGER       NOT NULL
);
CREATE INDEX runs_requester_idx ON runs (requester, id);
CREATE INDEX runs_runner_idx ON runs (runner, id);
CREATE INDEX runs_pod_idx ON runs (pod_id, id);
CREATE INDEX runs_status_idx ON runs (status, id);
CREATE INDEX runs_requested_block_idx ON runs (requested_block, id);

-- One row per stage of a run (stage 0 only for a run), completed in place by StageCompleted.
CREATE TABLE run_stages (
  run_id            NUMERIC(78,0) NOT NULL,
  stage_index       INTEGER       NOT NULL,
  pod_id            NUMERIC(78,0) NOT NULL,
  version           INTEGER       NOT NULL,                 -- pinned at request
  pod_price         NUMERIC(78,0) NOT NULL,
  output_ref        TEXT,                                   -- set when the stage completed
  log_ref           TEXT,                                   -- its logs (completed, or the failed stage's when given)
  pod_owner         TEXT,                                   -- credited pod_proceeds
  pod_proceeds      NUMERIC(78,0),
  platform_fee      NUMERIC(78,0),
  runner_fee        NUMERIC(78,0),
  completed_block   NUMERIC(78,0),
  completed_at      NUMERIC(78,0),
  completed_tx      TEXT,
  block_number      NUMERIC(78,0) NOT NULL,
  block_hash        TEXT          NOT NULL,
  tx_hash           TEXT          NOT NULL,
  log_index         INTEGER       NOT NULL,
  PRIMARY KEY (run_id, stage_index)
);
-- Pod.runCount / runSuccessRate: the stages of one pod.
CREATE INDEX run_stages_pod_idx ON run_stages (pod_id, run_id);

-- Runners by address (a runner that left and registered again keeps its row, with a new id).
CREATE TABLE runners (
  address           TEXT          PRIMARY KEY,
  runner_id         INTEGER       NOT NULL,
  bond              NUMERIC(78,0) NOT NULL,
  public_key        TEXT          NOT NULL,                 -- X25519
  paused            BOOLEAN       NOT NULL DEFAULT FALSE,
  unbonding_at      NUMERIC(78,0),                          -- when the bond may be withdrawn; NULL = active
  unregistered      BOOLEAN       NOT NULL DEFAULT FALSE,
  runs_completed    INTEGER       NOT NULL DEFAULT 0,
  runs_failed       INTEGER       NOT NULL DEFAULT 0,       -- failures it reported, in any phase
  runs_expired      INTEGER       NOT NULL DEFAULT 0,       -- runs that expired while it held the claim
  lapsed_claims     INTEGER       NOT NULL DEFAULT 0,
  slashed           NUMERIC(78,0) NOT NULL DEFAULT 0,
  registered_block  NUMERIC(78,0) NOT NULL,                 -- of the current registration
  registered_at     NUMERIC(78,0) NOT NULL,
  block_number      NUMERIC(78,0) NOT NULL,
  block_hash        TEXT          NOT NULL,
  tx_hash           TEXT          NOT NULL,
  log_index         INTEGER       NOT NULL
);
CREATE INDEX runners_id_idx ON runners (runner_id, address);

-- A runner's fee per token, as last set (rows set before its current registration are stale: the API skips them).
CREATE TABLE runner_fees (
  runner            TEXT          NOT NULL,
  token             TEXT          NOT NULL,
  fee               NUMERIC(78,0) NOT NULL,
  accepted          BOOLEAN       NOT NULL,
  block_number      NUMERIC(78,0) NOT NULL,
  block_hash        TEXT          NOT NULL,
  tx_hash           TEXT          NOT NULL,
  log_index         INTEGER       NOT NULL,
  PRIMARY KEY (runner, token)
);

-- A pod's per-run price, set by its owner (price 0 = free in any token).
CREATE TABLE run_prices (
  pod_id            NUMERIC(78,0) PRIMARY KEY,
  owner             TEXT          NOT NULL,
  token             TEXT          NOT NULL,
  price             NUMERIC(78,0) NOT NULL,
  block_number      NUMERIC(78,0) NOT NULL,
  block_hash        TEXT          NOT NULL,
  tx_hash           TEXT          NOT NULL,
  log_index         INTEGER       NOT NULL
);
