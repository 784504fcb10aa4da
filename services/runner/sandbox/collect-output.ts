import { mkdir, open } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import * as tar from "tar-stream";
import { safeEntryPath, UnsafeArchiveError } from "../../pods/archive";
import type { SkippedEntry } from "../executor";

/**
 * Output and the pod's own log files leave the sandbox as a tar written by the sandbox's
 * supervisor, after the pod's processes are gone. The tar is as hostile as the pod: its names may
 * climb out, its entries may be links or devices, its sizes may lie. It is read as a stream and
 * written only as plain files and folders inside the two destinations, with a byte budget counted
 * as bytes arrive; links are recorded as skipped, never created or followed.
 */

/** How many skipped entries are listed; the rest are only counted, so a pod cannot grow the result without bound. */
const MAX_LISTED_SKIPS = 100;

interface Destination {
  dir: string;
  limit: number;
  files: number;
  bytes: number;
  /** Bytes the pod produced that did not fit the limit. */
  overBytes: number;
  skipped: SkippedEntry[];
  skippedCount: number;
}

export interface CollectedTree {
  dir: string;
  files: number;
  bytes: number;
  overBytes: number;
  skipped: SkippedEntry[];
}

export interface Collected {
  output: CollectedTree;
  logs: CollectedTree;
  /** The stream was not a readable tar (for example, the pod wrote into the channel). */
  error?: string;
}

function destination(dir: string, limit: number): Destination {
  return { dir, limit, files: 0, bytes: 0, overBytes: 0, skipped: [], skippedCount: 0 };
}

function skip(target: Destination, entry: string, reason: string): void {
  target.skippedCount += 1;
  if (target.skipped.length < MAX_LISTED_SKIPS) target.skipped.push({ path: entry, reason });
  else if (target.skipped.length === MAX_LISTED_SKIPS) target.skipped.push({ path: "…", reason: "more entries were skipped; only the first are listed" });
}

/**
 * Reads the tar from `source` into `outputDir` (the `output/` part, up to `outputLimit` bytes) and
 * `logDir` (the `logs/` part, up to `logLimit` bytes; a log file that does not fit is cut). Files
 * past the output limit are not written: their bytes are counted in `overBytes`. Resolves once
 * `source` ends; never rejects for what the stream holds.
 */
export async function collectOutput(source: Readable, outputDir: string, outputLimit: number, logDir: string, logLimit: number): Promise<Collected> {
  const output = destination(outputDir, outputLimit);
  const logs = destination(logDir, logLimit);
  const extract = tar.extract();
  source.pipe(extract);
  let error: string | undefined;
  try {
    for await (const entry of extract) await handleEntry(entry.header, entry, output, logs);
  } catch (failure) {
    error = failure instanceof Error ? failure.message : String(failure);
    source.unpipe(extract);
    extract.destroy();
    // Keep reading so that the writer inside the sandbox is never blocked on a full pipe.
    if (!source.readableEnded && !source.destroyed) {
      await new Promise<void>((resolve) => {
        source.once("end", resolve).once("close", resolve).once("error", () => resolve());
        source.resume();
      });
    }
  }
  const tree = (d: Destination): CollectedTree => ({ dir: d.dir, files: d.files, bytes: d.bytes, overBytes: d.overBytes, skipped: d.skipped });
  return { output: tree(output), logs: tree(logs), ...(error ? { error } : {}) };
}

type Entry = AsyncIterable<unknown>;

async function drain(entry: Entry): Promise<number> {
  let bytes = 0;
  for await (const chunk of entry) bytes += (chunk as Buffer).length;
  return bytes;
}

async function handleEntry(header: tar.Header, entry: Entry, output: Destination, logs: Destination): Promise<void> {
  const name = header.name.replace(/^\.\//, "");
  const [top, ...restSegments] = name.split("/");
  const target = top === "output" ? output : top === "logs" ? logs : undefined;
  const rest = restSegments.join("/");
  if (!target || rest.replace(/\/+$/, "") === "") {
    await drain(entry);
    return;
  }
  let relative: string;
  try {
    relative = safeEntryPath(rest, "the run's output");
  } catch (refusal) {
    skip(target, rest, refusal instanceof UnsafeArchiveError ? "a name that escapes the folder" : String(refusal));
    await drain(entry);
    return;
  }
  const at = path.join(target.dir, relative);
  const type: string = header.type ?? "file";
  if (type === "file" || type === "contiguous-file") return writeEntry(header, entry, target, relative, at);
  if (type === "directory") await mkdir(at, { recursive: true });
  else if (type === "symlink") skip(target, relative, `a symbolic link to ${JSON.stringify(header.linkname ?? "")} (not followed)`);
  else if (type === "link") skip(target, relative, "a hard link (not followed)");
  else skip(target, relative, `a special file (${type})`);
  await drain(entry);
}

async function writeEntry(header: tar.Header, entry: Entry, target: Destination, relative: string, at: string): Promise<void> {
  const room = target.limit - target.bytes;
  if (room <= 0) {
    target.overBytes += await drain(entry);
    skip(target, relative, "past the byte limit (not written)");
    return;
  }
  await mkdir(path.dirname(at), { recursive: true });
  // 'wx': never through a link or over a file; this folder holds only what this function wrote.
  const file = await open(at, "wx", (header.mode ?? 0) & 0o111 ? 0o755 : 0o644);
  let written = 0;
  let over = 0;
  try {
    for await (const raw of entry) {
      const chunk = raw as Buffer;
      const fits = Math.max(0, Math.min(chunk.length, room - written));
      if (fits > 0) {
        await file.write(chunk, 0, fits);
        written += fits;
      }
      over += chunk.length - fits;
    }
  } finally {
    await file.close();
  }
  target.files += 1;
  target.bytes += written;
  target.overBytes += over;
  if (over > 0) skip(target, relative, `cut at the byte limit (${over} bytes not written)`);
}
