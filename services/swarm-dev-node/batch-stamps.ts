/**
 * The chunks one postage batch has stamped, counted per collision bucket as Bee counts them.
 *
 * Bee splits a batch into 2^BUCKET_DEPTH buckets by the first BUCKET_DEPTH bits of a chunk's
 * address; a batch of depth d may stamp at most 2^(d - BUCKET_DEPTH) chunks in each bucket. The
 * bucket of an address does not depend on the batch's depth, so the counts stay right when a batch
 * is diluted (its depth raised) after stamping.
 */

export const BUCKET_DEPTH = 16;
export const BUCKET_COUNT = 2 ** BUCKET_DEPTH;

/** Bee's collision bucket of a chunk: the first 16 bits of its address (64 hex). */
export function bucketOf(address: string): number {
  return parseInt(address.slice(0, BUCKET_DEPTH / 4), 16);
}

export class BatchStamps {
  private readonly addresses = new Set<string>();
  private readonly perBucket = new Uint32Array(BUCKET_COUNT);
  private fullest = 0;

  /** Records a stamp; a chunk the batch already stamped is not counted twice. */
  add(address: string): void {
    if (this.addresses.has(address)) return;
    this.addresses.add(address);
    const count = ++this.perBucket[bucketOf(address)];
    if (count > this.fullest) this.fullest = count;
  }

  has(address: string): boolean {
    return this.addresses.has(address);
  }

  /** Distinct chunks stamped, over all buckets. */
  get size(): number {
    return this.addresses.size;
  }

  /** Chunks stamped in the fullest bucket. */
  get fullestBucket(): number {
    return this.fullest;
  }

  bucket(index: number): number {
    return this.perBucket[index];
  }
}
