import { BadArgumentError } from "./errors";

/**
 * Opaque keyset cursors: the sort key and primary key of the last row of a page, tagged with the
 * order they belong to. Because the next page starts strictly after that key (not at an offset),
 * rows inserted meanwhile never shift a page: no duplicates, no skips.
 */
export type CursorValue = string | number | boolean | null;

export interface CursorPayload {
  /** The list and order the cursor was made for; reusing it with another order is an error. */
  order: string;
  /** Sort key then primary key columns, in order. */
  key: CursorValue[];
}

export function encodeCursor(payload: CursorPayload): string {
  return Buffer.from(JSON.stringify([payload.order, ...payload.key]), "utf8").toString("base64url");
}

/** Decodes `after`; `expectedOrder` must match the order the cursor was made for. */
export function decodeCursor(cursor: string, expectedOrder: string, keyLength: number, argument = "after"): CursorValue[] {
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error("not base64url");
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw new BadArgumentError(argument, `is not a valid cursor: ${JSON.stringify(cursor)}`);
  }
  if (!Array.isArray(parsed) || typeof parsed[0] !== "string") {
    throw new BadArgumentError(argument, `is not a valid cursor: ${JSON.stringify(cursor)}`);
  }
  if (parsed[0] !== expectedOrder) {
    throw new BadArgumentError(argument, `was made for another order (${parsed[0]}), not ${expectedOrder}; restart pagination without it`);
  }
  if (parsed.length !== keyLength + 1) throw new BadArgumentError(argument, `is not a valid cursor: ${JSON.stringify(cursor)}`);
  const key = parsed.slice(1) as unknown[];
  for (const value of key) {
    if (value !== null && !["string", "number", "boolean"].includes(typeof value)) {
      throw new BadArgumentError(argument, `is not a valid cursor: ${JSON.stringify(cursor)}`);
    }
  }
  return key as CursorValue[];
}
