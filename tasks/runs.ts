import { existsSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { task, types } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { formatEther, formatUnits } from "ethers";
import { loadConfig } from "../services/config";
import type { RunQuote, RunStateChange, RunView, StageRequest } from "../services/market/runs";
import type { PodStorage } from "../services/pods/storage";
import { lureContracts, type TaskContracts } from "./lib/contracts";
import "./lib/command-line";
import { InvalidArgumentError, LureTaskError, explained } from "./lib/errors";
import { print } from "./lib/output";
import { humanBytes, storageWithProgress } from "./lib/progress";
import { parseAddress, parsePodId, parsePrice, parseToken, parseUint } from "./lib/validate";

/**
 * Runs and runners on the command line: a requester asks for runs and tasks, follows them and
 * fetches what they produced; a runner manages its account. Arguments are parsed here, the rules
 * live in services/market/runs.ts and runners.ts (loaded when a task runs: they use the generated
 * bindings, which exist only once Hardhat has compiled).
 */
async function runServices() {
  const [tokens, runs, runners] = await Promise.all([import("../services/chain/tokens"), import("../services/market/runs"), import("../services/market/runners")]);
  return { ...tokens, ...runs, ...runners };
}

/** Each of these tasks does one chain step, so a refusal is printed as the bare reason. */
const ONE_STEP = { namesTheStep: false };

/** The runner's key folder when --key-dir is not given: the runner service's data folder (RUNNER_DATA_DIR). */
const defaultKeyDir = () => path.resolve(loadConfig().RUNNER_DATA_DIR);

/**
 * Swarm through bee-js: `--bee-url`, else BEE_URL (default the dev node on 127.0.0.1:1633). Its
 * transfers show a progress bar on a terminal when they last over a second (never with --json).
 */
async function storageFor(beeUrl: string | undefined, json = false): Promise<PodStorage> {
  const { podStorage } = await import("../services/pods/swarm-storage");
  const config = loadConfig();
  const url = beeUrl ?? config.BEE_URL;
  return storageWithProgress(podStorage({ url, postageBatchId: config.BEE_POSTAGE_BATCH, timeoutMs: config.BEE_TIMEOUT_MS }), { url, json });
}

/** stderr progress, so stdout stays one parseable document with --json. */
function progress(json: boolean): (line: string) => void {
  return (line) => {
    if (!json) console.error(`  … ${line}`);
  };
}

function parseRunId(value: string | undefined): bigint {
  const text = (value ?? "").trim();
  if (!/^[0-9]+$/.test(text) || BigInt(text) === 0n || BigInt(text) >= 2n ** 256n) throw new InvalidArgumentError(`--run: expected a run id (a positive integer), got ${JSON.stringify(value ?? null)}`);
  return BigInt(text);
}

function parseStage(value: string | undefined): number | undefined {
  return value === undefined ? undefined : Number(parseUint(value, "stage", 15n));
}

function parseDeadlineSeconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (!/^[0-9]+$/.test(text) || Number(text) < 1 || Number(text) > 365 * 86_400) {
    throw new InvalidArgumentError(`--deadline: expected seconds from now, 1 to ${365 * 86_400}, got ${JSON.stringify(value)}`);
  }
  return Number(text);
}

const secondsSince = (start: number) => `${((Date.now() - start) / 1000).toFixed(1)}s`;

