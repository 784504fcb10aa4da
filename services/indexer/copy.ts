import type { Row, TableSpec } from "./tables";

const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

/**
 * One value in PostgreSQL's COPY text format: NULL is `\N`; backslash, tab and line breaks are
 * backslash-escaped (everything else, UTF-8 included, goes as is); objects are JSON (jsonb columns).
 */
export function copyValue(value: unknown): string {
  if (value === null || value === undefined) return "\\N";
  if (typeof value === "boolean") return value ? "t" : "f";
  const text = typeof value === "object" ? JSON.stringify(value) : String(value);
  return NEEDS_ESCAPE.test(text) ? text.replace(/[\\\t\n\r]/g, (char) => ESCAPES[char]) : text;
}

/**
 * Rows of one table as COPY text, encoded as they are produced into one growing byte buffer: a row
 * costs its bytes, outside the JavaScript heap, instead of an object (and the strings it points to)
 * kept alive until the commit, which was most of the backfill's garbage and of its peak memory.
 */
export class CopyRows {
  private buffer = Buffer.allocUnsafe(16 * 1024);
  private length = 0;
  private count = 0;
  private readonly keys: Set<string> | undefined;

  /** @param unique keep only the first row of each primary key (the table's key can repeat within a batch) */
  constructor(
    readonly table: TableSpec,
    unique = false,
  ) {
    this.keys = unique ? new Set() : undefined;
  }

  get size(): number {
    return this.count;
  }

  /** Adds `row` (by the table's column names); false when `unique` and its key was seen already. */
  add(row: Row): boolean {
    if (this.keys) {
      const key = this.table.key.map((column) => String(row[column])).join("|");
      if (this.keys.has(key)) return false;
      this.keys.add(key);
    }
    const columns = this.table.columns;
    let line = copyValue(row[columns[0][0]]);
    for (let index = 1; index < columns.length; index++) line += `\t${copyValue(row[columns[index][0]])}`;
    line += "\n";
    const needed = this.length + line.length * 3; // UTF-8 takes at most 3 bytes per UTF-16 unit
    if (needed > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    this.length += this.buffer.write(line, this.length);
    this.count++;
    return true;
  }

  /** The COPY payload: one line per row, each ended by a newline. */
  bytes(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}
