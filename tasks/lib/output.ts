import { getAddress } from "ethers";

/**
 * Task output: a short human-readable block, or one JSON document with `--json` so scripts can
 * parse it.
 *
 * JSON holds values: BigInts as decimal strings, `null` for "none" (never prose such as
 * "not listed"), dates as ISO strings. Text lays nested values out as indented `key: value` lines
 * and arrays as lists, `null` reading "none" and booleans "yes"/"no". In both, every 20-byte
 * address is printed checksummed (EIP-55), whatever case it came in.
 */
export type Printable = Record<string, unknown>;

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** The value as it is printed: addresses checksummed, BigInts and dates as strings, undefined dropped from objects. */
function normalised(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") return ADDRESS.test(value) ? getAddress(value.toLowerCase()) : value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(normalised);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, inner]) => inner !== undefined)
        .map(([key, inner]) => [ADDRESS.test(key) ? getAddress(key.toLowerCase()) : key, normalised(inner)]),
    );
  }
  return value;
}

/** One JSON document (two-space indented), with the rules above. */
export function toJson(value: unknown): string {
  return JSON.stringify(normalised(value) ?? null, null, 2);
}

function scalarText(value: unknown): string {
  if (value === null || value === undefined) return "none";
  if (typeof value === "boolean") return value ? "yes" : "no";
  return typeof value === "string" ? value : (JSON.stringify(value) ?? "none");
}

const isNested = (value: unknown): value is object => value !== null && typeof value === "object" && !(Array.isArray(value) && value.length === 0) && !(!Array.isArray(value) && Object.keys(value).length === 0);

/** An object's entries as aligned `key: value` lines, nested values indented below their key. */
function objectLines(value: Record<string, unknown>, indent: string): string[] {
  const entries = Object.entries(value);
  const width = Math.max(0, ...entries.filter(([, inner]) => !isNested(inner)).map(([key]) => key.length + 1));
  const lines: string[] = [];
  for (const [key, inner] of entries) {
    if (isNested(inner)) {
      lines.push(`${indent}${key}:`);
      lines.push(...valueLines(inner, `${indent}  `));
    } else {
      lines.push(`${indent}${`${key}:`.padEnd(width)} ${Array.isArray(inner) || (inner !== null && typeof inner === "object") ? "none" : scalarText(inner)}`);
    }
  }
  return lines;
}

/** An array as a list (`- item`); an object item starts on the dash line and continues below it. */
function valueLines(value: object, indent: string): string[] {
  if (!Array.isArray(value)) return objectLines(value as Record<string, unknown>, indent);
  const lines: string[] = [];
  for (const item of value as unknown[]) {
    if (!isNested(item)) {
      lines.push(`${indent}- ${scalarText(Array.isArray(item) || (item !== null && typeof item === "object") ? null : item)}`);
      continue;
    }
    const inner = valueLines(item, `${indent}  `);
    lines.push(`${indent}- ${inner[0].slice(indent.length + 2)}`, ...inner.slice(1));
  }
  return lines;
}

/** The text form of a result: the lines `print` writes without --json (exported for tests). */
export function formatText(result: Printable, title?: string): string {
  const lines = objectLines(normalised(result) as Record<string, unknown>, "  ");
  return [...(title ? [title] : []), ...lines].join("\n");
}

/**
 * Prints a task's result on stdout: `result` as one JSON document with --json, else the title and
 * `result` as text. `text` replaces or adds entries in the text form only: words for people
 * ("transferable (holders may resell them)") beside the values scripts read.
 */
export function print(result: Printable, options: { json: boolean; title?: string; text?: Printable }): void {
  if (options.json) {
    console.log(toJson(result));
    return;
  }
  console.log(formatText({ ...result, ...options.text }, options.title));
}

/** The pod a pod was forked from, printed the same way by every task: `{ podId, version }`, or null for an original. */
export function parentOf(podId: bigint | number | string | undefined, version: bigint | number | string | undefined): { podId: string; version: string } | null {
  if (podId === undefined || BigInt(podId) === 0n) return null;
  return { podId: String(podId), version: String(version ?? 0) };
}
