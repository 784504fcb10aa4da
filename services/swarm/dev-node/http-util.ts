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

/**
 * The whole request body, refusing (413, as Bee) anything over `limit` bytes: early from
 * Content-Length when the client sends one, otherwise as soon as the stream passes the limit.
 * A request the client abandons rejects, so nothing of it is ever stored.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(new HttpError(413, `Request Entity Too Large: body of ${declared} bytes exceeds the limit of ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      reject(error);
    };
    req.on("data", (part: Buffer) => {
      if (settled) return;
      size += part.length;
      if (size > limit) {
        fail(new HttpError(413, `Request Entity Too Large: body exceeds the limit of ${limit} bytes`));
        req.resume();
        return;
      }
      parts.push(part);
    });
    req.on("end", () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(parts, size));
    });
    // 400s: the client went away, nobody will read the answer, and it is not the node's fault.
    req.on("aborted", () => fail(new HttpError(400, "request aborted by the client before its body was complete")));
    req.on("error", (error: Error) => fail(new HttpError(400, `request body could not be read: ${error.message}`)));
    req.on("close", () => fail(new HttpError(400, "connection closed before the request body was complete")));
  });
}

export const HEX_64 = /^[0-9a-fA-F]{64}$/;

export function parseReference(value: string, field = "address"): string {
  if (!HEX_64.test(value)) {
    throw new HttpError(400, "invalid path params", [{ field, error: `want 64 hex characters, got ${JSON.stringify(value)}` }]);
  }
  return value.toLowerCase();
}