/** A run in words and plain values, for printing. */
function describeRun(run: RunView, decimals: number, tokenLabel: (token: string) => string) {
  return {
    runId: run.runId,
    kind: run.kind,
    status: run.status,
    requester: run.requester,
    runner: run.runner ?? null,
    named: run.named,
    token: tokenLabel(run.token),
    escrow: formatUnits(run.escrow, decimals),
    runnerFee: formatUnits(run.runnerFee, decimals),
    deadline: run.deadline.toISOString(),
    ...(run.claimedUntil ? { claimedUntil: run.claimedUntil.toISOString() } : {}),
    inputRef: run.inputRef ?? null,
    nextStage: run.nextStage,
    stages: run.stages.map((stage) => ({
      stage: stage.stage,
      podId: stage.podId,
      version: stage.version ?? null,
      status: stage.status,
      ...(stage.outputRef ? { outputRef: stage.outputRef } : {}),
      ...(stage.logRef ? { logRef: stage.logRef } : {}),
      ...(stage.phase ? { phase: stage.phase } : {}),
    })),
    ...(run.failure ? { failure: { stage: run.failure.stage, phase: run.failure.phase } } : {}),
    ...(run.refund !== undefined ? { refund: formatUnits(run.refund, decimals) } : {}),
  };
}

/** Arguments as Hardhat passes them: every parameter a string (or undefined), every flag a boolean. */
interface RequestArgs {
  input?: string;
  maxPay?: string;
  runner?: string;
  token?: string;
  deadline?: string;
  wait: boolean;
  out?: string;
  pollMs?: string;
  beeUrl?: string;
  account?: string;
  json: boolean;
}

interface PodRunArgs extends RequestArgs {
  pod: string;
  podVersion?: string;
}

interface TaskRunArgs extends RequestArgs {
  recipe: string;
}

/**
 * pod:run and task:run: arguments checked, the quote taken (every refusal named, nothing sent, nothing
 * uploaded), the input folder uploaded, the run requested; with --wait, followed to its end.
 */
