import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { PodRegistry } from "../../typechain-types";
import { refHex, VISIBILITY_PUBLIC } from "../chain/refs";
import { SafeWriter, safeEntryPath, unpackArchive, type UnpackLimits } from "../pods/archive";
import { EXTERNAL_PAYLOAD_DIR } from "../pods/pack";
import { resolveExternalPayloads } from "../pods/payloads";
import { parseRecipeText, type PodRecipe } from "../pods/recipe";
import { POD_INDEX_DOCUMENT, type PodStorage } from "../pods/storage";
import type { ExecutionResult, Executor, PayloadMount } from "./executor";
import type { FailPhase } from "../chain/run-enums";
import { openPrivatePod, tarFile, type PrivatePodAccess } from "./private-pod";

/**
 * One stage of a run, from a pod version on chain to an output collection on Swarm:
 *
 *   FetchPod        the version's manifest reference from PodRegistry, its collection from Swarm;
 *                   for a private pod, the sealed key this runner was granted, the ciphertext
 *                   decrypted in memory and unpacked straight into the stage's pod folder
 *   ResolvePayload  the recipe's external payloads, the run's input (`payload/input/`), and for a
 *                   task's later stage the previous stage's output (`payload/external/`)
 *   execute         by the executor (sandbox or Golem), which reports its own phases
 *   UploadOutput    `output/` and `logs/` as one collection
 *
 * It never throws for what a pod, a payload or Swarm does: the outcome names the phase, because the
 * phase decides who is paid. Only a bug or the runner's own disk can make it throw.
 */

/** Where a stage's logs sit in its collection. The command line reads the same names. */
export const LOG_FILES = { stdout: "logs/stdout.txt", stderr: "logs/stderr.txt", run: "logs/run.txt", podLogs: "logs/pod" } as const;
const OUTPUT_PREFIX = "output";
/** The run's input, next to the external payloads, read-only in the VM. */
const INPUT_PAYLOAD_DIR = "payload/input";

export interface StageJob {
  runId: bigint;
  stage: number;
  podId: bigint;
  version: bigint;
  /** The run's input (stage 0 only). */
  inputRef?: string;
  /** The previous stage's output collection (later stages of a task). */
  previousOutputRef?: string;
  /** The runner, for the log. */
  runner: string;
}

export interface StageDeps {
  registry: Pick<PodRegistry, "pod" | "version">;
  storage: PodStorage;
  executor: Executor;
  /** Bounds every download: the pod, its payloads, the input. */
  downloadLimits: UnpackLimits;
  /** Where per-stage folders are made (default the OS temporary folder: the sandbox's user must reach payload folders). */
  workRoot?: string;
  /** Caps the executor's wall clock (seconds left before the claim would lapse, less a margin to upload and settle). */
  maxWallClockSeconds?: number;
  /** How this runner opens the private pods it was granted; without it, private pods fail as FetchPod. */
  privatePods?: PrivatePodAccess;
}

export type StageOutcome =
  | { ok: true; outputRef: string; logRef: string; execution: ExecutionResult; timings: StageTimings }
  | { ok: false; phase: FailPhase; reason: string; logRef?: string; execution?: ExecutionResult; timings: StageTimings };

/** Milliseconds spent in each step of a stage (bench:runner prints where the time goes). */
export interface StageTimings {
  fetchMs: number;
  resolveMs: number;
  provisionMs: number;
  executeMs: number;
  uploadMs: number;
}

class StageFailure extends Error {
  constructor(
    readonly phase: FailPhase,
    message: string,
  ) {
    super(message);
  }
}

/** The most a recipe may weigh when read from a private pod's tar in memory. */
const MAX_RECIPE_BYTES = 1024 * 1024;

/**
 * Reads a pod version's recipe without downloading the pod: what a runner checks before claiming.
 * A private pod is opened in memory (the runner must hold a grant) and only its recipe is read.
 */
