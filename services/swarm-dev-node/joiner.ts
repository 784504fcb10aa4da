import { CHUNK_PAYLOAD_SIZE, decodeSpan, REFERENCE_SIZE, SPAN_SIZE, toHex } from "../swarm/bmt";
import { ChunkCorruptError, type ChunkStore } from "./chunk-store";

/** The span (byte length) of the content under `reference`, from its root chunk alone. */
export function contentLength(store: ChunkStore, reference: string): number {
  return decodeSpan(store.read(reference).subarray(0, SPAN_SIZE));
}

/**
 * Reassembles the bytes under `reference` from its chunk tree. Every chunk is verified by the
 * store, and spans are cross-checked, so the result is either exactly the uploaded bytes or an
 * error naming the chunk that is missing or corrupt.
 */
export function joinBytes(store: ChunkStore, reference: string): Buffer {
  const root = store.read(reference);
  const total = decodeSpan(root.subarray(0, SPAN_SIZE));
  const output = Buffer.allocUnsafe(total);
  const written = joinInto(store, reference, root, output, 0);
  if (written !== total) throw new ChunkCorruptError(reference, `its tree holds ${written} bytes, its span says ${total}`);
  return output;
}

function joinInto(store: ChunkStore, address: string, chunk: Uint8Array, output: Buffer, offset: number): number {
  const span = decodeSpan(chunk.subarray(0, SPAN_SIZE));
  const payload = chunk.subarray(SPAN_SIZE);
  if (span <= CHUNK_PAYLOAD_SIZE) {
    if (payload.length !== span) throw new ChunkCorruptError(address, `leaf of span ${span} carries ${payload.length} bytes`);
    if (offset + span > output.length) throw new ChunkCorruptError(address, "its data runs past the span of its root");
    output.set(payload, offset);
    return span;
  }
  if (payload.length === 0 || payload.length % REFERENCE_SIZE !== 0) {
    throw new ChunkCorruptError(address, `intermediate chunk payload of ${payload.length} bytes is not a list of references`);
  }
  let written = 0;
  for (let at = 0; at < payload.length; at += REFERENCE_SIZE) {
    const child = toHex(payload.subarray(at, at + REFERENCE_SIZE));
    written += joinInto(store, child, store.read(child), output, offset + written);
  }
  if (written !== span) throw new ChunkCorruptError(address, `children hold ${written} bytes, its span says ${span}`);
  return written;
}
