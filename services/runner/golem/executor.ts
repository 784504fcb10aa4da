import { createReadStream, createWriteStream } from "node:fs";
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { GolemNetwork, type Allocation, type ExeUnit, type GolemNetworkOptions, type Logger, type ResourceRental, type Result } from "@golem-sdk/golem-js";
import { golemImage, type PodRecipe } from "../../pods/recipe";
import { collectOutput, type Collected as CollectedTrees } from "../sandbox/collect-output";
import { planPodCopy, streamPodCopy } from "../sandbox/pod-copy";
import {
  admitWithin,
  ExecutorUnavailableError,
  type Admission,
  type CapturedLog,
  type ExecutionJob,
  type ExecutionLimits,
  type ExecutionPhase,
  type ExecutionResult,
  type Executor,
  type LimitName,
} from "../executor";
import { cpuThreads, orderFor, rentSeconds, worstCost, type GolemPricing } from "./order";
import { packFolders } from "./pack";
import { collectScript, execScript, parseCollected, quote, STAGE, STAGED, unpackScript } from "./vm-script";

/**
 * The Golem executor: each run rents one provider through yagna (golem-js `oneOf`), puts the pod
 * and its payloads into the VM's volumes, runs `exec`, brings back /golem/output and the logs, and
 * stops the rental and settles its payment whatever happened. It runs the recipe's own image, so
 * unlike the sandbox it needs no host tools; it needs a running yagna with GLM on the payment network.
 */

export interface GolemExecutorOptions {
  /** The runner's limits: the wall clock, provisioning time, output and log bytes hold as in the sandbox. */
  limits: ExecutionLimits;
  /** yagna's REST API, YAGNA_API_URL. */
  apiUrl: string;
  /** YAGNA_APPKEY. */
  appKey: string;
  /** GOLEM_PAYMENT_NETWORK: the default of golem-js (holesky) is retired. */
  paymentNetwork: "hoodi" | "polygon";
  /** Linear price caps in GLM. */
  pricing: GolemPricing;
  /** The most one run may cost in GLM: its allocation, and the bound admission checks. */
  budgetPerRun: number;
  /** Replaces golem-js services or modules (tests run the SDK's own orchestration against fakes). */
  override?: GolemNetworkOptions["override"];
  /** golem-js's logger; default: golem-js's own, silent unless DEBUG=golem-js:*. */
  logger?: Logger;
  /** Milliseconds to wait for the rental's invoice when it is stopped; default 120 s. */
  finalizeTimeoutMs?: number;
  /** Milliseconds for the start-up probe of yagna; default 10 s. */
  probeTimeoutMs?: number;
  /** Bytes kept from the end of each stream beyond the log limit; default 16 KiB (as the sandbox). */
  tailBytes?: number;
}

/** An allocation outlives its agreement so that a late invoice can still be paid from it (golem-js keeps 15 min too). */
const ALLOCATION_MARGIN_SECONDS = 15 * 60;
/** Room for tar headers above the output and log limits before the result is refused unread. */
const TAR_SLACK = 1024 * 1024;
const MESSAGE_BYTES = 2048;

export class GolemExecutor implements Executor {
  readonly name = "golem";
  private network?: Promise<GolemNetwork>;

  constructor(private readonly options: GolemExecutorOptions) {
    if (!(options.budgetPerRun > 0)) throw new Error(`GOLEM_BUDGET_PER_RUN=${options.budgetPerRun}: must be above 0 GLM`);
  }

  /** Throws ExecutorUnavailableError unless yagna answers at YAGNA_API_URL and accepts the app key, then connects. */
  async check(): Promise<void> {
    const { apiUrl } = this.options;
    let response: Response;
    try {
      response = await fetch(new URL("/me", apiUrl), {
        headers: { authorization: `Bearer ${this.options.appKey}` },
        signal: AbortSignal.timeout(this.options.probeTimeoutMs ?? 10_000),
      });
    } catch (error) {
      throw new ExecutorUnavailableError(this.name, `yagna is not reachable at YAGNA_API_URL=${apiUrl} (${describe(error)}); start it with \`yagna service run\``);
    }
    if (response.status === 401 || response.status === 403) {
      throw new ExecutorUnavailableError(this.name, `yagna at YAGNA_API_URL=${apiUrl} refused the app key (HTTP ${response.status}): set YAGNA_APPKEY to a key of \`yagna app-key list\``);
    }
    if (!response.ok) throw new ExecutorUnavailableError(this.name, `yagna at YAGNA_API_URL=${apiUrl} answered HTTP ${response.status} to /me`);
    try {
      await this.connected();
    } catch (error) {
      throw new ExecutorUnavailableError(this.name, `golem-js could not connect to yagna at YAGNA_API_URL=${apiUrl}: ${describe(error)}`);
    }
  }

