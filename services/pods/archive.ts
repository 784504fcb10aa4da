import { mkdir, open, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { Gunzip, Inflate } from "fflate";
import * as tar from "tar-stream";

/**
 * Unpacks untrusted archives (zip, tar, tar.gz) into a folder. Everything in them is hostile until
 * checked: names may climb out of the folder, entries may be links or devices, and sizes may lie.
 * Sizes are counted while inflating, so a zip bomb is stopped after at most one small slice of
 * output beyond the limit, whatever its headers declare.
 */

export interface UnpackLimits {
  /** Total bytes all entries may unpack to. */
  maxBytes: number;
  /** How many entries an archive may hold. */
  maxEntries: number;
}

export interface UnpackSummary {
  files: number;
  bytes: number;
}

/** An archive or entry that was refused. The message names the archive and the entry. */
export class UnsafeArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnsafeArchiveError";
  }
}

export type ArchiveKind = "zip" | "tar" | "gzip" | "file";

/** Recognises an archive by its bytes, not its name. */
export function archiveKind(bytes: Uint8Array): ArchiveKind {
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6))) return "zip";
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) return "gzip";
  if (bytes.length >= 262 && Buffer.from(bytes.subarray(257, 262)).toString("latin1") === "ustar") return "tar";
  return "file";
}

/**
 * A relative path inside the destination, or an error. "./a//b" becomes "a/b"; "..", absolute
 * paths, drive letters, backslashes and NUL are refused.
 */
export function safeEntryPath(name: string, archive: string): string {
  const refuse = (why: string) => new UnsafeArchiveError(`${archive}: entry ${JSON.stringify(name)} ${why}`);
  if (name.includes("\u0000")) throw refuse("contains a NUL character");
  if (name.includes("\\")) throw refuse("contains a backslash");
  if (name.startsWith("/") || /^[A-Za-z]:/.test(name)) throw refuse("is an absolute path");
  const segments = name.split("/").filter((segment) => segment !== "" && segment !== ".");
  if (segments.includes("..")) throw refuse("escapes the destination folder ('..')");
  if (segments.length === 0) throw refuse("has an empty path");
  return segments.join("/");
}

/** Writes files into a fresh folder, refusing duplicates and anything that would land outside it. */
export class SafeWriter {
  readonly written = new Set<string>();
  bytes = 0;

  constructor(
    readonly destination: string,
    readonly archive: string,
    readonly limits: UnpackLimits,
  ) {}

  /** Accounts for bytes before they are held in memory or written. */
  count(bytes: number, entry: string): void {
    this.bytes += bytes;
    if (this.bytes > this.limits.maxBytes) {
      throw new UnsafeArchiveError(`${this.archive}: unpacks to more than the limit of ${this.limits.maxBytes} bytes (at entry ${JSON.stringify(entry)})`);
    }
  }

  countEntry(entry: string): void {
    if (this.written.size + 1 > this.limits.maxEntries) {
      throw new UnsafeArchiveError(`${this.archive}: holds more than the limit of ${this.limits.maxEntries} entries (at entry ${JSON.stringify(entry)})`);
    }
  }

  private target(relative: string): string {
    const absolute = path.resolve(this.destination, relative);
    const back = path.relative(this.destination, absolute);
    if (back === "" || back.startsWith("..") || path.isAbsolute(back)) {
      throw new UnsafeArchiveError(`${this.archive}: entry ${JSON.stringify(relative)} escapes the destination folder`);
    }
    return absolute;
  }

  async directory(relative: string): Promise<void> {
    const absolute = this.target(relative);
    await mkdir(absolute, { recursive: true });
  }

