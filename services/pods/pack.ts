import { lstat, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { ignoreMatcher, parseIgnoreRules, type IgnoreRule } from "./ignore";
import type { PodRecipe, TaskRecipe } from "./recipe";

/** One file of a pod, as it goes into a Swarm collection or a tar. */
export interface PodFile {
  /** Relative to the pod root, `/`-separated, no leading slash. */
  path: string;
  data: Uint8Array;
  /** True when any execute bit is set, so scripts stay runnable after a fork. */
  executable: boolean;
}

/** A pod folder holds something that cannot be uploaded faithfully (a symlink, a device, a socket). */
export class PodFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PodFolderError";
  }
}

/** Where private pods' keys and other local state live when kept beside a pod; never uploaded. */
const LOCAL_STATE_DIR = ".lure";
/** Resolved external payloads are fetched again by whoever runs the pod, so they are not uploaded. */
export const EXTERNAL_PAYLOAD_DIR = "payload/external";

/**
 * The rules that apply before `.podignore`: the recipe's output and log folders (results, not
 * inputs), resolved external payloads, and local state. A `.podignore` may re-include them with `!`.
 */
function defaultIgnoreRules(recipe: PodRecipe | TaskRecipe): IgnoreRule[] {
  const golem = "golem" in recipe ? recipe.golem : undefined;
  const folders = [golem?.output ?? "output", golem?.log ?? "logs", EXTERNAL_PAYLOAD_DIR, LOCAL_STATE_DIR];
  return parseIgnoreRules(folders.map((folder) => `/${folder.replace(/\/+$/, "")}/`).join("\n"));
}

/**
 * Reads a pod folder into a sorted list of files (sorted by path bytes, so every upload of the same
 * folder is identical). Symlinks and special files are refused rather than followed: following them
 * could upload files from outside the pod.
 */
export async function readPodFolder(root: string, recipe: PodRecipe | TaskRecipe): Promise<PodFile[]> {
  const rules = [...defaultIgnoreRules(recipe), ...(await readPodIgnore(root))];
  const ignored = ignoreMatcher(rules);
  const files: PodFile[] = [];

  const walk = async (relativeDir: string): Promise<void> => {
    const absoluteDir = path.join(root, relativeDir);
    const entries = await readdir(absoluteDir, { withFileTypes: true });
    entries.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
    for (const entry of entries) {
      const relative = relativeDir ? `${relativeDir}/${entry.name}` : entry.name;
      if (entry.isSymbolicLink()) {
        if (ignored(relative, false)) continue;
        throw new PodFolderError(`${path.join(root, relative)}: symbolic links are not allowed in a pod (copy the file in, or list it in .podignore)`);
      }
      if (entry.isDirectory()) {
        if (!ignored(relative, true)) await walk(relative);
        continue;
      }
      if (ignored(relative, false)) continue;
      if (!entry.isFile()) {
        throw new PodFolderError(`${path.join(root, relative)}: only regular files and folders can be part of a pod`);
      }
      const absolute = path.join(root, relative);
      const [data, stats] = await Promise.all([readFile(absolute), lstat(absolute)]);
      files.push({ path: relative, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), executable: (stats.mode & 0o111) !== 0 });
    }
  };
  await walk("");
  files.sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  return files;
}

async function readPodIgnore(root: string): Promise<IgnoreRule[]> {
  try {
    return parseIgnoreRules(await readFile(path.join(root, ".podignore"), "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}
