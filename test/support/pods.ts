import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { zipSync, type Zippable } from "fflate";
import * as tar from "tar-stream";
import type { PodStorage } from "../../services/pods/storage";

/**
 * An in-memory stand-in for Swarm, for tests of logic that does not depend on real references
 * (those run against the dev node over HTTP). References are sha256, so equal content gives equal refs.
 * Nothing here waits, but PodStorage is asynchronous: results and failures come back as promises.
 */
export class MemoryStorage implements PodStorage {
  readonly bytes = new Map<string, Uint8Array>();
  readonly collections = new Map<string, { files: Map<string, Uint8Array>; index?: string }>();
  uploads = 0;

  private static ref(parts: (string | Uint8Array)[]): string {
    const hash = createHash("sha256");
    for (const part of parts) hash.update(part);
    return hash.digest("hex");
  }

  uploadBytes(data: Uint8Array): Promise<string> {
    this.uploads += 1;
    const ref = MemoryStorage.ref(["bytes", data]);
    this.bytes.set(ref, data);
    return Promise.resolve(ref);
  }

  downloadBytes(ref: string): Promise<Uint8Array> {
    const data = this.bytes.get(ref);
    if (!data) return Promise.reject(new Error(`404: ${ref} not found`));
    return Promise.resolve(data);
  }

  uploadCollection(entries: { path: string; data: Uint8Array }[], options: { indexDocument?: string } = {}): Promise<string> {
    this.uploads += 1;
    const sorted = [...entries].sort((a, b) => a.path.localeCompare(b.path));
    const ref = MemoryStorage.ref(["collection", options.indexDocument ?? "", ...sorted.flatMap((entry) => [entry.path, "\0", entry.data])]);
    this.collections.set(ref, { files: new Map(sorted.map((entry) => [entry.path, entry.data])), index: options.indexDocument });
    return Promise.resolve(ref);
  }

  /** A single-file upload, as `POST /bzz?name=` makes it. */
  async uploadFile(data: Uint8Array, name: string): Promise<string> {
    return this.uploadCollection([{ path: name, data }], { indexDocument: name });
  }

  downloadFile(ref: string, path?: string): Promise<{ data: Uint8Array; name?: string }> {
    const collection = this.collections.get(ref);
    if (!collection) return Promise.reject(new Error(`404: ${ref} is not a manifest`));
    const key = path && path !== "" ? path.replace(/^\/+/, "") : collection.index;
    const data = key ? collection.files.get(key) : undefined;
    if (!key || !data) return Promise.reject(new Error(`404: ${path ?? "(index)"} not found in ${ref}`));
    return Promise.resolve({ data, name: key.split("/").pop() });
  }

  downloadCollection(ref: string): Promise<{ path: string; data: Uint8Array }[]> {
    const collection = this.collections.get(ref);
    if (!collection) return Promise.reject(new Error(`404: ${ref} is not a manifest`));
    return Promise.resolve([...collection.files].map(([path, data]) => ({ path, data })));
  }

  /** Stores a collection with arbitrary (hostile) paths. */
  putCollection(files: Record<string, Uint8Array | string>, index?: string): string {
    const entries = Object.entries(files).map(([path, data]) => ({ path, data: typeof data === "string" ? Buffer.from(data) : data }));
    const ref = MemoryStorage.ref(["raw", ...entries.flatMap((entry) => [entry.path, entry.data])]);
    this.collections.set(ref, { files: new Map(entries.map((entry) => [entry.path, entry.data])), index });
    return ref;
  }
}

export const text = (value: string): Uint8Array => Buffer.from(value, "utf8");

/** recipe.json as it is on disk: an object with a `golem` object; every other field is the test's to check. */
interface RecipeJson {
  golem: Record<string, unknown>;
  [field: string]: unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Reads a pod folder's recipe.json as plain JSON (not through the recipe schema), to check or edit
 * it: the very object JSON.parse gives, fields in the file's order.
 */
export async function readRecipeJson(dir: string): Promise<RecipeJson> {
  const value: unknown = JSON.parse(await readFile(join(dir, "recipe.json"), "utf8"));
  if (!isObject(value) || !isObject(value.golem)) throw new Error(`${dir}/recipe.json: expected an object with a golem object`);
  return { ...value, golem: value.golem };
}

/** A zip built by fflate; `unix` entries carry a Unix mode (file type and permissions). */
export function makeZip(files: Record<string, { data: Uint8Array; unixMode?: number; store?: boolean }>): Uint8Array {
  const zippable: Zippable = {};
  for (const [name, file] of Object.entries(files)) {
    zippable[name] = [file.data, { level: file.store ? 0 : 6, ...(file.unixMode !== undefined ? { os: 3, attrs: file.unixMode * 65536 } : {}) }];
  }
  return zipSync(zippable);
}

export interface TarEntrySpec {
  name: string;
  data?: Uint8Array;
  type?: tar.Header["type"];
  linkname?: string;
  mode?: number;
}

/** A tar built by tar-stream, with any entry types (links, devices) a hostile archive may hold. */
export async function makeTar(entries: TarEntrySpec[]): Promise<Uint8Array> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  for (const entry of entries) {
    const data = entry.data ?? new Uint8Array(0);
    await new Promise<void>((resolve, reject) => {
      const header: Partial<tar.Header> & { name: string } = { name: entry.name, type: entry.type ?? "file", mode: entry.mode ?? 0o644, mtime: new Date(0) };
      if (entry.linkname) header.linkname = entry.linkname;
      if ((entry.type ?? "file") === "file") header.size = data.length;
      const done = (error?: Error | null) => (error ? reject(error) : resolve());
      if ((entry.type ?? "file") === "file") pack.entry(header, Buffer.from(data), done);
      else pack.entry(header, done);
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** Overwrites the uncompressed size of every entry of a zip (central directory and local headers), as a lying bomb does. */
export function lieAboutZipSizes(zip: Uint8Array, declaredSize: number): Uint8Array {
  const copy = Uint8Array.from(zip);
  const view = new DataView(copy.buffer);
  for (let offset = 0; offset + 4 <= copy.length; offset += 1) {
    const signature = view.getUint32(offset, true);
    if (signature === 0x02014b50) view.setUint32(offset + 24, declaredSize, true);
    else if (signature === 0x04034b50) view.setUint32(offset + 22, declaredSize, true);
  }
  return copy;
}
