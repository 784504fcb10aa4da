import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { BUCKET_COUNT, BUCKET_DEPTH, bucketOf, type BatchStamps } from "./batch-stamps";
import type { ChunkStore } from "./chunk-store";

/**
 * Postage batches of the dev node. There is no chain behind them: a batch is usable as soon as it
 * is bought, and top-ups and dilutions take effect at once. Capacity is counted as Bee counts it:
 * a batch of depth d has 2^16 buckets (by the first 16 bits of a chunk's address) of
 * 2^(d - 16) chunks each, and an immutable batch refuses a chunk whose bucket is full. The counts
 * come from the chunk store's stamp records, so they survive restarts.
 *
 * Depths of 16 and below exist only in tests (Bee refuses them; `minStampDepth` lets the dev node
 * sell them so a batch can be filled quickly): such a batch is one bucket of 2^d chunks.
 */

/**
 * The price per chunk per block the dev chain reports: mainnet's order of magnitude, and the floor
 * bee-js applies anyway, so its minimum batch amount (one day: price × 17 280 + 1 = 414 720 001)
 * is the same here as against a real node.
 */
export const CURRENT_PRICE = 24_000n;
const BLOCK_TIME_SECONDS = 5n;
export const MAX_STAMP_DEPTH = 255;

export interface StoredBatch {
  batchID: string;
  /** Balance per chunk (PLUR): what was paid, plus top-ups, divided by 2 for every dilution step. */
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
  expired: boolean;
}

/** Bee's JSON shape of GET /stamps/{id}/buckets. */
export interface BucketsView {
  depth: number;
  bucketDepth: number;
  bucketUpperBound: number;
  buckets: { bucketID: number; collisions: number }[];
}

/** An upload would put more chunks in a bucket than an immutable batch allows (Bee's 402). */
export class BatchOverissuedError extends Error {
  constructor(readonly batchID: string, detail: string) {
    super(`batch is overissued: ${detail}`);
    this.name = "BatchOverissuedError";
  }
}

/** Bucket layout of a batch: Bee's 2^16 buckets, or one bucket for the test-only depths ≤ 16. */
function layout(batch: StoredBatch): { bucketDepth: number; upperBound: number } {
  return batch.depth > BUCKET_DEPTH
    ? { bucketDepth: BUCKET_DEPTH, upperBound: 2 ** (batch.depth - BUCKET_DEPTH) }
    : { bucketDepth: 0, upperBound: 2 ** batch.depth };
}

function bucketIndex(batch: StoredBatch, address: string): number {
  return batch.depth > BUCKET_DEPTH ? bucketOf(address) : 0;
}

function stampsInBucket(batch: StoredBatch, stamps: BatchStamps, bucket: number): number {
  return batch.depth > BUCKET_DEPTH ? stamps.bucket(bucket) : stamps.size;
}

export class StampRegistry {
  private readonly batches = new Map<string, StoredBatch>();
  private readonly file: string;

  constructor(
    private readonly dir: string,
    private readonly chunks: ChunkStore,
    private readonly chainBlock: () => number,
  ) {
    this.file = path.join(dir, "stamps.json");
    // Temporary files of a save a crash interrupted: stamps.json itself is whole (see save()).
    for (const name of fs.readdirSync(dir)) if (/^stamps\.json\..*\.tmp$/.test(name)) fs.rmSync(path.join(dir, name), { force: true });
    if (fs.existsSync(this.file)) {
      let saved: StoredBatch[];
      try {
        saved = JSON.parse(fs.readFileSync(this.file, "utf8")) as StoredBatch[];
      } catch (error) {
        throw new Error(`postage batch file ${this.file} is not valid JSON: ${(error as Error).message}`, { cause: error });
      }
      for (const batch of saved) this.batches.set(batch.batchID, batch);
    }
  }

  buy(amount: bigint, depth: number, label: string, immutableFlag: boolean): StoredBatch {
    return this.save({
      batchID: randomBytes(32).toString("hex"),
      amount: amount.toString(),
      depth,
      label,
      immutableFlag,
      blockNumber: this.chainBlock(),
    });
  }

  /** Adds `amount` (> 0) per chunk to the batch's balance, lengthening its TTL. */
  topUp(batch: StoredBatch, amount: bigint): StoredBatch {
    if (amount <= 0n) throw new RangeError(`top-up amount must be positive, got ${amount}`);
    return this.save({ ...batch, amount: (BigInt(batch.amount) + amount).toString() });
  }

  /**
   * Raises the batch's depth: twice the chunks per step, so half the balance per chunk (and half
   * the TTL), as the postage contract does. Chunks already stamped stay stamped.
   */
  dilute(batch: StoredBatch, depth: number): StoredBatch {
    if (!Number.isInteger(depth) || depth <= batch.depth || depth > MAX_STAMP_DEPTH) {
      throw new RangeError(`new depth must be an integer from ${batch.depth + 1} to ${MAX_STAMP_DEPTH}, got ${depth}`);
    }
    const amount = BigInt(batch.amount) / 2n ** BigInt(depth - batch.depth);
    return this.save({ ...batch, depth, amount: amount.toString() });
  }