  async file(relative: string, chunks: readonly Uint8Array[], executable: boolean): Promise<void> {
    if (this.written.has(relative)) throw new UnsafeArchiveError(`${this.archive}: entry ${JSON.stringify(relative)} appears twice`);
    this.countEntry(relative);
    const absolute = this.target(relative);
    await mkdir(path.dirname(absolute), { recursive: true }).catch((error: NodeJS.ErrnoException) => {
      throw new UnsafeArchiveError(`${this.archive}: entry ${JSON.stringify(relative)} cannot be created (${error.code ?? error.message}): a file has the name of its folder`);
    });
    // "wx": never follow or replace something already there.
    const handle = await open(absolute, "wx", executable ? 0o755 : 0o644).catch(async (error: NodeJS.ErrnoException) => {
      const existing = await stat(absolute).catch(() => undefined);
      throw new UnsafeArchiveError(
        `${this.archive}: entry ${JSON.stringify(relative)} cannot be written (${existing?.isDirectory() ? "a folder has that name" : error.code ?? error.message})`,
      );
    });
    try {
      for (const chunk of chunks) await handle.write(chunk);
    } finally {
      await handle.close();
    }
    this.written.add(relative);
  }
}

/** Unpacks a zip, tar or tar.gz into `destination` (an empty folder owned by the caller). */
export async function unpackArchive(bytes: Uint8Array, destination: string, archive: string, limits: UnpackLimits): Promise<UnpackSummary> {
  const writer = new SafeWriter(destination, archive, limits);
  const kind = archiveKind(bytes);
  if (kind === "zip") await unpackZip(bytes, writer);
  else if (kind === "tar") await unpackTar(bytes, writer);
  else if (kind === "gzip") {
    const inner = gunzipLimited(bytes, writer);
    if (archiveKind(inner) !== "tar") throw new UnsafeArchiveError(`${archive}: a gzip file that does not hold a tar archive`);
    writer.bytes = 0; // the tar's entries are counted again as they are unpacked
    await unpackTar(inner, writer);
  } else throw new UnsafeArchiveError(`${archive}: not a zip or tar archive`);
  return { files: writer.written.size, bytes: writer.bytes };
}

// ---- zip ----------------------------------------------------------------------------------------

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
/** Compressed input is fed to the inflater in slices this big, so output is checked often. */
const INFLATE_SLICE = 4096;

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  unixMode: number | undefined;
  isDirectory: boolean;
}

