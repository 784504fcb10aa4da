import type { ApiContext } from "../../graphql/context";
import { BatchLoader } from "../../graphql/batch-loader";
import type { KeyGrantRow } from "./models";

/**
 * Per-operation loaders of the key grants domain: every pod's (or runner's) grants asked for in one
 * tick are read with one statement and cached for the operation, hanging off the operation's
 * context through a WeakMap (as the runs domain's loaders).
 */

const COLUMNS = `pod_id::text AS "podId", version::integer AS version, runner, sealed_key_ref AS "sealedKeyRef", active, granted_by AS "grantedBy",
  granted_at::float8 AS "grantedAt", granted_block::float8 AS block, revoked_by AS "revokedBy", revoked_at::float8 AS "revokedAt",
  block_number::float8 AS "blockNumber", block_hash AS "blockHash", tx_hash AS "txHash", log_index AS "logIndex"`;

const BY_POD_SQL = `SELECT ${COLUMNS} FROM key_grants WHERE pod_id = ANY($1::numeric[]) ORDER BY pod_id, version, runner`;
// Served by key_grants_runner_idx (090).
const BY_RUNNER_SQL = `SELECT ${COLUMNS} FROM key_grants WHERE runner = ANY($1::text[]) AND active ORDER BY runner, pod_id, version`;

function groupBy(rows: readonly KeyGrantRow[], key: (row: KeyGrantRow) => string): Map<string, KeyGrantRow[]> {
  const groups = new Map<string, KeyGrantRow[]>();
  for (const row of rows) {
    const group = groups.get(key(row));
    if (group) group.push(row);
    else groups.set(key(row), [row]);
  }
  return groups;
}

interface KeyGrantLoaders {
  byPod: BatchLoader<KeyGrantRow[]>;
  activeByRunner: BatchLoader<KeyGrantRow[]>;
}

const byOperation = new WeakMap<ApiContext, KeyGrantLoaders>();

/** The key grants domain's loaders of the operation `ctx` belongs to. */
export function keyGrantLoaders(ctx: ApiContext): KeyGrantLoaders {
  let loaders = byOperation.get(ctx);
  if (!loaders) {
    const tx = () => ctx.snapshot.get();
    loaders = {
      byPod: new BatchLoader(tx, async (db, ids) => groupBy(await db.query<KeyGrantRow>(BY_POD_SQL, [ids]), (row) => row.podId), []),
      activeByRunner: new BatchLoader(tx, async (db, runners) => groupBy(await db.query<KeyGrantRow>(BY_RUNNER_SQL, [runners]), (row) => row.runner), []),
    };
    byOperation.set(ctx, loaders);
  }
  return loaders;
}