  /**
   * The recipe's resources are asked of the market, not of this machine, so only the price caps
   * bound them: the worst case of a rental (start, the rental's hours, the recipe's CPU threads,
   * all at the caps) must fit GOLEM_BUDGET_PER_RUN. The timeout is capped as in the sandbox.
   */
  admit(recipe: PodRecipe): Admission {
    const resources = recipe.golem.resources ?? {};
    const GIB = 1024 ** 3;
    const runner = this.options.limits;
    const admission = admitWithin(recipe, {
      ...runner,
      cpuCores: Math.max(runner.cpuCores, resources.minCpuCores ?? 0),
      memoryBytes: Math.max(runner.memoryBytes, (resources.minMemGib ?? 0) * GIB),
      workBytes: Math.max(runner.workBytes, (resources.minStorageGib ?? 0) * GIB),
    });
    if (!admission.admitted) return admission;
    const { pricing, budgetPerRun } = this.options;
    const seconds = rentSeconds(admission.limits);
    const threads = cpuThreads(recipe);
    const cost = worstCost(pricing, seconds, threads);
    if (cost > budgetPerRun) {
      return {
        admitted: false,
        reason:
          `a rental of ${seconds} s (timeout ${admission.limits.wallClockSeconds} s, setup and transfers) on ${threads} CPU thread(s) may cost ${glm(cost)} GLM at the price caps ` +
          `(GOLEM_MAX_START_PRICE=${pricing.maxStartPrice}, GOLEM_MAX_CPU_PER_HOUR=${pricing.maxCpuPerHour}, GOLEM_MAX_ENV_PER_HOUR=${pricing.maxEnvPerHour}), above GOLEM_BUDGET_PER_RUN=${budgetPerRun}`,
      };
    }
    return {
      ...admission,
      notes: [`runs on Golem in the image ${golemImage(recipe)}, a provider rented for ${seconds} s, at most ${glm(cost)} GLM (budget ${budgetPerRun})`, ...admission.notes],
    };
  }

  async run(job: ExecutionJob, signal: AbortSignal): Promise<ExecutionResult> {
    return new GolemRun(job, signal, this.options, () => this.connected()).run();
  }

  /** Disconnects from yagna: stops what `oneOf` left running and releases golem-js's resources. */
  async close(): Promise<void> {
    const network = this.network;
    this.network = undefined;
    if (network) await (await network.catch(() => undefined))?.disconnect();
  }

  /** One GolemNetwork for every run; a failed connection is forgotten so that the next run tries again. */
  private connected(): Promise<GolemNetwork> {
    if (!this.network) {
      const { apiUrl, appKey, paymentNetwork, override, logger } = this.options;
      const network = new GolemNetwork({
        api: { url: apiUrl, key: appKey },
        payment: { network: paymentNetwork },
        ...(logger ? { logger } : {}),
        ...(override ? { override } : {}),
      });
      this.network = network.connect().then(() => network);
      this.network.catch(() => (this.network = undefined));
    }
    return this.network;
  }
}

type Failure = { phase: ExecutionPhase; reason: string };

/** Thrown inside a run to end it in a phase; caught in `run()`, never leaves it. */
class RunFailure extends Error {
  constructor(
    readonly phase: ExecutionPhase,
    message: string,
  ) {
    super(message);
  }
}

class GolemRun {
  private readonly started = Date.now();
  private readonly notes: string[] = [];
  private readonly exceeded = new Set<LimitName>();
  private readyAt?: number;
  private executedAt?: number;
  private exitCode: number | null = null;
  private stdout?: CapturedLog;
  private stderr?: CapturedLog;
  private trees?: CollectedTrees;

