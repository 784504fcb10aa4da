import { createReadStream } from "node:fs";
import { lstat, readdir } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { Writable } from "node:stream";
import * as tar from "tar-stream";

/**
 * The writable copy of the pod in `/golem/work` is made by streaming a tar of the pod folder into
 * the sandbox, where it is unpacked into an in-memory folder. The runner reads the folder (so its
 * own folders may stay closed to the sandbox's user), and nothing the pod writes can reach it.
 */

export interface PodCopyPlan {
  entries: { relative: string; kind: "dir" | "file"; size: number; mode: number }[];
  bytes: number;
  /** Entries left out (links, special files), with why. */
  skipped: { path: string; reason: string }[];
}

/**
 * Lists what is copied: everything but `exclude` (relative paths: the payload mounts, the output
 * and log folders, and `.lure`, where keys may be kept beside a pod). Symlinks and special files
 * are left out: `pod:persist` refuses them, and following one would read the runner's disk.
 */
export async function planPodCopy(root: string, exclude: readonly string[]): Promise<PodCopyPlan> {
  const excluded = new Set(exclude.map((p) => p.replace(/\/+$/, "")));
  const plan: PodCopyPlan = { entries: [], bytes: 0, skipped: [] };
  const walk = async (relative: string): Promise<void> => {
    const names = (await readdir(path.join(root, relative))).sort();
    for (const name of names) {
      const child = relative ? `${relative}/${name}` : name;
      if (excluded.has(child)) continue;
      const info = await lstat(path.join(root, child));
      if (info.isDirectory()) {
        plan.entries.push({ relative: child, kind: "dir", size: 0, mode: 0o755 });
        await walk(child);
      } else if (info.isFile()) {
        plan.entries.push({ relative: child, kind: "file", size: info.size, mode: info.mode & 0o111 ? 0o755 : 0o644 });
        plan.bytes += info.size;
      } else {
        plan.skipped.push({ path: child, reason: info.isSymbolicLink() ? "a symbolic link (not copied)" : "a special file (not copied)" });
      }
    }
  };
  await walk("");
  return plan;
}

/** Writes the plan as a tar into `sink` (the sandbox's end), file by file, with backpressure. */
export async function streamPodCopy(root: string, plan: PodCopyPlan, sink: Writable): Promise<void> {
  const pack = tar.pack();
  const sent = pipeline(pack, sink);
  for (const entry of plan.entries) {
    const header = { name: entry.relative, mode: entry.mode, mtime: new Date(0), uid: 0, gid: 0 };
    if (entry.kind === "dir") {
      pack.entry({ ...header, type: "directory" });
      continue;
    }
    const target = pack.entry({ ...header, type: "file", size: entry.size });
    await pipeline(createReadStream(path.join(root, entry.relative)), target);
  }
  pack.finalize();
  await sent;
}
