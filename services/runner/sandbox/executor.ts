import { spawn, type ChildProcess } from "node:child_process";
import { randomInt } from "node:crypto";
import { accessSync, constants as fsConstants } from "node:fs";
import { appendFile, mkdir, readdir } from "node:fs/promises";
import path from "node:path";
import { PassThrough, type Readable, type Writable } from "node:stream";
import { expandRoot, golemImage, type PodRecipe } from "../../pods/recipe";
import {
  admitWithin,
  ExecutorUnavailableError,
  VM_PATHS,
  type Admission,
  type ExecutionJob,
  type ExecutionLimits,
  type ExecutionPhase,
  type ExecutionResult,
  type Executor,
  type LimitName,
} from "../executor";
import { BoundedLog } from "./bounded-log";
import { bwrapArgs, etcFiles, FD, HOST_TOOLS, READY_LINE, wrapperArgs } from "./bwrap";
import { RUN_CGROUP_PREFIX, RunCgroup, type CgroupUsage } from "./cgroup";
import { collectOutput, type Collected } from "./collect-output";
import { planPodCopy, streamPodCopy } from "./pod-copy";

/**
 * The local sandbox, the runner's default executor: bubblewrap on the host's read-only system
 * folders, with per-run cgroups and rlimits. It never runs a pod unsandboxed: when bwrap, a helper
 * or the namespaces are missing, `check()` throws and `run()` ends the run as `Provision`.
 */

export interface SandboxOptions {
  /** The runner's limits; a recipe's timeout may lower the wall clock, never raise it. */
  limits: ExecutionLimits;
  /** Path to bwrap; default /usr/bin/bwrap. */
  bwrap?: string;
  /**
   * First uid of the range each run's own uid is drawn from (2^24 uids). Pick a range no account
   * of the host uses; the default sits far above the usual ones.
   */
  uidBase?: number;
  /** Bytes kept from the end of each captured stream beyond the limit; default 16 KiB. */
  tailBytes?: number;
  /** Milliseconds between checks of the run's total CPU time; default 100. */
  pollMs?: number;
}

/** 1.2e9: far above distribution and LDAP ranges, below 2^31 (some tools mishandle larger uids). */
export const DEFAULT_UID_BASE = 1_200_000_000;
export const UID_RANGE = 2 ** 24;
/** bwrap's outer process, its reaper and the supervisor count against the process limit too. */
const SANDBOX_PROCESSES = 3;
/** How far RLIMIT_NPROC sits above the pids cgroup's limit. */
const NPROC_MARGIN = 16;
/** Room above the output limit in its in-memory folder, so that going past the limit shows as bytes past it. */
const OUTPUT_SLACK = 1024 * 1024;
const STDERR_REASON_BYTES = 2048;

export class SandboxExecutor implements Executor {
  readonly name = "sandbox";
  private readonly bwrap: string;
  private readonly uidBase: number;
  private readonly tailBytes: number;
  private readonly pollMs: number;
  /** uids of runs in flight in this process, so that two runs never share one. */
  private readonly uidsInUse = new Set<number>();

  constructor(private readonly options: SandboxOptions) {
    this.bwrap = options.bwrap ?? "/usr/bin/bwrap";
    this.uidBase = options.uidBase ?? DEFAULT_UID_BASE;
    this.tailBytes = options.tailBytes ?? 16 * 1024;
    this.pollMs = options.pollMs ?? 100;
  }

