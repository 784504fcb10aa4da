import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { logger } from "../log";

/**
 * The schema of `recipe.json`. Sovr recipes (pods with a `golem` section, tasks with `pods`) parse
 * exactly as they were written; Lure's additions are optional. Errors name the field by its path
 * (`golem.payload[1].ref`) and the value that was given. An unknown field that is a near miss of a
 * known one (`golme`, `exce`, `publc`) is an error with a suggestion; other unknown fields only warn,
 * so that recipes written for a newer Lure still load.
 */

/** The Golem image a pod runs in when its recipe names none (a public Python image of the Golem registry). */
export const DEFAULT_GOLEM_IMAGE = "golem/python:3.11-slim";
/** What `[@]` in `golem.exec` stands for: the pod's root folder. */
const ROOT_PLACEHOLDER = "[@]";
/** The registry's limit on pod names (bytes of UTF-8). */
const MAX_NAME_BYTES = 64;

const SWARM_REF = /^[0-9a-fA-F]{64}$/;
const POD_ID = /^[1-9][0-9]{0,77}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** `owner/name:tag` as in the Golem registry, or a 56-hex sha3-224 image hash. */
const GOLEM_IMAGE = /^(?:[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*:[A-Za-z0-9][A-Za-z0-9._-]{0,127}$|^[0-9a-fA-F]{56}$/;

const show = (value: unknown): string =>
  // JSON has no text for a function or a symbol (JSON.stringify gives undefined): those print as String() prints them.
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- the fallback is reached only by values JSON cannot show
  value === undefined ? "nothing" : JSON.stringify(value) ?? String(value);

function fail(expectation: string) {
  return { error: (issue: { input?: unknown }) => `expected ${expectation}, got ${show(issue.input)}` };
}

const swarmRef = z
  .string(fail("a 64-hex Swarm reference"))
  .regex(SWARM_REF, fail("a 64-hex Swarm reference"))
  .transform((ref) => ref.toLowerCase());

/** A folder of the pod, relative to its root and inside it. */
const podFolder = z
  .string(fail("a folder name inside the pod"))
  .refine((value) => isSafeRelativePath(value), fail("a folder name inside the pod (relative, no '..')"));

/** Where an external payload lives inside its collection: "/images.zip"; "" or "/" means the reference itself. */
const payloadDataPath = z
  .string(fail("a path inside the referenced collection, such as \"/images.zip\""))
  .refine(
    (value) => value === "" || value === "/" || isSafeRelativePath(value.replace(/^\/+/, "")),
    fail("a path inside the referenced collection, such as \"/images.zip\" (no '..', no backslashes)"),
  );

const externalPayloadSchema = z.object({ ref: swarmRef, data: payloadDataPath.optional() });

const externalPayloadList = z.array(externalPayloadSchema).min(1, fail("at least one { ref, data } payload"));

/**
 * `payload` is a folder of the pod or a list of external payloads. A plain union would report
 * "invalid union" instead of the field at fault, so the branch is chosen by the value's shape.
 */
const payloadSchema = z.unknown().transform((value, ctx): string | ExternalPayload[] => {
  const branch = Array.isArray(value) ? externalPayloadList : typeof value === "string" ? podFolder : undefined;
  if (!branch) {
    ctx.addIssue({ code: "custom", message: `expected a folder name or a list of { ref, data } payloads, got ${show(value)}` });
    return z.NEVER;
  }
  const parsed = branch.safeParse(value, { reportInput: true });
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", message: describeIssue(issue), path: issue.path });
  return z.NEVER;
});

const podName = z
  .string(fail("a pod name"))
  .refine((value) => value.trim().length > 0 && value === value.trim(), fail("a non-empty pod name without surrounding spaces"))
  .refine((value) => Buffer.byteLength(value, "utf8") <= MAX_NAME_BYTES, fail(`a pod name of at most ${MAX_NAME_BYTES} bytes`))
  // eslint-disable-next-line no-control-regex
  .refine((value) => !/[\u0000-\u001f\u007f/\\]/.test(value), fail("a pod name without control characters or slashes"));

/** An on-chain pod id: a positive integer, as a number or a decimal string. */
const podId = z.custom<number | string>(isPodId, fail("an on-chain pod id (a positive integer)"));

function isPodId(value: unknown): boolean {
  return (typeof value === "number" && Number.isSafeInteger(value) && value > 0) || (typeof value === "string" && POD_ID.test(value));
}

const resourcesSchema = z.object({
  minCpuCores: z.number(fail("a whole number of CPU cores from 1 to 256")).int(fail("a whole number of CPU cores from 1 to 256")).min(1, fail("a whole number of CPU cores from 1 to 256")).max(256, fail("a whole number of CPU cores from 1 to 256")).optional(),
  minMemGib: z.number(fail("GiB of memory, above 0 and at most 1024")).positive(fail("GiB of memory, above 0 and at most 1024")).max(1024, fail("GiB of memory, above 0 and at most 1024")).optional(),
  minStorageGib: z.number(fail("GiB of storage, above 0 and at most 65536")).positive(fail("GiB of storage, above 0 and at most 65536")).max(65536, fail("GiB of storage, above 0 and at most 65536")).optional(),
});

const timeoutSeconds = z
  .number(fail("a timeout in whole seconds from 1 to 604800"))
  .int(fail("a timeout in whole seconds from 1 to 604800"))
  .min(1, fail("a timeout in whole seconds from 1 to 604800"))
  .max(604_800, fail("a timeout in whole seconds from 1 to 604800"));

const envSchema = z.record(
  z.string().regex(ENV_NAME, fail("an environment variable name (letters, digits, _; not starting with a digit)")),
  z.string(fail("a string value")).refine((value) => !value.includes("\u0000"), fail("a string value without NUL characters")),
  fail("a map of environment variable names to string values"),
);

const golemSectionSchema = z.object({
  exec: z.string(fail("a command line")).refine((value) => value.trim().length > 0, fail("a non-empty command line")),
  script: podFolder.optional(),
  payload: payloadSchema.optional(),
  output: podFolder.default("output"),
  log: podFolder.default("logs"),
  image: z.string(fail(`a Golem image tag (owner/name:tag) or a 56-hex image hash`)).regex(GOLEM_IMAGE, fail(`a Golem image tag (owner/name:tag) or a 56-hex image hash`)).optional(),
  resources: resourcesSchema.optional(),
  timeout: timeoutSeconds.optional(),
  env: envSchema.optional(),
});

const forkedFromSchema = z
  .object({
    podId: podId.optional(),
    version: z.number(fail("a version number (1 or more)")).int(fail("a version number (1 or more)")).min(1, fail("a version number (1 or more)")).optional(),
    ref: swarmRef,
  })
  .refine((value) => (value.podId === undefined) === (value.version === undefined), {
    error: "podId and version go together: give both (a fork of an on-chain pod) or neither (a fork of a bare reference)",
  });

/** A task's pod: a Swarm reference (64 hex) or an on-chain pod id. */
const taskPod = z
  .custom<number | string>((value) => (typeof value === "string" && SWARM_REF.test(value)) || isPodId(value), fail("a 64-hex Swarm reference or an on-chain pod id"))
  .transform((value) => (typeof value === "string" && SWARM_REF.test(value) ? value.toLowerCase() : value));

const common = {
  name: podName,
  description: z.string(fail("a string")).optional(),
  version: z.string(fail("a version string such as \"1.0\"")).optional(),
  author: z.string(fail("a string")).optional(),
  public: z.boolean(fail("true or false")).optional(),
  forkedFrom: forkedFromSchema.optional(),
};

const podRecipeSchema = z.object({ ...common, golem: golemSectionSchema });
const taskRecipeSchema = z.object({
  ...common,
  pods: z.array(taskPod, fail("a list of pods")).min(1, fail("at least one pod")),
  payload: payloadSchema.optional(),
});

export type ExternalPayload = z.infer<typeof externalPayloadSchema>;
export type ForkedFrom = z.infer<typeof forkedFromSchema>;
export type PodRecipe = z.infer<typeof podRecipeSchema>;
export type TaskRecipe = z.infer<typeof taskRecipeSchema>;

export type ParsedRecipe = ({ kind: "pod"; recipe: PodRecipe } | { kind: "task"; recipe: TaskRecipe }) & {
  /** Unknown fields, by path; they were ignored. */
  warnings: string[];
};

export interface RecipeIssue {
  /** `golem.payload[1].ref`; empty for the recipe as a whole. */
  path: string;
  message: string;
}

/** A recipe that does not validate. The message names the file, then every field at fault. */
export class RecipeError extends Error {
  constructor(
    readonly source: string,
    readonly issues: RecipeIssue[],
  ) {
    super(`${source}: ${issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join("; ")}`);
    this.name = "RecipeError";
  }
}

/** `["golem", "payload", 1, "ref"]` → `golem.payload[1].ref`. */
function formatPath(segments: readonly PropertyKey[]): string {
  return segments.reduce<string>((text, segment) => {
    if (typeof segment === "number") return `${text}[${segment}]`;
    const key = String(segment);
    const plain = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key);
    if (!plain) return `${text}[${JSON.stringify(key)}]`;
    return text ? `${text}.${key}` : key;
  }, "");
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case "invalid_type":
      if (input === undefined) return `required (${issue.expected})`;
      return issue.message.startsWith("expected ") ? issue.message : `expected ${issue.expected}, got ${show(input)}`;
    case "invalid_key":
      return issue.issues.map(describeIssue).join("; ");
    default:
      return issue.message;
  }
}