async function requestAndMaybeWait(
  hre: HardhatRuntimeEnvironment,
  args: RequestArgs,
  kind: RunQuote["kind"],
  stagesOf: (contracts: TaskContracts) => Promise<StageRequest[]>,
) {
  const services = await runServices();
  const runner = args.runner === undefined ? undefined : parseAddress(args.runner, "runner");
  const deadlineSeconds = parseDeadlineSeconds(args.deadline);
  const pollMs = args.pollMs === undefined ? 2000 : Number(parseUint(args.pollMs, "poll-ms", 600_000n));
  const inputText = args.input?.trim();
  const inputIsRef = inputText !== undefined && /^(0x)?[0-9a-fA-F]{64}$/.test(inputText);
  if (inputText !== undefined && !inputIsRef && !(existsSync(inputText) && statSync(inputText).isDirectory())) {
    throw new InvalidArgumentError(`--input: ${JSON.stringify(args.input)} is neither a folder nor a 64-hex Swarm reference`);
  }
  if (args.out !== undefined && !args.wait) throw new InvalidArgumentError("--out: only meaningful with --wait (use run:fetch later)");
  const contracts = await lureContracts(hre, args.account);
  const stages = await explained(() => stagesOf(contracts), ONE_STEP);
  // The amounts are read in the payment token's decimals: the one asked for, else the first priced stage's.
  let token = args.token === undefined ? undefined : parseToken(args.token);
  if (token === undefined) {
    for (const stage of stages) {
      const price = await explained(() => services.runPriceOf(contracts, stage.podId), ONE_STEP);
      if (price.price > 0n) {
        token = price.token;
        break;
      }
    }
  }
  const decimals = await services.decimalsOf(token ?? services.NATIVE_TOKEN, hre.ethers.provider);
  const maxPayment = args.maxPay === undefined ? undefined : parsePrice(args.maxPay, decimals, "max-pay", { allowZero: true });
  if (runner === undefined && maxPayment === undefined) {
    throw new InvalidArgumentError("--max-pay: required when no --runner is named (it is the escrow any runner's fee is taken from; what is left is refunded)");
  }
  const quote: RunQuote = await explained(
    () => (kind === "run" ? services.quoteRun(contracts, stages[0].podId, { version: stages[0].version, token, runner, maxPayment }) : services.quoteTask(contracts, stages, { token, runner, maxPayment })),
    ONE_STEP,
  );
  const say = progress(args.json);
  let storage: PodStorage | undefined;
  let inputRef = inputIsRef ? inputText : undefined;
  if (inputText !== undefined && !inputIsRef) {
    storage = await storageFor(args.beeUrl, args.json);
    const uploaded = await explained(() => services.uploadRunInput(storage!, inputText), ONE_STEP);
    say(`uploaded the input: ${uploaded.files} files, ${humanBytes(uploaded.bytes)}, ${uploaded.ref}`);
    inputRef = uploaded.ref;
  }
  const requested = await explained(
    () => (quote.kind === "run" ? services.requestRun(contracts, quote, { inputRef, deadlineSeconds }) : services.requestTask(contracts, quote, { inputRef, deadlineSeconds })),
    ONE_STEP,
  );
  const amount = (value: bigint) => formatUnits(value, quote.decimals);
  const result: Record<string, unknown> = {
    runId: requested.runId,
    kind: requested.kind,
    stages: requested.stages.map((stage) => ({ podId: stage.podId, version: stage.version, podPrice: amount(stage.podPrice) })),
    runner: requested.runner ?? null,
    token: services.tokenLabel(requested.token),
    escrow: amount(requested.escrow),
    deadline: requested.deadline.toISOString(),
    inputRef: requested.inputRef ?? null,
    approvalTx: requested.approvalTx ?? null,
    tx: requested.tx,
  };
  const title = `Requested ${requested.kind} ${requested.runId}`;
  if (!args.wait) {
    print(result, { json: args.json, title, text: { runner: requested.runner ?? "any" } });
    return;
  }

  say(`${title}; waiting for a runner (Ctrl-C stops waiting, not the run)`);
  const started = Date.now();
  const states: { status: string; stage: number; elapsed: string; runner?: string; phase?: string }[] = [];
  const controller = new AbortController();
  const stop = () => controller.abort(new LureTaskError(`stopped waiting; run ${requested.runId} goes on: follow it with run:status --run ${requested.runId}`));
  process.once("SIGINT", stop);
  let last: RunStateChange;
  try {
    last = await explained(
      () =>
        services.waitForRun(contracts, requested.runId, {
          pollMs,
          signal: controller.signal,
          onState: (change) => {
            const elapsed = secondsSince(started);
            states.push({ status: change.status, stage: change.nextStage, elapsed, ...(change.runner ? { runner: change.runner } : {}), ...(change.phase ? { phase: change.phase } : {}) });
            const detail =
              change.status === "claimed"
                ? ` by ${change.runner ?? "a runner"}${change.run.stageCount > 1 ? `, stage ${change.nextStage} of ${change.run.stageCount}` : ""}`
                : change.status === "failed"
                  ? ` at stage ${change.run.failure?.stage ?? change.nextStage} in phase ${change.phase ?? "unknown"}`
                  : change.overdue
                    ? ", its deadline passed"
                    : "";
            say(`[${elapsed}] ${change.status}${detail}`);
          },
        }),
      ONE_STEP,
    );
  } finally {
    process.removeListener("SIGINT", stop);
  }
  result.status = last.status;
  result.states = states;
  if (last.status === "completed") {
    const finalStage = last.run.stages[last.run.stages.length - 1];
    if (!finalStage.outputRef) throw new LureTaskError(`run ${requested.runId} completed without an output reference`);
    storage ??= await storageFor(args.beeUrl, args.json);
    const out = path.resolve(args.out ?? `run-${requested.runId}-output`);
    const fetched = await explained(() => services.fetchRunOutput(storage!, finalStage.outputRef!, out), ONE_STEP);
    print({ ...result, outputRef: finalStage.outputRef, logRef: finalStage.logRef ?? null, out: fetched.dir, files: fetched.files, bytes: fetched.bytes }, { json: args.json, text: { runner: requested.runner ?? "any", bytes: humanBytes(fetched.bytes) }, title: `Run ${requested.runId} completed; output in ${fetched.dir}` });
    return;
  }
  // Any other ending: the phase and the end of the logs, then a non-zero exit.
  const phase = last.phase ? ` in phase ${last.phase}` : "";
  const ending = last.overdue ? `passed its deadline while ${last.status} (run:expire --run ${requested.runId} refunds it)` : `${last.status}${phase}`;
  const logRef = last.run.failure?.logRef;
  let tail = "";
  if (logRef) {
    storage ??= await storageFor(args.beeUrl, args.json);
    try {
      const logs = await services.readRunLogs(storage, logRef);
      const stderr = services.lastLines(logs.stderr, 20);
      const stdout = services.lastLines(logs.stdout, 20);
      result.stderr = stderr;
      result.stdout = stdout;
      tail = `${stderr.length > 0 ? `\nstderr (last ${stderr.length} lines):\n${stderr.join("\n")}` : ""}${stdout.length > 0 ? `\nstdout (last ${stdout.length} lines):\n${stdout.join("\n")}` : ""}`;
    } catch (error) {
      tail = `\n(the logs ${logRef} could not be read: ${(error as Error).message})`;
    }
  }
  // With --json the run's record goes with the error: one JSON document on stdout, `{ "error": { …, "run": … } }`.
  throw new LureTaskError(`run ${requested.runId} ${ending}${tail}`, "RUN_FAILED", {
    run: { ...result, ...(last.phase ? { phase: last.phase } : {}), overdue: last.overdue, logRef: logRef ?? null },
  });
}

