import type { LureContracts } from "../chain/contracts";
import { eventsOf } from "../chain/events";
import { refHex, refToBytes32, visibilityName, type Visibility } from "../chain/refs";
import { decimalsOf } from "../chain/tokens";
import { read, transact } from "../chain/transact";
import { currentListing, type Listing } from "../market/listings";

/**
 * PodRegistry's own operations: publish a pod, add a version, and read a pod's whole record. The
 * `pod:*` tasks and persist/share use these; each transaction is simulated before it is sent.
 */

export interface PublishRequest {
  name: string;
  /** 64-hex Swarm reference (0x optional). */
  ref: string;
  /** VISIBILITY_PRIVATE or VISIBILITY_PUBLIC. */
  visibility: number;
  /** 0 for an original pod. */
  parentPodId: bigint;
  /** The parent's version that was forked; 0 for an original pod. */
  parentVersion: bigint;
  /** What forks of this pod will owe it, in basis points. */
  forkRoyaltyBps: number | bigint;
}

/** Registers a new pod (an ERC-721 token) owned by the account; returns its id and the transaction. */
export async function publishPod(contracts: LureContracts, request: PublishRequest): Promise<{ podId: bigint; tx: string }> {
  const { registry } = contracts;
  const receipt = await transact(
    registry.publish,
    [request.name, refToBytes32(request.ref), request.visibility, request.parentPodId, request.parentVersion, request.forkRoyaltyBps],
    { action: `publish "${request.name}"` },
  );
  const event = eventsOf(receipt, registry.interface, "PodPublished")[0];
  // The event is the answer; the name index gives the same one if a node dropped the log.
  const podId = event ? (event.args.podId as bigint) : await read(() => registry.podIdOf(contracts.account, request.name), { action: "podIdOf" });
  return { podId, tx: receipt.hash };
}

/** Appends a version to a pod the account owns (or operates); returns its number and the transaction. */
export async function publishVersion(contracts: LureContracts, podId: bigint, ref: string): Promise<{ version: bigint; tx: string }> {
  const { registry } = contracts;
  const receipt = await transact(registry.publishVersion, [podId, refToBytes32(ref)], { action: `publishVersion of pod ${podId}` });
  const event = eventsOf(receipt, registry.interface, "VersionPublished")[0];
  const version = event ? (event.args.version as bigint) : (await read(() => registry.pod(podId), { action: `pod ${podId}` })).versionCount;
  return { version, tx: receipt.hash };
}

/** A pod's whole public record: the registry's fields, its name and creator, its versions and its listing. */
export interface PodRecord {
  podId: bigint;
  /** From PodPublished; undefined when the node would not return the log. */
  name?: string;
  creator?: string;
  /** The registry keeps only the name's hash. */
  nameHash: string;
  owner: string;
  visibility: Visibility;
  versionCount: bigint;
  /** 64 hex, as Bee prints it. */
  latestRef: string;
  tokenURI: string;
  parentPodId: bigint;
  parentVersion: bigint;
  royaltyBps: bigint;
  forkRoyaltyBps: bigint;
  history: { version: bigint; ref: string; publishedAt: Date }[];
  listing?: Listing & { decimals: number };
}

/**
 * Reads a pod's record. A pod that does not exist is a ChainError naming the registry's error
 * (`PodRegistry: PodNotFound(podId=9)`). `fromBlock` bounds the search for PodPublished (the
 * registry's deployment block); public RPCs may still refuse the range, and the rest of the record
 * is worth having without the name.
 */
export async function describePod(contracts: Pick<LureContracts, "registry" | "market">, podId: bigint, options: { fromBlock?: number } = {}): Promise<PodRecord> {
  const { registry } = contracts;
  const pod = await read(() => registry.pod(podId), { action: `pod ${podId}` });
  const owner = await registry.ownerOf(podId);
  const published = await registry.queryFilter(registry.filters.PodPublished(podId), options.fromBlock).then(
    ([event]) => event,
    () => undefined,
  );
  const history: PodRecord["history"] = [];
  for (let n = 1n; n <= pod.versionCount; n++) {
    const version = await registry.version(podId, n);
    history.push({ version: n, ref: refHex(version.manifestRef), publishedAt: new Date(Number(version.publishedAt) * 1000) });
  }
  const listing = await currentListing(contracts, podId);
  return {
    podId,
    name: published?.args.name,
    creator: published?.args.owner,
    nameHash: pod.nameHash,
    owner,
    visibility: visibilityName(pod.visibility),
    versionCount: pod.versionCount,
    latestRef: refHex(pod.latestRef),
    tokenURI: await registry.tokenURI(podId),
    parentPodId: pod.parentPodId,
    parentVersion: pod.parentVersion,
    royaltyBps: pod.royaltyBps,
    forkRoyaltyBps: pod.forkRoyaltyBps,
    history,
    listing: listing && { ...listing, decimals: await decimalsOf(listing.token, registry.runner) },
  };
}