  /** Throws ExecutorUnavailableError unless a trivial sandbox starts and exits cleanly. */
  async check(): Promise<void> {
    const missing = this.missingTools();
    if (missing) throw new ExecutorUnavailableError(this.name, missing);
    const probe = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(HOST_TOOLS.setpriv, [`--reuid=${this.uidBase}`, `--regid=${this.uidBase}`, "--clear-groups", "--", this.bwrap, "--unshare-all", "--die-with-parent", "--cap-drop", "ALL", "--clearenv", "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64", "--proc", "/proc", "--dev", "/dev", "--", "/usr/bin/true"], { stdio: ["ignore", "ignore", "pipe"], env: {} });
      let stderr = "";
      child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr = (stderr + text).slice(-STDERR_REASON_BYTES)));
      child.on("error", (error) => resolve({ code: null, stderr: error.message }));
      child.on("close", (code) => resolve({ code, stderr }));
    });
    if (probe.code !== 0) throw new ExecutorUnavailableError(this.name, `bubblewrap cannot start a sandbox (exit ${probe.code ?? "none"}): ${probe.stderr.trim() || "no message"}`);
    // A runner killed with -9 takes its pods with it (--die-with-parent) but leaves their empty groups.
    await RunCgroup.removeOrphans();
  }

  admit(recipe: PodRecipe): Admission {
    const admission = admitWithin(recipe, this.options.limits);
    if (!admission.admitted) return admission;
    return { ...admission, notes: [imageNote(recipe), ...admission.notes] };
  }

  async run(job: ExecutionJob, signal: AbortSignal): Promise<ExecutionResult> {
    return new SandboxRun(job, signal, this).run();
  }

  /** @internal */
  missingTools(): string | undefined {
    for (const tool of [this.bwrap, ...Object.values(HOST_TOOLS)]) {
      try {
        accessSync(tool, fsConstants.X_OK);
      } catch {
        return `${tool} is missing or not executable${tool === this.bwrap ? " (install bubblewrap: apt-get install bubblewrap)" : ""}`;
      }
    }
    return undefined;
  }

  /** @internal */
  takeUid(): number {
    for (;;) {
      const uid = this.uidBase + randomInt(UID_RANGE);
      if (!this.uidsInUse.has(uid)) {
        this.uidsInUse.add(uid);
        return uid;
      }
    }
  }

  /** @internal */
  releaseUid(uid: number): void {
    this.uidsInUse.delete(uid);
  }

  /** @internal */
  get settings() {
    return { bwrap: this.bwrap, tailBytes: this.tailBytes, pollMs: this.pollMs };
  }
}

function imageNote(recipe: PodRecipe): string {
  return `the local sandbox runs the pod on the host's read-only system folders (/usr) in place of the recipe's image ${golemImage(recipe)}`;
}

type KillReason = { limit: "wallClock" | "cpuTime"; message: string } | { limit: "abort"; message: string } | { limit: "provision"; message: string };

/** One run: everything it owns (cgroup, uid, child, timers) is released in `run()`'s finally. */
class SandboxRun {
  private readonly started = Date.now();
  private readonly notes: string[] = [];
  private child?: ChildProcess;
  private cgroup?: RunCgroup;
  private killed?: KillReason;
  private readyAt?: number;
  private stderrTail = "";

  constructor(
    private readonly job: ExecutionJob,
    private readonly signal: AbortSignal,
    private readonly executor: SandboxExecutor,
  ) {}

