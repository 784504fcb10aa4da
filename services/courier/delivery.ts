import type { PodStorage } from "../pods/storage";
import type { Logger } from "../log";
import { targetLabel } from "../market/messages";
import type { ChainMessage } from "./follower";

/**
 * What the courier posts for one message, and how: one JSON document per message, POSTed to the
 * webhook until it answers 2xx. Every failure is retried with exponential backoff (jittered, up to
 * a maximum wait), forever until the courier stops: a 5xx, a timeout or a refused connection as the
 * network's or the receiver's passing trouble; a 4xx too, but logged as the receiver's problem (it
 * refused a well-formed message, and only the receiver can fix that).
 */

export interface DeliveredBody {
  /** The body's file name in its collection. */
  name?: string;
  bytes: number;
  /** `utf8`: `text` holds the body; `base64`: `base64` does (it is not valid UTF-8). */
  encoding: "utf8" | "base64";
  text?: string;
  base64?: string;
}

/** The JSON document the webhook receives. Amounts and ids are decimal strings (they exceed JavaScript numbers). */
export interface MessagePayload {
  type: "lure.message";
  chainId: number;
  messageBus: string;
  messageId: string;
  /** `group:ID` or the recipient's address. */
  target: string;
  targetKind: "group" | "account";
  sender: string;
  contentRef: string;
  contentType: string;
  size: number;
  /** "0" = plain. */
  decoderPodId: string;
  /** "0" = not a reply. */
  replyTo: string;
  token: string;
  fee: string;
  protocolFee: string;
  blockNumber: number;
  logIndex: number;
  txHash: string;
  body?: DeliveredBody;
  /** Why the body could not be read from Swarm (after the courier's attempts). */
  bodyError?: string;
}

/** Valid UTF-8 is delivered as text, anything else as base64. */
function bodyOf(data: Uint8Array, name?: string): DeliveredBody {
  const base = { ...(name !== undefined ? { name } : {}), bytes: data.length };
  try {
    return { ...base, encoding: "utf8", text: new TextDecoder("utf-8", { fatal: true }).decode(data) };
  } catch {
    return { ...base, encoding: "base64", base64: Buffer.from(data).toString("base64") };
  }
}

export function payloadOf(message: ChainMessage, chain: { chainId: number; messageBus: string }, body: { body?: DeliveredBody; bodyError?: string }): MessagePayload {
  return {
    type: "lure.message",
    chainId: chain.chainId,
    messageBus: chain.messageBus,
    messageId: message.messageId.toString(),
    target: targetLabel(message.target),
    targetKind: message.target.kind,
    sender: message.sender,
    contentRef: message.contentRef,
    contentType: message.contentType,
    size: message.size,
    decoderPodId: message.decoderPodId.toString(),
    replyTo: message.replyTo.toString(),
    token: message.token,
    fee: message.fee.toString(),
    protocolFee: message.protocolFee.toString(),
    blockNumber: message.blockNumber,
    logIndex: message.logIndex,
    txHash: message.txHash,
    ...body,
  };
}

/** Thrown when the courier was stopped while a delivery waited or was in flight: nothing was saved. */
export class DeliveryStopped extends Error {
  constructor() {
    super("courier stopped");
    this.name = "DeliveryStopped";
  }
}

export interface DeliveryOptions {
  webhookUrl: string;
  timeoutMs: number;
  /** The first wait between attempts; it doubles up to `retryMaxMs`. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Attempts to read a body from Swarm before the message goes out with `bodyError`. */
  bodyAttempts: number;
  storage: Pick<PodStorage, "downloadFile">;
  log: Logger;
  signal: AbortSignal;
}

/** The wait before attempt `attempt + 1`: doubling from `base`, capped at `max`, jittered by ±50%. */
function backoff(attempt: number, base: number, max: number): number {
  return Math.min(max, base * 2 ** Math.min(attempt, 30)) * (0.5 + Math.random());
}

export class WebhookDelivery {
  constructor(private readonly options: DeliveryOptions) {}

  /** The message's body from Swarm, tried `bodyAttempts` times; a body that cannot be read is reported, not waited for for ever. */
  async body(message: ChainMessage): Promise<{ body?: DeliveredBody; bodyError?: string }> {
    const { options } = this;
    for (let attempt = 0; ; attempt++) {
      if (options.signal.aborted) throw new DeliveryStopped();
      try {
        const file = await options.storage.downloadFile(message.contentRef);
        return { body: bodyOf(file.data, file.name) };
      } catch (error) {
        const text = (error as Error).message;
        if (attempt + 1 >= options.bodyAttempts) {
          options.log.warn({ messageId: message.messageId.toString(), contentRef: message.contentRef, err: text }, "the message's body could not be read from Swarm: delivered without it");
          return { bodyError: text };
        }
        await sleep(backoff(attempt, options.retryBaseMs, options.retryMaxMs), options.signal);
      }
    }
  }

  /**
   * POSTs the payload until the webhook answers 2xx; returns the number of attempts it took.
   * Throws DeliveryStopped when the courier stops first.
   */
  async post(payload: MessagePayload): Promise<number> {
    const { options } = this;
    const body = JSON.stringify(payload);
    const idempotencyKey = `${payload.chainId}:${payload.messageBus.toLowerCase()}:${payload.messageId}`;
    for (let attempt = 0; ; attempt++) {
      if (options.signal.aborted) throw new DeliveryStopped();
      let problem: string;
      let receiversFault = false;
      try {
        const response = await fetch(options.webhookUrl, {
          method: "POST",
          headers: { "content-type": "application/json", "idempotency-key": idempotencyKey, "x-lure-message-id": payload.messageId },
          body,
          signal: AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) return attempt + 1;
        problem = `HTTP ${response.status}`;
        receiversFault = response.status >= 400 && response.status < 500;
      } catch (error) {
        if (options.signal.aborted) throw new DeliveryStopped();
        problem = (error as Error).cause instanceof Error ? `${(error as Error).message}: ${((error as Error).cause as Error).message}` : (error as Error).message;
      }
      const delayMs = Math.round(backoff(attempt, options.retryBaseMs, options.retryMaxMs));
      const details = { messageId: payload.messageId, attempt: attempt + 1, delayMs, problem };
      if (receiversFault) options.log.warn(details, "the webhook refused the message (a 4xx: the receiver's problem, not the courier's); retrying");
      else options.log[attempt >= 2 ? "warn" : "info"](details, "the webhook could not take the message; retrying");
      await sleep(delayMs, options.signal);
    }
  }
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
