-- 090_key_grants: the indexer follows PodKeyGrants, which says which runners may run which versions
-- of private pods. Additive: one new table. Conventions are 001_init's (addresses lower-case,
-- references 0x-prefixed lower-case hex, the last four columns of a mutable row name the event that
-- last changed it).

-- One row per (pod, version, runner) ever granted, changed in place: a revocation keeps the row
-- (active = false) with the sealed key that was granted; a new grant makes it active again.
CREATE TABLE key_grants (
  pod_id              NUMERIC(78,0) NOT NULL,
  version             NUMERIC(78,0) NOT NULL,
  runner              TEXT          NOT NULL,
  sealed_key_ref      TEXT          NOT NULL,                 -- Swarm reference of the sealed key record (the last granted)
  active              BOOLEAN       NOT NULL,
  granted_by          TEXT          NOT NULL,                 -- the owner or approved operator of the last grant
  granted_at          NUMERIC(78,0) NOT NULL,
  granted_block       NUMERIC(78,0) NOT NULL,
  revoked_by          TEXT,                                   -- NULL while active
  revoked_at          NUMERIC(78,0),
  block_number        NUMERIC(78,0) NOT NULL,
  block_hash          TEXT          NOT NULL,
  tx_hash             TEXT          NOT NULL,
  log_index           INTEGER       NOT NULL,
  PRIMARY KEY (pod_id, version, runner)
);
-- A runner's grants (Runner.grantedPods).
CREATE INDEX key_grants_runner_idx ON key_grants (runner, pod_id, version);