/**
 * Parses an already decoded recipe. Throws RecipeError, naming every field at fault; an unknown
 * field that is a near miss of a known one (`golme`, `exce`, `publc`) is an error with a
 * suggestion, so a typo never silently drops a setting (a misspelt `"public": false` would publish
 * a private pod in the clear). Other unknown fields are returned (and logged) as warnings.
 */
export function parseRecipe(input: unknown, source = "recipe.json"): ParsedRecipe {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new RecipeError(source, [{ path: "", message: `expected a JSON object, got ${show(input)}` }]);
  }
  const record = input as Record<string, unknown>;
  const isTask = "pods" in record;
  if (isTask && "golem" in record) {
    throw new RecipeError(source, [{ path: "", message: "a recipe is either a pod (with golem) or a task (with pods), not both" }]);
  }
  const schema = isTask ? taskRecipeSchema : podRecipeSchema;
  const fields = inspectFields(record, isTask);
  const suggested = new Set(fields.nearMisses.map((miss) => miss.suggestedPath));
  const issues: RecipeIssue[] = fields.nearMisses.map((miss) => ({ path: miss.path, message: miss.message }));
  const neither = !isTask && !("golem" in record);
  if (neither && !suggested.has("golem") && !suggested.has("pods")) {
    issues.push({ path: "", message: 'a recipe needs a "golem" section (a pod) or a "pods" list (a task); it has neither' });
  }
  const parsed = schema.safeParse(input, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const at = formatPath(issue.path);
      // "golem: required" says nothing new after "golme: did you mean golem?" or "needs golem or pods".
      if (suggested.has(at) || (neither && at === "golem")) continue;
      issues.push({ path: at, message: describeIssue(issue) });
    }
  }
  if (issues.length > 0 || !parsed.success) throw new RecipeError(source, issues);
  const warnings = fields.warnings;
  if (warnings.length > 0) logger("pods").warn({ source, warnings }, "recipe has unknown fields; they are ignored");
  return isTask
    ? { kind: "task", recipe: parsed.data as TaskRecipe, warnings }
    : { kind: "pod", recipe: parsed.data as PodRecipe, warnings };
}

