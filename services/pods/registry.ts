import type { PodContracts } from "../chain/contracts";
import { eventsOf } from "../chain/events";
import { refHex, refToBytes32, visibilityName, type Visibility } from "../chain/refs";
import { decimalsOf } from "../chain/tokens";
import { read, transact } from "../chain/transact";
import { licencesTransferable } from "../market/licenses";
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
  /**
   * What forks of this pod will owe it, in basis points. Default: 0 for an original; for a fork,
   * what it owes its parent (the parent's forkRoyaltyBps), the least a fork may ask.
   */
  forkRoyaltyBps?: number | bigint;
}

/**
 * Registers a new pod (an ERC-721 token) minted to the account, its creator; the name must be new
 * among the account's own pods (PodRegistryNameTaken otherwise) and stays with the creator for good.
 */
export async function publishPod(contracts: PodContracts, request: PublishRequest): Promise<{ podId: bigint; tx: string }> {
  const { registry } = contracts;
  const forkRoyaltyBps =
    request.forkRoyaltyBps ??
    (request.parentPodId === 0n ? 0n : (await read(() => registry.pod(request.parentPodId), { action: `pod ${request.parentPodId}` })).forkRoyaltyBps);
  const receipt = await transact(
    registry.publish,
    [request.name, refToBytes32(request.ref), request.visibility, request.parentPodId, request.parentVersion, forkRoyaltyBps],
    { action: `publish "${request.name}"` },
  );
  const event = eventsOf(receipt, registry.interface, "PodPublished")[0];
  // The event is the answer; the name index gives the same one if a node dropped the log.
  const podId = event ? (event.args.podId as bigint) : await read(() => registry.podIdOf(contracts.account, request.name), { action: "podIdOf" });
  return { podId, tx: receipt.hash };
}

/**
 * Appends a version to a pod the account owns (or operates); returns its number and the
 * transaction. The pod's revision goes up: quotes made before it no longer buy.
 */
export async function publishVersion(contracts: PodContracts, podId: bigint, ref: string): Promise<{ version: bigint; tx: string }> {
  const { registry } = contracts;
  const receipt = await transact(registry.publishVersion, [podId, refToBytes32(ref)], { action: `publishVersion of pod ${podId}` });
  const event = eventsOf(receipt, registry.interface, "VersionPublished")[0];
  const version = event ? (event.args.version as bigint) : (await read(() => registry.pod(podId), { action: `pod ${podId}` })).versionCount;
  return { version, tx: receipt.hash };
}

/** A pod's whole public record: the registry's fields, its creator, its versions, licences and listing. */
export interface PodRecord {
  podId: bigint;
  /** Unique among its creator's pods and fixed for good: `podIdOf(creator, name)` finds it. */
  name: string;
  /** From PodPublished; undefined when the node would not return the log. */
  creator?: string;
  owner: string;
  visibility: Visibility;
  versionCount: bigint;
  /** The content revision a buyer is quoted: 1 at publish, +1 per version and per visibility change. */
  revision: bigint;
  /** 64 hex, as Bee prints it. */
  latestRef: string;
  /** ERC-721 metadata (a data URI with JSON). */
  tokenURI: string;
  /** `external_url` of the metadata: `bzz://<latest reference>` for a public pod, undefined for a private one. */
  externalUrl?: string;
  parentPodId: bigint;
  parentVersion: bigint;
  royaltyBps: bigint;
  forkRoyaltyBps: bigint;
  history: { version: bigint; ref: string; publishedAt: Date }[];
  licences: {
    /** Whether holders may transfer (resell) their licences, as the seller listed them. */
    transferable: boolean;
    /** Licences sold (LicensePurchased events); undefined when the node would not return the logs. */
    sold?: number;
  };
  listing?: Listing & { decimals: number };
}

/** `external_url` of the JSON inside a `data:application/json;base64,` token URI, or undefined. */
function externalUrlOf(tokenURI: string): string | undefined {
  const prefix = "data:application/json;base64,";
  if (!tokenURI.startsWith(prefix)) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(tokenURI.slice(prefix.length), "base64").toString("utf8"));
    const url = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>).external_url : undefined;
    return typeof url === "string" ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads a pod's record. A pod that does not exist is a ChainError naming the registry's error
 * (`PodRegistry: ERC721NonexistentToken(tokenId=9) — pod 9 does not exist`). `fromBlock` bounds the
 * searches for PodPublished and LicensePurchased (the deployment block); public RPCs may still
 * refuse the range, and the rest of the record is worth having without the creator and the count.
 */
export async function describePod(contracts: Pick<PodContracts, "registry" | "market" | "licenses">, podId: bigint, options: { fromBlock?: number } = {}): Promise<PodRecord> {
  const { registry, market } = contracts;
  const pod = await read(() => registry.pod(podId), { action: `pod ${podId}` });
  const owner = await registry.ownerOf(podId);
  const published = await registry.queryFilter(registry.filters.PodPublished(podId), options.fromBlock).then(
    ([event]) => event,
    () => undefined,
  );
  const sold = await market.queryFilter(market.filters.LicensePurchased(podId), options.fromBlock).then(
    (events) => events.length,
    () => undefined,
  );
  const history: PodRecord["history"] = [];
  for (let n = 1n; n <= pod.versionCount; n++) {
    const version = await registry.version(podId, n);
    history.push({ version: n, ref: refHex(version.manifestRef), publishedAt: new Date(Number(version.publishedAt) * 1000) });
  }
  const listing = await currentListing(contracts, podId);
  const tokenURI = await registry.tokenURI(podId);
  return {
    podId,
    name: pod.name,
    creator: published?.args.creator,
    owner,
    visibility: visibilityName(pod.visibility),
    versionCount: pod.versionCount,
    revision: pod.revision,
    latestRef: refHex(pod.latestRef),
    tokenURI,
    externalUrl: externalUrlOf(tokenURI),
    parentPodId: pod.parentPodId,
    parentVersion: pod.parentVersion,
    royaltyBps: pod.royaltyBps,
    forkRoyaltyBps: pod.forkRoyaltyBps,
    history,
    licences: { transferable: await licencesTransferable(contracts, podId), sold },
    listing: listing && { ...listing, decimals: await decimalsOf(listing.token, registry.runner) },
  };
}
