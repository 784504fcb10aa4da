/**
 * Task output: a short human-readable block, or one JSON document with `--json` so scripts can
 * parse it. BigInts are printed as decimal strings in JSON.
 */
export type Printable = Record<string, unknown>;

function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => (typeof inner === "bigint" ? inner.toString() : inner), 2);
}

export function print(result: Printable, options: { json: boolean; title?: string }): void {
  if (options.json) {
    console.log(toJson(result));
    return;
  }
  if (options.title) console.log(options.title);
  const width = Math.max(...Object.keys(result).map((key) => key.length));
  for (const [key, value] of Object.entries(result)) {
    const text = typeof value === "object" && value !== null ? toJson(value) : String(value);
    console.log(`  ${key.padEnd(width)}  ${text}`);
  }
}
