import { toBeHex, type Interface } from "ethers";
import { hexQuantity, type RpcClient } from "../chain/rpc";
import { refHex } from "../chain/refs";
import { CONTENT_TYPES, decodeTarget, encodeTarget, type ContentTypeName, type MessageTarget } from "../market/messages";
import { isAfter, type LogPosition } from "./cursor";

/**
 * Reads MessageBus's MessageSent events of the configured targets (groups and inboxes) straight
 * from the chain (eth_getLogs, one call per range with the targets OR-ed in the indexed topic), in
 * chain order. It keeps no state of its own beyond the range being read: the courier's cursor says
 * where to start.
 */

/** Blocks per eth_getLogs call: within what hosted RPCs accept for one contract's logs. */
const MAX_RANGE = 2_000;

export interface ChainMessage {
  messageId: bigint;
  target: MessageTarget;
  sender: string;
  contentRef: string;
  decoderPodId: bigint;
  contentType: ContentTypeName;
  size: number;
  replyTo: bigint;
  token: string;
  fee: bigint;
  protocolFee: bigint;
  blockNumber: number;
  logIndex: number;
  txHash: string;
}

interface RawLog {
  topics: string[];
  data: string;
  blockNumber: string;
  logIndex: string;
  transactionHash: string;
}

export class MessageFollower {
  private readonly topic: string;
  private readonly targetTopics: string[];

  constructor(
    private readonly rpc: RpcClient,
    private readonly messageBus: { address: string; interface: Interface },
    targets: MessageTarget[],
  ) {
    const event = messageBus.interface.getEvent("MessageSent");
    if (!event) throw new Error("MessageBus's ABI has no event MessageSent");
    this.topic = event.topicHash;
    this.targetTopics = targets.map((target) => toBeHex(encodeTarget(target), 32));
  }

  /**
   * The messages of blocks `fromBlock`..`toBlock` (at most MAX_RANGE of them, up to `safeHead`) that
   * come after `delivered`, in chain order, and the last block read; undefined when caught up.
   */
  async read(fromBlock: number, safeHead: number, delivered?: LogPosition): Promise<{ toBlock: number; messages: ChainMessage[] } | undefined> {
    if (fromBlock > safeHead) return undefined;
    const toBlock = Math.min(safeHead, fromBlock + MAX_RANGE - 1);
    if (this.targetTopics.length === 0) return { toBlock, messages: [] };
    const logs = await this.rpc.retry(`eth_getLogs(${fromBlock}..${toBlock})`, () =>
      this.rpc.send<RawLog[]>("eth_getLogs", [{ address: this.messageBus.address, fromBlock: hexQuantity(fromBlock), toBlock: hexQuantity(toBlock), topics: [this.topic, null, this.targetTopics] }]),
    );
    const messages = logs
      .map((log) => this.parse(log))
      .filter((message): message is ChainMessage => message !== undefined && isAfter(message.blockNumber, message.logIndex, delivered))
      .sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
    return { toBlock, messages };
  }

  private parse(log: RawLog): ChainMessage | undefined {
    const parsed = this.messageBus.interface.parseLog({ topics: log.topics, data: log.data });
    if (!parsed || parsed.name !== "MessageSent") return undefined;
    const a = parsed.args;
    return {
      messageId: a.getValue("messageId") as bigint,
      target: decodeTarget(a.getValue("target") as bigint),
      sender: String(a.getValue("sender")),
      contentRef: refHex(String(a.getValue("contentRef"))),
      decoderPodId: a.getValue("decoderPodId") as bigint,
      contentType: CONTENT_TYPES[Number(a.getValue("contentType"))] ?? "binary",
      size: Number(a.getValue("size")),
      replyTo: a.getValue("replyTo") as bigint,
      token: String(a.getValue("token")),
      fee: a.getValue("fee") as bigint,
      protocolFee: a.getValue("protocolFee") as bigint,
      blockNumber: Number(BigInt(log.blockNumber)),
      logIndex: Number(BigInt(log.logIndex)),
      txHash: log.transactionHash,
    };
  }
}