/** Parses recipe text. Malformed JSON gives an error with the file, line and column. */
export function parseRecipeText(text: string, source = "recipe.json"): ParsedRecipe {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let decoded: unknown;
  try {
    decoded = JSON.parse(body);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    const where = position ? lineAndColumn(body, Number(position[1])) : body.trim() === "" ? "1:1" : "";
    throw new RecipeError(source, [{ path: "", message: `malformed JSON${where ? ` at ${where}` : ""}: ${message}` }]);
  }
  return parseRecipe(decoded, source);
}

/** Reads and parses `<dir>/recipe.json`. */
export async function loadRecipe(dir: string): Promise<ParsedRecipe> {
  const file = path.join(dir, "recipe.json");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new RecipeError(file, [{ path: "", message: code === "ENOENT" ? "no recipe.json in this folder" : `cannot read: ${code ?? String(error)}` }]);
  }
  return parseRecipeText(text, file);
}

/** Replaces every `[@]` in a command with the pod's root, so "[@]script/a.py" becomes "/golem/work/script/a.py". */
export function expandRoot(exec: string, root: string): string {
  const prefix = root.endsWith("/") ? root : `${root}/`;
  return exec.split(ROOT_PLACEHOLDER).join(prefix);
}

/** The image a pod recipe runs in. */
export function golemImage(recipe: PodRecipe): string {
  return recipe.golem.image ?? DEFAULT_GOLEM_IMAGE;
}

/** True for "a", "a/b", "a/b/": relative, no "." or ".." segment, no backslash or NUL. */
function isSafeRelativePath(value: string): boolean {
  if (value.length === 0 || value.length > 1024 || value.startsWith("/") || value.includes("\\") || value.includes("\u0000") || /^[A-Za-z]:/.test(value)) return false;
  const segments = value.replace(/\/+$/, "").split("/");
  return segments.every((segment) => segment !== "" && segment !== "." && segment !== "..");
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split("\n");
  return `${before.length}:${before[before.length - 1].length + 1}`;
}

