import { expect } from "chai";
import fc from "fast-check";
import { buildChunkTree, toHex, type TreeChunk } from "../../services/swarm/bmt";
import { ChunkTreeWriter } from "../../services/swarm/chunk-tree-writer";

/** Deterministic bytes from a seed (an LCG), so large inputs need no shrinking-heavy generators. */
function bytesFrom(seed: number, length: number): Uint8Array {
  const data = new Uint8Array(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    data[i] = state >>> 24;
  }
  return data;
}

type Emitted = { address: string; span: number; payload: string };

function collect(into: Emitted[], withPayload: boolean): (chunk: TreeChunk) => void {
  return (chunk) => into.push({ address: toHex(chunk.address), span: chunk.span, payload: withPayload ? toHex(chunk.payload) : "" });
}

const byAddress = (a: Emitted, b: Emitted) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.span - b.span);

/** Writes `data` in parts of the given sizes (cycled), then ends the tree. */
function streamed(data: Uint8Array, partSizes: number[], onChunk: (chunk: TreeChunk) => void): string {
  const writer = new ChunkTreeWriter(onChunk);
  for (let offset = 0, i = 0; offset < data.length; i++) {
    const size = partSizes.length > 0 ? partSizes[i % partSizes.length] : data.length;
    writer.write(data.subarray(offset, offset + size));
    offset += size;
  }
  return toHex(writer.end().address);
}

describe("swarm: the streaming chunk tree writer equals buildChunkTree", function () {
  this.timeout(120_000);

  it("same root and the same chunks (address, span, payload) for any length and any split of the input", () => {
    const boundaries = [0, 1, 4095, 4096, 4097, 2 * 4096, 127 * 4096, 128 * 4096, 128 * 4096 + 1, 129 * 4096, 256 * 4096 + 1, 257 * 4096 + 5];
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(...boundaries), fc.integer({ min: 0, max: 300 * 4096 })),
        fc.integer(),
        fc.array(fc.oneof(fc.integer({ min: 1, max: 70_000 }), fc.constantFrom(1, 4095, 4096, 4097, 65_536)), { maxLength: 6 }),
        (length, seed, partSizes) => {
          const data = bytesFrom(seed, length);
          const whole: Emitted[] = [];
          const expectedRoot = toHex(buildChunkTree(data, collect(whole, true)).address);
          const parts: Emitted[] = [];
          expect(streamed(data, partSizes, collect(parts, true)), `root of ${length} bytes`).to.equal(expectedRoot);
          expect(parts.sort(byAddress)).to.deep.equal(whole.sort(byAddress));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("a three-level tree whose last leaf is carried up two levels: same root and chunk addresses", () => {
    // 128·128 + 1 leaves: the lone last leaf is carried past level 1 and level 2 to sit beside
    // the 128·128-leaf subtree under the root.
    const data = bytesFrom(7, 128 * 128 * 4096 + 1);
    const whole: Emitted[] = [];
    const expectedRoot = toHex(buildChunkTree(data, collect(whole, false)).address);
    const parts: Emitted[] = [];
    expect(streamed(data, [65_536], collect(parts, false))).to.equal(expectedRoot);
    expect(parts.length).to.equal(whole.length);
    expect(parts.sort(byAddress)).to.deep.equal(whole.sort(byAddress));
  });

  it("empty writes change nothing; writing after the end is refused", () => {
    const writer = new ChunkTreeWriter(() => undefined);
    writer.write(new Uint8Array(0));
    writer.write(new Uint8Array([1, 2, 3]));
    writer.write(new Uint8Array(0));
    expect(toHex(writer.end().address)).to.equal(toHex(buildChunkTree(new Uint8Array([1, 2, 3]), () => undefined).address));
    expect(() => writer.write(new Uint8Array([4]))).to.throw("already ended");
  });
});
