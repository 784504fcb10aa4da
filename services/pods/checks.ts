import { stat } from "node:fs/promises";
import path from "node:path";
import { PodError } from "./errors";
import type { PodFile } from "./pack";
import { EXTERNAL_PAYLOAD_DIR } from "./pack";
import type { ExternalPayload, ParsedRecipe } from "./recipe";

/**
 * Checks before anything is published: what a recipe names must be there. The folders it names
 * (`script`, a payload folder) exist and hold files that would be uploaded, the files its command
 * runs (`[@]script/a.py`) are in the pod, the output and log folders (never uploaded) do not
 * swallow the script or payload, external payloads and a task's pods are on the Bee node, and a
 * task's pod ids exist on chain. Each problem names the recipe field and the value at fault.
 */

/** The folder a pod task works on, or PodError `<dir>: no such folder` (the same words from every task). */
export async function requirePodFolder(dir: string): Promise<void> {
  const folder = await stat(dir).catch(() => undefined);
  if (!folder) throw new PodError(`${dir}: no such folder`);
  if (!folder.isDirectory()) throw new PodError(`${dir}: not a folder`);
}

/** Asks a Bee node whether it has a reference, with a timeout per request (HEAD, through the Bee HTTP API). */
export interface SwarmProbe {
  /** The node asked, for messages. */
  readonly url: string;
  /**
   * True when the node serves `ref` (with `filePath`, that file of its collection; without, the
   * reference as a collection or as raw bytes); false when it answers 404. Throws when it cannot
   * tell (no answer within the timeout, another status).
   */
  has(ref: string, filePath?: string): Promise<boolean>;
}

/** A SwarmProbe for the Bee node (or the dev node) at `url`: HEAD /bzz/{ref}/{path} and HEAD /bytes/{ref}. */
export function swarmProbe(url: string, timeoutMs: number): SwarmProbe {
  const base = url.replace(/\/+$/, "");
  const head = async (resource: string): Promise<number> => {
    try {
      const response = await fetch(`${base}/${resource}`, { method: "HEAD", signal: AbortSignal.timeout(timeoutMs) });
      return response.status;
    } catch (error) {
      const name = error instanceof Error ? error.name : "";
      if (name === "TimeoutError" || name === "AbortError") throw new Error(`no answer from ${base} within ${timeoutMs} ms`, { cause: error });
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
      throw new Error(`cannot reach ${base}${cause}`, { cause: error });
    }
  };
  return {
    url: base,
    async has(ref, filePath = "") {
      const inner = filePath.replace(/^\/+/, "").split("/").map(encodeURIComponent).join("/");
      const collection = await head(`bzz/${ref}/${inner}`);
      if (collection === 200) return true;
      if (inner !== "") {
        if (collection === 404) return false;
        throw new Error(`${base} answered HTTP ${collection}`);
      }
      // A bare reference may be raw bytes (POST /bytes), which /bzz does not serve.
      const bytes = await head(`bytes/${ref}`);
      if (bytes === 200) return true;
      if (bytes === 404) return false;
      throw new Error(`${base} answered HTTP ${bytes}`);
    },
  };
}

export interface PrePublishInput {
  /** The pod folder. */
  dir: string;
  parsed: ParsedRecipe;
  /** The files that would be uploaded (after the default rules and .podignore). */
  files: readonly PodFile[];
  /** Without one, external references are not checked. */
  probe?: SwarmProbe;
  /** Whether an on-chain pod id exists (a task's `pods`); without it, ids are not checked. */
  podExists?: (podId: bigint) => Promise<boolean>;
}

/**
 * Pre-publish problems were found; nothing was uploaded or sent. `problems` are one line each,
 * naming the recipe field and the value at fault.
 */
export class PrePublishError extends PodError {
  constructor(
    readonly dir: string,
    readonly problems: readonly string[],
  ) {
    super(`${dir}: not published, nothing was uploaded or sent: ${problems.join("; ")}`);
    this.name = "PrePublishError";
  }
}

/** Every problem found, one line each; empty when the recipe's promises hold. */
export async function prePublishProblems(input: PrePublishInput): Promise<string[]> {
  const problems: string[] = [];
  const { parsed, dir, files } = input;
  if (parsed.kind === "pod") {
    const golem = parsed.recipe.golem;
    if (golem.script !== undefined) problems.push(...(await folderProblems(dir, files, "golem.script", golem.script)));
    if (typeof golem.payload === "string") problems.push(...(await folderProblems(dir, files, "golem.payload", golem.payload)));
    problems.push(...(await resultFolderProblems(dir, "golem.output", golem.output, { script: golem.script, payload: golem.payload })));
    problems.push(...(await resultFolderProblems(dir, "golem.log", golem.log, { script: golem.script, payload: golem.payload })));
    problems.push(...execProblems(golem.exec, files, [golem.output, golem.log, EXTERNAL_PAYLOAD_DIR]));
    if (Array.isArray(golem.payload)) problems.push(...(await payloadProblems("golem.payload", golem.payload, input.probe)));
  } else {
    const task = parsed.recipe;
    if (typeof task.payload === "string") problems.push(...(await folderProblems(dir, files, "payload", task.payload)));
    if (Array.isArray(task.payload)) problems.push(...(await payloadProblems("payload", task.payload, input.probe)));
    problems.push(...(await taskPodProblems(task.pods, input)));
  }
  return problems;
}

const trimSlashes = (folder: string) => folder.replace(/\/+$/, "");

