import type { IncomingMessage } from "node:http";

/**
 * Reads a request body of at most `limit` bytes, whatever its transfer encoding (a chunked body
 * has no Content-Length to check up front). Resolves null as soon as the body grows past the limit.
 */
export function readBody(request: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        // Stop buffering; the caller answers 413 and the rest of the body is discarded.
        request.resume();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      request.off("data", onData);
      request.off("end", onEnd);
      request.off("error", onError);
    };
    request.on("data", onData);
    request.on("end", onEnd);
    request.on("error", onError);
  });
}

/**
 * What yoga's Node adapter (@whatwg-node/server) is handed as `req.body`: the parsed JSON when it
 * is an object (the adapter then skips streaming and re-parsing the body), else the raw text, so
 * that yoga itself reports malformed input with its usual errors.
 */
export function bodyForYoga(raw: Buffer, contentType: string | undefined): unknown {
  const text = raw.toString("utf8");
  if (contentType?.includes("json")) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) && Object.keys(parsed).length > 0) return parsed;
    } catch {
      // fall through: yoga answers "POST body sent invalid JSON."
    }
  }
  return text;
}
