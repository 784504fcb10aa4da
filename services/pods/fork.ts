import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { PodContracts } from "../chain/contracts";
import { refHex, VISIBILITY_PUBLIC } from "../chain/refs";
import { read } from "../chain/transact";
import { logger } from "../log";
import { SafeWriter, safeEntryPath, type UnpackLimits } from "./archive";
import { PodError } from "./errors";
import { parseRecipeText, RecipeError, type ForkedFrom } from "./recipe";
import { buildFolderAtomically, isMissingOrEmpty } from "./staging";
import { POD_INDEX_DOCUMENT, type PodStorage } from "./storage";

const log = logger("pods");

export type ForkSource = { podId: bigint; version?: number } | { ref: string };

export interface ForkOptions {
  source: ForkSource;
  dir: string;
  storage: PodStorage;
  /** Needed to fork by pod id (and to check visibility). */
  contracts?: Pick<PodContracts, "registry" | "market">;
  /** Renames the fork (its recipe's `name`), e.g. when you already own a pod of the parent's name. */
  name?: string;
  /** Bounds the download, as for external payloads. */
  limits: UnpackLimits;
}

export interface ForkResult {
  dir: string;
  name: string;
  forkedFrom: ForkedFrom;
  files: number;
  bytes: number;
}

/**
 * Copies a public pod into an empty folder and records where it came from in its recipe, so that
 * persisting the fork registers the parent on chain (and royalties flow upstream).
 */
export async function forkPod(options: ForkOptions): Promise<ForkResult> {
  if (!(await isMissingOrEmpty(options.dir))) throw new PodError(`${options.dir}: the folder is not empty; fork into a new or empty folder`);
  const origin = await locate(options);

  let entries: { path: string; data: Uint8Array }[];
  try {
    entries = await options.storage.downloadCollection(origin.ref);
  } catch (error) {
    throw new PodError(
      `${origin.label}: reference ${origin.ref} is not a readable pod collection (${error instanceof Error ? error.message : String(error)}); private pods are encrypted and cannot be forked`,
    );
  }
  const recipeEntry = entries.find((entry) => entry.path.replace(/^\/+/, "") === POD_INDEX_DOCUMENT);
  if (!recipeEntry) throw new PodError(`${origin.label}: reference ${origin.ref} holds no recipe.json; it is not a pod`);

  // The parent's recipe must be valid before its forkedFrom is rewritten; the raw object is kept
  // so that fields this version of Lure does not know survive the fork.
  const recipeText = Buffer.from(recipeEntry.data).toString("utf8");
  const parsed = parseRecipeText(recipeText, `${origin.label}: recipe.json`);
  const raw = JSON.parse(recipeText.replace(/^\uFEFF/, "")) as Record<string, unknown>;
  const forkedFrom: ForkedFrom =
    origin.podId !== undefined ? { podId: podIdForJson(origin.podId), version: origin.version, ref: origin.ref } : { ref: origin.ref };
  raw.forkedFrom = forkedFrom;
  if (options.name !== undefined) raw.name = options.name;
  const newRecipeText = `${JSON.stringify(raw, null, 2)}\n`;
  try {
    parseRecipeText(newRecipeText, "recipe.json of the fork");
  } catch (error) {
    if (error instanceof RecipeError) throw new PodError(error.message);
    throw error;
  }

  let bytes = 0;
  await buildFolderAtomically(options.dir, async (staging) => {
    const writer = new SafeWriter(staging, origin.label, options.limits);
    for (const entry of entries) {
      const relative = safeEntryPath(entry.path, origin.label);
      const data = relative === POD_INDEX_DOCUMENT ? Buffer.from(newRecipeText, "utf8") : entry.data;
      writer.count(data.length, relative);
      await writer.file(relative, [data], isScript(relative));
      bytes += data.length;
    }
    // Output and log folders are not uploaded; a fork gets them empty, ready to run.
    if (parsed.kind === "pod") {
      for (const folder of [parsed.recipe.golem.output, parsed.recipe.golem.log]) await mkdir(path.join(staging, folder), { recursive: true });
    }
  });
  log.info({ dir: options.dir, ref: origin.ref, podId: origin.podId?.toString() }, "pod forked");
  return { dir: options.dir, name: String(raw.name), forkedFrom, files: entries.length, bytes };
}

/** Pod ids are written as JSON numbers while they are exact, else as decimal strings. */
function podIdForJson(podId: bigint): number | string {
  return podId <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(podId) : podId.toString();
}

/** Swarm collections keep no file modes, so scripts are made executable by their extension. */
function isScript(relative: string): boolean {
  return /\.(sh|py|bash)$/.test(relative);
}

interface Origin {
  ref: string;
  podId?: bigint;
  version?: number;
  label: string;
}

async function locate(options: ForkOptions): Promise<Origin> {
  const source = options.source;
  if ("ref" in source) {
    if (!/^[0-9a-f]{64}$/.test(source.ref)) throw new PodError(`expected a 64-hex Swarm reference, got ${JSON.stringify(source.ref)}`);
    return { ref: source.ref, label: `reference ${source.ref}` };
  }
  const contracts = options.contracts;
  if (!contracts) throw new PodError(`pod ${source.podId}: forking by pod id needs the chain`);
  const label = `pod ${source.podId}`;
  const exists = await read(() => contracts.registry.exists(source.podId), { action: "exists" });
  if (!exists) throw new PodError(`${label} does not exist on chain`);
  const pod = await read(() => contracts.registry.pod(source.podId), { action: label });
  if (Number(pod.visibility) !== VISIBILITY_PUBLIC) throw new PodError(`${label} is private; only public pods can be forked`);
  const count = Number(pod.versionCount);
  const version = source.version ?? count;
  if (!Number.isInteger(version) || version < 1 || version > count) throw new PodError(`${label} has versions 1 to ${count}, not ${version}`);
  const record = await read(() => contracts.registry.version(source.podId, version), { action: `version ${version} of ${label}` });
  return { ref: refHex(record.manifestRef), podId: source.podId, version, label };
}
