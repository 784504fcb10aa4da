import { rmdir, stat } from "node:fs/promises";
import path from "node:path";
import { logger } from "../log";
import { archiveKind, SafeWriter, safeEntryPath, unpackArchive, UnsafeArchiveError, type UnpackLimits } from "./archive";
import { PodError } from "./errors";
import { EXTERNAL_PAYLOAD_DIR } from "./pack";
import type { ExternalPayload } from "./recipe";
import { requirePodFolder } from "./checks";
import { buildFolderAtomically } from "./staging";
import type { PodStorage } from "./storage";

/**
 * External payloads: `{ ref, data }` entries of a recipe, fetched from Swarm and unpacked into the
 * pod's `payload/external/`. The runner resolves payloads with this same module before a run.
 *
 * - `data` = "/images.zip": the file at that path inside the collection `ref` (GET /bzz/ref/images.zip);
 * - `data` omitted, "" or "/": `ref` itself, as a single-file manifest or else raw bytes.
 * zip, tar and tar.gz files are unpacked into `payload/external/` (their own folders kept); any
 * other file is copied there under its name. Everything lands in a staging folder first and
 * replaces `payload/external/` only when all payloads were resolved.
 */

const log = logger("payloads");

export interface ResolvedPayload {
  ref: string;
  data?: string;
  kind: "zip" | "tar" | "file";
  files: number;
  bytes: number;
}

export interface ResolveOptions {
  /** The pod's root folder; payloads go to `<root>/payload/external/`. */
  root: string;
  payloads: readonly ExternalPayload[];
  storage: PodStorage;
  /** For all payloads together. */
  limits: UnpackLimits;
}

/**
 * Fetches and unpacks every payload; on any error `payload/external/` is left as it was, and the
 * folders made on the way to it (`payload/` of a pod that had none) are removed again.
 */
export async function resolveExternalPayloads(options: ResolveOptions): Promise<ResolvedPayload[]> {
  await requirePodFolder(options.root);
  const target = path.join(options.root, EXTERNAL_PAYLOAD_DIR);
  const missing = await missingFolders(options.root, EXTERNAL_PAYLOAD_DIR);
  try {
    return await resolveInto(target, options);
  } catch (error) {
    // Deepest first; a folder that holds something (another process wrote there) stays.
    for (const folder of missing.reverse()) await rmdir(folder).catch(() => undefined);
    throw error;
  }
}

/** The folders on the way from `root` to `root/relative` that do not exist yet, outermost first. */
async function missingFolders(root: string, relative: string): Promise<string[]> {
  const missing: string[] = [];
  let at = root;
  for (const segment of relative.split("/")) {
    at = path.join(at, segment);
    if (missing.length > 0 || !(await stat(at).catch(() => undefined))) missing.push(at);
  }
  return missing;
}

async function resolveInto(target: string, options: ResolveOptions): Promise<ResolvedPayload[]> {
  const resolved: ResolvedPayload[] = [];
  await buildFolderAtomically(
    target,
    async (staging) => {
      let remaining: UnpackLimits = { ...options.limits };
      for (const payload of options.payloads) {
        const label = describePayload(payload);
        const file = await fetchPayload(payload, options.storage, label);
        const kind = archiveKind(file.data);
        const writer = new SafeWriter(staging, label, remaining);
        let summary: { files: number; bytes: number };
        if (kind === "file") {
          const name = safeEntryPath(file.name, label);
          writer.count(file.data.length, name);
          await writer.file(name, [file.data], false);
          summary = { files: 1, bytes: file.data.length };
        } else {
          summary = await unpackArchive(file.data, staging, label, remaining);
        }
        remaining = { maxBytes: remaining.maxBytes - summary.bytes, maxEntries: remaining.maxEntries - summary.files };
        resolved.push({ ref: payload.ref, data: payload.data, kind: kind === "gzip" ? "tar" : kind, ...summary });
        log.info({ payload: label, kind, files: summary.files, bytes: summary.bytes }, "external payload resolved");
      }
    },
    { existing: "replace" },
  );
  return resolved;
}

function describePayload(payload: ExternalPayload): string {
  return payload.data && payload.data !== "/" ? `payload ${payload.ref}${payload.data.startsWith("/") ? "" : "/"}${payload.data}` : `payload ${payload.ref}`;
}

interface FetchedPayload {
  data: Uint8Array;
  name: string;
}

async function fetchPayload(payload: ExternalPayload, storage: PodStorage, label: string): Promise<FetchedPayload> {
  const inner = (payload.data ?? "").replace(/^\/+/, "");
  if (inner !== "") {
    try {
      const file = await storage.downloadFile(payload.ref, inner);
      return { data: file.data, name: path.posix.basename(inner) };
    } catch (error) {
      throw new PodError(`${label}: cannot fetch "${inner}" from collection ${payload.ref}: ${messageOf(error)}`);
    }
  }
  // A bare reference: a single-file upload (a manifest with an index document) or raw bytes.
  try {
    const file = await storage.downloadFile(payload.ref);
    return { data: file.data, name: sanitizeName(file.name) ?? payload.ref };
  } catch {
    try {
      return { data: await storage.downloadBytes(payload.ref), name: payload.ref };
    } catch (error) {
      throw new PodError(`${label}: cannot fetch ${payload.ref} as a file or as bytes: ${messageOf(error)}`);
    }
  }
}

function sanitizeName(name: string | undefined): string | undefined {
  if (!name) return undefined;
  const base = path.posix.basename(name.replace(/\\/g, "/"));
  return base === "" || base === "." || base === ".." || base.includes("\u0000") ? undefined : base;
}

function messageOf(error: unknown): string {
  if (error instanceof UnsafeArchiveError || error instanceof PodError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
