/** What went wrong on chain: connecting, a transaction refused before it was sent, one that failed once mined, or a read. */
export type ChainErrorKind = "connect" | "refused" | "failed" | "read";

export interface ChainErrorDetails {
  /** What was being done, in words ("list pod 3"); it leads the message when given. */
  action?: string;
  /** Hash of the mined transaction that failed. */
  hash?: string;
}

/**
 * A chain operation that did not happen, told in one line: `list pod 3 refused: PodMarket:
 * TokenNotAllowed(token=0x…)`. Services throw it and never print; the command line turns it into
 * its own one-line error, and a long-running service can branch on `kind` and `reason`.
 */
export class ChainError extends Error {
  readonly kind: ChainErrorKind;
  /** The contract's custom error (`PodMarket: OwnPod(podId=3)`) or the node's message. */
  readonly reason: string;
  readonly action?: string;
  readonly hash?: string;

  constructor(kind: ChainErrorKind, reason: string, details: ChainErrorDetails = {}) {
    super(describe(kind, reason, details));
    this.name = "ChainError";
    this.kind = kind;
    this.reason = reason;
    this.action = details.action;
    this.hash = details.hash;
  }

  /** The message as it reads without the action, for callers that name the action themselves. */
  get messageWithoutAction(): string {
    return describe(this.kind, this.reason, { hash: this.hash });
  }
}

function describe(kind: ChainErrorKind, reason: string, { action, hash }: ChainErrorDetails): string {
  switch (kind) {
    case "connect":
      return reason;
    case "refused":
      return action ? `${action} refused: ${reason}` : `refused: ${reason}`;
    case "failed":
      return action ? `${action}: transaction ${hash} failed: ${reason}` : `transaction ${hash} failed: ${reason}`;
    case "read":
      return action ? `${action}: ${reason}` : reason;
  }
}
