import { ZeroAddress, ZeroHash, getAddress } from "ethers";
import type { LureContracts } from "../chain/contracts";
import { refHex, refToBytes32, VISIBILITY_PRIVATE } from "../chain/refs";
import { read, simulate, transact } from "../chain/transact";
import { sealKeyRecord } from "../pods/key-seal";
import { loadKey } from "../pods/private";
import type { PodStorage } from "../pods/storage";
import { MarketError } from "./errors";
import { readRunner } from "./runners";

/**
 * Key grants of private pods (PodKeyGrants): the owner seals a version's key record to a runner's
 * registered X25519 key, uploads the sealed record to Swarm and records the grant on chain, so that
 * RunMarket accepts runs of that version on that runner; a revocation stops later runs. Every refusal
 * the chain's state or the owner's key folder can show is reported, naming the value, before anything
 * is uploaded or sent.
 */

export type KeyGrantContracts = Pick<LureContracts, "registry" | "runMarket" | "keyGrants" | "account">;

export interface GrantKeyRequest {
  podId: bigint;
  /** Default: the latest version. */
  version?: bigint;
  runner: string;
  /** The owner's key folder (pod:persist's POD_KEYS_DIR / --keys-dir). */
  keysDir: string;
  storage: PodStorage;
  chainId: bigint;
  progress?: (line: string) => void;
}

export interface KeyGrantResult {
  podId: bigint;
  version: bigint;
  runner: string;
  /** The Swarm reference of the sealed key record (64 hex); the one revoked for a revocation. */
  sealedKeyRef: string;
  /** The version's manifest reference (the ciphertext the key opens). */
  podRef: string;
  tx: string;
}

/** A pod that exists and is private, with its version resolved (default latest) and its reference. */
async function privateVersion(contracts: KeyGrantContracts, podId: bigint, version: bigint | undefined): Promise<{ version: bigint; podRef: string }> {
  const exists = await read(() => contracts.registry.exists(podId), { action: `pod ${podId}` });
  if (!exists) throw new MarketError(`pod ${podId} does not exist on chain`);
  const pod = await read(() => contracts.registry.pod(podId), { action: `pod ${podId}` });
  if (Number(pod.visibility) !== VISIBILITY_PRIVATE) throw new MarketError(`pod ${podId} is public: anyone may run it, there is no key to grant`);
  const latest = pod.versionCount;
  const chosen = version ?? latest;
  if (chosen < 1n || chosen > latest) throw new MarketError(`pod ${podId} has no version ${chosen} (latest ${latest})`);
  const stored = await read(() => contracts.registry.version(podId, chosen), { action: `pod ${podId} version ${chosen}` });
  return { version: chosen, podRef: refHex(stored.manifestRef) };
}

/** The caller must own the pod or be approved for it, as PodKeyGrants checks. */
async function requireOwnerOrOperator(contracts: KeyGrantContracts, podId: bigint): Promise<void> {
  const caller = contracts.account;
  const owner = await read(() => contracts.registry.ownerOf(podId), { action: `owner of pod ${podId}` });
  if (owner.toLowerCase() === caller.toLowerCase()) return;
  const [operator, approved] = await Promise.all([
    read(() => contracts.registry.isApprovedForAll(owner, caller), { action: `approvals of ${owner}` }),
    read(() => contracts.registry.getApproved(podId), { action: `approval of pod ${podId}` }),
  ]);
  if (operator || approved.toLowerCase() === caller.toLowerCase()) return;
  throw new MarketError(`${caller} neither owns pod ${podId} (its owner is ${owner}) nor is approved for it`);
}

function checkedRunner(runner: string): string {
  let address: string;
  try {
    address = getAddress(runner);
  } catch {
    throw new MarketError(`runner: expected an address, got ${JSON.stringify(runner)}`);
  }
  if (address === ZeroAddress) throw new MarketError("runner: the zero address is not a runner");
  return address;
}

/**
 * Seals the version's key (from the owner's key folder) to the runner's registered key, uploads it,
 * and records the grant. Checked first: the pod exists and is private, the version exists, the caller
 * owns the pod or is approved, the runner is registered with a key, the key folder holds the version's
 * key, and the transaction would pass (simulated before the upload).
 */
export async function grantPodKey(contracts: KeyGrantContracts, request: GrantKeyRequest): Promise<KeyGrantResult> {
  const say = request.progress ?? (() => undefined);
  const runner = checkedRunner(request.runner);
  const { version, podRef } = await privateVersion(contracts, request.podId, request.version);
  await requireOwnerOrOperator(contracts, request.podId);
  const state = await readRunner(contracts, runner);
  if (!state.registered) throw new MarketError(`runner ${runner} is not registered on the run market`);
  if (!state.publicKey) throw new MarketError(`runner ${runner} has no X25519 key on the run market`);
  const record = await loadKey(request.keysDir, podRef);
  if (!record) {
    throw new MarketError(`no key for pod ${request.podId} version ${version} (${podRef}) in ${request.keysDir}: the key is kept where pod:persist sealed it (--keys-dir, POD_KEYS_DIR)`);
  }
  const sealed = sealKeyRecord(record, state.publicKey, { chainId: request.chainId, podId: request.podId, version, runner });
  const action = { action: `grant pod ${request.podId} version ${version} to runner ${runner}` };
  // Before the upload: a refusal (not the owner, the pod changed) leaves nothing on Swarm.
  await simulate(contracts.keyGrants.grantKey, [request.podId, version, runner, refToBytes32("11".repeat(32))], action);
  say(`uploading the key sealed to runner ${runner}`);
  const sealedKeyRef = await request.storage.uploadBytes(sealed);
  const receipt = await transact(contracts.keyGrants.grantKey, [request.podId, version, runner, refToBytes32(sealedKeyRef)], action);
  return { podId: request.podId, version, runner, sealedKeyRef, podRef, tx: receipt.hash };
}

export interface RevokeKeyRequest {
  podId: bigint;
  /** Default: the latest version. */
  version?: bigint;
  runner: string;
}

/** Removes a runner's grant for a pod version: RunMarket refuses its later runs (and claims of runs already requested). */
export async function revokePodKey(contracts: KeyGrantContracts, request: RevokeKeyRequest): Promise<KeyGrantResult> {
  const runner = checkedRunner(request.runner);
  const exists = await read(() => contracts.registry.exists(request.podId), { action: `pod ${request.podId}` });
  if (!exists) throw new MarketError(`pod ${request.podId} does not exist on chain`);
  const pod = await read(() => contracts.registry.pod(request.podId), { action: `pod ${request.podId}` });
  const version = request.version ?? pod.versionCount;
  if (version < 1n || version > pod.versionCount) throw new MarketError(`pod ${request.podId} has no version ${version} (latest ${pod.versionCount})`);
  await requireOwnerOrOperator(contracts, request.podId);
  const sealed = await read(() => contracts.keyGrants.sealedKeyOf(request.podId, version, runner), { action: "grant" });
  if (sealed === ZeroHash) throw new MarketError(`runner ${runner} holds no key grant for pod ${request.podId} version ${version}`);
  const stored = await read(() => contracts.registry.version(request.podId, version), { action: `pod ${request.podId} version ${version}` });
  const receipt = await transact(contracts.keyGrants.revokeKey, [request.podId, version, runner], { action: `revoke the key of pod ${request.podId} version ${version} from runner ${runner}` });
  return { podId: request.podId, version, runner, sealedKeyRef: refHex(sealed), podRef: refHex(stored.manifestRef), tx: receipt.hash };
}
