import type { PodRecipe } from "../pods/recipe";

/**
 * What a runner hands to whatever executes a pod: the local sandbox (bubblewrap, the default) or,
 * later, Golem. The shape follows Golem's life cycle so both fit it:
 *
 *   check()  – can this executor start at all (bwrap present, yagna reachable); at start-up
 *   admit()  – before claiming: can it honour this recipe (resources, timeout) within its limits
 *   run()    – provision (rent a provider / build the sandbox), upload the pod and payloads,
 *              execute, download output and logs, stop/finalise whatever happened
 *
 * Every run happens under an AbortSignal tied to the run's deadline; an abort kills what runs and
 * ends the run as `Timeout`. `run()` does not throw for anything the pod or the infrastructure does:
 * it returns a result whose phase says whose fault it was, because that decides who is paid.
 */

/** Where the pod lives inside the VM (Golem) or the sandbox: the same paths on both executors. */
export const VM_PATHS = {
  /** The pod's files, a writable copy; `[@]` in `exec` expands to this folder. */
  work: "/golem/work",
  /** Payloads, read-only. */
  input: "/golem/input",
  /** What the run produces; the pod's `output` folder points here too. */
  output: "/golem/output",
} as const;

/**
 * The phases a run can fail in that belong to the executor (the runner adds `FetchPod`,
 * `ResolvePayload` before, and `UploadOutput` for its own upload after). `Provision` is the
 * infrastructure's failure (full refund); `Execute`, `Timeout` and `OutputTooLarge` are the pod's.
 * `UploadOutput` is here for executors that download the output themselves (Golem).
 */
export type ExecutionPhase = "Provision" | "Execute" | "Timeout" | "OutputTooLarge" | "UploadOutput";

/** A limit the run ran into (reported even when the pod then failed in its own way). */
export type LimitName = "wallClock" | "cpuTime" | "memory" | "processes" | "output" | "log";

/** The limits a run is held to. The runner's configuration caps them; the recipe may ask for less time. */
export interface ExecutionLimits {
  /** Wall-clock seconds of the pod's execution (the recipe's `timeout`, capped by the runner). */
  wallClockSeconds: number;
  /** CPU seconds of all the pod's processes together. */
  cpuSeconds: number;
  /** Bytes of memory of all the pod's processes, including the files it keeps in its in-memory folders. */
  memoryBytes: number;
  /** Processes (and threads) at once. */
  maxProcesses: number;
  /** CPU cores the pod may keep busy at once. */
  cpuCores: number;
  /** Bytes of files in `/golem/output`. */
  outputBytes: number;
  /** Bytes kept of each captured stream (stdout, stderr) and of the pod's own log folder. */
  logBytes: number;
  /** Bytes of the writable copy of the pod in `/golem/work` (and of `/tmp`). */
  workBytes: number;
  /** Seconds to set up (provision, upload the pod) before execution starts. */
  provisionSeconds: number;
}

/** A folder of payloads, mounted read-only at `/golem/input/<podPath>` and at `/golem/work/<podPath>` (for `[@]payload/...`). */
export interface PayloadMount {
  /** The folder on the runner's disk (resolved payloads, `payload/external/`; the run's input, `payload/input/`). */
  hostDir: string;
  /** Where the pod expects it, relative to its root: `payload/external`. */
  podPath: string;
}

export interface ExecutionJob {
  /** For logs and names (cgroups, temporary folders). */
  runId: string;
  /** The pod's files on the runner's disk. Not modified by the run. */
  podDir: string;
  recipe: PodRecipe;
  /** Read-only folders, left out of the work copy of the pod. */
  payloads: readonly PayloadMount[];
  /** Where the run's output lands on the runner's disk (created; must be empty or absent). */
  outputDir: string;
  /** Where the run's logs land (created; must be empty or absent). */
  logDir: string;
  /** The limits this run is held to (from `admit`). */
  limits: ExecutionLimits;
}

export type Admission =
  | { admitted: true; limits: ExecutionLimits; notes: string[] }
  | { admitted: false; reason: string };

