import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import type { z } from "zod";

/**
 * Small JSON state files of long-running services (the runner's journal, the courier's cursor, the
 * scout's state): written so that a crash at any moment leaves the old file or the new one, and read
 * so that a file that does not parse is set aside (`.unreadable`), never deleted or trusted.
 */

/** Writes `value` as JSON to a temporary file, fsyncs it, and renames it over `file`. */
export function writeJsonAtomically(file: string, value: unknown): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(value)}\n`, { mode: 0o600 });
  const fd = openSync(temporary, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
}

/** The file's value when it exists and matches `schema`; undefined when it is missing; set aside as `<file>.unreadable` when it does not parse. */
export function readJsonFile<Schema extends z.ZodType>(file: string, schema: Schema): z.infer<Schema> | undefined {
  let raw: string;
  try {
    raw = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  let parsed: ReturnType<Schema["safeParse"]> | undefined;
  try {
    parsed = schema.safeParse(JSON.parse(raw)) as ReturnType<Schema["safeParse"]>;
  } catch {
    parsed = undefined;
  }
  if (parsed?.success) return parsed.data as z.infer<Schema>;
  renameSync(file, `${file}.unreadable`);
  return undefined;
}
