import http, { type IncomingMessage, type ServerResponse } from "node:http";
import fs from "node:fs";
import type { AddressInfo } from "node:net";
import { buildChunkTree, CHUNK_PAYLOAD_SIZE, decodeSpan, chunkAddress, SPAN_SIZE, toHex } from "../swarm/bmt";
import { logger } from "../log";
import { ChunkCorruptError, ChunkNotFoundError, ChunkStore, type StagedUpload } from "./chunk-store";
import { contentTypeForPath } from "../swarm/content-type";
import { ChunkTreeWriter } from "../swarm/chunk-tree-writer";
import { bodyParts, HttpError, parseReference, readBody, refuseDeclaredOversize, sendError, sendJson, HEX_64 } from "./http-util";
import { contentLength, joinBytes } from "./joiner";
import { collectionManifest, ManifestReader, NotAManifestError, singleFileManifest, storeManifest, type ManifestFile } from "../swarm/manifest";
import { BatchOverissuedError, CURRENT_PRICE, StampRegistry, type StoredBatch } from "./stamps";
import { buyStamp, diluteStamp, getStamp, getStampBuckets, listStamps, topUpStamp } from "./stamp-routes";
import { readTar, TarError } from "./tar";
import { endpointNotImplemented, refuseUnsupportedHeaders } from "./unsupported";

/**
 * An embedded node speaking the part of Bee's HTTP API that bee-js uses, with references
 * byte-identical to Bee's. `POST /bytes` and single-file `POST /bzz` bodies are hashed and staged
 * as they arrive (bounded memory); tar collections are read whole. Every upload is checked against
 * its postage batch and committed in one synchronous step, so concurrent uploads cannot overdraw it.
 */

export interface DevSwarmNodeOptions {
  dataDir: string;
  /** Interface to listen on; 127.0.0.1 unless told otherwise. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Largest request body accepted; larger ones get 413. Default 256 MiB. */
  maxBodyBytes?: number;
  /** Smallest batch depth POST /stamps accepts. Bee's is 17; tests lower it to exhaust a batch. */
  minStampDepth?: number;
}

export interface DevSwarmNode {
  url: string;
  port: number;
  /** Needs no `this`: it can be passed on as it is. */
  close: () => Promise<void>;
}

export const DEV_NODE_VERSION = "2.4.0-lure-dev";
export const DEV_NODE_API_VERSION = "7.2.0";
const DEFAULT_MAX_BODY_BYTES = 256 * 1024 * 1024;
const log = logger("swarm-dev");

export async function startDevSwarmNode(options: DevSwarmNodeOptions): Promise<DevSwarmNode> {
  fs.mkdirSync(options.dataDir, { recursive: true });
  const store = ChunkStore.open(options.dataDir);
  const startedAt = Date.now();
  // A fake chain advancing one block per 5 s since start, enough for Bee-shaped answers.
  const chainBlock = () => 1_000 + Math.floor((Date.now() - startedAt) / 5_000);
  const stamps = new StampRegistry(options.dataDir, store, chainBlock);
  const manifests = new ManifestReader((reference) => joinBytes(store, reference));
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const minStampDepth = options.minStampDepth ?? 17;
  const host = options.host ?? "127.0.0.1";

  const context: RouteContext = { store, stamps, manifests, maxBodyBytes, minStampDepth, chainBlock };
  const server = http.createServer((req, res) => {
    handle(context, req, res).catch((error: unknown) => {
      const httpError = toHttpError(error);
      // HttpErrors are answers chosen on purpose (some of Bee's are 500s); anything else is a fault.
      if (httpError.status >= 500 && !(error instanceof HttpError)) log.error({ err: error, method: req.method, url: req.url }, "request failed");
      sendError(res, httpError);
    });
  });
  // Longer than clients' idle-socket timeouts (Node's agent: 5 s), so an idle keep-alive
  // socket is always closed by the client, never under a request it has just sent.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
  } catch (error) {
    store.close();
    throw new Error(`dev Swarm node cannot listen on ${host}:${options.port ?? 0}: ${(error as Error).message}`, { cause: error });
  }
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  log.debug({ url, dataDir: options.dataDir }, "dev Swarm node listening");

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => {
          store.close();
          resolve();
        });
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof ChunkNotFoundError) return new HttpError(404, `Not Found: ${error.message}`);
  if (error instanceof ChunkCorruptError) return new HttpError(500, error.message);
  if (error instanceof NotAManifestError) return new HttpError(404, `Not Found: ${error.message}`);
  if (error instanceof TarError) return new HttpError(400, error.message);
  if (error instanceof BatchOverissuedError) return new HttpError(402, error.message);
  return new HttpError(500, `Internal Server Error: ${(error as Error)?.message ?? String(error)}`);
}

interface RouteContext {
  store: ChunkStore;
  stamps: StampRegistry;
  manifests: ManifestReader;
  maxBodyBytes: number;
  minStampDepth: number;
  chainBlock: () => number;
}

