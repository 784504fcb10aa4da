import { randomBytes } from "node:crypto";
import { mkdir, readdir, rename, rm, rmdir } from "node:fs/promises";
import path from "node:path";
import { PodError } from "./errors";

/** True when the folder does not exist or holds nothing. */
export async function isMissingOrEmpty(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return true;
    if (code === "ENOTDIR") throw new PodError(`${dir}: exists and is not a folder`);
    throw error;
  }
}

export interface StageOptions {
  /** What to do when the target already has content: refuse (default) or replace it whole. */
  existing?: "refuse" | "replace";
}

/**
 * Builds a folder beside its target and moves it into place only when the build succeeded, so a
 * failure (bad archive, network error, crash) never leaves a half-written target behind.
 */
export async function buildFolderAtomically(target: string, build: (staging: string) => Promise<void>, options: StageOptions = {}): Promise<void> {
  const absolute = path.resolve(target);
  const parent = path.dirname(absolute);
  await mkdir(parent, { recursive: true });
  const staging = path.join(parent, `.${path.basename(absolute)}.staging-${randomBytes(6).toString("hex")}`);
  await mkdir(staging, { mode: 0o755 });
  try {
    await build(staging);
    if (!(await isMissingOrEmpty(absolute))) {
      if (options.existing !== "replace") throw new PodError(`${target}: the folder is not empty`);
      const retired = `${staging}.old`;
      await rename(absolute, retired);
      await rename(staging, absolute);
      await rm(retired, { recursive: true, force: true });
      return;
    }
    await rmdir(absolute).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
    });
    await rename(staging, absolute);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}
