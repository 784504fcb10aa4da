import { Counter, Gauge, Registry } from "prom-client";

/**
 * The indexer's Prometheus metrics, on a registry of their own so the API can serve them next to
 * its HTTP metrics and tests can create as many indexers as they like without name clashes.
 */
export interface IndexerMetrics {
  readonly registry: Registry;
  readonly headBlock: Gauge;
  readonly indexedBlock: Gauge;
  readonly lagBlocks: Gauge;
  readonly eventsProcessed: Counter;
  readonly rollbacks: Counter;
  readonly rolledBackBlocks: Counter;
  readonly rpcRetries: Counter;
}

export function createIndexerMetrics(registry: Registry = new Registry()): IndexerMetrics {
  return {
    registry,
    headBlock: new Gauge({ name: "lure_indexer_head_block", help: "Latest block number reported by the RPC", registers: [registry] }),
    indexedBlock: new Gauge({ name: "lure_indexer_indexed_block", help: "Last block whose events are committed", registers: [registry] }),
    lagBlocks: new Gauge({ name: "lure_indexer_lag_blocks", help: "head_block - indexed_block", registers: [registry] }),
    eventsProcessed: new Counter({
      name: "lure_indexer_events_processed_total",
      help: "Contract events committed (rate() of it is events/s)",
      registers: [registry],
    }),
    rollbacks: new Counter({ name: "lure_indexer_rollbacks_total", help: "Chain reorganisations rolled back", registers: [registry] }),
    rolledBackBlocks: new Counter({ name: "lure_indexer_rolled_back_blocks_total", help: "Blocks removed by rollbacks", registers: [registry] }),
    rpcRetries: new Counter({ name: "lure_indexer_rpc_retries_total", help: "JSON-RPC calls retried after a fault", registers: [registry] }),
  };
}

/** The process-wide default instance (what `npm start` serves at /metrics). */
export const indexerMetrics: IndexerMetrics = createIndexerMetrics();