  constructor(
    private readonly job: ExecutionJob,
    private readonly signal: AbortSignal,
    private readonly options: GolemExecutorOptions,
    private readonly network: () => Promise<GolemNetwork>,
  ) {}

  async run(): Promise<ExecutionResult> {
    const { job } = this;
    await mkdir(job.outputDir, { recursive: true });
    await mkdir(job.logDir, { recursive: true });
    for (const dir of [job.outputDir, job.logDir]) {
      if ((await readdir(dir)).length > 0) throw new Error(`${dir} must be empty: a run writes its output and logs into a fresh folder`);
    }
    const tmp = await mkdtemp(path.join(os.tmpdir(), "lure-golem-"));
    let network: GolemNetwork | undefined;
    let allocation: Allocation | undefined;
    let rental: ResourceRental | undefined;
    let failure: Failure | undefined;
    try {
      if (this.signal.aborted) throw new RunFailure("Timeout", `aborted before a provider was rented: ${abortMessage(this.signal)}`);
      network = await this.network().catch((error: unknown) => {
        throw new RunFailure("Provision", `yagna at ${this.options.apiUrl} is not usable: ${describe(error)}`);
      });
      const { order, seconds } = orderFor(job.recipe, job.limits, this.options.pricing, this.options.budgetPerRun);
      this.note(`order: image ${golemImage(job.recipe)}, ${JSON.stringify(order.demand.workload)}, rented for ${seconds} s, caps ${JSON.stringify(order.market.pricing)}, budget ${this.options.budgetPerRun} GLM on ${this.options.paymentNetwork}`);
      allocation = await network.payment.createAllocation({ budget: this.options.budgetPerRun, expirationSec: seconds + ALLOCATION_MARGIN_SECONDS }).catch((error: unknown) => {
        throw new RunFailure("Provision", `no allocation of ${this.options.budgetPerRun} GLM on ${this.options.paymentNetwork} (does yagna's account hold the funds?): ${describe(error)}`);
      });
      const exe = await this.provision(network, { ...order, payment: { allocation } }, (held) => (rental = held));
      this.readyAt = Date.now();
      await this.execute(exe);
      this.executedAt = Date.now();
      failure = await this.collect(exe, tmp);
    } catch (error) {
      this.executedAt ??= this.readyAt === undefined ? undefined : Date.now();
      if (error instanceof RunFailure) failure = { phase: error.phase, reason: error.message };
      else if (this.signal.aborted) failure = { phase: "Timeout", reason: `aborted: ${abortMessage(this.signal)}` };
      else failure = { phase: this.readyAt === undefined ? "Provision" : "Execute", reason: `the Golem executor failed: ${describe(error)}` };
    } finally {
      // The rental is stopped and its invoice settled even when the run was aborted: a provider is paid for what it gave.
      if (rental) {
        await rental.stopAndFinalize(this.options.finalizeTimeoutMs ?? 120_000).then(
          () => this.note("rental stopped and finalised"),
          (error: unknown) => this.note(`the rental could not be finalised: ${describe(error)}`),
        );
      }
      if (network && allocation) {
        await network.payment.releaseAllocation(allocation).catch((error: unknown) => this.note(`the allocation ${allocation?.id} could not be released: ${describe(error)}`));
      }
      await rm(tmp, { recursive: true, force: true });
    }
    return this.result(failure);
  }

  /** Rents one provider and starts its VM, within the provisioning time and the run's deadline. */
  private async provision(network: GolemNetwork, order: Parameters<GolemNetwork["oneOf"]>[0]["order"], hold: (rental: ResourceRental) => void): Promise<ExeUnit> {
    const seconds = this.job.limits.provisionSeconds;
    // One signal for renting and deploying: the run's deadline, or the provisioning time. It is not
    // handed to the exe unit itself, so that the provisioning timer cannot stop later commands.
    const provisioning = AbortSignal.any([this.signal, AbortSignal.timeout(seconds * 1000)]);
    const fail = (what: string) => (error: unknown) => {
      if (this.signal.aborted) throw new RunFailure("Timeout", `aborted while ${what}: ${abortMessage(this.signal)}`);
      if (provisioning.aborted) throw new RunFailure("Provision", `${what === "renting a provider" ? "no provider offer was signed" : "the provider's VM did not start"} within ${seconds} s${what === "renting a provider" ? " (no offer matched the image, resources and price caps, or none answered)" : ""}`);
      throw new RunFailure("Provision", `failed while ${what}: ${describe(error)}`);
    };
    const rental = await network.oneOf({ order, signalOrTimeout: provisioning }).catch(fail("renting a provider"));
    hold(rental);
    const agreement = rental.agreement;
    this.note(`rented provider ${agreement.provider.name} (${agreement.provider.id}), agreement ${agreement.id}`);
    const exe = await untilAborted(rental.getExeUnit(provisioning), provisioning).catch(fail("deploying the image"));
    await this.upload(exe, provisioning).catch(fail("uploading the pod"));
    return exe;
  }

