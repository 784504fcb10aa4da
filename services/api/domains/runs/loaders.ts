import type { ApiContext } from "../../graphql/context";
import { RUNNER_COLUMNS } from "./lists";
import type { PodRunStats, RunnerFeeRow, RunnerRow, RunPriceRow, RunStageRow } from "./models";
import { BatchLoader } from "../../graphql/batch-loader";

/**
 * Per-operation loaders of the runs domain: the keys asked for in one tick are read with one
 * statement (so `runs { items { stages { … } runner { … } } }` is three statements, not 201), and
 * cached for the operation. They hang off the operation's context through a WeakMap, so the shared
 * context (graphql/context.ts) stays free of any domain but pods.
 */

/** Rows grouped by `key` (rows arrive in the order the SQL sorts them). */
function groupBy<Row>(rows: readonly Row[], key: (row: Row) => string): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const group = groups.get(key(row));
    if (group) group.push(row);
    else groups.set(key(row), [row]);
  }
  return groups;
}

const STAGES_SQL = `SELECT run_id::text AS "runId", stage_index AS index, pod_id::text AS "podId", version, pod_price::text AS "podPrice", output_ref AS "outputRef", log_ref AS "logRef",
  completed_at::float8 AS "completedAt", pod_owner AS "podOwner", pod_proceeds::text AS "podProceeds", platform_fee::text AS "platformFee"
  FROM run_stages WHERE run_id = ANY($1::numeric[]) ORDER BY run_id, stage_index`;

// Fees set before a runner's current registration belong to its former id: the contract no longer applies them.
const FEES_SQL = `SELECT f.runner, f.token, f.fee::text AS fee, f.accepted FROM runner_fees f JOIN runners r ON r.address = f.runner
  WHERE f.runner = ANY($1::text[]) AND f.block_number >= r.registered_block ORDER BY f.runner, f.token`;

/**
 * A stage ended when it completed, when its run failed at it, or when its run expired while it was
 * the stage due; stages of cancelled runs and stages never reached did not run.
 */
const POD_STATS_SQL = `SELECT s.pod_id::text AS "podId", count(*)::integer AS "runCount",
  count(*) FILTER (WHERE s.completed_at IS NOT NULL)::integer AS completed,
  count(*) FILTER (WHERE s.completed_at IS NOT NULL OR (r.status = 'FAILED' AND r.failed_stage = s.stage_index) OR (r.status = 'EXPIRED' AND r.stages_completed = s.stage_index))::integer AS ended
  FROM run_stages s JOIN runs r ON r.id = s.run_id WHERE s.pod_id = ANY($1::numeric[]) GROUP BY s.pod_id`;

const RUN_PRICES_SQL = `SELECT pod_id::text AS "podId", owner, token, price::text AS price FROM run_prices WHERE pod_id = ANY($1::numeric[])`;

interface RunLoaders {
  stages: BatchLoader<RunStageRow[]>;
  runners: BatchLoader<RunnerRow | null>;
  fees: BatchLoader<RunnerFeeRow[]>;
  podStats: BatchLoader<PodRunStats | null>;
  runPrices: BatchLoader<RunPriceRow | null>;
}

const byOperation = new WeakMap<ApiContext, RunLoaders>();

/** The runs domain's loaders of the operation `ctx` belongs to. */
export function runLoaders(ctx: ApiContext): RunLoaders {
  let loaders = byOperation.get(ctx);
  if (!loaders) {
    const tx = () => ctx.snapshot.get();
    loaders = {
      stages: new BatchLoader(tx, async (db, ids) => groupBy(await db.query<RunStageRow>(STAGES_SQL, [ids]), (row) => row.runId), []),
      runners: new BatchLoader<RunnerRow | null>(
        tx,
        async (db, addresses) => new Map((await db.query<RunnerRow>(`SELECT ${RUNNER_COLUMNS} FROM runners WHERE address = ANY($1::text[])`, [addresses])).map((row) => [row.address, row])),
        null,
      ),
      fees: new BatchLoader(tx, async (db, addresses) => groupBy(await db.query<RunnerFeeRow>(FEES_SQL, [addresses]), (row) => row.runner), []),
      podStats: new BatchLoader<PodRunStats | null>(tx, async (db, ids) => new Map((await db.query<PodRunStats>(POD_STATS_SQL, [ids])).map((row) => [row.podId, row])), null),
      runPrices: new BatchLoader<RunPriceRow | null>(tx, async (db, ids) => new Map((await db.query<RunPriceRow>(RUN_PRICES_SQL, [ids])).map((row) => [row.podId, row])), null),
    };
    byOperation.set(ctx, loaders);
  }
  return loaders;
}
