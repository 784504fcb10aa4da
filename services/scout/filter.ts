import type { LureContracts } from "../chain/contracts";
import { refHex, VISIBILITY_PUBLIC } from "../chain/refs";
import { read } from "../chain/transact";
import type { PodEvent } from "./follower";
import type { Finding } from "./state";

/**
 * Which pods the scout reports: public ones only, and of those the ones every configured criterion
 * matches (SCOUT_NAME_PATTERN, SCOUT_AUTHOR, SCOUT_GROUP, SCOUT_FORKS_OF). A new pod is matched on
 * its PodPublished event; a later version on the pod as the chain has it now. With a group, a pod
 * is found when it enters the group's catalogue (PodPosted: posting needs the pod to exist, so it
 * always follows the publishing), and a later version when the pod is in the catalogue.
 */
export interface ScoutFilter {
  namePattern?: RegExp;
  author?: string;
  groupId?: bigint;
  forksOf?: bigint;
}

/** The filter in words, for the start-up line and the docs' examples. */
export function describeFilter(filter: ScoutFilter): string {
  const parts: string[] = [];
  if (filter.namePattern) parts.push(`name ~ /${filter.namePattern.source}/`);
  if (filter.author) parts.push(`by ${filter.author}`);
  if (filter.groupId !== undefined) parts.push(`in group ${filter.groupId}'s catalogue`);
  if (filter.forksOf !== undefined) parts.push(`forks of pod ${filter.forksOf}`);
  return parts.length > 0 ? `public pods ${parts.join(", ")}` : "every public pod";
}

type FilterContracts = Pick<LureContracts, "registry" | "groups">;

interface PodFacts {
  podId: bigint;
  name: string;
  creator: string;
  parentPodId: bigint;
}

function matches(filter: ScoutFilter, pod: PodFacts): boolean {
  if (filter.namePattern && !filter.namePattern.test(pod.name)) return false;
  if (filter.author && pod.creator.toLowerCase() !== filter.author.toLowerCase()) return false;
  if (filter.forksOf !== undefined && pod.parentPodId !== filter.forksOf) return false;
  return true;
}

/** The finding an event makes, or undefined when it does not match. Reads the chain for versions and catalogue entries. */
export async function findingOf(contracts: FilterContracts, filter: ScoutFilter, event: PodEvent): Promise<Finding | undefined> {
  const at = { blockNumber: event.blockNumber, tx: event.tx };
  if (event.kind === "published") {
    // With a group, the pod is found when it is posted to the catalogue, which comes later.
    if (filter.groupId !== undefined || event.visibility !== VISIBILITY_PUBLIC || !matches(filter, event)) return undefined;
    return {
      key: `${event.podId}/1`,
      event: "pod",
      podId: event.podId.toString(),
      name: event.name,
      creator: event.creator,
      version: "1",
      manifestRef: event.manifestRef,
      parentPodId: event.parentPodId.toString(),
      ...at,
    };
  }
  if (event.kind === "version" && event.version === 1n) return undefined; // PodPublished stands for it
  if (event.kind === "posted" && event.groupId !== filter.groupId) return undefined;
  const { podId } = event;
  const pod = await read(() => contracts.registry.pod(podId), { action: `pod ${podId}` });
  if (Number(pod.visibility) !== VISIBILITY_PUBLIC) return undefined;
  const owner = await read(() => contracts.registry.ownerOf(podId), { action: `owner of pod ${podId}` });
  const facts: PodFacts = { podId, name: pod.name, creator: owner, parentPodId: pod.parentPodId };
  if (!matches(filter, facts)) return undefined;
  if (event.kind === "version") {
    if (filter.groupId !== undefined && !(await read(() => contracts.groups.hasPod(filter.groupId!, podId), { action: `catalogue of group ${filter.groupId}` }))) return undefined;
    return { key: `${podId}/${event.version}`, event: "version", podId: podId.toString(), name: pod.name, creator: owner, version: event.version.toString(), manifestRef: event.manifestRef, parentPodId: pod.parentPodId.toString(), ...at };
  }
  return {
    key: `${podId}/${pod.versionCount}@group${event.groupId}/${event.blockNumber}`,
    event: "catalogue",
    podId: podId.toString(),
    name: pod.name,
    creator: owner,
    version: pod.versionCount.toString(),
    manifestRef: refHex(pod.latestRef),
    parentPodId: pod.parentPodId.toString(),
    ...at,
  };
}
