import { createHash, createPrivateKey, type KeyObject } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { ZeroHash } from "ethers";
import * as tar from "tar-stream";
import type { PodKeyGrants } from "../../typechain-types";
import { refHex } from "../chain/refs";
import { RUNNER_KEY_FILE } from "../market/runners";
import { openSealedKey } from "../pods/key-seal";
import { keyBytes, openSealedPod, PrivatePodError } from "../pods/private";
import type { PodStorage } from "../pods/storage";

/**
 * How a runner opens a private pod it was granted: the grant on chain (PodKeyGrants) names the
 * sealed key record on Swarm; the runner opens it with its X25519 private key for its own binding
 * (chain, pod, version, runner), checks that the record is for the version's on-chain reference,
 * decrypts the pod in memory and checks the plaintext's sha256 against the record. The pod key and
 * the plaintext tar stay in memory: nothing here writes to disk or logs them, and the key bytes are
 * wiped once used.
 */

export interface PrivatePodAccess {
  keyGrants: Pick<PodKeyGrants, "sealedKeyOf">;
  chainId: bigint;
  /** The runner's account. */
  runner: string;
  /** The runner's X25519 private key; undefined when it has none (its private runs then fail as FetchPod). */
  privateKey?: KeyObject;
  /** Where the key was looked for, for the error when it is missing. */
  keyFile: string;
}

/** The runner's X25519 private key in `dir` (runner:register's `runner-x25519.pem`), or undefined when there is none. */
export async function readRunnerPrivateKey(dir: string): Promise<{ privateKey?: KeyObject; keyFile: string }> {
  const keyFile = path.join(path.resolve(dir), RUNNER_KEY_FILE);
  let pem: string;
  try {
    pem = await readFile(keyFile, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { keyFile };
    throw new Error(`runner key ${keyFile}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new Error(`runner key ${keyFile}: not a PEM private key`);
  }
  if (privateKey.asymmetricKeyType !== "x25519") throw new Error(`runner key ${keyFile}: an ${privateKey.asymmetricKeyType ?? "unknown"} key, not X25519`);
  return { privateKey, keyFile };
}

/** The decrypted pod (its deterministic tar) and where its key came from. */
export interface OpenedPrivatePod {
  tar: Uint8Array;
  sealedKeyRef: string;
}

/**
 * Opens version `version` of private pod `podId`, whose on-chain manifest reference is `podRef`.
 * Throws a PrivatePodError naming what is wrong: no grant, no runner key, a sealed key that does not
 * open (sealed for another pod, version, runner or key), a record for another reference, a pod whose
 * content does not match the record.
 */
export async function openPrivatePod(access: PrivatePodAccess, storage: PodStorage, podId: bigint, version: bigint, podRef: string): Promise<OpenedPrivatePod> {
  const label = `private pod ${podId} version ${version}`;
  let sealedRef: string;
  try {
    sealedRef = await access.keyGrants.sealedKeyOf(podId, version, access.runner);
  } catch (error) {
    throw new PrivatePodError(`${label}: the key grant could not be read from PodKeyGrants (${error instanceof Error ? error.message : String(error)})`);
  }
  if (sealedRef === ZeroHash) throw new PrivatePodError(`${label}: this runner (${access.runner}) holds no key grant for it`);
  if (!access.privateKey) throw new PrivatePodError(`${label}: this runner has no X25519 key (${access.keyFile}) to open its sealed key`);
  const sealedKeyRef = refHex(sealedRef);
  let sealed: Uint8Array;
  try {
    sealed = await storage.downloadBytes(sealedKeyRef);
  } catch (error) {
    throw new PrivatePodError(`${label}: the sealed key ${sealedKeyRef} could not be downloaded (${error instanceof Error ? error.message : String(error)})`);
  }
  const record = openSealedKey(sealed, access.privateKey, { chainId: access.chainId, podId, version, runner: access.runner });
  if (record.ref !== podRef) throw new PrivatePodError(`${label}: the sealed key ${sealedKeyRef} is for ${record.ref}, not the version's reference ${podRef}`);
  let ciphertext: Uint8Array;
  try {
    ciphertext = await storage.downloadBytes(podRef);
  } catch (error) {
    throw new PrivatePodError(`${label}: ${podRef} could not be downloaded (${error instanceof Error ? error.message : String(error)})`);
  }
  const key = keyBytes(record);
  let plain: Uint8Array;
  try {
    plain = openSealedPod(ciphertext, key);
  } catch (error) {
    throw new PrivatePodError(`${label}: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    key.fill(0);
  }
  if (createHash("sha256").update(plain).digest("hex") !== record.contentSha256) {
    plain.fill(0);
    throw new PrivatePodError(`${label}: the decrypted pod does not match the content hash of its key record`);
  }
  return { tar: plain, sealedKeyRef };
}

/** One file of a tar, read in memory (at most `maxBytes`), or undefined when the tar has no such file. */
export async function tarFile(bytes: Uint8Array, name: string, maxBytes: number): Promise<Uint8Array | undefined> {
  const extract = tar.extract();
  const source = Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]);
  source.pipe(extract);
  try {
    for await (const entry of extract) {
      const header = entry.header;
      if ((header.type ?? "file") !== "file" || header.name.replace(/^\.?\/+/, "") !== name) {
        entry.resume();
        continue;
      }
      if ((header.size ?? 0) > maxBytes) throw new PrivatePodError(`${name} in the pod is ${header.size} bytes, above ${maxBytes}`);
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    }
    return undefined;
  } finally {
    source.unpipe(extract);
    extract.destroy();
  }
}