export async function fetchRecipe(deps: Pick<StageDeps, "registry" | "storage" | "privatePods">, podId: bigint, version: bigint, signal?: AbortSignal): Promise<PodRecipe> {
  const { ref, isPrivate } = await versionRef(deps.registry, podId, version);
  signal?.throwIfAborted();
  if (isPrivate) {
    const opened = await openPrivate(deps, podId, version, ref);
    try {
      const recipe = await tarFile(opened.tar, POD_INDEX_DOCUMENT, MAX_RECIPE_BYTES).catch((error: unknown) => {
        throw new StageFailure("FetchPod", `private pod ${podId} version ${version}: not a readable pod archive (${message(error)})`);
      });
      if (!recipe) throw new StageFailure("FetchPod", `private pod ${podId} version ${version} holds no recipe.json`);
      return podRecipeOf(Buffer.from(recipe).toString("utf8"), podId, version);
    } finally {
      opened.tar.fill(0);
    }
  }
  const file = await deps.storage.downloadFile(ref, POD_INDEX_DOCUMENT).catch((error: unknown) => {
    throw new StageFailure("FetchPod", `pod ${podId} version ${version}: ${ref} holds no readable recipe.json (${message(error)})`);
  });
  return podRecipeOf(Buffer.from(file.data).toString("utf8"), podId, version);
}

export async function runStage(job: StageJob, deps: StageDeps, signal: AbortSignal): Promise<StageOutcome> {
  const timings: StageTimings = { fetchMs: 0, resolveMs: 0, provisionMs: 0, executeMs: 0, uploadMs: 0 };
  const runLog: string[] = [`run ${job.runId} stage ${job.stage}: pod ${job.podId} version ${job.version}, runner ${job.runner}, executor ${deps.executor.name}`];
  const workspace = await mkdtemp(path.join(deps.workRoot ?? os.tmpdir(), `lure-run-${job.runId}-${job.stage}-`));
  // The sandbox's own user reads the payload folders: it must be able to pass through these.
  await chmod(workspace, 0o755);
  const podDir = path.join(workspace, "pod");
  const outputDir = path.join(workspace, "output");
  const logDir = path.join(workspace, "logs");
  let execution: ExecutionResult | undefined;
  try {
    let step = Date.now();
    const recipe = await fetchPod(job, deps, podDir, runLog);
    timings.fetchMs = Date.now() - step;

    const admission = deps.executor.admit(recipe);
    if (!admission.admitted) throw new StageFailure("Provision", `this runner cannot honour the recipe: ${admission.reason}`);
    runLog.push(...admission.notes);
    let limits = admission.limits;
    if (deps.maxWallClockSeconds !== undefined && deps.maxWallClockSeconds < limits.wallClockSeconds) {
      if (deps.maxWallClockSeconds < 1) throw new StageFailure("Provision", "no time is left before the claim lapses");
      runLog.push(`the wall clock is capped at ${deps.maxWallClockSeconds} s: the claim lapses soon after`);
      limits = { ...limits, wallClockSeconds: deps.maxWallClockSeconds, cpuSeconds: Math.min(limits.cpuSeconds, deps.maxWallClockSeconds * limits.cpuCores) };
    }

    step = Date.now();
    signal.throwIfAborted();
    const payloads = await resolvePayloads(job, deps, recipe, podDir, runLog);
    timings.resolveMs = Date.now() - step;

    signal.throwIfAborted();
    execution = await deps.executor.run({ runId: `${job.runId}-${job.stage}`, podDir, recipe, payloads, outputDir, logDir, limits }, signal);
    timings.provisionMs = execution.timings.provisionMs;
    timings.executeMs = execution.timings.executeMs;
    runLog.push(`${execution.ok ? "completed" : `failed in ${execution.phase}`}: ${execution.reason}`);
    if (execution.exitCode !== null) runLog.push(`exit code ${execution.exitCode}`);
    if (execution.exceeded.length > 0) runLog.push(`limits reached: ${execution.exceeded.join(", ")}`);
    for (const skipped of [...execution.output.skipped, ...execution.logs.skipped]) runLog.push(`left out ${skipped.path}: ${skipped.reason}`);
    runLog.push(`output ${execution.output.files} files, ${execution.output.bytes} bytes; ${execution.timings.provisionMs} ms to start, ${execution.timings.executeMs} ms to run`);

    step = Date.now();
    if (!execution.ok) {
      const logRef = await uploadCollection(deps.storage, await logEntries(logDir, runLog)).catch(() => undefined);
      timings.uploadMs = Date.now() - step;
      return { ok: false, phase: execution.phase ?? "Execute", reason: execution.reason, logRef, execution, timings };
    }
    let entries: CollectionEntry[];
    try {
      entries = [...(await folderEntries(outputDir, OUTPUT_PREFIX)), ...(await logEntries(logDir, runLog))];
    } catch (error) {
      throw new StageFailure("UploadOutput", `the output could not be read: ${message(error)}`);
    }
    let ref: string;
    try {
      ref = await uploadCollection(deps.storage, entries);
    } catch (error) {
      throw new StageFailure("UploadOutput", `the output could not be uploaded to Swarm: ${message(error)}`);
    }
    timings.uploadMs = Date.now() - step;
    return { ok: true, outputRef: ref, logRef: ref, execution, timings };
  } catch (error) {
    if (!(error instanceof StageFailure) && !signal.aborted) throw error;
    const failure = error instanceof StageFailure ? error : new StageFailure("Provision", "the run was stopped before it could execute");
    runLog.push(`failed in ${failure.phase}: ${failure.message}`);
    const logRef = await uploadCollection(deps.storage, await logEntries(logDir, runLog).catch(() => runLogOnly(runLog))).catch(() => undefined);
    return { ok: false, phase: failure.phase, reason: failure.message, logRef, execution, timings };
  } finally {
    await rm(workspace, { recursive: true, force: true });
  }
}