/** --account on the tasks that only read: accepted everywhere, so one habit works for every task. */
const READ_ACCOUNT = "Account the reads are made as: account index or address";

const REQUEST_PARAMS = {
  input: "Input: a folder (uploaded to Swarm as a collection first) or a 64-hex Swarm reference",
  maxPay: "The most you pay, in whole token units; required without --runner (it is then the escrow, what the runner's fee leaves is refunded)",
  runner: "Runner address (default: any runner)",
  token: "Payment token: native or an ERC-20 address (default: the token of the pod's run price)",
  deadline: "Seconds from now the run must be claimed and settled in (default 3600)",
  wait: "Follow the run to its end, print each state, download the output",
  out: "With --wait: folder for the output (default ./run-<id>-output)",
} as const;

task("pod:run", "Requests a run of a pod you hold a licence of, escrowing its price and the runner's fee")
  .addParam("pod", "Pod id")
  .addOptionalParam("podVersion", "Version to run (default: the latest, pinned now)", undefined, types.string)
  .addOptionalParam("input", REQUEST_PARAMS.input, undefined, types.string)
  .addOptionalParam("maxPay", REQUEST_PARAMS.maxPay, undefined, types.string)
  .addOptionalParam("runner", REQUEST_PARAMS.runner, undefined, types.string)
  .addOptionalParam("token", REQUEST_PARAMS.token, undefined, types.string)
  .addOptionalParam("deadline", REQUEST_PARAMS.deadline, undefined, types.string)
  .addFlag("wait", REQUEST_PARAMS.wait)
  .addOptionalParam("out", REQUEST_PARAMS.out, undefined, types.string)
  .addOptionalParam("pollMs", "With --wait: milliseconds between two reads of the run (default 2000)", undefined, types.string)
  .addOptionalParam("beeUrl", "Bee API URL (default BEE_URL)", undefined, types.string)
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: PodRunArgs, hre) => {
    const podId = parsePodId(args.pod);
    const version = args.podVersion === undefined ? undefined : parseUint(args.podVersion, "pod-version", 2n ** 64n - 1n);
    await requestAndMaybeWait(hre, args, "run", () => Promise.resolve([{ podId, version }]));
  });

