import type { ApiIndexerStatus } from "../events";

/**
 * `GET /ready`: 503 before the first indexed block and while backfilling, 200 at the head; the
 * body tells a load balancer or an operator why, with the lag in blocks.
 */
export function readiness(status: ApiIndexerStatus): { code: 200 | 503; body: Record<string, unknown> } {
  const lag = status.indexedBlock ? Math.max(0, status.headBlock - status.indexedBlock.number) : null;
  const body = {
    chainId: status.chainId,
    headBlock: status.headBlock,
    indexedBlock: status.indexedBlock?.number ?? null,
    lag,
    backfilling: status.backfilling,
    hasIndexingErrors: status.hasIndexingErrors,
  };
  if (!status.indexedBlock) return { code: 503, body: { ready: false, reason: "no block indexed yet", ...body } };
  if (status.backfilling) return { code: 503, body: { ready: false, reason: "backfilling", ...body } };
  return { code: 200, body: { ready: true, ...body } };
}
