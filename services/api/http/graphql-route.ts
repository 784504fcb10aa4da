import type { IncomingMessage, ServerResponse } from "node:http";
import type { YogaServerInstance } from "graphql-yoga";
import { logger } from "../../log";
import { bodyForYoga, readBody } from "./body";
import type { ApiContext } from "../graphql/context";
import type { ApiMetrics } from "./metrics";

const log = logger("api");

/** No legitimate operation comes near this; larger bodies are refused before they are read. */
const MAX_BODY_BYTES = 256 * 1024;

export type NodeHandler = (request: IncomingMessage, response: ServerResponse) => void;

/** True for the GraphQL endpoint's path, with or without a query string. */
export function isGraphqlPath(url: string | undefined, endpoint: string): boolean {
  if (!url?.startsWith(endpoint)) return false;
  return url.length === endpoint.length || url[endpoint.length] === "?";
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  response.end(text);
}

/**
 * The GraphQL endpoint as a plain Node handler, which the HTTP server calls before express: an
 * express request costs about as much CPU as the GraphQL operation itself (its router and the
 * prototype swap of req/res), and this path carries almost all of the API's traffic. It keeps what
 * the express middleware did (metrics, the worker header) and bounds the body before yoga sees it.
 */
export function graphqlRoute(yoga: YogaServerInstance<Record<string, unknown>, ApiContext>, metrics: ApiMetrics, workerId?: number): NodeHandler {
  const worker = workerId === undefined ? undefined : String(workerId);
  const tooLarge = (response: ServerResponse, size: string) =>
    sendJson(response, 413, { errors: [{ message: `request body of ${size} exceeds the limit of ${MAX_BODY_BYTES} bytes` }] });

  return (request, response) => {
    const started = process.hrtime.bigint();
    response.once("finish", () => {
      metrics.requests.inc({ method: request.method ?? "", route: "/graphql", status: String(response.statusCode) });
      metrics.duration.observe({ route: "/graphql" }, Number(process.hrtime.bigint() - started) / 1e9);
    });
    if (worker) response.setHeader("x-lure-api-worker", worker);

    const length = Number(request.headers["content-length"] ?? 0);
    if (length > MAX_BODY_BYTES) return tooLarge(response, `${length} bytes`);
    if (request.method !== "POST") return void yoga(request, response);
    // Read here, bounded for every transfer encoding, rather than through yoga's per-request stream pipeline.
    readBody(request, MAX_BODY_BYTES).then(
      (raw) => {
        if (raw === null) return tooLarge(response, "more bytes");
        // @whatwg-node/server (yoga's Node adapter) takes a body already read from `req.body`.
        (request as IncomingMessage & { body?: unknown }).body = bodyForYoga(raw, request.headers["content-type"]);
        void yoga(request, response);
      },
      (error: unknown) => {
        log.debug({ err: error }, "reading a GraphQL request body failed");
        if (!response.headersSent) sendJson(response, 400, { errors: [{ message: "the request body could not be read" }] });
        else response.destroy();
      },
    );
  };
}
