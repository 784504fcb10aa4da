import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";

/**
 * Private pods: the pod's deterministic tar is sealed with AES-256-GCM under a fresh random key
 * per version and uploaded as plain bytes, so the Swarm reference (and anything fetched with it)
 * says nothing about the content. The key never leaves the owner's key folder unless the owner
 * hands it over (see docs/pods.md).
 */

/** Starts every sealed pod; also the GCM associated data, so a different format cannot be confused for this one. */
const MAGIC = Buffer.from("LURE-POD-AES256GCM-1\n", "latin1");
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;

export class PrivatePodError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PrivatePodError";
  }
}

export interface SealedPod {
  ciphertext: Uint8Array;
  key: Uint8Array;
}

/** Encrypts a pod archive under a new random key. */
export function sealPod(archive: Uint8Array, key: Uint8Array = randomBytes(KEY_BYTES)): SealedPod {
  if (key.length !== KEY_BYTES) throw new PrivatePodError(`a pod key is ${KEY_BYTES} bytes, got ${key.length}`);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(MAGIC);
  const body = Buffer.concat([cipher.update(archive), cipher.final()]);
  const sealed = Buffer.concat([MAGIC, iv, cipher.getAuthTag(), body]);
  return { ciphertext: new Uint8Array(sealed.buffer, sealed.byteOffset, sealed.byteLength), key };
}

/** True when the bytes start like a sealed pod. */
export function isSealedPod(bytes: Uint8Array): boolean {
  return bytes.length >= MAGIC.length + IV_BYTES + TAG_BYTES && Buffer.from(bytes.subarray(0, MAGIC.length)).equals(MAGIC);
}

/** Decrypts a sealed pod; a wrong key or altered bytes give an error, never wrong content. */
export function openSealedPod(sealed: Uint8Array, key: Uint8Array): Uint8Array {
  if (!isSealedPod(sealed)) throw new PrivatePodError("these bytes are not a sealed Lure pod");
  if (key.length !== KEY_BYTES) throw new PrivatePodError(`a pod key is ${KEY_BYTES} bytes, got ${key.length}`);
  let offset = MAGIC.length;
  const iv = sealed.subarray(offset, (offset += IV_BYTES));
  const tag = sealed.subarray(offset, (offset += TAG_BYTES));
  const decipher = createDecipheriv("aes-256-gcm", key, iv);
  decipher.setAAD(MAGIC);
  decipher.setAuthTag(tag);
  try {
    const plain = Buffer.concat([decipher.update(sealed.subarray(offset)), decipher.final()]);
    return new Uint8Array(plain.buffer, plain.byteOffset, plain.byteLength);
  } catch {
    throw new PrivatePodError("cannot decrypt the pod: wrong key or altered ciphertext");
  }
}

/** What the owner keeps for each private version: the key, and the plaintext hash that tells "unchanged". */
export interface PodKeyRecord {
  format: "lure-pod-key/1";
  /** Swarm reference of the ciphertext (64 hex). */
  ref: string;
  podName: string;
  /** AES-256 key, hex. */
  key: string;
  /** sha256 of the deterministic tar, hex. */
  contentSha256: string;
  createdAt: string;
}

export function contentHash(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

const REF = /^[0-9a-f]{64}$/;

function keyFile(keysDir: string, ref: string): string {
  if (!REF.test(ref)) throw new PrivatePodError(`expected a 64-hex Swarm reference, got ${JSON.stringify(ref)}`);
  return path.join(keysDir, `${ref}.json`);
}

/** Stores a key record, readable by its owner only, written whole or not at all. */
export async function saveKey(keysDir: string, record: PodKeyRecord): Promise<string> {
  await mkdir(keysDir, { recursive: true, mode: 0o700 });
  const file = keyFile(keysDir, record.ref);
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  await writeFile(temporary, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600, flag: "wx" });
  await rename(temporary, file);
  return file;
}

/** The key record for a ciphertext reference, or undefined when this machine does not hold it. */
export async function loadKey(keysDir: string, ref: string): Promise<PodKeyRecord | undefined> {
  const file = keyFile(keysDir, ref);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const record = JSON.parse(text) as PodKeyRecord;
  if (record.format !== "lure-pod-key/1" || record.ref !== ref || !/^[0-9a-f]{64}$/.test(record.key)) {
    throw new PrivatePodError(`${file}: not a valid pod key record`);
  }
  return record;
}

export function keyBytes(record: PodKeyRecord): Uint8Array {
  return Uint8Array.from(Buffer.from(record.key, "hex"));
}