  async run(): Promise<ExecutionResult> {
    const { job } = this;
    await mkdir(job.outputDir, { recursive: true });
    await mkdir(job.logDir, { recursive: true });
    for (const dir of [job.outputDir, job.logDir]) {
      if ((await readdir(dir)).length > 0) throw new Error(`${dir} must be empty: a run writes its output and logs into a fresh folder`);
    }
    const stdout = new BoundedLog(path.join(job.logDir, "stdout.log"), job.limits.logBytes, this.executor.settings.tailBytes);
    const stderr = new BoundedLog(path.join(job.logDir, "stderr.log"), job.limits.logBytes, this.executor.settings.tailBytes);
    this.note(imageNote(job.recipe));
    const uid = this.executor.takeUid();
    let collected: Collected | undefined;
    let exitCode: number | null = null;
    let failure: { phase: ExecutionPhase; reason: string } | undefined;
    try {
      failure = this.preflight();
      if (!failure) ({ collected, exitCode, failure } = await this.execute(uid, stdout, stderr));
    } catch (error) {
      failure = { phase: "Provision", reason: `the sandbox failed: ${error instanceof Error ? error.message : String(error)}` };
    } finally {
      if (this.child?.pid !== undefined && this.child.exitCode === null) this.child.kill("SIGKILL");
    }
    // Whatever is left of the run is killed before its usage is read and its groups removed.
    let usage: CgroupUsage | undefined;
    if (this.cgroup) {
      await this.cgroup.killAll().catch(() => undefined);
      usage = await this.cgroup.usage().catch(() => undefined);
      await this.cgroup.remove().catch(() => undefined);
    }
    this.executor.releaseUid(uid);
    for (const note of this.cgroup?.notes ?? []) this.note(note);
    const out = stdout.finish();
    const err = stderr.finish();

    const exceeded = new Set<LimitName>();
    if (this.killed?.limit === "wallClock") exceeded.add("wallClock");
    const cpuSeconds = usage?.cpuSeconds;
    if (this.killed?.limit === "cpuTime" || (cpuSeconds !== undefined && cpuSeconds >= job.limits.cpuSeconds)) exceeded.add("cpuTime");
    if (usage?.oomKilled) exceeded.add("memory");
    if (usage?.processLimitHit) exceeded.add("processes");
    if (collected && collected.output.overBytes > 0) exceeded.add("output");
    if (out.truncated || err.truncated || (collected && collected.logs.overBytes > 0)) exceeded.add("log");

    if (!failure) failure = this.judge(exitCode, exceeded, collected);
    const result: ExecutionResult = {
      ok: failure === undefined,
      ...(failure ? { phase: failure.phase } : {}),
      reason: failure?.reason ?? "the pod exited with 0",
      exitCode,
      exceeded: [...exceeded],
      output: { dir: job.outputDir, files: collected?.output.files ?? 0, bytes: collected?.output.bytes ?? 0, skipped: collected?.output.skipped ?? [] },
      logs: { dir: job.logDir, stdout: out, stderr: err, files: collected?.logs.files ?? 0, skipped: collected?.logs.skipped ?? [] },
      timings: {
        provisionMs: (this.readyAt ?? Date.now()) - this.started,
        executeMs: this.readyAt === undefined ? 0 : Date.now() - this.readyAt,
        totalMs: Date.now() - this.started,
      },
      usage: { ...(cpuSeconds !== undefined ? { cpuSeconds } : {}), ...(usage?.peakMemoryBytes !== undefined ? { peakMemoryBytes: usage.peakMemoryBytes } : {}), ...(usage?.peakProcesses !== undefined ? { peakProcesses: usage.peakProcesses } : {}) },
    };
    this.note(`${result.ok ? "completed" : `failed in ${result.phase}`}: ${result.reason}`);
    await appendFile(path.join(job.logDir, "sandbox.log"), this.notes.map((line) => `${line}\n`).join(""));
    return result;
  }

  private note(line: string): void {
    this.notes.push(line);
  }

  /** What can be refused before anything starts. */
  private preflight(): { phase: ExecutionPhase; reason: string } | undefined {
    const missing = this.executor.missingTools();
    if (missing) return { phase: "Provision", reason: `the sandbox cannot start: ${missing}; the pod is never run unsandboxed` };
    if (this.signal.aborted) return { phase: "Timeout", reason: `aborted before the sandbox started: ${abortMessage(this.signal)}` };
    return undefined;
  }