/** A captured stream, kept up to a limit: its beginning, and its end after a marker saying how much was dropped. */
export interface CapturedLog {
  /** The file on the runner's disk. */
  file: string;
  /** Every byte the pod wrote to the stream. */
  totalBytes: number;
  /** Bytes kept in the file (not counting the marker). */
  keptBytes: number;
  /** Bytes neither kept at the beginning nor at the end. */
  droppedBytes: number;
  truncated: boolean;
}

export interface SkippedEntry {
  /** Path relative to the output (or log) folder. */
  path: string;
  reason: string;
}

export interface ExecutionResult {
  ok: boolean;
  /** The phase the run failed in; absent when `ok`. */
  phase?: ExecutionPhase;
  /** One line on how the run ended, for the log and the requester. */
  reason: string;
  /** The pod command's exit code, when it exited. */
  exitCode: number | null;
  /** Limits the run ran into. */
  exceeded: LimitName[];
  output: { dir: string; files: number; bytes: number; skipped: SkippedEntry[] };
  logs: { dir: string; stdout: CapturedLog; stderr: CapturedLog; files: number; skipped: SkippedEntry[] };
  /** Milliseconds of each step. */
  timings: { provisionMs: number; executeMs: number; totalMs: number };
  /** What the run used, where the executor can measure it. */
  usage: { cpuSeconds?: number; peakMemoryBytes?: number; peakProcesses?: number };
}

/** The executor cannot start at all (bwrap missing, namespaces refused, yagna unreachable). */
export class ExecutorUnavailableError extends Error {
  constructor(
    readonly executor: string,
    message: string,
  ) {
    super(`${executor}: ${message}`);
    this.name = "ExecutorUnavailableError";
  }
}

export interface Executor {
  readonly name: string;
  /** Throws ExecutorUnavailableError when this executor cannot run anything. */
  check(): Promise<void>;
  /** Whether a recipe fits this executor's limits, and the limits its run gets. Refused recipes are not claimed. */
  admit(recipe: PodRecipe): Admission;
  run(job: ExecutionJob, signal: AbortSignal): Promise<ExecutionResult>;
  /** Releases what the executor holds between runs (Golem's connection to yagna); called once when the runner stops. */
  close?(): Promise<void>;
}

const GIB = 1024 ** 3;

/**
 * The common admission rule: a recipe's minimum resources must fit the runner's limits (a pod that
 * needs 8 GiB must not be claimed by a runner that gives 2); its timeout is honoured when shorter
 * than the runner's cap, and capped otherwise.
 */
export function admitWithin(recipe: PodRecipe, runner: ExecutionLimits): Admission {
  const resources = recipe.golem.resources ?? {};
  const refusals: string[] = [];
  if (resources.minCpuCores !== undefined && resources.minCpuCores > runner.cpuCores) {
    refusals.push(`needs ${resources.minCpuCores} CPU cores, this runner gives ${runner.cpuCores}`);
  }
  if (resources.minMemGib !== undefined && resources.minMemGib * GIB > runner.memoryBytes) {
    refusals.push(`needs ${resources.minMemGib} GiB of memory, this runner gives ${(runner.memoryBytes / GIB).toFixed(2)} GiB`);
  }
  if (resources.minStorageGib !== undefined && resources.minStorageGib * GIB > runner.workBytes + runner.outputBytes) {
    refusals.push(`needs ${resources.minStorageGib} GiB of storage, this runner gives ${((runner.workBytes + runner.outputBytes) / GIB).toFixed(2)} GiB`);
  }
  if (refusals.length > 0) return { admitted: false, reason: refusals.join("; ") };
  const notes: string[] = [];
  const timeout = recipe.golem.timeout;
  let wallClockSeconds = runner.wallClockSeconds;
  if (timeout !== undefined && timeout < runner.wallClockSeconds) wallClockSeconds = timeout;
  else if (timeout !== undefined && timeout > runner.wallClockSeconds) notes.push(`the recipe's timeout of ${timeout} s is capped at this runner's ${runner.wallClockSeconds} s`);
  return { admitted: true, limits: { ...runner, wallClockSeconds, cpuSeconds: Math.min(runner.cpuSeconds, wallClockSeconds * runner.cpuCores) }, notes };
}