async function handle(context: RouteContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://dev-node");
  const segments = url.pathname.split("/").slice(1);
  const method = req.method ?? "GET";
  const [head, ...rest] = segments;
  const route = `${method} /${head ?? ""}`;
  refuseUnsupportedHeaders(req);

  switch (route) {
    case "GET /health":
    case "GET /readiness":
      return sendJson(res, 200, { status: head === "health" ? "ok" : "ready", version: DEV_NODE_VERSION, apiVersion: DEV_NODE_API_VERSION });
    case "GET /chainstate":
      return sendJson(res, 200, { chainTip: context.chainBlock(), block: context.chainBlock(), totalAmount: "0", currentPrice: Number(CURRENT_PRICE) });
    case "GET /stamps":
      if (rest.length === 0 || (rest.length === 1 && rest[0] === "")) return listStamps(context, res);
      if (rest.length === 1) return getStamp(context, res, rest[0]);
      if (rest.length === 2 && rest[1] === "buckets") return getStampBuckets(context, res, rest[0]);
      break;
    case "POST /stamps":
      if (rest.length === 2) return buyStamp(context, req, res, url, rest[0], rest[1]);
      break;
    case "PATCH /stamps":
      if (rest.length === 3 && rest[0] === "topup") return topUpStamp(context, res, rest[1], rest[2]);
      if (rest.length === 3 && rest[0] === "dilute") return diluteStamp(context, res, rest[1], rest[2]);
      break;
    case "POST /bytes":
      if (rest.length === 0 || (rest.length === 1 && rest[0] === "")) return uploadBytes(context, req, res);
      break;
    case "GET /bytes":
    case "HEAD /bytes":
      if (rest.length === 1) return downloadBytes(context, res, rest[0], method === "HEAD");
      break;
    case "POST /chunks":
      if (rest.length === 0 || (rest.length === 1 && rest[0] === "")) return uploadChunk(context, req, res);
      break;
    case "GET /chunks":
      if (rest.length === 1) return downloadChunk(context, res, rest[0]);
      break;
    case "POST /bzz":
      if (rest.length === 0 || (rest.length === 1 && rest[0] === "")) return uploadBzz(context, req, res, url);
      break;
    case "GET /bzz":
    case "HEAD /bzz":
      if (rest.length >= 1) return downloadBzz(context, res, rest[0], decodePath(rest.slice(1)), method === "HEAD");
      break;
  }
  throw endpointNotImplemented(method, url.pathname);
}

function decodePath(segments: string[]): string {
  try {
    return segments.map(decodeURIComponent).join("/");
  } catch {
    throw new HttpError(400, `invalid path params: ${JSON.stringify(segments.join("/"))} is not a valid URL path`);
  }
}

// --- postage checks of uploads -------------------------------------------------------------------

/** The batch named by the swarm-postage-batch-id header, checked as Bee checks it. */
function requireBatch(context: RouteContext, req: IncomingMessage): StoredBatch {
  const header = req.headers["swarm-postage-batch-id"];
  if (typeof header !== "string" || header === "") {
    throw new HttpError(400, "invalid header params", [{ field: "swarm-postage-batch-id", error: "want required: a postage batch id" }]);
  }
  if (!HEX_64.test(header)) throw new HttpError(400, "invalid header params", [{ field: "swarm-postage-batch-id", error: `invalid batch id ${JSON.stringify(header)}` }]);
  const batch = context.stamps.get(header);
  if (!batch) throw new HttpError(404, `batch with id not found: ${header.toLowerCase()}`);
  return batch;
}

/**
 * Commits a staged upload if its batch can stamp every new chunk, else drops it with Bee's 402.
 * Synchronous from the check to the commit, so two uploads cannot both take a bucket's last slots.
 * The batch is read again here: a dilution during the upload counts.
 */
function commitStamped(context: RouteContext, upload: StagedUpload, batch: StoredBatch): void {
  context.stamps.checkCapacity(context.stamps.get(batch.batchID) ?? batch, upload.addresses());
  upload.commit();
}

/** Stages every chunk of `data` and returns its root address. */
function stageBytes(upload: StagedUpload, data: Uint8Array): Uint8Array {
  return buildChunkTree(data, (chunk) => upload.put(chunk.address, chunk.span, chunk.payload)).address;
}

/** Stages the request body's chunk tree as the body arrives and returns its root address. */
async function stageBody(context: RouteContext, req: IncomingMessage, upload: StagedUpload): Promise<Uint8Array> {
  const tree = new ChunkTreeWriter((chunk) => upload.put(chunk.address, chunk.span, chunk.payload));
  for await (const part of bodyParts(req, context.maxBodyBytes)) tree.write(part);
  return tree.end().address;
}

async function withUpload<T>(context: RouteContext, batch: StoredBatch, work: (upload: StagedUpload) => Promise<T> | T): Promise<T> {
  const upload = context.store.beginUpload(batch.batchID, context.stamps.stampGuard(batch.batchID));
  try {
    const result = await work(upload);
    commitStamped(context, upload, batch);
    return result;
  } catch (error) {
    upload.abort();
    throw error;
  }
}

