import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import type { ChunkStore } from "./chunk-store";

/**
 * Postage batches of the dev node. There is no chain behind them: a batch is usable as soon as
 * it is bought. Capacity is what matters for behaving like Bee: a batch of depth d stamps at
 * most 2^d distinct chunks (Bee's limit per bucket, summed over its 2^bucketDepth buckets),
 * counted by the chunk store from the stamp records of committed uploads.
 */

export const BUCKET_DEPTH = 16;
/**
 * The price per chunk per block the dev chain reports: mainnet's order of magnitude, and the floor
 * bee-js applies anyway, so its minimum batch amount (one day: price × 17 280 + 1 = 414 720 001)
 * is the same here as against a real node.
 */
export const CURRENT_PRICE = 24_000n;
const BLOCK_TIME_SECONDS = 5n;

export interface StoredBatch {
  batchID: string;
  amount: string;
  depth: number;
  label: string;
  immutableFlag: boolean;
  blockNumber: number;
}

/** Bee's JSON shape of a postage batch (GET /stamps/{id}). */
export interface BatchView extends StoredBatch {
  utilization: number;
  usable: boolean;
  exists: boolean;
  bucketDepth: number;
  batchTTL: number;
}

export class StampRegistry {
  private readonly batches = new Map<string, StoredBatch>();
  private readonly file: string;

  constructor(dir: string, private readonly chunks: ChunkStore, private readonly chainBlock: () => number) {
    this.file = path.join(dir, "stamps.json");
    if (fs.existsSync(this.file)) {
      const saved = JSON.parse(fs.readFileSync(this.file, "utf8")) as StoredBatch[];
      for (const batch of saved) this.batches.set(batch.batchID, batch);
    }
  }

  buy(amount: bigint, depth: number, label: string, immutableFlag: boolean): StoredBatch {
    const batch: StoredBatch = {
      batchID: randomBytes(32).toString("hex"),
      amount: amount.toString(),
      depth,
      label,
      immutableFlag,
      blockNumber: this.chainBlock(),
    };
    this.batches.set(batch.batchID, batch);
    this.save();
    return batch;
  }

  get(batchID: string): StoredBatch | undefined {
    return this.batches.get(batchID.toLowerCase());
  }

  all(): StoredBatch[] {
    return [...this.batches.values()];
  }

  /** Chunks the batch may still stamp. */
  remaining(batch: StoredBatch): number {
    return 2 ** batch.depth - this.chunks.stampedCount(batch.batchID);
  }

  view(batch: StoredBatch): BatchView {
    const used = this.chunks.stampedCount(batch.batchID);
    // Bee reports utilization as the fullest bucket's count. Chunks spread evenly over the
    // buckets, so that is about used / 2^bucketDepth; small dev batches use a single bucket
    // so that bee-js's usage figure (utilization / 2^(depth - bucketDepth)) stays right.
    const bucketDepth = batch.depth > BUCKET_DEPTH ? BUCKET_DEPTH : 0;
    return {
      ...batch,
      utilization: Math.ceil(used / 2 ** bucketDepth),
      usable: true,
      exists: true,
      bucketDepth,
      batchTTL: Number((BigInt(batch.amount) / CURRENT_PRICE) * BLOCK_TIME_SECONDS),
    };
  }

  private save(): void {
    const temporary = `${this.file}.${process.pid}.tmp`;
    const fd = fs.openSync(temporary, "w");
    try {
      fs.writeSync(fd, JSON.stringify(this.all(), null, 2));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temporary, this.file);
  }
}
