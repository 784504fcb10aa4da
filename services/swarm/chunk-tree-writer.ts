import { BRANCHES, CHUNK_PAYLOAD_SIZE, chunkAddress, REFERENCE_SIZE, type TreeChunk } from "./bmt";

/**
 * Bee's chunk tree built as the bytes arrive: the same chunks and root as `buildChunkTree` (bmt.ts)
 * over the whole data, with memory bounded by one leaf plus up to 127 pending references per
 * tree level, whatever the length. A level emits its parent as soon as it holds 128 children; at
 * the end each level is closed from the bottom up, and, as in Bee's hashtrie, a lone reference at
 * the end of a level is carried up unchanged instead of being wrapped in a one-child chunk.
 *
 * Chunks go to `onChunk` leaves first within each subtree. Their `payload` may be a view of the
 * caller's buffer or of a buffer reused for the next leaf: copy it if it must outlive the callback.
 */

/** A finished subtree waiting for its parent: its root's address and the bytes it spans. */
interface SubtreeRef {
  address: Uint8Array;
  span: number;
}

export class ChunkTreeWriter {
  private readonly leaf = new Uint8Array(CHUNK_PAYLOAD_SIZE);
  private leafFill = 0;
  private leaves = 0;
  /** levels[i]: finished subtrees of height i not yet given a parent. */
  private readonly levels: SubtreeRef[][] = [[]];
  private root: SubtreeRef | undefined;

  constructor(private readonly onChunk: (chunk: TreeChunk) => void) {}

  write(data: Uint8Array): void {
    if (this.root) throw new Error("chunk tree already ended");
    let offset = 0;
    if (this.leafFill > 0) {
      const take = Math.min(CHUNK_PAYLOAD_SIZE - this.leafFill, data.length);
      this.leaf.set(data.subarray(0, take), this.leafFill);
      this.leafFill += take;
      offset = take;
      if (this.leafFill < CHUNK_PAYLOAD_SIZE) return;
      this.leafFill = 0;
      this.emitLeaf(this.leaf);
    }
    // Whole leaves straight from the caller's buffer, without copying.
    for (; data.length - offset >= CHUNK_PAYLOAD_SIZE; offset += CHUNK_PAYLOAD_SIZE) this.emitLeaf(data.subarray(offset, offset + CHUNK_PAYLOAD_SIZE));
    if (offset < data.length) {
      this.leaf.set(data.subarray(offset), 0);
      this.leafFill = data.length - offset;
    }
  }

  /** Closes the tree and returns its root (for empty data: the chunk of zero bytes). */
  end(): SubtreeRef {
    if (this.root) return this.root;
    if (this.leafFill > 0 || this.leaves === 0) this.emitLeaf(this.leaf.subarray(0, this.leafFill));
    this.leafFill = 0;
    for (let height = 0; ; height++) {
      const level = this.levels[height];
      const nothingAbove = this.levels.slice(height + 1).every((above) => above.length === 0);
      if (nothingAbove && level.length === 1) {
        this.root = level[0];
        return this.root;
      }
      this.levels[height] = [];
      if (level.length === 1) this.push(height + 1, level[0]);
      else if (level.length > 1) this.push(height + 1, this.emitParent(level));
    }
  }

  private emitLeaf(payload: Uint8Array): void {
    const address = chunkAddress(payload.length, payload);
    this.onChunk({ address, span: payload.length, payload });
    this.leaves++;
    this.push(0, { address, span: payload.length });
  }

  private push(height: number, subtree: SubtreeRef): void {
    if (this.levels.length === height) this.levels.push([]);
    const level = this.levels[height];
    level.push(subtree);
    if (level.length === BRANCHES) {
      this.levels[height] = [];
      this.push(height + 1, this.emitParent(level));
    }
  }

  private emitParent(children: SubtreeRef[]): SubtreeRef {
    const payload = new Uint8Array(children.length * REFERENCE_SIZE);
    let span = 0;
    children.forEach((child, i) => {
      payload.set(child.address, i * REFERENCE_SIZE);
      span += child.span;
    });
    const address = chunkAddress(span, payload);
    this.onChunk({ address, span, payload });
    return { address, span };
  }
}