interface NearMiss {
  /** Where the unknown field is: `golem.exce`. */
  path: string;
  /** Where the field it resembles would be: `golem.exec`. */
  suggestedPath: string;
  message: string;
}

/**
 * Fields at the top of a recipe that mean something else than they seem: Lure has no `private`
 * field; a pod is public unless `"public": false`.
 */
const MISLEADING_TOP_FIELDS: Readonly<Record<string, string>> = {
  private: 'unknown field; did you mean "public": false? (a pod is public unless "public" is false)',
  visibility: 'unknown field; did you mean "public"? (true or false; a pod is public unless "public" is false)',
};

/**
 * Fields the schema does not know, walking the object shapes it describes: near misses of a known
 * field (by edit distance, any level) as errors, the rest as warnings. A near miss is followed
 * into the field it resembles, so `{ "golme": { "exce": … } }` reports both.
 */
function inspectFields(value: Record<string, unknown>, isTask: boolean): { nearMisses: NearMiss[]; warnings: string[] } {
  const nearMisses: NearMiss[] = [];
  const warnings: string[] = [];
  const fieldsOf = (shape: z.ZodObject) => shape.shape as Readonly<Record<string, z.ZodType | undefined>>;
  const walk = (node: unknown, shape: z.ZodObject | undefined, at: PropertyKey[], extraKeys: Readonly<Record<string, z.ZodType>> = {}) => {
    if (!shape || typeof node !== "object" || node === null || Array.isArray(node)) return;
    const known = { ...extraKeys, ...fieldsOf(shape) };
    for (const [key, child] of Object.entries(node)) {
      const field = fieldsOf(shape)[key];
      if (field) {
        walk(child, objectShapeOf(field), [...at, key]);
        walkPayloadList(child, field, [...at, key]);
        continue;
      }
      const path = formatPath([...at, key]);
      const misleading = at.length === 0 ? MISLEADING_TOP_FIELDS[key] : undefined;
      if (misleading) {
        nearMisses.push({ path, suggestedPath: "public", message: misleading });
        continue;
      }
      if (at.length === 0 && !isTask && key === "payload") {
        nearMisses.push({ path, suggestedPath: "golem.payload", message: 'not a field of a pod recipe; did you mean "golem.payload"? (only a task has a top-level payload)' });
        continue;
      }
      const suggestion = nearestKey(key, Object.keys(known));
      if (suggestion === undefined) {
        warnings.push(`${path}: unknown field, ignored`);
        continue;
      }
      const suggestedPath = formatPath([...at, suggestion]);
      nearMisses.push({ path, suggestedPath, message: `unknown field; did you mean "${suggestion}"${suggestedPath === suggestion ? "" : ` (${suggestedPath})`}?` });
      const resembled = known[suggestion];
      if (resembled && !(key in known)) {
        walk(child, objectShapeOf(resembled), [...at, key]);
        walkPayloadList(child, resembled, [...at, key]);
      }
    }
  };
  /** `payload` lists hold objects of their own: `golem.payload[0].rfe`. */
  const walkPayloadList = (node: unknown, field: z.ZodType, at: PropertyKey[]) => {
    if (field !== golemSectionSchema.shape.payload && field !== taskRecipeSchema.shape.payload) return;
    if (Array.isArray(node)) node.forEach((item, index) => walk(item, externalPayloadSchema, [...at, index]));
  };
  // At the top, a near miss of the other kind's fields counts too: `"pod": [...]` means `pods`.
  walk(value, isTask ? taskRecipeSchema : podRecipeSchema, [], isTask ? {} : { pods: taskRecipeSchema.shape.pods });
  return { nearMisses, warnings };
}

/**
 * The known field `key` is a near miss of: the same ignoring case, or within one edit (a letter
 * added, dropped, changed, or two swapped) of a field of up to 5 letters, two of a longer one.
 */
function nearestKey(key: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  const lower = key.toLowerCase();
  for (const name of known) {
    if (name === key) return undefined;
    const allowed = name.length <= 5 ? 1 : 2;
    if (Math.abs(name.length - key.length) > allowed || key.length < 2) continue;
    const distance = editDistance(lower, name.toLowerCase());
    if (distance <= allowed && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
    }
  }
  return rows[a.length][b.length];
}

/** The object schema inside optional/default/refine wrappers, if any. */
function objectShapeOf(schema: z.ZodType): z.ZodObject | undefined {
  let current: z.ZodType = schema;
  for (let depth = 0; depth < 8; depth += 1) {
    if (current instanceof z.ZodObject) return current;
    const inner = (current as unknown as { def?: { innerType?: z.ZodType } }).def?.innerType;
    if (!inner) return undefined;
    current = inner;
  }
  return undefined;
}