function readZipDirectory(bytes: Uint8Array, writer: SafeWriter): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const archive = writer.archive;
  let eocd = -1;
  for (let offset = bytes.length - 22; offset >= Math.max(0, bytes.length - 22 - 0xffff); offset -= 1) {
    if (view.getUint32(offset, true) === EOCD_SIGNATURE) {
      eocd = offset;
      break;
    }
  }
  if (eocd < 0) throw new UnsafeArchiveError(`${archive}: a zip without its central directory (truncated or not a zip)`);
  const count = view.getUint16(eocd + 10, true);
  const directorySize = view.getUint32(eocd + 12, true);
  const directoryOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || directoryOffset === 0xffffffff || directorySize === 0xffffffff) {
    throw new UnsafeArchiveError(`${archive}: ZIP64 archives are not supported`);
  }
  if (count > writer.limits.maxEntries) {
    throw new UnsafeArchiveError(`${archive}: holds ${count} entries, more than the limit of ${writer.limits.maxEntries}`);
  }
  if (directoryOffset + directorySize > eocd) throw new UnsafeArchiveError(`${archive}: its central directory lies outside the file`);

  const entries: ZipEntry[] = [];
  let cursor = directoryOffset;
  let declared = 0;
  for (let index = 0; index < count; index += 1) {
    if (cursor + 46 > eocd || view.getUint32(cursor, true) !== CENTRAL_SIGNATURE) {
      throw new UnsafeArchiveError(`${archive}: central directory entry ${index} is damaged`);
    }
    const madeBy = view.getUint16(cursor + 4, true) >> 8;
    const flags = view.getUint16(cursor + 8, true);
    const method = view.getUint16(cursor + 10, true);
    const crc = view.getUint32(cursor + 16, true);
    const compressedSize = view.getUint32(cursor + 20, true);
    const size = view.getUint32(cursor + 24, true);
    const nameLength = view.getUint16(cursor + 28, true);
    const extraLength = view.getUint16(cursor + 30, true);
    const commentLength = view.getUint16(cursor + 32, true);
    const externalAttributes = view.getUint32(cursor + 38, true);
    const localOffset = view.getUint32(cursor + 42, true);
    const name = new TextDecoder("utf-8").decode(bytes.subarray(cursor + 46, cursor + 46 + nameLength));
    if (compressedSize === 0xffffffff || size === 0xffffffff || localOffset === 0xffffffff) {
      throw new UnsafeArchiveError(`${archive}: entry ${JSON.stringify(name)} uses ZIP64, which is not supported`);
    }
    // Unix hosts (3) and macOS (19) keep the file type in the high half of the external attributes.
    const unixMode = madeBy === 3 || madeBy === 19 ? externalAttributes >>> 16 : undefined;
    const type = unixMode !== undefined && unixMode !== 0 ? unixMode & S_IFMT : undefined;
    const isDirectory = name.endsWith("/") || type === S_IFDIR || (externalAttributes & 0x10) !== 0;
    if (type === S_IFLNK) throw new UnsafeArchiveError(`${archive}: entry ${JSON.stringify(name)} is a symbolic link; links are not allowed`);
    if (type !== undefined && type !== S_IFREG && type !== S_IFDIR) {
      throw new UnsafeArchiveError(`${archive}: entry ${JSON.stringify(name)} is a special file (mode ${type.toString(8)}); only files and folders are allowed`);
    }
    if (flags & 1) throw new UnsafeArchiveError(`${archive}: entry ${JSON.stringify(name)} is encrypted`);
    declared += size;
    if (declared > writer.limits.maxBytes) {
      throw new UnsafeArchiveError(`${archive}: declares ${declared} bytes or more, above the limit of ${writer.limits.maxBytes} bytes (at entry ${JSON.stringify(name)})`);
    }
    entries.push({ name, method, flags, crc, compressedSize, size, localOffset, unixMode, isDirectory });
    cursor += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

async function unpackZip(bytes: Uint8Array, writer: SafeWriter): Promise<void> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const archive = writer.archive;
  for (const entry of readZipDirectory(bytes, writer)) {
    const relative = safeEntryPath(entry.name, archive);
    if (entry.isDirectory) {
      await writer.directory(relative);
      continue;
    }
    const local = entry.localOffset;
    if (local + 30 > bytes.length || view.getUint32(local, true) !== LOCAL_SIGNATURE) {
      throw new UnsafeArchiveError(`${archive}: entry ${JSON.stringify(entry.name)} has no valid local header`);
    }
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    const end = start + entry.compressedSize;
    if (end > bytes.length) throw new UnsafeArchiveError(`${archive}: entry ${JSON.stringify(entry.name)} runs past the end of the file`);
    const compressed = bytes.subarray(start, end);
    const chunks = entry.method === 0 ? storedEntry(compressed, entry, writer) : entry.method === 8 ? inflateEntry(compressed, entry, writer) : undefined;
    if (!chunks) throw new UnsafeArchiveError(`${archive}: entry ${JSON.stringify(entry.name)} uses compression method ${entry.method}; only stored and deflate are supported`);
    if (crc32(chunks) !== entry.crc) throw new UnsafeArchiveError(`${archive}: entry ${JSON.stringify(entry.name)} fails its CRC check (corrupted)`);
    await writer.file(relative, chunks, entry.unixMode !== undefined && (entry.unixMode & 0o111) !== 0);
  }
}

function storedEntry(data: Uint8Array, entry: ZipEntry, writer: SafeWriter): Uint8Array[] {
  if (data.length !== entry.size) throw new UnsafeArchiveError(`${writer.archive}: entry ${JSON.stringify(entry.name)} is stored with a size that does not match its header`);
  writer.count(data.length, entry.name);
  return [data];
}

