import { Bee, MantarayNode, type BeeRequestOptions, type Collection } from "@ethersphere/bee-js";
import { NoPostageBatchError, SwarmRequestError } from "./errors";

/**
 * Lure's one way to Swarm. Everything goes through bee-js, so the same code runs against a
 * real Bee node and against the embedded dev node; every request carries its own timeout.
 */
export interface SwarmClient {
  readonly url: string;
  /** The bee-js instance, for rare raw use (pass `requestOptions()` for a timeout). */
  readonly bee: Bee;
  /** BEE_POSTAGE_BATCH if given, else the node's first usable batch; else NoPostageBatchError. */
  postageBatch(): Promise<string>;
  /** Buys a batch and waits until it is usable; returns its id (64 hex). */
  buyStamp(amount: bigint | string, depth: number): Promise<string>;
  /** Uploads raw bytes (POST /bytes); returns the 64-hex reference. */
  uploadBytes(data: Uint8Array): Promise<string>;
  downloadBytes(ref: string): Promise<Uint8Array>;
  /** Uploads one file (POST /bzz?name=); returns the manifest reference. */
  uploadFile(data: Uint8Array, name: string, contentType?: string): Promise<string>;
  /** Uploads files as a tar collection (POST /bzz, swarm-collection); returns the manifest reference. */
  uploadCollection(entries: { path: string; data: Uint8Array }[], opts?: { indexDocument?: string; errorDocument?: string }): Promise<string>;
  /** GET /bzz/{ref}/{path}: the file, its content type and its name. */
  downloadFile(ref: string, path?: string): Promise<{ data: Uint8Array; contentType?: string; name?: string }>;
  /** Every file of a manifest, by walking its Mantaray tree. */
  downloadCollection(ref: string): Promise<{ path: string; data: Uint8Array }[]>;
  /** True when the node answers its health check within the timeout. */
  isReachable(): Promise<boolean>;
  /** Request options carrying a fresh timeout signal, for raw `bee` calls. */
  requestOptions(): BeeRequestOptions;
}

export interface SwarmClientOptions {
  url: string;
  postageBatchId?: string;
  /** Per request; default 60 s. */
  timeoutMs?: number;
}

const HEX_64 = /^[0-9a-f]{64}$/;

function normaliseReference(ref: string): string {
  const hex = ref.toLowerCase().replace(/^0x/, "");
  if (!HEX_64.test(hex)) throw new TypeError(`expected a 64-hex Swarm reference, got ${JSON.stringify(ref)}`);
  return hex;
}

/** Bee sends the file name's UTF-8 bytes raw; HTTP clients read header bytes as latin1. */
function decodeHeaderText(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const bytes = Buffer.from(value, "latin1");
  const utf8 = bytes.toString("utf8");
  return utf8.includes("\uFFFD") ? value : utf8;
}

export function createSwarmClient(options: SwarmClientOptions): SwarmClient {
  const url = options.url.replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? 60_000;
  const bee = new Bee(url);
  const configuredBatch = options.postageBatchId ? normaliseReference(options.postageBatchId) : undefined;
  let discoveredBatch: string | undefined;

  const requestOptions = (): BeeRequestOptions => ({ signal: AbortSignal.timeout(timeoutMs) });

  async function call<T>(action: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof NoPostageBatchError || error instanceof SwarmRequestError) throw error;
      throw new SwarmRequestError(`${action} at ${url}`, error);
    }
  }

  async function postageBatch(): Promise<string> {
    if (configuredBatch) return configuredBatch;
    if (discoveredBatch) return discoveredBatch;
    const batches = await call("listing postage batches", () => bee.getPostageBatches(requestOptions()));
    const usable = batches.find((batch) => batch.usable);
    if (!usable) throw new NoPostageBatchError(url);
    discoveredBatch = usable.batchID.toHex();
    return discoveredBatch;
  }

  return {
    url,
    bee,
    requestOptions,
    postageBatch,

    async buyStamp(amount, depth) {
      const batch = await call(`buying a postage batch (amount ${amount}, depth ${depth})`, () =>
        bee.createPostageBatch(amount.toString(), depth, { waitForUsable: true, waitForUsableTimeout: timeoutMs }, requestOptions()),
      );
      return batch.toHex();
    },

    async uploadBytes(data) {
      const batch = await postageBatch();
      const result = await call(`uploading ${data.length} bytes`, () => bee.uploadData(batch, data, undefined, requestOptions()));
      return result.reference.toHex();
    },

    async downloadBytes(ref) {
      const reference = normaliseReference(ref);
      const data = await call(`downloading bytes ${reference}`, () => bee.downloadData(reference, undefined, requestOptions()));
      return data.toUint8Array();
    },

    async uploadFile(data, name, contentType) {
      const batch = await postageBatch();
      const result = await call(`uploading file ${JSON.stringify(name)} (${data.length} bytes)`, () =>
        bee.uploadFile(batch, data, name, { contentType: contentType ?? "application/octet-stream" }, requestOptions()),
      );
      return result.reference.toHex();
    },

    async uploadCollection(entries, opts) {
      const batch = await postageBatch();
      const seen = new Set<string>();
      for (const entry of entries) {
        if (seen.has(entry.path)) throw new TypeError(`collection has the path ${JSON.stringify(entry.path)} twice`);
        seen.add(entry.path);
        // bee-js writes plain ustar headers: the name field holds 100 bytes.
        if (Buffer.byteLength(entry.path, "utf8") > 100) throw new TypeError(`collection path ${JSON.stringify(entry.path)} is longer than 100 bytes`);
      }
      const collection: Collection = entries.map((entry) => ({ path: entry.path, size: entry.data.length, file: new Blob([new Uint8Array(entry.data)]) as File }));
      const result = await call(`uploading a collection of ${entries.length} files`, () =>
        bee.uploadCollection(batch, collection, { indexDocument: opts?.indexDocument, errorDocument: opts?.errorDocument }, requestOptions()),
      );
      return result.reference.toHex();
    },

    async downloadFile(ref, path = "") {
      const reference = normaliseReference(ref);
      const file = await call(`downloading ${JSON.stringify(path)} of manifest ${reference}`, () => bee.downloadFile(reference, path, undefined, requestOptions()));
      return { data: file.data.toUint8Array(), contentType: file.contentType, name: decodeHeaderText(file.name) };
    },

    async downloadCollection(ref) {
      const reference = normaliseReference(ref);
      const root = await call(`reading manifest ${reference}`, async () => {
        const node = await MantarayNode.unmarshal(bee, reference, undefined, requestOptions());
        await node.loadRecursively(bee, undefined, requestOptions());
        return node;
      });
      const files: { path: string; data: Uint8Array }[] = [];
      for (const node of root.collect()) {
        const path = node.fullPathString;
        const target = Buffer.from(node.targetAddress).toString("hex");
        const data = await call(`downloading ${JSON.stringify(path)} (${target}) of manifest ${reference}`, () =>
          bee.downloadData(target, undefined, requestOptions()),
        );
        files.push({ path, data: data.toUint8Array() });
      }
      return files;
    },

    async isReachable() {
      try {
        await bee.getHealth(requestOptions());
        return true;
      } catch {
        return false;
      }
    },
  };
}
