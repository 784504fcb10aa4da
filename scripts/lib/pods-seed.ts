import type { Database } from "../../services/database";
import { deferIndexes, rebuildDeferredIndexes } from "../../services/indexer/deferred-indexes";
import { indexedSchema } from "../../services/indexer/schema";
import { PlannerStatistics } from "../../services/indexer/statistics";
import type { Logger } from "../../services/log";

/**
 * `pods` pods built in SQL (bench:graphql's dataset), so no values travel through the client: owners
 * drawn from `owners`, every other pod listed at a price spread over 10^6 steps, a third private.
 */
function podsSeedSql(pods: number, owners: number): string {
  return `
INSERT INTO pods (id, owner, creator, name, description, visibility, version_count, latest_ref, parent_pod_id, parent_version,
  royalty_bps, fork_royalty_bps, listed, listing_seller, listing_token, listing_price, listing_pod_price, listing_paused,
  license_sales, revenue, created_block, created_at, created_tx, block_number, block_hash, tx_hash, log_index)
SELECT g,
  '0x' || lpad(to_hex(g % ${owners}), 40, '0'),
  '0x' || lpad(to_hex(g % ${owners}), 40, '0'),
  'pod-' || g,
  'pod number ' || g || ' does ' || (ARRAY['neural training', 'weather forecasts', 'image resizing', 'audio transcription', 'text summaries'])[1 + g % 5],
  CASE WHEN g % 3 = 0 THEN 'PRIVATE' ELSE 'PUBLIC' END,
  1 + g % 7,
  '0x' || lpad(to_hex(g), 64, '0'),
  CASE WHEN g > 10 AND g % 4 = 0 THEN (g / 2)::numeric END,
  CASE WHEN g > 10 AND g % 4 = 0 THEN 1 END,
  0, 500,
  g % 2 = 0,
  CASE WHEN g % 2 = 0 THEN '0x' || lpad(to_hex(g % ${owners}), 40, '0') END,
  CASE WHEN g % 2 = 0 THEN '0x0000000000000000000000000000000000000000' END,
  CASE WHEN g % 2 = 0 THEN ((g::bigint * 7919) % 1000000)::numeric * 1000000000000 END,
  CASE WHEN g % 2 = 0 THEN 0::numeric END,
  false,
  g % 11, 0,
  g, 1700000000 + g, '0x' || lpad(to_hex(g), 64, '0'),
  g, '0x' || lpad(to_hex(g), 64, '0'), '0x' || lpad(to_hex(g), 64, '0'), 0
FROM generate_series(1, ${pods}) AS g`;
}

/**
 * Loads the pods as a backfill from an empty database leaves them: the secondary indexes deferred
 * during the load, then rebuilt, then the planner statistics the indexer takes before /ready
 * (PlannerStatistics, the same calls as IndexerLoop), and no other ANALYZE.
 */
export async function seedPodsAsBackfill(db: Database, log: Logger, pods: number, owners: number): Promise<void> {
  const tables = indexedSchema().dataTableNames;
  await deferIndexes(db, log, tables);
  await db.query(podsSeedSql(pods, owners));
  await rebuildDeferredIndexes(db, log);
  await new PlannerStatistics(tables).analyze(db, log);
}