task("task:run", "Requests a task: the pods of a task recipe run in order on one runner, each one's output the next one's input")
  .addParam("recipe", "A task recipe (recipe.json with `pods`: pod ids, or references of published versions), or its folder")
  .addOptionalParam("input", REQUEST_PARAMS.input, undefined, types.string)
  .addOptionalParam("maxPay", REQUEST_PARAMS.maxPay, undefined, types.string)
  .addOptionalParam("runner", REQUEST_PARAMS.runner, undefined, types.string)
  .addOptionalParam("token", REQUEST_PARAMS.token, undefined, types.string)
  .addOptionalParam("deadline", REQUEST_PARAMS.deadline, undefined, types.string)
  .addFlag("wait", REQUEST_PARAMS.wait)
  .addOptionalParam("out", REQUEST_PARAMS.out, undefined, types.string)
  .addOptionalParam("pollMs", "With --wait: milliseconds between two reads of the run (default 2000)", undefined, types.string)
  .addOptionalParam("beeUrl", "Bee API URL (default BEE_URL)", undefined, types.string)
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: TaskRunArgs, hre) => {
    if (typeof args.recipe !== "string" || args.recipe.trim() === "") throw new InvalidArgumentError(`--recipe: expected a recipe file or folder, got ${JSON.stringify(args.recipe ?? null)}`);
    const given = path.resolve(args.recipe);
    const file = existsSync(given) && statSync(given).isDirectory() ? path.join(given, "recipe.json") : given;
    const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
      throw new InvalidArgumentError(`--recipe: cannot read ${file} (${error.code ?? error.message})`);
    });
    const { parseRecipeText } = await import("../services/pods/recipe");
    const parsed = await explained(() => Promise.resolve(parseRecipeText(text, file)), ONE_STEP);
    if (parsed.kind !== "task") throw new InvalidArgumentError(`--recipe: ${file} is a pod recipe (golem), not a task (pods); run a pod with pod:run`);
    const { stagesOfTaskPods } = await runServices();
    // A recipe of one pod is still requested as a task (requestTask): what the recipe says.
    await requestAndMaybeWait(hre, args, "task", (contracts) => stagesOfTaskPods(contracts, parsed.recipe.pods));
  });

interface RunIdArgs {
  run: string;
  account?: string;
  json: boolean;
}

interface RunFilesArgs extends RunIdArgs {
  stage?: string;
  out?: string;
  beeUrl?: string;
}

task("run:status", "Shows a run: its state, stages, and each stage's output and log references (read from the chain)")
  .addParam("run", "Run id")
  .addOptionalParam("account", READ_ACCOUNT, undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: RunIdArgs, hre) => {
    const { decimalsOf, readRun, tokenLabel } = await runServices();
    const runId = parseRunId(args.run);
    const contracts = await lureContracts(hre, args.account);
    const run = await explained(() => readRun(contracts, runId), ONE_STEP);
    const decimals = await decimalsOf(run.token, hre.ethers.provider);
    print(describeRun(run, decimals, tokenLabel), { json: args.json, text: { runner: run.runner ?? "any" }, title: `Run ${runId}: ${run.status}` });
  });

task("run:cancel", "Cancels a run nobody has claimed yet (its requester only); the escrow is credited back")
  .addParam("run", "Run id")
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: RunIdArgs, hre) => {
    const { cancelRun, decimalsOf, readRun } = await runServices();
    const runId = parseRunId(args.run);
    const contracts = await lureContracts(hre, args.account);
    const { refund, tx } = await explained(() => cancelRun(contracts, runId), ONE_STEP);
    const decimals = await decimalsOf((await readRun(contracts, runId)).token, hre.ethers.provider);
    print({ runId, refund: formatUnits(refund, decimals), tx }, { json: args.json, title: `Cancelled run ${runId}; withdraw the refund with runner:withdraw` });
  });