function inflateEntry(compressed: Uint8Array, entry: ZipEntry, writer: SafeWriter): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let produced = 0;
  let finished = false;
  const inflater = new Inflate((chunk, final) => {
    produced += chunk.length;
    if (produced > entry.size) {
      throw new UnsafeArchiveError(`${writer.archive}: entry ${JSON.stringify(entry.name)} inflates beyond its declared ${entry.size} bytes`);
    }
    writer.count(chunk.length, entry.name);
    chunks.push(chunk);
    if (final) finished = true;
  });
  for (let offset = 0; offset < compressed.length; offset += INFLATE_SLICE) {
    const end = Math.min(offset + INFLATE_SLICE, compressed.length);
    inflater.push(compressed.subarray(offset, end), end === compressed.length);
  }
  if (compressed.length === 0) inflater.push(new Uint8Array(0), true);
  if (!finished || produced !== entry.size) {
    throw new UnsafeArchiveError(`${writer.archive}: entry ${JSON.stringify(entry.name)} inflates to ${produced} bytes, not the declared ${entry.size}`);
  }
  return chunks;
}

function gunzipLimited(bytes: Uint8Array, writer: SafeWriter): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const gunzip = new Gunzip((chunk) => {
    writer.count(chunk.length, "(gzip stream)");
    total += chunk.length;
    chunks.push(chunk);
  });
  for (let offset = 0; offset < bytes.length; offset += INFLATE_SLICE) {
    const end = Math.min(offset + INFLATE_SLICE, bytes.length);
    gunzip.push(bytes.subarray(offset, end), end === bytes.length);
  }
  return Buffer.concat(chunks, total);
}

// ---- tar ----------------------------------------------------------------------------------------

async function unpackTar(bytes: Uint8Array, writer: SafeWriter): Promise<void> {
  const extract = tar.extract();
  const source = Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]);
  source.pipe(extract);
  const archive = writer.archive;
  try {
    for await (const entry of extract) {
      const header = entry.header;
      const type = header.type ?? "file";
      if (type === "symlink" || type === "link") {
        throw new UnsafeArchiveError(`${archive}: entry ${JSON.stringify(header.name)} is a ${type === "link" ? "hard link" : "symbolic link"}; links are not allowed`);
      }
      if (type !== "file" && type !== "contiguous-file" && type !== "directory") {
        throw new UnsafeArchiveError(`${archive}: entry ${JSON.stringify(header.name)} is a ${type}; only files and folders are allowed`);
      }
      const relative = safeEntryPath(header.name, archive);
      if (type === "directory") {
        entry.resume();
        await writer.directory(relative);
        continue;
      }
      if (writer.bytes + (header.size ?? 0) > writer.limits.maxBytes) {
        throw new UnsafeArchiveError(`${archive}: entry ${JSON.stringify(header.name)} declares ${header.size} bytes, above the limit of ${writer.limits.maxBytes} bytes in all`);
      }
      const chunks: Uint8Array[] = [];
      for await (const chunk of entry) {
        writer.count((chunk as Buffer).length, header.name);
        chunks.push(chunk as Buffer);
      }
      await writer.file(relative, chunks, ((header.mode ?? 0) & 0o111) !== 0);
    }
  } catch (error) {
    source.unpipe(extract);
    extract.destroy();
    if (error instanceof UnsafeArchiveError) throw error;
    throw new UnsafeArchiveError(`${archive}: not a valid tar archive (${error instanceof Error ? error.message : String(error)})`);
  }
}

// ---- crc32 (zip's integrity check) --------------------------------------------------------------

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(chunks: readonly Uint8Array[]): number {
  let crc = 0xffffffff;
  for (const chunk of chunks) {
    for (let index = 0; index < chunk.length; index += 1) crc = CRC_TABLE[(crc ^ chunk[index]) & 0xff] ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}
