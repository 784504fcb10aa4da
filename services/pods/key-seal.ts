import { createCipheriv, createDecipheriv, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes, type KeyObject } from "node:crypto";
import { PrivatePodError, type PodKeyRecord } from "./private";

/**
 * A private pod version's key record sealed to one runner's X25519 public key (the key RunMarket
 * stores with the runner's registration), bound to the chain, the pod, the version and the runner:
 *
 *   shared  = X25519(ephemeral private key, runner public key)
 *   key     = HKDF-SHA256(ikm = shared, salt = ephemeral public ‖ runner public, info, 32 bytes)
 *   info    = "lure-pod-key/1" ‖ chainId (32 bytes, big-endian) ‖ podId (32) ‖ version (8) ‖ runner address (20)
 *   sealed  = "LURE-SEALED-POD-KEY-1\n" ‖ ephemeral public (32) ‖ IV (12) ‖ GCM tag (16) ‖ AES-256-GCM(key, record JSON)
 *
 * with the magic string and `info` as the GCM associated data. A sealed key opened with another
 * binding (another chain, pod, version or runner) derives another key and fails authentication, so
 * a grant cannot be replayed for a pod or version it was not made for.
 */

const MAGIC = Buffer.from("LURE-SEALED-POD-KEY-1\n", "latin1");
const INFO_LABEL = Buffer.from("lure-pod-key/1", "latin1");
const PUBLIC_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** A sealed record is small (the record JSON is a few hundred bytes): anything far larger is not one. */
const MAX_SEALED_BYTES = 16 * 1024;

/** What a sealed key is bound to. */
export interface KeyGrantBinding {
  chainId: bigint;
  podId: bigint;
  version: bigint;
  /** The runner's account (0x address). */
  runner: string;
}

/** The HKDF info of a binding: "lure-pod-key/1" ‖ chainId ‖ podId ‖ version ‖ runner. */
function grantInfo(binding: KeyGrantBinding): Buffer {
  const runner = binding.runner.toLowerCase();
  if (!/^0x[0-9a-f]{40}$/.test(runner)) throw new PrivatePodError(`expected a runner address (0x and 40 hex), got ${JSON.stringify(binding.runner)}`);
  if (binding.version < 1n || binding.version >= 1n << 64n) throw new PrivatePodError(`expected a pod version from 1, got ${binding.version}`);
  if (binding.podId < 1n || binding.chainId < 1n) throw new PrivatePodError(`expected positive chain and pod ids, got ${binding.chainId} and ${binding.podId}`);
  return Buffer.concat([INFO_LABEL, uint(binding.chainId, 32), uint(binding.podId, 32), uint(binding.version, 8), Buffer.from(runner.slice(2), "hex")]);
}

function uint(value: bigint, bytes: number): Buffer {
  if (value < 0n || value >= 1n << BigInt(bytes * 8)) throw new PrivatePodError(`${value} does not fit ${bytes} bytes`);
  return Buffer.from(value.toString(16).padStart(bytes * 2, "0"), "hex");
}

/** An X25519 public key from its raw 32 bytes (0x-hex, as RunMarket stores it). */
function x25519PublicKey(raw: string): KeyObject {
  const bytes = Buffer.from(raw.replace(/^0x/, ""), "hex");
  if (bytes.length !== PUBLIC_KEY_BYTES || /^0+$/.test(raw.replace(/^0x/, ""))) throw new PrivatePodError(`expected a 32-byte X25519 public key, got ${JSON.stringify(raw)}`);
  return createPublicKey({ key: { kty: "OKP", crv: "X25519", x: bytes.toString("base64url") }, format: "jwk" });
}

function rawPublic(key: KeyObject): Buffer {
  const jwk = key.export({ format: "jwk" });
  if (typeof jwk.x !== "string") throw new PrivatePodError("the X25519 key has no public part");
  return Buffer.from(jwk.x, "base64url");
}

function derive(shared: Buffer, ephemeralPublic: Buffer, runnerPublic: Buffer, info: Buffer): Buffer {
  // An all-zero secret comes from a low-order public key: refuse it rather than derive a guessable key.
  if (shared.every((byte) => byte === 0)) throw new PrivatePodError("the X25519 agreement gave a zero secret (a low-order public key)");
  return Buffer.from(hkdfSync("sha256", shared, Buffer.concat([ephemeralPublic, runnerPublic]), info, 32));
}

