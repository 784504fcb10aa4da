import type { Interface } from "ethers";
import { errorText, StoppedError, type RpcClient } from "../chain/rpc";
import type { Logger } from "../log";
import type { MessageTarget } from "../market/messages";
import type { PodStorage } from "../pods/storage";
import { CursorFile, type CourierCursor } from "./cursor";
import { DeliveryStopped, payloadOf, sleep, WebhookDelivery, type MessagePayload } from "./delivery";
import { MessageFollower } from "./follower";

/**
 * The courier: follows MessageBus's MessageSent events of the configured groups and inboxes and
 * posts each message, with its body from Swarm, to a webhook; one at a time, in chain order, at
 * least once. The cursor moves (atomically, on disk) only after the webhook accepted a message, so a
 * stop or a kill -9 loses nothing: the next start posts again the first message not accepted.
 */

export type CourierEvent = { type: "delivered"; payload: MessagePayload; attempts: number };

export interface CourierOptions {
  rpc: RpcClient;
  messageBus: { address: string; interface: Interface };
  chainId: number;
  targets: MessageTarget[];
  storage: Pick<PodStorage, "downloadFile">;
  webhookUrl: string;
  /** Where the cursor lives. */
  dataDir: string;
  /** First block to read without a cursor. */
  startBlock: number;
  pollMs: number;
  confirmations: number;
  timeoutMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  bodyAttempts: number;
  log: Logger;
  onEvent?: (event: CourierEvent) => void;
}

export class CourierService {
  private readonly stopping = new AbortController();
  private readonly cursorFile: CursorFile;
  private readonly follower: MessageFollower;
  private readonly delivery: WebhookDelivery;
  private cursor!: CourierCursor;
  private loop?: Promise<void>;

  constructor(private readonly options: CourierOptions) {
    this.cursorFile = new CursorFile(options.dataDir);
    this.follower = new MessageFollower(options.rpc, options.messageBus, options.targets);
    this.delivery = new WebhookDelivery({ ...options, signal: this.stopping.signal });
  }

  /** The cursor as last saved (or as it starts). */
  get position(): CourierCursor {
    return { ...this.cursor };
  }

  async start(): Promise<void> {
    const { options } = this;
    const saved = this.cursorFile.load();
    const head = await options.rpc.latestHeader();
    const fresh: CourierCursor = { chainId: options.chainId, messageBus: options.messageBus.address, nextBlock: options.startBlock };
    if (!saved) this.cursor = fresh;
    else if (saved.chainId !== options.chainId || saved.messageBus.toLowerCase() !== options.messageBus.address.toLowerCase()) {
      options.log.warn({ saved: { chainId: saved.chainId, messageBus: saved.messageBus } }, "the saved cursor is for another chain or MessageBus: following from the start");
      this.cursor = fresh;
    } else if (saved.nextBlock > head.number + 1) {
      // A saved cursor past the head means a new chain (a restarted dev chain): start over.
      options.log.warn({ savedBlock: saved.nextBlock, head: head.number }, "the chain is behind the saved cursor (a new chain?): following from the start");
      this.cursor = fresh;
    } else this.cursor = saved;
    this.loop = this.follow();
    options.log.info({ targets: options.targets.length, fromBlock: this.cursor.nextBlock, after: this.cursor.delivered?.messageId }, "courier started");
  }

  /** Stops at once: a delivery in flight is abandoned (it goes out again on the next start). */
  async stop(): Promise<void> {
    if (this.stopping.signal.aborted) return;
    this.stopping.abort();
    this.options.rpc.stop();
    await this.loop?.catch(() => undefined);
  }

  private async follow(): Promise<void> {
    const { options } = this;
    while (!this.stopping.signal.aborted) {
      try {
        const head = await options.rpc.latestHeader();
        const safeHead = head.number - options.confirmations;
        while (!this.stopping.signal.aborted) {
          const range = await this.follower.read(this.cursor.nextBlock, safeHead, this.cursor.delivered);
          if (!range) break;
          for (const message of range.messages) {
            const body = await this.delivery.body(message);
            const payload = payloadOf(message, { chainId: options.chainId, messageBus: options.messageBus.address }, body);
            const attempts = await this.delivery.post(payload);
            this.save({ ...this.cursor, nextBlock: message.blockNumber, delivered: { blockNumber: message.blockNumber, logIndex: message.logIndex, messageId: message.messageId.toString() } });
            options.log.info({ messageId: payload.messageId, target: payload.target, attempts }, "message delivered");
            options.onEvent?.({ type: "delivered", payload, attempts });
          }
          this.save({ ...this.cursor, nextBlock: range.toBlock + 1 });
        }
      } catch (error) {
        if (error instanceof StoppedError || error instanceof DeliveryStopped || this.stopping.signal.aborted) return;
        options.log.error({ err: errorText(error) }, "following the chain failed; trying again");
      }
      await sleep(options.pollMs, this.stopping.signal);
    }
  }

  private save(cursor: CourierCursor): void {
    this.cursorFile.save(cursor);
    this.cursor = cursor;
  }
}