/** A version's manifest reference, and whether the pod is private now (its version is then a sealed pod). */
async function versionRef(registry: StageDeps["registry"], podId: bigint, version: bigint): Promise<{ ref: string; isPrivate: boolean }> {
  let pod: Awaited<ReturnType<PodRegistry["pod"]>>;
  try {
    pod = await registry.pod(podId);
  } catch (error) {
    throw new StageFailure("FetchPod", `pod ${podId} could not be read from PodRegistry (${message(error)})`);
  }
  try {
    return { ref: refHex((await registry.version(podId, version)).manifestRef), isPrivate: Number(pod.visibility) !== VISIBILITY_PUBLIC };
  } catch (error) {
    throw new StageFailure("FetchPod", `version ${version} of pod ${podId} could not be read from PodRegistry (${message(error)})`);
  }
}

function podRecipeOf(text: string, podId: bigint, version: bigint): PodRecipe {
  let parsed;
  try {
    parsed = parseRecipeText(text, `pod ${podId} version ${version}: recipe.json`);
  } catch (error) {
    throw new StageFailure("FetchPod", message(error));
  }
  if (parsed.kind !== "pod") throw new StageFailure("FetchPod", `pod ${podId} version ${version} is a task recipe, not a runnable pod`);
  return parsed.recipe;
}

/** A private pod's plaintext tar, or a FetchPod failure saying why it cannot be opened. */
async function openPrivate(deps: Pick<StageDeps, "storage" | "privatePods">, podId: bigint, version: bigint, ref: string) {
  if (!deps.privatePods) throw new StageFailure("FetchPod", `pod ${podId} is private: this runner cannot open private pods`);
  try {
    return await openPrivatePod(deps.privatePods, deps.storage, podId, version, ref);
  } catch (error) {
    throw new StageFailure("FetchPod", message(error));
  }
}

/**
 * A private pod: decrypted in memory and unpacked straight into the stage's pod folder (the work
 * area a public pod's files land in too); neither the key nor the tar is written anywhere else.
 */
async function fetchPrivatePod(job: StageJob, deps: StageDeps, podDir: string, ref: string, runLog: string[]): Promise<PodRecipe> {
  const opened = await openPrivate(deps, job.podId, job.version, ref);
  let files: number;
  try {
    files = (await unpackArchive(opened.tar, podDir, `private pod ${job.podId} version ${job.version}`, deps.downloadLimits)).files;
  } catch (error) {
    throw new StageFailure("FetchPod", message(error));
  } finally {
    opened.tar.fill(0);
  }
  const text = await readFile(path.join(podDir, POD_INDEX_DOCUMENT), "utf8").catch(() => {
    throw new StageFailure("FetchPod", `private pod ${job.podId} version ${job.version} holds no recipe.json`);
  });
  const recipe = podRecipeOf(text, job.podId, job.version);
  runLog.push(`fetched private pod ${job.podId} version ${job.version} (${ref}): ${files} files, opened with the key granted to this runner (sealed key ${opened.sealedKeyRef})`);
  return recipe;
}

