import type { Interface, LogDescription } from "ethers";
import { hexQuantity, type RpcClient } from "../chain/rpc";
import { refHex } from "../chain/refs";
import type { FollowState, RunPlan } from "./journal";

/**
 * Follows RunMarket's request, claim and ending events straight from the chain (eth_getLogs), so a
 * runner keeps working when the indexer is down, and keeps the set of runs still open: requested or
 * claimed, not ended. The set and the cursor are saved by the caller after every step (FollowState),
 * so a restarted runner neither rescans the chain from its start nor forgets an open run.
 */

/** Blocks per eth_getLogs call: within what hosted RPCs accept for one contract's logs. */
const MAX_RANGE = 2_000;

const FOLLOWED_EVENTS = [
  "RunRequested",
  "TaskRequested",
  "StageRequested",
  "RunClaimed",
  "StageCompleted",
  "RunCompleted",
  "RunFailed",
  "RunExpired",
  "RunCancelled",
] as const;

export interface OpenRun {
  plan: RunPlan;
  /** The runner holding the claim, when claimed. */
  claimant?: string;
  /** When that claim lapses; undefined after a stage report renewed it by an unknown amount (read the chain). */
  claimedUntil?: number;
}

interface RawLog {
  topics: string[];
  data: string;
  blockNumber: string;
  logIndex: string;
}

export class RunFollower {
  readonly open = new Map<string, OpenRun>();
  private readonly stagesBeingRequested = new Map<string, { podId: string; version: string }[]>();
  private readonly topics: string[];
  nextBlock: number;

  constructor(
    private readonly rpc: RpcClient,
    private readonly runMarket: { address: string; interface: Interface },
    private readonly chainId: number,
    startBlock: number,
    saved?: FollowState,
  ) {
    this.topics = FOLLOWED_EVENTS.map((name) => {
      const event = runMarket.interface.getEvent(name);
      if (!event) throw new Error(`RunMarket's ABI has no event ${name}`);
      return event.topicHash;
    });
    const usable = saved && saved.chainId === chainId && saved.runMarket.toLowerCase() === runMarket.address.toLowerCase();
    this.nextBlock = usable ? saved.nextBlock : startBlock;
    if (usable) for (const run of saved.open) this.open.set(run.plan.runId, { ...run });
  }

  state(): FollowState {
    return { chainId: this.chainId, runMarket: this.runMarket.address, nextBlock: this.nextBlock, open: [...this.open.values()].map((run) => ({ ...run })) };
  }

  /** Reads the next range of logs up to `safeHead`; returns how many blocks were read (0 when caught up). */
  async step(safeHead: number): Promise<number> {
    if (this.nextBlock > safeHead) return 0;
    const toBlock = Math.min(safeHead, this.nextBlock + MAX_RANGE - 1);
    const logs = await this.rpc.retry(`eth_getLogs(${this.nextBlock}..${toBlock})`, () =>
      this.rpc.send<RawLog[]>("eth_getLogs", [{ address: this.runMarket.address, fromBlock: hexQuantity(this.nextBlock), toBlock: hexQuantity(toBlock), topics: [this.topics] }]),
    );
    const ordered = [...logs].sort((a, b) => Number(BigInt(a.blockNumber) - BigInt(b.blockNumber)) || Number(BigInt(a.logIndex) - BigInt(b.logIndex)));
    for (const log of ordered) {
      const parsed = this.runMarket.interface.parseLog({ topics: log.topics, data: log.data });
      if (parsed) this.apply(parsed, Number(BigInt(log.blockNumber)));
    }
    const read = toBlock - this.nextBlock + 1;
    this.nextBlock = toBlock + 1;
    return read;
  }

  private apply(event: LogDescription, blockNumber: number): void {
    const runId = (event.args.getValue("runId") as bigint).toString();
    const inputRef = (raw: string) => (/^0x0{64}$/.test(raw) ? undefined : refHex(raw));
    switch (event.name) {
      case "StageRequested": {
        const stages = this.stagesBeingRequested.get(runId) ?? [];
        stages[Number(event.args.getValue("stage"))] = { podId: String(event.args.getValue("podId")), version: String(event.args.getValue("version")) };
        this.stagesBeingRequested.set(runId, stages);
        return;
      }
      case "RunRequested":
      case "TaskRequested": {
        const stages =
          event.name === "RunRequested" ? [{ podId: String(event.args.getValue("podId")), version: String(event.args.getValue("version")) }] : (this.stagesBeingRequested.get(runId) ?? []);
        this.stagesBeingRequested.delete(runId);
        // A task whose StageRequested events fell in an earlier range than this runner read (it started mid-request) cannot be planned: skip it.
        if (stages.length === 0 || stages.some((stage) => stage === undefined)) return;
        this.open.set(runId, {
          plan: {
            runId,
            requester: String(event.args.getValue("requester")),
            runner: String(event.args.getValue("runner")),
            token: String(event.args.getValue("token")),
            inputRef: inputRef(String(event.args.getValue("inputRef"))),
            deadline: Number(event.args.getValue("deadline")),
            requestBlock: blockNumber,
            stages,
          },
        });
        return;
      }
      case "RunClaimed": {
        const run = this.open.get(runId);
        if (run) {
          run.claimant = String(event.args.getValue("runner"));
          run.claimedUntil = Number(event.args.getValue("claimedUntil"));
        }
        return;
      }
      case "StageCompleted": {
        const run = this.open.get(runId);
        if (run) run.claimedUntil = undefined;
        return;
      }
      default:
        // RunCompleted, RunFailed, RunExpired, RunCancelled: the run has ended.
        this.open.delete(runId);
    }
  }
}
