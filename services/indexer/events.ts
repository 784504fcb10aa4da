import { EventEmitter } from "node:events";
import type { ContractAnnouncements } from "./contracts";

/** What the engine itself announces, whatever the contracts. */
interface EngineEventMap {
  block: { number: number; hash: string; timestamp: number };
  /** Blocks fromBlock..toBlock were removed; the data now reflects `commonAncestor`. */
  rollback: { fromBlock: number; toBlock: number; commonAncestor: { number: number; hash: string } };
}

/**
 * Payloads of what the indexer announces: the engine's, and those the contract modules declare
 * (podPublished, purchase ...). Each is emitted only after its data is committed.
 */
export type IndexerEventMap = EngineEventMap & ContractAnnouncements;

export type IndexerEventName = keyof IndexerEventMap;

/** A typed EventEmitter: `on("purchase", (p) => ...)` knows the payload's shape. */
export class IndexerEvents extends EventEmitter {
  constructor() {
    super();
    // Every GraphQL subscription adds a listener; many concurrent subscribers are normal.
    this.setMaxListeners(0);
  }
  override on<K extends IndexerEventName>(event: K, listener: (payload: IndexerEventMap[K]) => void): this {
    return super.on(event, listener);
  }
  override once<K extends IndexerEventName>(event: K, listener: (payload: IndexerEventMap[K]) => void): this {
    return super.once(event, listener);
  }
  override off<K extends IndexerEventName>(event: K, listener: (payload: IndexerEventMap[K]) => void): this {
    return super.off(event, listener);
  }
  override emit<K extends IndexerEventName>(event: K, payload: IndexerEventMap[K]): boolean {
    return super.emit(event, payload);
  }
}