async function fetchPod(job: StageJob, deps: StageDeps, podDir: string, runLog: string[]): Promise<PodRecipe> {
  const { ref, isPrivate } = await versionRef(deps.registry, job.podId, job.version);
  if (isPrivate) return fetchPrivatePod(job, deps, podDir, ref, runLog);
  let entries: { path: string; data: Uint8Array }[];
  try {
    entries = await deps.storage.downloadCollection(ref);
  } catch (error) {
    throw new StageFailure("FetchPod", `pod ${job.podId} version ${job.version}: ${ref} is not a readable pod collection (${message(error)})`);
  }
  const recipeEntry = entries.find((entry) => entry.path.replace(/^\/+/, "") === POD_INDEX_DOCUMENT);
  if (!recipeEntry) throw new StageFailure("FetchPod", `pod ${job.podId} version ${job.version}: ${ref} holds no recipe.json`);
  const recipe = podRecipeOf(Buffer.from(recipeEntry.data).toString("utf8"), job.podId, job.version);
  try {
    await writeEntries(podDir, entries, `pod ${job.podId} version ${job.version}`, deps.downloadLimits);
  } catch (error) {
    throw new StageFailure("FetchPod", message(error));
  }
  runLog.push(`fetched pod ${job.podId} version ${job.version} (${ref}): ${entries.length} files`);
  return recipe;
}

async function resolvePayloads(job: StageJob, deps: StageDeps, recipe: PodRecipe, podDir: string, runLog: string[]): Promise<PayloadMount[]> {
  const mounts: PayloadMount[] = [];
  const external = path.join(podDir, EXTERNAL_PAYLOAD_DIR);
  try {
    if (Array.isArray(recipe.golem.payload)) {
      const resolved = await resolveExternalPayloads({ root: podDir, payloads: recipe.golem.payload, storage: deps.storage, limits: deps.downloadLimits });
      for (const payload of resolved) runLog.push(`external payload ${payload.ref}${payload.data ? ` ${payload.data}` : ""}: ${payload.kind}, ${payload.files} files, ${payload.bytes} bytes`);
    }
    if (job.previousOutputRef) {
      const files = await downloadOutput(deps.storage, job.previousOutputRef, external, deps.downloadLimits);
      runLog.push(`the previous stage's output (${job.previousOutputRef}): ${files} files in ${EXTERNAL_PAYLOAD_DIR}/`);
    }
    if (job.inputRef) {
      const files = await downloadInput(deps.storage, job.inputRef, path.join(podDir, INPUT_PAYLOAD_DIR), deps.downloadLimits);
      runLog.push(`input ${job.inputRef}: ${files} files in ${INPUT_PAYLOAD_DIR}/`);
    }
  } catch (error) {
    throw new StageFailure("ResolvePayload", message(error));
  }
  for (const podPath of [EXTERNAL_PAYLOAD_DIR, INPUT_PAYLOAD_DIR]) {
    const hostDir = path.join(podDir, podPath);
    if (await isFolder(hostDir)) {
      await openToSandbox(podDir, hostDir);
      mounts.push({ hostDir, podPath });
    }
  }
  return mounts;
}

/** A previous stage's `output/` lands in `payload/external/`, next to (and over) the stage's own payloads. */
async function downloadOutput(storage: PodStorage, ref: string, destination: string, limits: UnpackLimits): Promise<number> {
  const entries = (await storage.downloadCollection(ref)).filter((entry) => entry.path.replace(/^\/+/, "").startsWith(`${OUTPUT_PREFIX}/`));
  const inside = entries.map((entry) => ({ path: entry.path.replace(/^\/+/, "").slice(OUTPUT_PREFIX.length + 1), data: entry.data }));
  await mkdir(destination, { recursive: true });
  // Files of the stage's own payloads with the same names give way to the previous stage's output.
  for (const entry of inside) await rm(path.join(destination, safeEntryPath(entry.path, `output ${ref}`)), { force: true, recursive: true });
  await writeEntries(destination, inside, `output ${ref}`, limits);
  return inside.length;
}

