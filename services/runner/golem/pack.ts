import { createReadStream, createWriteStream } from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import * as tar from "tar-stream";
import { planPodCopy } from "../sandbox/pod-copy";

/**
 * Payload folders as one tar, each under its path in the pod (`payload/external/…`), to be unpacked
 * into /golem/input. Listed as the pod's copy is (plain files and folders; links and special files
 * left out and reported), since a link would read the runner's disk.
 */
export async function packFolders(folders: readonly { dir: string; prefix: string }[], file: string): Promise<{ bytes: number; skipped: { path: string; reason: string }[] }> {
  const pack = tar.pack();
  const written = pipeline(pack, createWriteStream(file));
  let bytes = 0;
  const skipped: { path: string; reason: string }[] = [];
  for (const { dir, prefix } of folders) {
    const root = prefix.replace(/\/+$/, "");
    const plan = await planPodCopy(dir, []);
    skipped.push(...plan.skipped.map((entry) => ({ ...entry, path: `${root}/${entry.path}` })));
    const header = { mode: 0o755, mtime: new Date(0), uid: 0, gid: 0 };
    pack.entry({ ...header, name: root, type: "directory" });
    for (const entry of plan.entries) {
      const name = `${root}/${entry.relative}`;
      if (entry.kind === "dir") {
        pack.entry({ ...header, name, type: "directory" });
        continue;
      }
      const target = pack.entry({ ...header, name, mode: entry.mode, type: "file", size: entry.size });
      await pipeline(createReadStream(path.join(dir, entry.relative)), target);
      bytes += entry.size;
    }
  }
  pack.finalize();
  await written;
  return { bytes, skipped };
}