  private async execute(uid: number, stdout: BoundedLog, stderr: BoundedLog): Promise<{ collected?: Collected; exitCode: number | null; failure?: { phase: ExecutionPhase; reason: string } }> {
    const { job } = this;
    const { limits, recipe } = job;
    const outputFolder = recipe.golem.output;
    const logFolder = recipe.golem.log;
    const plan = await planPodCopy(job.podDir, [...job.payloads.map((p) => p.podPath), outputFolder, logFolder, ".lure"]);
    for (const skipped of plan.skipped) this.note(`pod file ${skipped.path}: ${skipped.reason}`);
    if (plan.bytes > limits.workBytes) {
      return { exitCode: null, failure: { phase: "Provision", reason: `the pod's files (${plan.bytes} bytes) do not fit the work folder of ${limits.workBytes} bytes` } };
    }

    this.cgroup = await RunCgroup.create(`${RUN_CGROUP_PREFIX}${process.pid}-${sanitize(job.runId)}-${uid}`, {
      memoryBytes: limits.memoryBytes,
      maxProcesses: limits.maxProcesses + SANDBOX_PROCESSES,
      cpuCores: limits.cpuCores,
    });
    const held = this.cgroup.controllers;
    this.note(`limits: wall clock ${limits.wallClockSeconds} s, CPU ${limits.cpuSeconds} s, memory ${limits.memoryBytes} B, processes ${limits.maxProcesses}, output ${limits.outputBytes} B, log ${limits.logBytes} B per stream, work ${limits.workBytes} B`);
    this.note(`cgroup controllers holding: ${[...held].join(", ") || "none"}${held.has("memory") ? "" : "; memory falls back to RLIMIT_AS"}${held.has("pids") ? "" : "; processes fall back to RLIMIT_NPROC of the run's own uid"}`);

    const args = bwrapArgs({
      workBytes: limits.workBytes,
      tmpBytes: limits.workBytes,
      outputTmpfsBytes: limits.outputBytes + OUTPUT_SLACK,
      logTmpfsBytes: limits.logBytes + OUTPUT_SLACK,
      payloads: job.payloads,
      outputFolder,
      logFolder,
      env: recipe.golem.env ?? {},
      command: expandRoot(recipe.golem.exec, VM_PATHS.work),
    });
    const rlimits = {
      cpuSeconds: Math.max(1, Math.ceil(limits.cpuSeconds)),
      // With a pids cgroup, RLIMIT_NPROC sits a little above it, so that the cgroup is the limit that bites and
      // reports it (pids.events); without one, RLIMIT_NPROC of the run's own uid is the limit.
      processes: limits.maxProcesses + SANDBOX_PROCESSES + (held.has("pids") ? NPROC_MARGIN : 0),
      ...(held.has("memory") ? {} : { addressSpaceBytes: limits.memoryBytes }),
    };
    const child: ChildProcess = spawn(HOST_TOOLS.sh, wrapperArgs(this.cgroup.procsFiles, rlimits, uid, this.executor.settings.bwrap, args), {
      stdio: ["ignore", "pipe", "pipe", "pipe", "pipe", "pipe", "pipe", "pipe"],
      env: {},
    });
    this.child = child;
    // ChildProcess types only the first five stdio entries; the sandbox uses eight.
    const pipeAt = (fd: number) => (child.stdio as unknown as (Readable | Writable | null)[])[fd];
    const spawnError = new Promise<Error>((resolve) => child.once("error", resolve));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("close", (code, signal) => resolve({ code, signal })));

    const etc = etcFiles();
    // Write errors here only mean the sandbox died before reading; its exit says why.
    for (const [fd, text] of [[FD.passwd, etc.passwd], [FD.group, etc.group], [FD.hosts, etc.hosts]] as const) {
      const stream = pipeAt(fd) as Writable;
      stream.on("error", () => undefined);
      stream.end(text);
    }
    const podSink = pipeAt(FD.podTar) as Writable;
    podSink.on("error", () => undefined);
    const podSent = streamPodCopy(job.podDir, plan, podSink).catch((error: unknown) => error);