/** The run's input: a collection (a folder uploaded), else a single file or raw bytes saved as `input`. */
async function downloadInput(storage: PodStorage, ref: string, destination: string, limits: UnpackLimits): Promise<number> {
  let entries: { path: string; data: Uint8Array }[];
  try {
    entries = await storage.downloadCollection(ref);
  } catch {
    let file: { data: Uint8Array; name?: string };
    try {
      file = await storage.downloadFile(ref);
    } catch {
      file = { data: await storage.downloadBytes(ref) };
    }
    entries = [{ path: file.name && file.name.length > 0 ? path.basename(file.name) : "input", data: file.data }];
  }
  await writeEntries(destination, entries, `input ${ref}`, limits);
  return entries.length;
}

async function writeEntries(destination: string, entries: readonly { path: string; data: Uint8Array }[], label: string, limits: UnpackLimits): Promise<void> {
  await mkdir(destination, { recursive: true });
  const writer = new SafeWriter(destination, label, limits);
  for (const entry of entries) {
    const relative = safeEntryPath(entry.path, label);
    writer.count(entry.data.length, relative);
    await writer.file(relative, [entry.data], /\.(sh|py|bash)$/.test(relative));
  }
}

/** Read and pass-through rights for everyone on the payload folders (the pod's own files are streamed in by the executor). */
async function openToSandbox(podDir: string, hostDir: string): Promise<void> {
  for (let dir = path.dirname(hostDir); dir.startsWith(podDir); dir = path.dirname(dir)) await chmod(dir, 0o755);
  const walk = async (dir: string): Promise<void> => {
    await chmod(dir, 0o755);
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) await chmod(full, 0o644 | ((await lstat(full)).mode & 0o111 ? 0o111 : 0));
    }
  };
  await walk(hostDir);
}

async function isFolder(dir: string): Promise<boolean> {
  return (await lstat(dir).catch(() => undefined))?.isDirectory() ?? false;
}

interface CollectionEntry {
  path: string;
  data: Uint8Array;
}

async function folderEntries(dir: string, prefix: string): Promise<CollectionEntry[]> {
  const entries: CollectionEntry[] = [];
  const walk = async (current: string, relative: string): Promise<void> => {
    const children = await readdir(current, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return [];
      throw error;
    });
    for (const child of children) {
      const full = path.join(current, child.name);
      const name = `${relative}/${child.name}`;
      // The executor copied regular files only; anything else here is not the pod's output.
      if (child.isDirectory()) await walk(full, name);
      else if (child.isFile()) entries.push({ path: name, data: await readFile(full) });
    }
  };
  await walk(dir, prefix);
  return entries;
}

/** The executor's log folder under Lure's names, with the runner's own account of the stage. */
async function logEntries(logDir: string, runLog: readonly string[]): Promise<CollectionEntry[]> {
  const entries: CollectionEntry[] = [];
  const optional = async (file: string) => readFile(path.join(logDir, file)).catch(() => undefined);
  const stdout = await optional("stdout.log");
  const stderr = await optional("stderr.log");
  const sandbox = await optional("sandbox.log");
  entries.push({ path: LOG_FILES.stdout, data: stdout ?? new Uint8Array() });
  entries.push({ path: LOG_FILES.stderr, data: stderr ?? new Uint8Array() });
  // The executor's own notes (the image it stands in for, its limits) follow the runner's lines, once.
  const executorNotes = sandbox?.toString("utf8") ?? "";
  const runnerLines = runLog.filter((line) => !executorNotes.includes(line));
  entries.push({ path: LOG_FILES.run, data: Buffer.from(`${runnerLines.join("\n")}\n${executorNotes ? `\n${executorNotes}` : ""}`, "utf8") });
  entries.push(...(await folderEntries(path.join(logDir, "files"), LOG_FILES.podLogs)));
  return entries;
}

function runLogOnly(runLog: readonly string[]): CollectionEntry[] {
  return [{ path: LOG_FILES.run, data: Buffer.from(`${runLog.join("\n")}\n`, "utf8") }];
}

async function uploadCollection(storage: PodStorage, entries: CollectionEntry[]): Promise<string> {
  return storage.uploadCollection(entries);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