task("run:expire", "Expires a run whose deadline passed or whose claim lapsed (anyone may); its requester is refunded")
  .addParam("run", "Run id")
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: RunIdArgs, hre) => {
    const { decimalsOf, expireRun, readRun } = await runServices();
    const runId = parseRunId(args.run);
    const contracts = await lureContracts(hre, args.account);
    const { refund, slashed, tx } = await explained(() => expireRun(contracts, runId), ONE_STEP);
    const decimals = await decimalsOf((await readRun(contracts, runId)).token, hre.ethers.provider);
    print({ runId, refund: formatUnits(refund, decimals), slashed: formatEther(slashed), tx }, { json: args.json, title: `Expired run ${runId}` });
  });

task("run:logs", "Prints a run's logs (stderr, stdout, the runner's run.txt) from its log collection on Swarm")
  .addParam("run", "Run id")
  .addOptionalParam("stage", "Stage of a task, from 0 (default: the last one that reported)", undefined, types.string)
  .addOptionalParam("beeUrl", "Bee API URL (default BEE_URL)", undefined, types.string)
  .addOptionalParam("account", READ_ACCOUNT, undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: RunFilesArgs, hre) => {
    const { readRun, readRunLogs, stageOf } = await runServices();
    const runId = parseRunId(args.run);
    const stageNumber = parseStage(args.stage);
    const contracts = await lureContracts(hre, args.account);
    const run = await explained(() => readRun(contracts, runId), ONE_STEP);
    const stage = await explained(() => Promise.resolve(stageOf(run, stageNumber)), ONE_STEP);
    if (!stage.logRef) throw new LureTaskError(`stage ${stage.stage} of run ${runId} has no logs (the run is ${run.status}, the stage ${stage.status})`);
    const logs = await explained(async () => readRunLogs(await storageFor(args.beeUrl, args.json), stage.logRef!), ONE_STEP);
    if (args.json) {
      print({ runId, stage: stage.stage, logRef: logs.ref, files: logs.files, stdout: logs.stdout ?? null, stderr: logs.stderr ?? null, run: logs.run ?? null }, { json: true });
      return;
    }
    console.log(`Logs of run ${runId}, stage ${stage.stage} (${logs.ref}): ${logs.files.map((file) => file.path).join(", ") || "no files"}`);
    for (const [name, text] of [["stderr", logs.stderr], ["stdout", logs.stdout], ["run.txt", logs.run]] as const) {
      console.log(`--- ${name}${text === undefined ? " (none)" : ""}`);
      if (text !== undefined) console.log(text.replace(/\n$/, ""));
    }
  });

task("run:fetch", "Downloads a run's output/ folder from Swarm into a new folder (all or nothing)")
  .addParam("run", "Run id")
  .addParam("out", "Folder to create (must not exist, or be empty)")
  .addOptionalParam("stage", "Stage of a task, from 0 (default: the last one that reported)", undefined, types.string)
  .addOptionalParam("beeUrl", "Bee API URL (default BEE_URL)", undefined, types.string)
  .addOptionalParam("account", READ_ACCOUNT, undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: RunFilesArgs, hre) => {
    const { fetchRunOutput, readRun, stageOf } = await runServices();
    const runId = parseRunId(args.run);
    const stageNumber = parseStage(args.stage);
    if (typeof args.out !== "string" || args.out.trim() === "") throw new InvalidArgumentError(`--out: expected a folder path, got ${JSON.stringify(args.out ?? null)}`);
    const contracts = await lureContracts(hre, args.account);
    const run = await explained(() => readRun(contracts, runId), ONE_STEP);
    const stage = await explained(() => Promise.resolve(stageOf(run, stageNumber)), ONE_STEP);
    if (!stage.outputRef) throw new LureTaskError(`stage ${stage.stage} of run ${runId} has no output (the run is ${run.status}, the stage ${stage.status})`);
    const fetched = await explained(async () => fetchRunOutput(await storageFor(args.beeUrl, args.json), stage.outputRef!, args.out!), ONE_STEP);
    print({ runId, stage: stage.stage, outputRef: stage.outputRef, out: fetched.dir, files: fetched.files, bytes: fetched.bytes }, { json: args.json, text: { bytes: humanBytes(fetched.bytes) }, title: `Fetched the output of run ${runId} into ${fetched.dir}` });
  });