  /** The pod (minus payloads, output, logs and .lure) and the payload folders, as two tars unpacked in the VM. */
  private async upload(exe: ExeUnit, signal: AbortSignal): Promise<void> {
    const { job } = this;
    const tmp = await mkdtemp(path.join(os.tmpdir(), "lure-golem-up-"));
    try {
      await this.command(exe, `mkdir -p ${quote(STAGE)}`, signal, "Provision", "making the staging folder");
      const plan = await planPodCopy(job.podDir, [...job.payloads.map((p) => p.podPath), job.recipe.golem.output, job.recipe.golem.log, ".lure"]);
      for (const skipped of plan.skipped) this.note(`pod file ${skipped.path}: ${skipped.reason}`);
      const podTar = path.join(tmp, "pod.tar");
      await streamPodCopy(job.podDir, plan, createWriteStream(podTar));
      await this.transfer(() => exe.uploadFile(podTar, STAGED.podTar, { signalOrTimeout: signal }), "Provision", `uploading the pod (${plan.bytes} bytes)`);
      if (job.payloads.length > 0) {
        const payloadTar = path.join(tmp, "payloads.tar");
        const packed = await packFolders(job.payloads.map((p) => ({ dir: p.hostDir, prefix: p.podPath })), payloadTar);
        for (const skipped of packed.skipped) this.note(`payload file ${skipped.path}: ${skipped.reason}`);
        await this.transfer(() => exe.uploadFile(payloadTar, STAGED.payloadTar, { signalOrTimeout: signal }), "Provision", `uploading the payloads (${packed.bytes} bytes)`);
      }
      await this.command(exe, unpackScript(job.recipe, job.payloads.map((p) => p.podPath)), signal, "Provision", "unpacking the pod in /golem/work");
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  /** Runs the pod under the wall clock and the deadline. A non-zero exit is the pod's failure, not an exception. */
  private async execute(exe: ExeUnit): Promise<void> {
    const { limits, recipe } = this.job;
    this.note(`limits: wall clock ${limits.wallClockSeconds} s, output ${limits.outputBytes} B, log ${limits.logBytes} B per stream; CPU, memory and processes are the provider's VM's (the recipe's resources)`);
    const wallClock = AbortSignal.timeout(limits.wallClockSeconds * 1000);
    let result: Result;
    try {
      result = await exe.run("/bin/sh", ["-c", execScript(recipe)], { signalOrTimeout: AbortSignal.any([this.signal, wallClock]), ...(recipe.golem.env ? { env: recipe.golem.env } : {}) });
    } catch (error) {
      if (this.signal.aborted) throw new RunFailure("Timeout", `aborted while the pod ran: ${abortMessage(this.signal)}`);
      if (wallClock.aborted) {
        this.exceeded.add("wallClock");
        throw new RunFailure("Timeout", `the pod ran past its wall-clock limit of ${limits.wallClockSeconds} s`);
      }
      throw new RunFailure("Provision", `the provider lost the pod's command: ${describe(error)}`);
    }
    this.exitCode = exitCodeOf(result);
    // ExeUnit.run does not throw for a failed command: its result says so.
    if (result.result === "Error") this.notes.push(`the command ended in error: ${text(result.message).slice(0, MESSAGE_BYTES) || "no message"}`);
  }

  /** Brings back stdout, stderr, /golem/output and the pod's logs. Returns the run's failure, if any. */
  private async collect(exe: ExeUnit, tmp: string): Promise<Failure | undefined> {
    const { job } = this;
    const { limits } = job;
    const tailBytes = this.options.tailBytes ?? 16 * 1024;
    const signal = AbortSignal.any([this.signal, AbortSignal.timeout(rentSeconds(limits) * 1000)]);
    const podFailed = this.exitCode !== 0;
    const podFailure = (): Failure => ({ phase: "Execute", reason: `the pod exited with ${this.exitCode ?? "no exit code"}` });
    try {
      const printed = await this.command(exe, collectScript(job.recipe, limits.logBytes, tailBytes), signal, "UploadOutput", "packing the output and logs");
      const collected = parseCollected(printed);
      if (!collected) throw new RunFailure("UploadOutput", `packing the output and logs printed no sizes: ${printed.slice(0, MESSAGE_BYTES)}`);
      if (collected.exitCode !== null) this.exitCode = collected.exitCode;
      this.stdout = await this.downloadLog(exe, STAGED.stdout, "stdout", collected.stdoutBytes, tmp, signal);
      this.stderr = await this.downloadLog(exe, STAGED.stderr, "stderr", collected.stderrBytes, tmp, signal);
      if (this.stdout.truncated || this.stderr.truncated) this.exceeded.add("log");
      if (collected.resultBytes > limits.outputBytes + limits.logBytes + TAR_SLACK) {
        this.exceeded.add("output");
        return this.exitCode !== 0 ? podFailure() : { phase: "OutputTooLarge", reason: `the pod's output and logs came to ${collected.resultBytes} bytes, above the output limit of ${limits.outputBytes} bytes` };
      }
      const local = path.join(tmp, "result.tar");
      await this.transfer(() => exe.downloadFile(STAGED.result, local, { signalOrTimeout: signal }), "UploadOutput", "downloading /golem/output");
      this.trees = await collectOutput(createReadStream(local), job.outputDir, limits.outputBytes, path.join(job.logDir, "files"), limits.logBytes);
      if (this.trees.logs.overBytes > 0) this.exceeded.add("log");
      if (this.trees.output.overBytes > 0) this.exceeded.add("output");
    } catch (error) {
      const failure = error instanceof RunFailure ? error : new RunFailure("UploadOutput", describe(error));
      if (this.signal.aborted) return { phase: "Timeout", reason: `aborted while the output was brought back: ${abortMessage(this.signal)}` };
      // The pod's own failure decides the phase; what could not be brought back is noted.
      if (podFailed) {
        this.note(`after the pod failed, ${failure.message}`);
        return podFailure();
      }
      return { phase: failure.phase, reason: failure.message };
    }
    if (this.exitCode !== 0) return podFailure();
    if (this.exceeded.has("output")) return { phase: "OutputTooLarge", reason: `the pod wrote more than the output limit of ${limits.outputBytes} bytes` };
    if (this.trees.error) return { phase: "UploadOutput", reason: `the output tar from the provider could not be read: ${this.trees.error}` };
    return undefined;
  }

  /** A stream's file from the VM (already cut to the log limit plus its tail) into logDir, with the sandbox's truncation marker. */
  private async downloadLog(exe: ExeUnit, remote: string, name: "stdout" | "stderr", totalBytes: number, tmp: string, signal: AbortSignal): Promise<CapturedLog> {
    const local = path.join(tmp, name);
    await this.transfer(() => exe.downloadFile(remote, local, { signalOrTimeout: signal }), "UploadOutput", `downloading ${name}`);
    return writeCapturedLog(path.join(this.job.logDir, `${name}.log`), await readFile(local), totalBytes, this.job.limits.logBytes);
  }

  /** A shell command that must succeed; its stdout. */
  private async command(exe: ExeUnit, script: string, signal: AbortSignal, phase: ExecutionPhase, what: string): Promise<string> {
    const result = await exe.run("/bin/sh", ["-c", script], { signalOrTimeout: signal }).catch((error: unknown) => {
      throw new RunFailure(phase, `${what} failed: ${describe(error)}`);
    });
    if (result.result === "Error") throw new RunFailure(phase, `${what} failed (exit ${exitCodeOf(result) ?? "unknown"}): ${(text(result.stderr) || text(result.message)).trim().slice(0, MESSAGE_BYTES) || "no message"}`);
    return text(result.stdout);
  }

  /** An upload or download: golem-js reports a failed transfer in its result, or throws for a lost connection. */
  private async transfer(step: () => Promise<Result>, phase: ExecutionPhase, what: string): Promise<void> {
    const result = await step().catch((error: unknown) => {
      throw new RunFailure(phase, `${what} failed: ${describe(error)}`);
    });
    if (result.result === "Error") throw new RunFailure(phase, `${what} failed: ${text(result.message).slice(0, MESSAGE_BYTES) || "no message"}`);
  }

  private note(line: string): void {
    this.notes.push(line);
  }

  private async result(failure: Failure | undefined): Promise<ExecutionResult> {
    const { job } = this;
    const empty = async (name: string): Promise<CapturedLog> => writeCapturedLog(path.join(job.logDir, `${name}.log`), Buffer.alloc(0), 0, job.limits.logBytes);
    const stdout = this.stdout ?? (await empty("stdout"));
    const stderr = this.stderr ?? (await empty("stderr"));
    const now = Date.now();
    const result: ExecutionResult = {
      ok: failure === undefined,
      ...(failure ? { phase: failure.phase } : {}),
      reason: failure?.reason ?? "the pod exited with 0",
      exitCode: this.exitCode,
      exceeded: [...this.exceeded],
      output: { dir: job.outputDir, files: this.trees?.output.files ?? 0, bytes: this.trees?.output.bytes ?? 0, skipped: this.trees?.output.skipped ?? [] },
      logs: { dir: job.logDir, stdout, stderr, files: this.trees?.logs.files ?? 0, skipped: this.trees?.logs.skipped ?? [] },
      timings: {
        provisionMs: (this.readyAt ?? now) - this.started,
        executeMs: this.readyAt === undefined ? 0 : (this.executedAt ?? now) - this.readyAt,
        totalMs: now - this.started,
      },
      usage: {},
    };
    this.note(`${result.ok ? "completed" : `failed in ${result.phase}`}: ${result.reason}`);
    await appendFile(path.join(job.logDir, "sandbox.log"), this.notes.map((line) => `${line}\n`).join(""));
    return result;
  }
}

/**
 * Writes a stream as the sandbox's BoundedLog does: the first `limit` bytes, then (past the limit) a
 * marker with the bytes dropped and the tail. `data` is the VM's copy, already cut to limit + tail.
 */
async function writeCapturedLog(file: string, data: Buffer, totalBytes: number, limit: number): Promise<CapturedLog> {
  const head = data.subarray(0, Math.min(limit, data.length));
  const tail = data.subarray(head.length);
  const dropped = Math.max(0, totalBytes - head.length - tail.length);
  const parts: Buffer[] = [head];
  if (dropped > 0 || tail.length > 0) parts.push(Buffer.from(`\n[lure: log truncated at ${limit} bytes: ${dropped} bytes dropped; the last ${tail.length} bytes follow]\n`), tail);
  await writeFile(file, Buffer.concat(parts), { flag: "wx", mode: 0o644 });
  const kept = head.length + tail.length;
  return { file, totalBytes, keptBytes: kept, droppedBytes: totalBytes - kept, truncated: totalBytes > kept || totalBytes > limit };
}

/** The exit code of a Run: 0 when it succeeded, else the number in yagna's message ("...exited with code 3"), if any. */
function exitCodeOf(result: Result): number | null {
  if (result.result === "Ok") return 0;
  const match = /code[:=]?\s*(-?\d+)/i.exec(text(result.message));
  return match ? Number(match[1]) : null;
}

function text(value: string | ArrayBuffer | null | undefined): string {
  if (value === null || value === undefined) return "";
  return typeof value === "string" ? value : Buffer.from(value).toString("utf8");
}

/** Rejects when `signal` aborts, for golem-js promises that ignore the signal they were given. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error(abortMessage(signal)));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function glm(amount: number): string {
  return amount.toFixed(6).replace(/\.?0+$/, "");
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const previous = (error as Error & { previous?: unknown }).previous;
    return previous instanceof Error && !error.message.includes(previous.message) ? `${error.message} (${previous.message})` : error.message;
  }
  return String(error);
}

function abortMessage(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason.message;
  return typeof reason === "string" ? reason : reason === undefined ? "no reason given" : (JSON.stringify(reason) ?? "no reason given");
}