    child.stdout!.on("data", (chunk: Buffer) => stdout.write(chunk));
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr.write(chunk);
      this.stderrTail = (this.stderrTail + chunk.toString("utf8")).slice(-STDERR_REASON_BYTES);
    });

    const channel = pipeAt(FD.channel) as Readable;
    const afterReady = new PassThrough();
    const ready = new Promise<void>((resolve) => this.splitReady(channel, afterReady, resolve));
    const collecting = collectOutput(afterReady, job.outputDir, limits.outputBytes, path.join(job.logDir, "files"), limits.logBytes);

    const kill = (reason: KillReason) => {
      if (this.killed) return;
      this.killed = reason;
      void this.killTree();
    };
    const onAbort = () => kill({ limit: "abort", message: `aborted: ${abortMessage(this.signal)}` });
    this.signal.addEventListener("abort", onAbort, { once: true });
    const provisionTimer = setTimeout(() => kill({ limit: "provision", message: `the sandbox was not ready within ${limits.provisionSeconds} s` }), limits.provisionSeconds * 1000);
    let wallTimer: NodeJS.Timeout | undefined;
    let cpuTimer: NodeJS.Timeout | undefined;
    void ready.then(() => {
      clearTimeout(provisionTimer);
      this.readyAt = Date.now();
      if (this.killed) return;
      wallTimer = setTimeout(() => kill({ limit: "wallClock", message: `the pod ran past its wall-clock limit of ${limits.wallClockSeconds} s` }), limits.wallClockSeconds * 1000);
      // RLIMIT_CPU holds per process; the cgroup's total catches a pod that spreads its work over many.
      cpuTimer = setInterval(() => {
        void this.cgroup?.cpuSeconds().then((used) => {
          if (used !== undefined && used >= limits.cpuSeconds) kill({ limit: "cpuTime", message: `the pod used its CPU time limit of ${limits.cpuSeconds} s` });
        });
      }, this.executor.settings.pollMs);
    });

    try {
      const ended = await Promise.race([exited, spawnError.then((error) => ({ error }))]);
      if ("error" in ended) return { exitCode: null, failure: { phase: "Provision", reason: `the sandbox could not be spawned: ${ended.error.message}` } };
      const collected = await collecting;
      await podSent;
      const wasReady = this.readyAt !== undefined;
      if (this.killed) {
        const phase: ExecutionPhase = this.killed.limit === "provision" ? "Provision" : "Timeout";
        return { collected, exitCode: null, failure: { phase, reason: this.killed.message } };
      }
      if (!wasReady) {
        return { collected, exitCode: null, failure: { phase: "Provision", reason: `the sandbox did not start (exit ${ended.code ?? ended.signal ?? "none"}): ${this.stderrTail.trim() || "no message"}; the pod is never run unsandboxed` } };
      }
      return { collected, exitCode: ended.code };
    } finally {
      clearTimeout(provisionTimer);
      clearTimeout(wallTimer);
      clearInterval(cpuTimer);
      this.signal.removeEventListener("abort", onAbort);
    }
  }

  /** Passes the channel on after its first line, the supervisor's "ready"; calls `onReady` when that line arrives. */
  private splitReady(channel: Readable, rest: PassThrough, onReady: () => void): void {
    let pending: Buffer | undefined = Buffer.alloc(0);
    channel.on("data", (chunk: Buffer) => {
      if (pending === undefined) {
        if (!rest.write(chunk)) {
          channel.pause();
          rest.once("drain", () => channel.resume());
        }
        return;
      }
      pending = Buffer.concat([pending, chunk]);
      if (pending.length < READY_LINE.length) return;
      const head = pending.subarray(0, READY_LINE.length).toString("latin1");
      const tail = pending.subarray(READY_LINE.length);
      pending = undefined;
      // Nothing else can write before the supervisor's line: the pod has not started yet.
      if (head === READY_LINE) onReady();
      if (tail.length > 0) rest.write(tail);
    });
    channel.once("end", () => rest.end());
    channel.once("error", () => rest.end());
  }

  private async killTree(): Promise<void> {
    // bwrap's outer process first: --die-with-parent then kills the sandbox's init, and with it the pid namespace.
    if (this.child?.pid !== undefined && this.child.exitCode === null) this.child.kill("SIGKILL");
    await this.cgroup?.killAll();
  }

  private judge(exitCode: number | null, exceeded: Set<LimitName>, collected: Collected | undefined): { phase: ExecutionPhase; reason: string } | undefined {
    const limits = this.job.limits;
    if (exceeded.has("cpuTime")) return { phase: "Timeout", reason: `the pod used its CPU time limit of ${limits.cpuSeconds} s` };
    if (exceeded.has("output")) return { phase: "OutputTooLarge", reason: `the pod wrote more than the output limit of ${limits.outputBytes} bytes` };
    if (collected?.error) return { phase: "Execute", reason: `the pod's output could not be read back from the sandbox: ${collected.error}` };
    if (exitCode !== 0) {
      const why = [
        exceeded.has("memory") ? `it ran out of its ${limits.memoryBytes} bytes of memory` : undefined,
        exceeded.has("processes") ? `it reached its limit of ${limits.maxProcesses} processes` : undefined,
      ].filter(Boolean);
      return { phase: "Execute", reason: `the pod exited with ${describeExit(exitCode)}${why.length ? ` (${why.join("; ")})` : ""}` };
    }
    return undefined;
  }
}

function describeExit(code: number | null): string {
  if (code === null) return "no exit code";
  // The supervisor's shell reports a command killed by signal N as 128 + N.
  if (code > 128 && code < 160) return `${code} (killed by signal ${code - 128})`;
  return String(code);
}

function abortMessage(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason.message;
  return typeof reason === "string" ? reason : reason === undefined ? "no reason given" : JSON.stringify(reason) ?? "no reason given";
}

/** A run id made safe for a cgroup folder name. */
function sanitize(runId: string): string {
  return runId.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 64) || "run";
}