task("pod:run-price", "Sets the price of each run of a pod you own (0 = free); applies to runs requested later")
  .addParam("pod", "Pod id")
  .addParam("price", "Price per run in whole token units (0 = free)")
  .addOptionalParam("token", "native, or an allow-listed ERC-20 address", "native")
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: { pod: string; price: string; token: string; account?: string; json: boolean }, hre) => {
    const { decimalsOf, setRunPrice, tokenLabel } = await runServices();
    const podId = parsePodId(args.pod);
    const token = parseToken(args.token);
    const decimals = await decimalsOf(token, hre.ethers.provider);
    const price = parsePrice(args.price, decimals, "price", { allowZero: true });
    const contracts = await lureContracts(hre, args.account);
    const { tx } = await explained(() => setRunPrice(contracts, podId, token, price), ONE_STEP);
    print({ podId, token: tokenLabel(token), price: formatUnits(price, decimals), tx }, { json: args.json, title: price === 0n ? `Runs of pod ${podId} are free` : `Each run of pod ${podId} costs ${formatUnits(price, decimals)}` });
  });

interface RegisterArgs {
  fee: string;
  token: string;
  bond?: string;
  keyDir?: string;
  account?: string;
  json: boolean;
}

task("runner:register", "Registers your account as a runner: an X25519 key (made in --key-dir), a fee per run in one token, a bond")
  .addOptionalParam("fee", "Your fee per run (per stage of a task) in whole token units", "0")
  .addOptionalParam("token", "Token of the fee: native or an allow-listed ERC-20 address", "native")
  .addOptionalParam("bond", "Bond in the native coin (default: the market's minimum)", undefined, types.string)
  .addOptionalParam("keyDir", "Folder of the runner's private key (default RUNNER_DATA_DIR, .data/runner)", undefined, types.string)
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: RegisterArgs, hre) => {
    const { checkRegistration, decimalsOf, loadOrCreateRunnerKey, registerRunner, tokenLabel } = await runServices();
    const token = parseToken(args.token);
    const decimals = await decimalsOf(token, hre.ethers.provider);
    const fee = parsePrice(args.fee, decimals, "fee", { allowZero: true });
    const bond = args.bond === undefined ? undefined : parsePrice(args.bond, 18, "bond");
    const keyDir = path.resolve(args.keyDir ?? defaultKeyDir());
    const contracts = await lureContracts(hre, args.account);
    const fees = [{ token, fee }];
    // Checked before the key is made, so a refused registration leaves no new key behind.
    await explained(() => checkRegistration(contracts, { fees, bond }), ONE_STEP);
    const key = await explained(() => loadOrCreateRunnerKey(keyDir), ONE_STEP);
    const registered = await explained(() => registerRunner(contracts, { publicKey: key.publicKey, fees, bond }), ONE_STEP);
    print(
      {
        runner: contracts.account,
        runnerId: registered.runnerId,
        publicKey: key.publicKey,
        keyFile: key.keyFile,
        keyCreated: key.created,
        token: tokenLabel(token),
        fee: formatUnits(fee, decimals),
        bond: formatEther(registered.bond),
        tx: registered.tx,
      },
      { json: args.json, title: `Registered runner #${registered.runnerId}` },
    );
  });

interface UpdateArgs {
  fee?: string;
  token: string;
  drop: boolean;
  pause: boolean;
  resume: boolean;
  addBond?: string;
  keyDir?: string;
  account?: string;
  json: boolean;
}

