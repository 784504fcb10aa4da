import { BeeResponseError } from "@ethersphere/bee-js";

/** No postage batch was configured and the node has no usable one. */
export class NoPostageBatchError extends Error {
  constructor(readonly url: string) {
    super(
      `no usable postage batch on the Swarm node at ${url}: set BEE_POSTAGE_BATCH to a batch id, ` +
        "or buy one with `npx hardhat swarm:buy-stamp`",
    );
    this.name = "NoPostageBatchError";
  }
}

/**
 * A Swarm call that failed, naming what it was about (reference, path, node URL). `status` is
 * the HTTP status when the node answered (404: unknown reference or path, 402: batch full,
 * 413: body too large), undefined for network errors and timeouts.
 */
export class SwarmRequestError extends Error {
  readonly status?: number;
  constructor(action: string, cause: unknown) {
    super(`${action} failed: ${describe(cause)}`, { cause });
    this.name = "SwarmRequestError";
    if (cause instanceof BeeResponseError) this.status = cause.status;
  }
}

function describe(cause: unknown): string {
  if (cause instanceof BeeResponseError) {
    const body = cause.responseBody;
    const bodyMessage = extractMessage(body);
    if (cause.statusText === "ERR_CANCELED" || cause.message === "Request aborted") return "timed out (request aborted)";
    return `${cause.status ?? "no status"} ${bodyMessage ?? cause.message}`;
  }
  return cause instanceof Error ? cause.message : String(cause);
}

function extractMessage(body: unknown): string | undefined {
  let parsed = body;
  if (parsed instanceof ArrayBuffer || ArrayBuffer.isView(parsed)) {
    const bytes = parsed instanceof ArrayBuffer ? new Uint8Array(parsed) : new Uint8Array(parsed.buffer, parsed.byteOffset, parsed.byteLength);
    try {
      parsed = JSON.parse(Buffer.from(bytes).toString("utf8"));
    } catch {
      return undefined;
    }
  }
  if (parsed && typeof parsed === "object" && "message" in parsed && typeof parsed.message === "string") {
    return parsed.message;
  }
  return undefined;
}
