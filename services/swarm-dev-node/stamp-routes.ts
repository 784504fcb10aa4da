import type { IncomingMessage, ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";
import { logger } from "../log";
import { HEX_64, HttpError, sendJson } from "./http-util";
import { MAX_STAMP_DEPTH, type StampRegistry, type StoredBatch } from "./stamps";

/**
 * The postage endpoints of Bee's API: list, get, buckets, buy, top up, dilute. Answers (status,
 * message, JSON shape) follow Bee's handlers, with the offending value added to the message.
 */

export interface StampRouteContext {
  stamps: StampRegistry;
  minStampDepth: number;
}

type Reason = { field: string; error: string };
const log = logger("swarm-dev");

function fakeTxHash(): string {
  return `0x${randomBytes(32).toString("hex")}`;
}

function batchIdReason(id: string): Reason | undefined {
  return HEX_64.test(id) ? undefined : { field: "batch_id", error: `want 64 hex characters, got ${JSON.stringify(id)}` };
}

function refuseInvalid(reasons: (Reason | undefined)[]): void {
  const present = reasons.filter((reason): reason is Reason => reason !== undefined);
  if (present.length > 0) throw new HttpError(400, "invalid path params", present);
}

export function listStamps(context: StampRouteContext, res: ServerResponse): void {
  sendJson(res, 200, { stamps: context.stamps.all().map((batch) => context.stamps.view(batch)) });
}

export function getStamp(context: StampRouteContext, res: ServerResponse, id: string): void {
  refuseInvalid([batchIdReason(id)]);
  const batch = context.stamps.get(id);
  if (!batch) throw new HttpError(404, "issuer does not exist");
  sendJson(res, 200, context.stamps.view(batch));
}

export function getStampBuckets(context: StampRouteContext, res: ServerResponse, id: string): void {
  refuseInvalid([batchIdReason(id)]);
  const batch = context.stamps.get(id);
  if (!batch) throw new HttpError(404, `batch not found: ${id.toLowerCase()}`);
  sendJson(res, 200, context.stamps.buckets(batch));
}

export function buyStamp(context: StampRouteContext, req: IncomingMessage, res: ServerResponse, url: URL, amountText: string, depthText: string): void {
  const depth = Number(depthText);
  refuseInvalid([
    /^\d+$/.test(amountText) && BigInt(amountText) > 0n ? undefined : { field: "amount", error: `want a positive integer, got ${JSON.stringify(amountText)}` },
    /^\d+$/.test(depthText) && depth >= context.minStampDepth && depth <= MAX_STAMP_DEPTH
      ? undefined
      : { field: "depth", error: `want an integer from ${context.minStampDepth} to ${MAX_STAMP_DEPTH}, got ${JSON.stringify(depthText)}` },
  ]);
  const immutable = String(req.headers.immutable ?? "true") !== "false";
  const batch = context.stamps.buy(BigInt(amountText), depth, url.searchParams.get("label") ?? "", immutable);
  log.debug({ batchID: batch.batchID, depth, amount: amountText }, "postage batch created");
  sendJson(res, 201, { batchID: batch.batchID, txHash: fakeTxHash() });
}

/**
 * Bee looks the batch up in its batch store before sending the transaction; an unknown batch
 * fails there and Bee answers 500 with the operation's generic message, so the dev node does too.
 */
function existingBatch(context: StampRouteContext, id: string, failure: string): StoredBatch {
  const batch = context.stamps.get(id);
  if (!batch) throw new HttpError(500, `${failure}: batch ${id.toLowerCase()} not found`);
  return batch;
}

/** PATCH /stamps/topup/{batch_id}/{amount}: 202 { batchID, txHash }. */
export function topUpStamp(context: StampRouteContext, res: ServerResponse, id: string, amountText: string): void {
  refuseInvalid([
    batchIdReason(id),
    /^\d+$/.test(amountText) && BigInt(amountText) > 0n ? undefined : { field: "amount", error: `want a positive integer, got ${JSON.stringify(amountText)}` },
  ]);
  const batch = context.stamps.topUp(existingBatch(context, id, "topup batch failed"), BigInt(amountText));
  log.debug({ batchID: batch.batchID, amount: batch.amount }, "postage batch topped up");
  sendJson(res, 202, { batchID: batch.batchID, txHash: fakeTxHash() });
}

/** PATCH /stamps/dilute/{batch_id}/{depth}: 202 { batchID, txHash }. */
export function diluteStamp(context: StampRouteContext, res: ServerResponse, id: string, depthText: string): void {
  const depth = Number(depthText);
  refuseInvalid([
    batchIdReason(id),
    /^\d+$/.test(depthText) && depth <= MAX_STAMP_DEPTH ? undefined : { field: "depth", error: `want an integer from 0 to ${MAX_STAMP_DEPTH}, got ${JSON.stringify(depthText)}` },
  ]);
  const batch = existingBatch(context, id, "dilute batch failed");
  // Bee refuses a lower depth itself (400 "invalid depth"); an equal one reaches the postage
  // contract, which reverts, and Bee answers 500 "dilute batch failed".
  if (depth < batch.depth) throw new HttpError(400, `invalid depth: ${depth} is below the batch's depth ${batch.depth}`);
  if (depth === batch.depth) throw new HttpError(500, `dilute batch failed: new depth ${depth} is not greater than the batch's depth ${batch.depth}`);
  const diluted = context.stamps.dilute(batch, depth);
  log.debug({ batchID: diluted.batchID, depth, amount: diluted.amount }, "postage batch diluted");
  sendJson(res, 202, { batchID: diluted.batchID, txHash: fakeTxHash() });
}
