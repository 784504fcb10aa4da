import type { IncomingMessage, ServerResponse } from "node:http";

/** An error answered with Bee's JSON error shape: `{ code, message, reasons? }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reasons?: { field: string; error: string }[],
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: ServerResponse, error: HttpError): void {
  if (res.headersSent) {
    res.destroy(error);
    return;
  }
  const body: { code: number; message: string; reasons?: { field: string; error: string }[] } = { code: error.status, message: error.message };
  if (error.reasons) body.reasons = error.reasons;
  sendJson(res, error.status, body);
}

/** 413 (as Bee) when the client declares a body over `limit` bytes, before any of it is read. */
export function refuseDeclaredOversize(req: IncomingMessage, limit: number): void {
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    throw new HttpError(413, `Request Entity Too Large: body of ${declared} bytes exceeds the limit of ${limit} bytes`);
  }
}

/**
 * The request body as it arrives, part by part, with backpressure: the next part is read only
 * when the consumer asks for it. Refuses (413) a body over `limit` bytes from its Content-Length,
 * or as soon as the stream passes the limit; a client that goes away mid-body ends the iteration
 * with a 400, so the consumer drops what it staged. Leaving the loop early does not destroy the
 * socket (the error answer still goes out); the rest of the body is then read and discarded.
 */
export async function* bodyParts(req: IncomingMessage, limit: number): AsyncGenerator<Buffer> {
  refuseDeclaredOversize(req, limit);
  let size = 0;
  let finished = false;
  try {
    for await (const part of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      size += part.length;
      if (size > limit) throw new HttpError(413, `Request Entity Too Large: body exceeds the limit of ${limit} bytes`);
      yield part;
    }
    finished = true;
  } catch (error) {
    if (error instanceof HttpError) throw error;
    // The client went away: nobody will read the answer, and it is not the node's fault.
    throw new HttpError(400, `request body could not be read: ${(error as Error).message}`);
  } finally {
    if (!finished && !req.destroyed) req.resume();
  }
  if (!req.complete) throw new HttpError(400, "connection closed before the request body was complete");
}

/**
 * The whole request body (tar collections, single chunks), with the limits and abort handling
 * of bodyParts.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of bodyParts(req, limit)) {
    parts.push(part);
    size += part.length;
  }
  return Buffer.concat(parts, size);
}

export const HEX_64 = /^[0-9a-fA-F]{64}$/;

export function parseReference(value: string, field = "address"): string {
  if (!HEX_64.test(value)) {
    throw new HttpError(400, "invalid path params", [{ field, error: `want 64 hex characters, got ${JSON.stringify(value)}` }]);
  }
  return value.toLowerCase();
}
