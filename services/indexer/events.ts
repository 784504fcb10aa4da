import { EventEmitter } from "node:events";

/** Payloads of what the indexer announces. Each is emitted only after its data is committed. */
export interface IndexerEventMap {
  block: { number: number; hash: string; timestamp: number };
  podPublished: { podId: string; owner: string; name: string; manifestRef: string; parentPodId: string | null; blockNumber: number };
  purchase: {
    kind: "license" | "pod";
    podId: string;
    buyer: string;
    seller: string;
    token: string;
    price: string;
    blockNumber: number;
    txHash: string;
    logIndex: number;
  };
  /** Blocks fromBlock..toBlock were removed; the data now reflects `commonAncestor`. */
  rollback: { fromBlock: number; toBlock: number; commonAncestor: { number: number; hash: string } };
}

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