task("runner:update", "Changes your runner account; only what differs is sent")
  .addOptionalParam("fee", "New fee per run in --token, whole units", undefined, types.string)
  .addOptionalParam("token", "Token of --fee or --drop: native or an ERC-20 address", "native")
  .addFlag("drop", "Stop accepting runs paid in --token")
  .addFlag("pause", "Pause: take no runs")
  .addFlag("resume", "Resume taking runs")
  .addOptionalParam("addBond", "Add this much native coin to the bond", undefined, types.string)
  .addOptionalParam("keyDir", "Use the X25519 key of this folder (made there if missing)", undefined, types.string)
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: UpdateArgs, hre) => {
    const { decimalsOf, loadOrCreateRunnerKey, updateRunner } = await runServices();
    if (args.pause && args.resume) throw new InvalidArgumentError("--pause and --resume: give one of them");
    if (args.drop && args.fee !== undefined) throw new InvalidArgumentError("--drop and --fee: give one of them (--drop stops accepting --token)");
    if (args.fee === undefined && !args.drop && !args.pause && !args.resume && args.addBond === undefined && args.keyDir === undefined) {
      throw new InvalidArgumentError("nothing to change: give --fee (with --token), --drop, --pause, --resume, --add-bond or --key-dir");
    }
    const token = parseToken(args.token);
    const decimals = await decimalsOf(token, hre.ethers.provider);
    const fee = args.fee === undefined ? undefined : parsePrice(args.fee, decimals, "fee", { allowZero: true });
    const addBond = args.addBond === undefined ? undefined : parsePrice(args.addBond, 18, "add-bond");
    const contracts = await lureContracts(hre, args.account);
    const publicKey = args.keyDir === undefined ? undefined : (await explained(() => loadOrCreateRunnerKey(path.resolve(args.keyDir!)), ONE_STEP)).publicKey;
    const fees = fee !== undefined ? [{ token, fee }] : args.drop ? [{ token, fee: 0n, accepted: false }] : undefined;
    const paused = args.pause ? true : args.resume ? false : undefined;
    const { changes, unchanged } = await explained(() => updateRunner(contracts, { fees, publicKey, paused, addBond }), ONE_STEP);
    print({ runner: contracts.account, changes, unchanged }, { json: args.json, title: changes.length === 0 ? "Nothing changed; nothing sent" : `Sent ${changes.length} change(s)` });
  });

task("runner:unregister", "Leaves the run market: asks to leave, or once the unbonding delay is over takes the bond back as a credit")
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: { account?: string; json: boolean }, hre) => {
    const { unregisterRunner } = await runServices();
    const contracts = await lureContracts(hre, args.account);
    const done = await explained(() => unregisterRunner(contracts), ONE_STEP);
    if (done.step === "requested") {
      print({ runner: contracts.account, step: done.step, withdrawableAt: done.withdrawableAt.toISOString(), tx: done.tx }, { json: args.json, title: `Leaving; run runner:unregister again from ${done.withdrawableAt.toISOString()} for the bond` });
    } else {
      print({ runner: contracts.account, step: done.step, bond: formatEther(done.bond), tx: done.tx }, { json: args.json, title: "Unregistered; the bond is credited: withdraw it with runner:withdraw" });
    }
  });

task("runner:withdraw", "Withdraws what the run market credited you in one token (fees, refunds, pod proceeds, the returned bond)")
  .addOptionalParam("token", "native, or an ERC-20 address", "native")
  .addOptionalParam("to", "Send it to this address instead of the signer", undefined, types.string)
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: { token: string; to?: string; account?: string; json: boolean }, hre) => {
    const { decimalsOf, tokenLabel, withdrawRunCredit } = await runServices();
    const token = parseToken(args.token);
    const recipient = args.to === undefined ? undefined : parseAddress(args.to, "to");
    const decimals = await decimalsOf(token, hre.ethers.provider);
    const contracts = await lureContracts(hre, args.account);
    const { amount, recipient: sentTo, tx } = await explained(() => withdrawRunCredit(contracts, token, { recipient }), ONE_STEP);
    print({ account: contracts.account, recipient: sentTo, token: tokenLabel(token), amount: formatUnits(amount, decimals), tx }, { json: args.json, title: "Withdrawn from the run market" });
  });
