import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { chunkAddress, decodeSpan, encodeSpan, SPAN_SIZE, toHex, CHUNK_PAYLOAD_SIZE } from "../swarm/bmt";
import { logger } from "../log";
import { BatchStamps } from "./batch-stamps";

/**
 * The dev node's content-addressed chunk store, on disk.
 *
 * Layout: `packs/<sequence>.pack` files of records
 *   address (32) | postage batch id (32, zeros if none) | length (u32 LE) | span + payload
 * where length 0 is a stamp-only record (the chunk's data is in an earlier record).
 *
 * Atomicity: every upload writes its chunks to one file under `staging/`, and only after that
 * file is fsynced is it renamed into `packs/` (and the directory fsynced). The rename is the
 * commit: an upload interrupted at any point leaves at most a staging file, which is deleted
 * at the next start, so no root that was never returned becomes readable.
 *
 * Integrity: the index (address → file, offset) lives in memory and is rebuilt from the packs
 * at start-up; every read re-hashes the chunk and compares it with its address.
 */

const RECORD_HEADER_SIZE = 32 + 32 + 4;
const NO_BATCH = Buffer.alloc(32);
const EMPTY_STAMPS = new BatchStamps();
const log = logger("swarm-dev-store");

export class ChunkNotFoundError extends Error {
  readonly status = 404;
  constructor(readonly address: string) {
    super(`chunk ${address} not found`);
    this.name = "ChunkNotFoundError";
  }
}

export class ChunkCorruptError extends Error {
  readonly status = 500;
  constructor(readonly address: string, detail: string) {
    super(`chunk ${address} is corrupt on disk: ${detail}`);
    this.name = "ChunkCorruptError";
  }
}

interface ChunkLocation {
  pack: number;
  offset: number;
  length: number;
}

export class ChunkStore {
  private readonly index = new Map<string, ChunkLocation>();
  /** Per postage batch (hex), the chunks it has stamped: capacity is counted on these. */
  private readonly stamped = new Map<string, BatchStamps>();
  private readonly openPacks = new Map<number, number>();
  private nextPack = 1;
  private closed = false;

  private constructor(private readonly dir: string) {}

  /** Opens (or creates) the store in `dir`, discarding uploads a crash left uncommitted. */
  static open(dir: string): ChunkStore {
    const store = new ChunkStore(dir);
    fs.mkdirSync(store.packsDir, { recursive: true });
    fs.rmSync(store.stagingDir, { recursive: true, force: true });
    fs.mkdirSync(store.stagingDir, { recursive: true });
    store.loadPacks();
    return store;
  }

  private get packsDir(): string {
    return path.join(this.dir, "packs");
  }

  private get stagingDir(): string {
    return path.join(this.dir, "staging");
  }

  private packPath(pack: number): string {
    return path.join(this.packsDir, `${String(pack).padStart(8, "0")}.pack`);
  }

  private loadPacks(): void {
    const packs = fs
      .readdirSync(this.packsDir)
      .filter((name) => /^\d{8}\.pack$/.test(name))
      .map((name) => Number(name.slice(0, 8)))
      .sort((a, b) => a - b);
    const header = Buffer.alloc(RECORD_HEADER_SIZE);
    for (const pack of packs) {
      const fd = fs.openSync(this.packPath(pack), "r");
      try {
        const size = fs.fstatSync(fd).size;
        let offset = 0;
        while (offset + RECORD_HEADER_SIZE <= size) {
          fs.readSync(fd, header, 0, RECORD_HEADER_SIZE, offset);
          const address = header.toString("hex", 0, 32);
          const batch = header.toString("hex", 32, 64);
          const length = header.readUInt32LE(64);
          if (length > 0) this.index.set(address, { pack, offset: offset + RECORD_HEADER_SIZE, length });
          if (batch !== NO_BATCH.toString("hex")) this.stampsOf(batch).add(address);
          offset += RECORD_HEADER_SIZE + length;
        }
        if (offset !== size) log.warn({ pack: this.packPath(pack), offset, size }, "pack ends with a partial record; ignoring its tail");
      } finally {
        fs.closeSync(fd);
      }
      this.nextPack = pack + 1;
    }
    log.debug({ chunks: this.index.size, packs: packs.length }, "chunk store loaded");
  }

  private stampsOf(batch: string): BatchStamps {
    let stamps = this.stamped.get(batch);
    if (!stamps) {
      stamps = new BatchStamps();
      this.stamped.set(batch, stamps);
    }
    return stamps;
  }

  has(address: string): boolean {
    return this.index.has(address);
  }

  /** What `batch` (hex) has stamped so far, per bucket; empty for a batch that stamped nothing. */
  stampsBy(batch: string): BatchStamps {
    return this.stamped.get(batch) ?? EMPTY_STAMPS;
  }

  isStampedBy(batch: string, address: string): boolean {
    return this.stamped.get(batch)?.has(address) ?? false;
  }

  /**
   * The chunk's span + payload, verified against `address` (64 hex). Throws ChunkNotFoundError
   * or ChunkCorruptError, both naming the address; never returns bytes that do not hash to it.
   */
  read(address: string): Uint8Array {
    const location = this.index.get(address);
    if (!location) throw new ChunkNotFoundError(address);
    const data = Buffer.allocUnsafe(location.length);
    let got: number;
    try {
      got = fs.readSync(this.packFd(location.pack), data, 0, location.length, location.offset);
    } catch (error) {
      throw new ChunkCorruptError(address, `cannot read ${this.packPath(location.pack)}: ${(error as Error).message}`);
    }
    if (got !== location.length) throw new ChunkCorruptError(address, `expected ${location.length} bytes, read ${got}`);
    const span = decodeSpan(data.subarray(0, SPAN_SIZE));
    const actual = toHex(chunkAddress(span, data.subarray(SPAN_SIZE)));
    if (actual !== address) throw new ChunkCorruptError(address, `its content hashes to ${actual}`);
    return data;
  }

