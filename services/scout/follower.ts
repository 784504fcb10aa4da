import type { Interface } from "ethers";
import { refHex } from "../chain/refs";
import { hexQuantity, type RpcClient } from "../chain/rpc";

/**
 * Reads what the scout looks at straight from the chain (eth_getLogs through the RpcClient, retried
 * until it succeeds; no indexer needed): PodRegistry's PodPublished and VersionPublished, and, when
 * a group is followed, GroupRegistry's PodPosted for that group. The cursor is the caller's: a range
 * is read again until its findings are saved.
 */

/** Blocks per eth_getLogs call: within what hosted RPCs accept. */
export const MAX_RANGE = 2_000;

export type PodEvent =
  | { kind: "published"; podId: bigint; creator: string; parentPodId: bigint; name: string; manifestRef: string; visibility: number; blockNumber: number; tx: string }
  | { kind: "version"; podId: bigint; version: bigint; manifestRef: string; publisher: string; blockNumber: number; tx: string }
  | { kind: "posted"; groupId: bigint; podId: bigint; blockNumber: number; tx: string };

interface RawLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: string;
  logIndex: string;
  transactionHash: string;
}

interface Source {
  address: string;
  interface: Interface;
}

export class PodFollower {
  constructor(
    private readonly rpc: RpcClient,
    private readonly registry: Source,
    /** GroupRegistry and the group whose catalogue is followed, when SCOUT_GROUP is set. */
    private readonly group?: Source & { groupId: bigint },
  ) {}

  /** The events of blocks fromBlock..toBlock (at most MAX_RANGE of them), in chain order. */
  async read(fromBlock: number, toBlock: number): Promise<PodEvent[]> {
    const range = { fromBlock: hexQuantity(fromBlock), toBlock: hexQuantity(toBlock) };
    const registryTopics = ["PodPublished", "VersionPublished"].map((name) => this.registry.interface.getEvent(name)!.topicHash);
    const calls = [this.logs(`PodRegistry logs ${fromBlock}..${toBlock}`, { address: this.registry.address, ...range, topics: [registryTopics] })];
    if (this.group) {
      const posted = this.group.interface.getEvent("PodPosted")!.topicHash;
      calls.push(this.logs(`GroupRegistry logs ${fromBlock}..${toBlock}`, { address: this.group.address, ...range, topics: [posted, hexQuantity32(this.group.groupId)] }));
    }
    const logs = (await Promise.all(calls)).flat();
    logs.sort((a, b) => Number(BigInt(a.blockNumber) - BigInt(b.blockNumber)) || Number(BigInt(a.logIndex) - BigInt(b.logIndex)));
    const events: PodEvent[] = [];
    for (const log of logs) {
      const fromGroups = this.group && log.address.toLowerCase() === this.group.address.toLowerCase();
      const parsed = (fromGroups ? this.group.interface : this.registry.interface).parseLog({ topics: log.topics, data: log.data });
      if (!parsed) continue;
      const at = { blockNumber: Number(BigInt(log.blockNumber)), tx: log.transactionHash };
      const arg = (name: string) => parsed.args.getValue(name) as unknown;
      if (parsed.name === "PodPublished") {
        events.push({
          kind: "published",
          podId: arg("podId") as bigint,
          creator: String(arg("creator")),
          parentPodId: arg("parentPodId") as bigint,
          name: String(arg("name")),
          manifestRef: refHex(String(arg("manifestRef"))),
          visibility: Number(arg("visibility")),
          ...at,
        });
      } else if (parsed.name === "VersionPublished") {
        events.push({ kind: "version", podId: arg("podId") as bigint, version: arg("version") as bigint, manifestRef: refHex(String(arg("manifestRef"))), publisher: String(arg("publisher")), ...at });
      } else if (parsed.name === "PodPosted") {
        events.push({ kind: "posted", groupId: arg("groupId") as bigint, podId: arg("podId") as bigint, ...at });
      }
    }
    return events;
  }

  private logs(label: string, filter: Record<string, unknown>): Promise<RawLog[]> {
    return this.rpc.retry(label, () => this.rpc.send<RawLog[]>("eth_getLogs", [filter]));
  }
}

/** An id as a 32-byte topic. */
function hexQuantity32(value: bigint): string {
  return `0x${value.toString(16).padStart(64, "0")}`;
}
