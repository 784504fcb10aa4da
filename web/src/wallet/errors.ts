import type { Interface } from "ethers";
import { decodeRevert } from "../../../services/chain/revert-decode";
import { lureInterfaces } from "./contracts";
import { isUserRejection } from "./eip1193";

/**
 * Why an action did not happen, in words a user can act on. The revert decoding is the command
 * line's own (services/chain/revert-decode.ts), so the same custom error reads the same in both.
 */
export type ActionErrorKind =
  /** The user declined in the wallet (EIP-1193 4001): nothing was sent. */
  | "declined"
  /** The contract would revert (found by the simulation or the wallet's gas estimate): nothing was sent. */
  | "refused"
  /** The transaction was mined and reverted. */
  | "failed"
  /** A value the user typed is not usable, or the action does not apply (not listed, nothing to withdraw). */
  | "invalid"
  /** Anything else: the wallet, the node or Swarm did not answer as expected. */
  | "other";

export class ActionError extends Error {
  readonly kind: ActionErrorKind;
  /** The contract's custom error, when one was decoded (`PodMarketContentChanged`). */
  readonly revertName?: string;
  /** The mined transaction that reverted. */
  readonly hash?: string;

  constructor(kind: ActionErrorKind, message: string, details: { revertName?: string; hash?: string } = {}) {
    super(message);
    this.name = "ActionError";
    this.kind = kind;
    this.revertName = details.revertName;
    this.hash = details.hash;
  }
}

let interfaces: ReturnType<typeof lureInterfaces> | undefined;

/** A bad value or an action that does not apply, refused before the wallet is asked. */
export function invalid(message: string): ActionError {
  return new ActionError("invalid", message);
}

/** The short message of an ethers or wallet error, without ethers' long tail of JSON. */
function shortMessage(error: unknown): string {
  const candidate = error as { shortMessage?: unknown; message?: unknown } | null;
  if (typeof candidate?.shortMessage === "string") return candidate.shortMessage;
  if (typeof candidate?.message === "string") return candidate.message.split(" (action=")[0];
  return String(error);
}

/**
 * Any error of an action's step as an ActionError: `stage` says where it happened (`simulate` and
 * `send` sent nothing; `mined` did, with `hash`). Already-classified errors pass through.
 */
export function toActionError(error: unknown, action: string, stage: "simulate" | "send" | "mined" | "other", details: { hash?: string; calledOn?: Interface } = {}): ActionError {
  if (error instanceof ActionError) return error;
  if (isUserRejection(error)) return new ActionError("declined", `You declined "${action}" in your wallet: nothing was sent.`);
  interfaces ??= lureInterfaces();
  const decoded = decodeRevert(error, interfaces, details.calledOn);
  if (stage === "mined") {
    const reason = decoded?.text ?? shortMessage(error);
    return new ActionError("failed", `${action}: transaction ${details.hash ?? "?"} was mined and reverted: ${reason}`, { revertName: decoded?.name, hash: details.hash });
  }
  if (decoded) return new ActionError("refused", `${action} refused: ${decoded.text}. Nothing was sent.`, { revertName: decoded.name });
  const code = (error as { code?: unknown } | null)?.code;
  if (stage !== "other" && code === "CALL_EXCEPTION") return new ActionError("refused", `${action} refused: ${shortMessage(error)}. Nothing was sent.`);
  return new ActionError("other", `${action}: ${shortMessage(error)}`);
}