/** Seals a key record to a runner's X25519 public key (raw 32 bytes, 0x-hex) for one binding. */
export function sealKeyRecord(record: PodKeyRecord, runnerPublicKey: string, binding: KeyGrantBinding): Uint8Array {
  const info = grantInfo(binding);
  const recipient = x25519PublicKey(runnerPublicKey);
  const ephemeral = generateKeyPairSync("x25519");
  const ephemeralPublic = rawPublic(ephemeral.publicKey);
  let shared: Buffer;
  try {
    shared = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: recipient });
  } catch {
    throw new PrivatePodError(`the runner's public key ${runnerPublicKey} is not usable for X25519 (a low-order point)`);
  }
  const key = derive(shared, ephemeralPublic, rawPublic(recipient), info);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.concat([MAGIC, info]));
  const plain = Buffer.from(JSON.stringify({ format: record.format, ref: record.ref, podName: record.podName, key: record.key, contentSha256: record.contentSha256, createdAt: record.createdAt }), "utf8");
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  plain.fill(0);
  key.fill(0);
  const sealed = Buffer.concat([MAGIC, ephemeralPublic, iv, cipher.getAuthTag(), body]);
  return new Uint8Array(sealed.buffer, sealed.byteOffset, sealed.byteLength);
}

/**
 * Opens a sealed key record with the runner's X25519 private key, for the binding the caller
 * expects (its chain, the pod and version it runs, its own address). Any other binding, another
 * private key or altered bytes give a PrivatePodError, never a wrong record.
 */
export function openSealedKey(sealed: Uint8Array, runnerPrivateKey: KeyObject, binding: KeyGrantBinding): PodKeyRecord {
  if (sealed.length > MAX_SEALED_BYTES) throw new PrivatePodError(`a sealed key is at most ${MAX_SEALED_BYTES} bytes, got ${sealed.length}`);
  if (sealed.length < MAGIC.length + PUBLIC_KEY_BYTES + IV_BYTES + TAG_BYTES || !Buffer.from(sealed.subarray(0, MAGIC.length)).equals(MAGIC)) {
    throw new PrivatePodError("these bytes are not a sealed Lure pod key");
  }
  if (runnerPrivateKey.asymmetricKeyType !== "x25519" || runnerPrivateKey.type !== "private") throw new PrivatePodError("opening a sealed key needs an X25519 private key");
  const info = grantInfo(binding);
  let offset = MAGIC.length;
  const ephemeralPublic = Buffer.from(sealed.subarray(offset, (offset += PUBLIC_KEY_BYTES)));
  const iv = sealed.subarray(offset, (offset += IV_BYTES));
  const tag = sealed.subarray(offset, (offset += TAG_BYTES));
  let key: Buffer;
  try {
    const ephemeral = x25519PublicKey(`0x${ephemeralPublic.toString("hex")}`);
    key = derive(diffieHellman({ privateKey: runnerPrivateKey, publicKey: ephemeral }), ephemeralPublic, rawPublic(createPublicKey(runnerPrivateKey)), info);
  } catch {
    throw new PrivatePodError("the sealed key's ephemeral public key is not usable");
  }
  let plain: Buffer;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, iv);
    decipher.setAAD(Buffer.concat([MAGIC, info]));
    decipher.setAuthTag(tag);
    plain = Buffer.concat([decipher.update(sealed.subarray(offset)), decipher.final()]);
  } catch {
    throw new PrivatePodError(
      `the sealed key does not open for pod ${binding.podId} version ${binding.version}, runner ${binding.runner} on chain ${binding.chainId}: sealed for another pod, version, runner or key, or altered`,
    );
  } finally {
    key.fill(0);
  }
  try {
    return parseRecord(plain);
  } finally {
    plain.fill(0);
  }
}

function parseRecord(plain: Buffer): PodKeyRecord {
  let value: unknown;
  try {
    value = JSON.parse(plain.toString("utf8"));
  } catch {
    throw new PrivatePodError("the sealed key holds no valid key record");
  }
  const record = value as Partial<PodKeyRecord> | null;
  if (
    !record ||
    record.format !== "lure-pod-key/1" ||
    typeof record.ref !== "string" ||
    !/^[0-9a-f]{64}$/.test(record.ref) ||
    typeof record.key !== "string" ||
    !/^[0-9a-f]{64}$/.test(record.key) ||
    typeof record.contentSha256 !== "string" ||
    !/^[0-9a-f]{64}$/.test(record.contentSha256)
  ) {
    throw new PrivatePodError("the sealed key holds no valid key record");
  }
  return {
    format: "lure-pod-key/1",
    ref: record.ref,
    podName: typeof record.podName === "string" ? record.podName : "",
    key: record.key,
    contentSha256: record.contentSha256,
    createdAt: typeof record.createdAt === "string" ? record.createdAt : "",
  };
}