  private packFd(pack: number): number {
    let fd = this.openPacks.get(pack);
    if (fd === undefined) {
      if (this.openPacks.size >= 256) {
        const [oldest, oldestFd] = this.openPacks.entries().next().value as [number, number];
        fs.closeSync(oldestFd);
        this.openPacks.delete(oldest);
      }
      fd = fs.openSync(this.packPath(pack), "r");
      this.openPacks.set(pack, fd);
    }
    return fd;
  }

  /**
   * Starts an upload: chunks go to a staging file and become readable only on commit().
   * `onNewStamp` sees every chunk the upload would newly stamp, before it is staged, and may throw
   * to stop the upload early (a batch that cannot take it).
   */
  beginUpload(batch: string | null, onNewStamp?: (address: string) => void): StagedUpload {
    if (this.closed) throw new Error("chunk store is closed");
    return new StagedUpload(this, path.join(this.stagingDir, `${process.pid}-${randomBytes(6).toString("hex")}.staging`), batch, onNewStamp);
  }

  /** Called by StagedUpload.commit once its file is durable. */
  adoptStagedFile(stagingPath: string, records: { address: string; offset: number; length: number }[], batch: string | null): void {
    const pack = this.nextPack++;
    fs.renameSync(stagingPath, this.packPath(pack));
    fsyncDirectory(this.packsDir);
    for (const record of records) {
      if (record.length > 0 && !this.index.has(record.address)) this.index.set(record.address, { pack, offset: record.offset, length: record.length });
      if (batch) this.stampsOf(batch).add(record.address);
    }
  }

  close(): void {
    this.closed = true;
    for (const fd of this.openPacks.values()) fs.closeSync(fd);
    this.openPacks.clear();
  }
}

/** Staged records are copied into a buffer of this size and written when it is full. */
const WRITE_BUFFER_SIZE = 1 << 20;

/** An upload in progress: a staging file plus the records it holds. */
export class StagedUpload {
  private fd: number;
  private size = 0;
  private readonly records: { address: string; offset: number; length: number }[] = [];
  private readonly inThisUpload = new Set<string>();
  // Records are copied here, never referenced: callers may reuse the buffers they pass to put().
  private readonly writeBuffer = Buffer.allocUnsafe(WRITE_BUFFER_SIZE);
  private buffered = 0;
  private done = false;
  private readonly batchBytes: Buffer;

  constructor(
    private readonly store: ChunkStore,
    private readonly stagingPath: string,
    private readonly batch: string | null,
    private readonly onNewStamp?: (address: string) => void,
  ) {
    this.fd = fs.openSync(stagingPath, "wx");
    this.batchBytes = batch ? Buffer.from(batch, "hex") : NO_BATCH;
  }

  /** Every distinct chunk address (hex) of this upload, stored before or not. */
  addresses(): Iterable<string> {
    return this.inThisUpload;
  }

  /** Stages one chunk. Chunks already stored (and already stamped by this batch) cost nothing. */
  put(address: Uint8Array, span: number, payload: Uint8Array): void {
    if (this.done) throw new Error("upload already committed or aborted");
    if (payload.length > CHUNK_PAYLOAD_SIZE) throw new RangeError(`chunk payload of ${payload.length} bytes exceeds ${CHUNK_PAYLOAD_SIZE}`);
    const hex = toHex(address);
    if (this.inThisUpload.has(hex)) return;
    this.inThisUpload.add(hex);
    const newStamp = this.batch !== null && !this.store.isStampedBy(this.batch, hex);
    const stored = this.store.has(hex);
    if (stored && !newStamp) return;
    this.onNewStamp?.(hex);
    const length = stored ? 0 : SPAN_SIZE + payload.length;
    if (this.buffered + RECORD_HEADER_SIZE + length > WRITE_BUFFER_SIZE) this.flush();
    const at = this.buffered;
    this.writeBuffer.set(address, at);
    this.writeBuffer.set(this.batchBytes, at + 32);
    this.writeBuffer.writeUInt32LE(length, at + 64);
    if (length > 0) {
      this.writeBuffer.set(encodeSpan(span), at + RECORD_HEADER_SIZE);
      this.writeBuffer.set(payload, at + RECORD_HEADER_SIZE + SPAN_SIZE);
    }
    this.records.push({ address: hex, offset: this.size + RECORD_HEADER_SIZE, length });
    this.buffered += RECORD_HEADER_SIZE + length;
    this.size += RECORD_HEADER_SIZE + length;
  }

  private flush(): void {
    let written = 0;
    while (written < this.buffered) written += fs.writeSync(this.fd, this.writeBuffer, written, this.buffered - written);
    this.buffered = 0;
  }

  /** Makes every staged chunk durable, then readable, in one atomic rename. */
  commit(): void {
    if (this.done) throw new Error("upload already committed or aborted");
    this.done = true;
    try {
      this.flush();
      fs.fsyncSync(this.fd);
    } finally {
      fs.closeSync(this.fd);
    }
    if (this.records.length === 0) {
      fs.rmSync(this.stagingPath, { force: true });
      return;
    }
    this.store.adoptStagedFile(this.stagingPath, this.records, this.batch);
  }

  /** Drops the staged chunks (bad input, over capacity, aborted request). */
  abort(): void {
    if (this.done) return;
    this.done = true;
    fs.closeSync(this.fd);
    fs.rmSync(this.stagingPath, { force: true });
  }
}

function fsyncDirectory(dir: string): void {
  const fd = fs.openSync(dir, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