  get(batchID: string): StoredBatch | undefined {
    return this.batches.get(batchID.toLowerCase());
  }

  all(): StoredBatch[] {
    return [...this.batches.values()];
  }

  /**
   * Throws BatchOverissuedError when the chunks of an upload (`addresses`, distinct) would overfill
   * a bucket of the batch. Exact at the moment of the call: the caller commits in the same
   * synchronous step, so two uploads cannot both take a bucket's last slots. A mutable batch never
   * refuses: Bee overwrites the bucket's oldest stamps instead.
   */
  checkCapacity(batch: StoredBatch, addresses: Iterable<string>): void {
    if (!batch.immutableFlag) return;
    const stamps = this.chunks.stampsBy(batch.batchID);
    const adding = new Map<number, number>();
    for (const address of addresses) {
      if (stamps.has(address)) continue;
      const bucket = bucketIndex(batch, address);
      adding.set(bucket, (adding.get(bucket) ?? 0) + 1);
    }
    for (const [bucket, count] of adding) this.refuseIfOver(batch, stamps, bucket, count);
  }

  /**
   * A check to run on every chunk an upload newly stamps, while it is staged, so an upload that
   * cannot fit is refused without staging the rest of it. It counts on the batch as it was when
   * the upload began; once another upload has stamped chunks of the batch, it stands down and the
   * exact check at commit (checkCapacity) decides.
   */
  stampGuard(batchID: string): (address: string) => void {
    const stampedAtStart = this.chunks.stampsBy(batchID).size;
    const adding = new Map<number, number>();
    return (address) => {
      const batch = this.batches.get(batchID);
      if (!batch || !batch.immutableFlag) return;
      const stamps = this.chunks.stampsBy(batchID);
      if (stamps.size !== stampedAtStart) return;
      const bucket = bucketIndex(batch, address);
      const count = (adding.get(bucket) ?? 0) + 1;
      adding.set(bucket, count);
      this.refuseIfOver(batch, stamps, bucket, count);
    };
  }

  private refuseIfOver(batch: StoredBatch, stamps: BatchStamps, bucket: number, adding: number): void {
    const { bucketDepth, upperBound } = layout(batch);
    const holding = stampsInBucket(batch, stamps, bucket);
    if (holding + adding <= upperBound) return;
    const where =
      bucketDepth === 0
        ? `batch ${batch.batchID} (depth ${batch.depth}, one bucket of ${upperBound} chunks) holds ${holding} chunks`
        : `bucket ${bucket} (0x${bucket.toString(16).padStart(4, "0")}) of batch ${batch.batchID} (depth ${batch.depth}, ${upperBound} chunks per bucket) holds ${holding} chunks`;
    throw new BatchOverissuedError(batch.batchID, `${where}, the upload needs ${adding} more there`);
  }

  view(batch: StoredBatch): BatchView {
    const stamps = this.chunks.stampsBy(batch.batchID);
    const { bucketDepth, upperBound } = layout(batch);
    // Bee reports the fullest bucket's count (bee-js: usage = utilization / 2^(depth - bucketDepth)).
    // A mutable batch's buckets wrap around when full, so they never count past the bound.
    const fullest = bucketDepth === 0 ? stamps.size : stamps.fullestBucket;
    return {
      ...batch,
      utilization: Math.min(fullest, upperBound),
      usable: true,
      exists: true,
      bucketDepth,
      batchTTL: Number((BigInt(batch.amount) / CURRENT_PRICE) * BLOCK_TIME_SECONDS),
      expired: false,
    };
  }

  buckets(batch: StoredBatch): BucketsView {
    const stamps = this.chunks.stampsBy(batch.batchID);
    const { bucketDepth, upperBound } = layout(batch);
    // Bee's counter of a full bucket of a mutable batch restarts at 0 with the next stamp.
    const collisions = (count: number) => (count <= upperBound ? count : batch.immutableFlag ? upperBound : ((count - 1) % upperBound) + 1);
    const buckets =
      bucketDepth === 0
        ? [{ bucketID: 0, collisions: collisions(stamps.size) }]
        : Array.from({ length: BUCKET_COUNT }, (_, bucketID) => ({ bucketID, collisions: collisions(stamps.bucket(bucketID)) }));
    return { depth: batch.depth, bucketDepth, bucketUpperBound: upperBound, buckets };
  }

  /**
   * Writes every batch, with `changed` in place of its old version, to stamps.json atomically
   * (temporary file, fsync, rename, directory fsync), and only then makes the change visible.
   */
  private save(changed: StoredBatch): StoredBatch {
    const next = new Map(this.batches);
    next.set(changed.batchID, changed);
    const temporary = `${this.file}.${process.pid}.tmp`;
    const fd = fs.openSync(temporary, "w");
    try {
      fs.writeSync(fd, JSON.stringify([...next.values()], null, 2));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temporary, this.file);
    const dirFd = fs.openSync(this.dir, "r");
    try {
      fs.fsyncSync(dirFd);
    } finally {
      fs.closeSync(dirFd);
    }
    this.batches.set(changed.batchID, changed);
    return changed;
  }
}