// --- bytes and chunks ------------------------------------------------------------------------

async function uploadBytes(context: RouteContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const batch = requireBatch(context, req);
  refuseDeclaredOversize(req, context.maxBodyBytes);
  const root = await withUpload(context, batch, (upload) => stageBody(context, req, upload));
  sendJson(res, 201, { reference: toHex(root) });
}

function downloadBytes(context: RouteContext, res: ServerResponse, referenceText: string, headOnly: boolean): void {
  const reference = parseReference(referenceText);
  if (headOnly) {
    const length = contentLength(context.store, reference);
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": length, etag: `"${reference}"` });
    res.end();
    return;
  }
  const data = joinBytes(context.store, reference);
  res.writeHead(200, { "content-type": "application/octet-stream", "content-length": data.length, etag: `"${reference}"` });
  res.end(data);
}

async function uploadChunk(context: RouteContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const batch = requireBatch(context, req);
  const body = await readBody(req, Math.min(context.maxBodyBytes, SPAN_SIZE + CHUNK_PAYLOAD_SIZE));
  if (body.length < SPAN_SIZE) throw new HttpError(400, `chunk of ${body.length} bytes is shorter than its ${SPAN_SIZE}-byte span`);
  const span = decodeSpan(body.subarray(0, SPAN_SIZE));
  const payload = body.subarray(SPAN_SIZE);
  const address = chunkAddress(span, payload);
  await withUpload(context, batch, (upload) => upload.put(address, span, payload));
  sendJson(res, 201, { reference: toHex(address) });
}

function downloadChunk(context: RouteContext, res: ServerResponse, referenceText: string): void {
  const reference = parseReference(referenceText);
  const data = context.store.read(reference);
  res.writeHead(200, { "content-type": "binary/octet-stream", "content-length": data.length });
  res.end(data);
}

// --- bzz: files and collections ------------------------------------------------------------

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}

async function uploadBzz(context: RouteContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const batch = requireBatch(context, req);
  const isCollection = headerValue(req, "swarm-collection")?.toLowerCase() === "true";
  const indexDocument = headerValue(req, "swarm-index-document");
  const errorDocument = headerValue(req, "swarm-error-document");
  if (indexDocument?.includes("/")) throw new HttpError(400, `index document suffix must not include slash character: ${JSON.stringify(indexDocument)}`);
  refuseDeclaredOversize(req, context.maxBodyBytes);

  const reference = await withUpload(context, batch, async (upload) => {
    const storeBytes = (bytes: Uint8Array) => stageBytes(upload, bytes);
    if (isCollection) {
      // Tar collections are read whole: entries are few and small next to the body limit.
      const entries = await readTar(await readBody(req, context.maxBodyBytes));
      if (entries.length === 0) throw new HttpError(400, "could not store directory: no files in tar");
      const files: ManifestFile[] = entries.map((entry) => ({
        path: entry.path,
        reference: storeBytes(entry.data),
        contentType: contentTypeForPath(entry.path),
        filename: entry.path.split("/").pop() ?? entry.path,
      }));
      return storeManifest(collectionManifest(files, { indexDocument, errorDocument }), storeBytes);
    }
    const fileReference = await stageBody(context, req, upload);
    // Bee names an unnamed file after its own reference.
    const name = url.searchParams.get("name") || toHex(fileReference);
    const contentType = headerValue(req, "content-type") ?? "application/octet-stream";
    return storeManifest(singleFileManifest({ path: name, reference: fileReference, contentType, filename: name }), storeBytes);
  });
  sendJson(res, 201, { reference });
}

function downloadBzz(context: RouteContext, res: ServerResponse, referenceText: string, entryPath: string, headOnly: boolean): void {
  const reference = parseReference(referenceText);
  const entry = context.manifests.resolve(reference, entryPath);
  if (!entry) throw new HttpError(404, `Not Found: path ${JSON.stringify(entryPath)} not found in manifest ${reference}`);
  const filename = entry.metadata.Filename ?? entryPath.split("/").pop() ?? "";
  const headers = {
    "content-type": entry.metadata["Content-Type"] || "application/octet-stream",
    // Bee writes the name's UTF-8 bytes as they are; Node sends header strings as latin1, so
    // the name is passed as the latin1 spelling of those bytes to put the same bytes on the wire.
    "content-disposition": `inline; filename="${Buffer.from(filename.replace(/"/g, ""), "utf8").toString("latin1")}"`,
    etag: `"${entry.target}"`,
  };
  if (headOnly) {
    res.writeHead(200, { ...headers, "content-length": contentLength(context.store, entry.target) });
    res.end();
    return;
  }
  const data = joinBytes(context.store, entry.target);
  res.writeHead(200, { ...headers, "content-length": data.length });
  res.end(data);
}
