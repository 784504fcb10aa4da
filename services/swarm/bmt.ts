import { keccak_256 } from "@noble/hashes/sha3.js";
import { wasmKeccak, WASM_SCRATCH_START } from "./wasm-keccak";

/**
 * Swarm's content addressing, computed locally: the Binary Merkle Tree (BMT) hash of a chunk
 * and the chunk tree ("pyramid") that Bee builds for `POST /bytes`.
 *
 * This is the hot path of every upload. A BMT of one chunk is 127 keccak256 hashes of 64-byte
 * pairs plus the span hash; they run in the WebAssembly keccak of ./wasm-keccak.ts (two pairs per
 * SIMD step, one call per tree level), an order of magnitude faster than the pure-JS keccaks here. The result is
 * byte-identical to bee-js/cafe-utility's `MerkleTree` (test/swarm/bmt.test.ts, bench:swarm).
 */

export const CHUNK_PAYLOAD_SIZE = 4096;
export const SPAN_SIZE = 8;
export const REFERENCE_SIZE = 32;
/** Children per intermediate chunk: 4096 / 32. */
export const BRANCHES = CHUNK_PAYLOAD_SIZE / REFERENCE_SIZE;

// Working areas in the WebAssembly memory: the 4 KiB BMT level buffer, then span || root.
const LEVEL_AT = WASM_SCRATCH_START;
const SPAN_INPUT_AT = LEVEL_AT + CHUNK_PAYLOAD_SIZE;
const DIGEST_AT = SPAN_INPUT_AT + SPAN_SIZE + REFERENCE_SIZE;

/** keccak256 of each 64-byte pair of hashes at every level, for all-zero subtrees. */
const zeroSubtreeHashes: Uint8Array[] = (() => {
  const hashes: Uint8Array[] = [];
  let level: Uint8Array = new Uint8Array(REFERENCE_SIZE);
  for (let size = 64; size <= CHUNK_PAYLOAD_SIZE; size *= 2) {
    const pair = new Uint8Array(64);
    pair.set(level, 0);
    pair.set(level, 32);
    level = keccak_256(pair);
    hashes.push(level);
  }
  return hashes;
})();

function writeSpan(target: Uint8Array, offset: number, span: number): void {
  // Spans are below 2^53 (JS safe integers), far beyond any upload this node accepts.
  const view = new DataView(target.buffer, target.byteOffset + offset, SPAN_SIZE);
  view.setUint32(0, span >>> 0, true);
  view.setUint32(4, Math.floor(span / 0x1_0000_0000), true);
}

/** The 8-byte little-endian span that prefixes every content-addressed chunk. */
export function encodeSpan(span: number): Uint8Array {
  const bytes = new Uint8Array(SPAN_SIZE);
  writeSpan(bytes, 0, span);
  return bytes;
}

export function decodeSpan(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, SPAN_SIZE);
  return view.getUint32(0, true) + view.getUint32(4, true) * 0x1_0000_0000;
}

/** Address of a content-addressed chunk: keccak256(span || BMT root of the zero-padded payload). */
export function chunkAddress(span: number, payload: Uint8Array): Uint8Array {
  if (payload.length > CHUNK_PAYLOAD_SIZE) throw new RangeError(`chunk payload of ${payload.length} bytes exceeds ${CHUNK_PAYLOAD_SIZE}`);
  const keccak = wasmKeccak();
  const memory = keccak.memory;
  memory.set(payload, LEVEL_AT);
  let used = payload.length; // bytes at the start of the level that may be non-zero
  let level = 0;
  for (let size = CHUNK_PAYLOAD_SIZE; size > REFERENCE_SIZE; size /= 2, level++) {
    const pairs = size / 64;
    const hashedPairs = Math.ceil(used / 64);
    if (hashedPairs > 0) {
      // The payload's last pair may be partly beyond its end: zero that tail (on higher levels
      // the slots after `used` already hold the zero-subtree hashes written below).
      if (level === 0) memory.fill(0, LEVEL_AT + used, LEVEL_AT + hashedPairs * 64);
      // In place: pair i is read from [64i, 64i+64) before [32i, 32i+32) is written. Two pairs
      // per SIMD step, then the odd one out, if any.
      const twoAtATime = Math.floor(hashedPairs / 2);
      if (twoAtATime > 0) keccak.hashPairs64x2(LEVEL_AT, LEVEL_AT, twoAtATime);
      if (hashedPairs % 2 === 1) {
        const last = hashedPairs - 1;
        keccak.hashBlocks64(LEVEL_AT + last * 64, LEVEL_AT + last * REFERENCE_SIZE, 1);
      }
    }
    for (let pair = hashedPairs; pair < pairs; pair++) memory.set(zeroSubtreeHashes[level], LEVEL_AT + pair * REFERENCE_SIZE);
    used = hashedPairs * REFERENCE_SIZE;
  }
  writeSpan(memory, SPAN_INPUT_AT, span);
  memory.copyWithin(SPAN_INPUT_AT + SPAN_SIZE, LEVEL_AT, LEVEL_AT + REFERENCE_SIZE);
  keccak.hashBlocks40(SPAN_INPUT_AT, DIGEST_AT, 1);
  return memory.slice(DIGEST_AT, DIGEST_AT + REFERENCE_SIZE);
}

/** A chunk of the tree as it goes to storage: address, span and payload (≤ 4096 bytes). */
export interface TreeChunk {
  address: Uint8Array;
  span: number;
  payload: Uint8Array;
}

/**
 * Splits `data` into Bee's chunk tree, calling `onChunk` for every chunk (leaves first, root
 * last) and returning the root. Like Bee's hashtrie, a lone reference left at the end of a
 * level is carried up unchanged instead of being wrapped in a one-child intermediate chunk.
 */
export function buildChunkTree(data: Uint8Array, onChunk: (chunk: TreeChunk) => void): TreeChunk {
  let level: TreeChunk[] = [];
  for (let offset = 0; offset < data.length || offset === 0; offset += CHUNK_PAYLOAD_SIZE) {
    const payload = data.subarray(offset, Math.min(offset + CHUNK_PAYLOAD_SIZE, data.length));
    const chunk: TreeChunk = { address: chunkAddress(payload.length, payload), span: payload.length, payload };
    onChunk(chunk);
    level.push(chunk);
    if (data.length === 0) break;
  }
  while (level.length > 1) {
    const next: TreeChunk[] = [];
    for (let start = 0; start < level.length; start += BRANCHES) {
      const group = level.slice(start, start + BRANCHES);
      if (group.length === 1) {
        next.push(group[0]);
        continue;
      }
      const payload = new Uint8Array(group.length * REFERENCE_SIZE);
      let span = 0;
      group.forEach((child, i) => {
        payload.set(child.address, i * REFERENCE_SIZE);
        span += child.span;
      });
      const parent: TreeChunk = { address: chunkAddress(span, payload), span, payload };
      onChunk(parent);
      next.push(parent);
    }
    level = next;
  }
  return level[0];
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/** Offline Swarm reference of `data`: the same 64-hex root a Bee node returns for POST /bytes. */
export function swarmReference(data: Uint8Array): string {
  return toHex(buildChunkTree(data, () => undefined).address);
}
