import type { PodContracts } from "../chain/contracts";
import { refHex, visibilityName, VISIBILITY_PRIVATE, VISIBILITY_PUBLIC } from "../chain/refs";
import { read, simulate, transact } from "../chain/transact";
import { logger } from "../log";
import type { UnpackLimits } from "./archive";
import { unpackArchive } from "./archive";
import { PodError } from "./errors";
import { keyBytes, loadKey, openSealedPod } from "./private";
import { publishVersion } from "./registry";
import { POD_INDEX_DOCUMENT, type PodStorage } from "./storage";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

const log = logger("pods");

export interface ShareOptions {
  podId: bigint;
  visibility: "public" | "private";
  contracts: PodContracts;
  storage: PodStorage;
  keysDir: string;
  limits: UnpackLimits;
  progress?: (line: string) => void;
}

export interface ShareResult {
  podId: bigint;
  visibility: "public" | "private";
  /** False when the pod already had that visibility. */
  changed: boolean;
  /** Set when making a private pod public published its latest version in the clear. */
  publishedVersion?: { version: number; reference: string };
  transactions: string[];
}

/**
 * Sets who may read a pod. Making a private pod public also publishes its latest version in the
 * clear (decrypted with the owner's key), since a public pod must be readable by anyone with its
 * reference or id. Making a public pod private hides it from forks; versions already published in
 * the clear stay readable on Swarm, and the next persist is encrypted.
 */
export async function sharePod(options: ShareOptions): Promise<ShareResult> {
  const { contracts, podId } = options;
  const say = options.progress ?? (() => undefined);
  const exists = await read(() => contracts.registry.exists(podId), { action: "exists" });
  if (!exists) throw new PodError(`pod ${podId} does not exist on chain`);
  const pod = await read(() => contracts.registry.pod(podId), { action: `pod ${podId}` });
  const current = visibilityName(pod.visibility);
  const result: ShareResult = { podId, visibility: options.visibility, changed: false, transactions: [] };
  if (current === options.visibility) return result;

  const target = options.visibility === "public" ? VISIBILITY_PUBLIC : VISIBILITY_PRIVATE;
  // Simulate the visibility change first, so a caller who does not own the pod uploads nothing.
  const setVisibility = { action: `set visibility of pod ${podId}` };
  await simulate(contracts.registry.setVisibility, [podId, target], setVisibility);

  if (options.visibility === "public") {
    const latestRef = refHex(pod.latestRef);
    const key = await loadKey(options.keysDir, latestRef);
    if (key) {
      say(`pod ${podId}: decrypting version ${pod.versionCount} to publish it in the clear`);
      const reference = await publishInTheClear(latestRef, keyBytes(key), options);
      const published = await publishVersion(contracts, podId, reference);
      result.publishedVersion = { version: Number(published.version), reference };
      result.transactions.push(published.tx);
    } else if (!(await isPlainPod(latestRef, options.storage))) {
      throw new PodError(
        `pod ${podId}: its latest version ${latestRef} is encrypted and its key is not in ${options.keysDir}; persist the folder again or restore the key first`,
      );
    }
  }

  const receipt = await transact(contracts.registry.setVisibility, [podId, target], setVisibility);
  result.transactions.push(receipt.hash);
  result.changed = true;
  log.info({ podId: podId.toString(), visibility: options.visibility }, "pod visibility changed");
  return result;
}

async function isPlainPod(ref: string, storage: PodStorage): Promise<boolean> {
  try {
    await storage.downloadFile(ref, POD_INDEX_DOCUMENT);
    return true;
  } catch {
    return false;
  }
}

/** Decrypts a sealed version and uploads its files as an ordinary pod collection. */
async function publishInTheClear(ref: string, key: Uint8Array, options: ShareOptions): Promise<string> {
  const sealed = await options.storage.downloadBytes(ref);
  const archive = openSealedPod(sealed, key);
  const scratch = await mkdtemp(path.join(os.tmpdir(), "lure-share-"));
  try {
    await unpackArchive(archive, scratch, `pod version ${ref}`, options.limits);
    const files = await listFiles(scratch);
    return await options.storage.uploadCollection(files, { indexDocument: POD_INDEX_DOCUMENT });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function listFiles(root: string): Promise<{ path: string; data: Uint8Array }[]> {
  const out: { path: string; data: Uint8Array }[] = [];
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(path.join(root, relative), { withFileTypes: true });
    for (const entry of entries) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(child);
      else if (entry.isFile()) out.push({ path: child, data: await readFile(path.join(root, child)) });
    }
  };
  await walk("");
  return out.sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
}