/** A folder the recipe names as part of the pod: it exists, is a folder, and something in it is uploaded. */
async function folderProblems(dir: string, files: readonly PodFile[], field: string, folder: string): Promise<string[]> {
  const relative = trimSlashes(folder);
  const found = await stat(path.join(dir, relative)).catch(() => undefined);
  if (!found) return [`${field}: folder "${folder}" does not exist in ${dir}`];
  if (!found.isDirectory()) return [`${field}: "${folder}" is a file, not a folder`];
  if (!files.some((file) => file.path.startsWith(`${relative}/`))) {
    return [`${field}: folder "${folder}" holds no file that would be uploaded (it is empty, or .podignore excludes everything in it)`];
  }
  return [];
}

/**
 * `output` and `log` are results, never uploaded: one that is, contains or lies inside the script
 * or payload folder would leave those out of the pod. An existing one must be a folder.
 */
async function resultFolderProblems(dir: string, field: string, folder: string, inputs: { script?: string; payload?: string | ExternalPayload[] }): Promise<string[]> {
  const problems: string[] = [];
  const result = trimSlashes(folder);
  const overlaps = (other: string) => {
    const input = trimSlashes(other);
    return input === result || input.startsWith(`${result}/`) || result.startsWith(`${input}/`);
  };
  if (inputs.script !== undefined && overlaps(inputs.script)) {
    problems.push(`${field}: "${folder}" overlaps golem.script "${inputs.script}"; output and log folders are never uploaded, so the pod would be published without its script`);
  }
  if (typeof inputs.payload === "string" && overlaps(inputs.payload)) {
    problems.push(`${field}: "${folder}" overlaps golem.payload "${inputs.payload}"; output and log folders are never uploaded, so the pod would be published without its payload`);
  }
  const found = await stat(path.join(dir, result)).catch(() => undefined);
  if (found && !found.isDirectory()) problems.push(`${field}: "${folder}" is a file, not a folder`);
  return problems;
}

/** `[@]path` in the command, up to the next space, quote or shell operator. */
const ROOT_PATHS = /\[@\]([^\s"'`;|&<>()$]*)/g;

/** Every `[@]path` the command names must be in the pod, unless it is written by the run (output, logs) or fetched for it (payload/external). */
function execProblems(exec: string, files: readonly PodFile[], producedAtRunTime: readonly string[]): string[] {
  const problems: string[] = [];
  const produced = producedAtRunTime.map(trimSlashes);
  for (const match of exec.matchAll(ROOT_PATHS)) {
    const named = trimSlashes(match[1]);
    if (named === "" || named.includes("*") || named.includes("?")) continue;
    if (produced.some((folder) => named === folder || named.startsWith(`${folder}/`))) continue;
    const present = files.some((file) => file.path === named || file.path.startsWith(`${named}/`));
    if (!present) problems.push(`golem.exec: "[@]${match[1]}" is not in the pod (no such file in the folder, or .podignore excludes it)`);
  }
  return problems;
}

/** External payloads must be on the Bee node: each reference, and the file `data` names inside it. */
async function payloadProblems(field: string, payloads: readonly ExternalPayload[], probe: SwarmProbe | undefined): Promise<string[]> {
  if (!probe) return [];
  const answers = await Promise.all(
    payloads.map(async (payload, index) => {
      const inner = (payload.data ?? "").replace(/^\/+/, "");
      const what = inner === "" ? payload.ref : `"${inner}" of ${payload.ref}`;
      try {
        return (await probe.has(payload.ref, inner)) ? undefined : `${field}[${index}]: ${what} is not on the Bee node at ${probe.url}`;
      } catch (error) {
        return `${field}[${index}]: could not check ${what} on the Bee node: ${error instanceof Error ? error.message : String(error)}`;
      }
    }),
  );
  return answers.filter((answer): answer is string => answer !== undefined);
}

/** A task's pods: a reference must be a pod collection on the Bee node (it serves recipe.json), an id a pod on chain. */
async function taskPodProblems(pods: readonly (number | string)[], input: PrePublishInput): Promise<string[]> {
  const answers = await Promise.all(
    pods.map(async (pod, index) => {
      const isRef = typeof pod === "string" && /^[0-9a-f]{64}$/.test(pod);
      try {
        if (isRef) {
          if (!input.probe) return undefined;
          return (await input.probe.has(pod, "recipe.json")) ? undefined : `pods[${index}]: ${pod} is not a pod on the Bee node at ${input.probe.url} (no recipe.json there)`;
        }
        if (!input.podExists) return undefined;
        return (await input.podExists(BigInt(pod))) ? undefined : `pods[${index}]: pod ${pod} does not exist on chain`;
      } catch (error) {
        return `pods[${index}]: could not check ${isRef ? pod : `pod ${pod}`}: ${error instanceof Error ? error.message : String(error)}`;
      }
    }),
  );
  return answers.filter((answer): answer is string => answer !== undefined);
}

/**
 * Before a bare reference is registered (`pod:publish`, `pod:version`): whether the Bee node serves
 * it. `missing` when the node answers that it does not (the pod on chain would point at nothing),
 * `unchecked` when the node could not tell (unreachable, slow, another answer); undefined when it has it.
 */
export async function referenceProblem(probe: SwarmProbe, ref: string): Promise<{ kind: "missing" | "unchecked"; message: string } | undefined> {
  try {
    if (await probe.has(ref)) return undefined;
    return { kind: "missing", message: `reference ${ref} is not on the Bee node ${probe.url}: upload the pod first (pod:persist uploads and publishes in one step)` };
  } catch (error) {
    return { kind: "unchecked", message: `could not check reference ${ref} on ${probe.url} (${error instanceof Error ? error.message : String(error)})` };
  }
}
