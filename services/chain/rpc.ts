import { FetchRequest, JsonRpcProvider, Network, WebSocketProvider } from "ethers";
import type { Logger } from "../log";

/**
 * A JSON-RPC client for long-running services that follow the chain (the indexer today, the runner
 * and the other followers to come): calls are batched, and retried on every fault until they succeed
 * or the client is stopped. Nothing here knows a Lure contract; the indexer's log fetching is built
 * on it in services/indexer/get-logs.ts.
 */

export interface BlockHeader {
  number: number;
  hash: string;
  parentHash: string;
  timestamp: number;
}

/** Raised when the caller asked the client to stop while a call was being retried. */
export class StoppedError extends Error {
  constructor() {
    super("RPC client stopped");
    this.name = "StoppedError";
  }
}

/** A readable text for an RPC failure, with the node's error object when ethers kept one. */
export function errorText(error: unknown): string {
  if (error instanceof Error) {
    const info = (error as { info?: unknown; error?: unknown }).error ?? (error as { info?: unknown }).info;
    return info ? `${error.message} ${JSON.stringify(info)}` : error.message;
  }
  return String(error);
}

/** A number as a JSON-RPC hex quantity. */
export const hexQuantity = (n: number): string => `0x${n.toString(16)}`;

const DEFAULT_TIMEOUT_MS = 15_000;

export interface RpcClientOptions {
  url: string;
  log: Logger;
  /** Per-request timeout; a hung request is abandoned and retried. */
  timeoutMs?: number;
  /** Called on every retried fault (metrics). */
  onRetry?: () => void;
}

/**
 * Calls go through ethers' JsonRpcProvider with batching, so the concurrent requests of one step
 * share HTTP round trips. Every call is retried on faults (timeouts, 5xx, dropped connections,
 * garbage) with jittered exponential backoff, forever, until stop(): for a follower of the chain,
 * skipping data is never an option, waiting is.
 */
export class RpcClient {
  private provider: JsonRpcProvider | WebSocketProvider | undefined;
  private stopped = false;
  private readonly waiters = new Set<() => void>();

  private constructor(
    readonly options: RpcClientOptions,
    readonly chainId: number,
  ) {}

  static async connect(options: RpcClientOptions): Promise<RpcClient> {
    const probe = new RpcClient(options, 0);
    const chainIdHex = await probe.retry("eth_chainId", () => rawCall<string>(options.url, "eth_chainId", [], options.timeoutMs ?? DEFAULT_TIMEOUT_MS));
    const client = new RpcClient(options, Number(BigInt(chainIdHex)));
    client.provider = client.createProvider();
    return client;
  }

  private createProvider(): JsonRpcProvider | WebSocketProvider {
    const network = Network.from(this.chainId);
    if (/^wss?:\/\//.test(this.options.url)) return new WebSocketProvider(this.options.url, network, { staticNetwork: network });
    const request = new FetchRequest(this.options.url);
    request.timeout = this.timeoutMs;
    return new JsonRpcProvider(request, network, { staticNetwork: network, batchMaxCount: 200, batchStallTime: 2, batchMaxSize: 1 << 20 });
  }

  get url(): string {
    return this.options.url;
  }

  get timeoutMs(): number {
    return this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  get isWebSocket(): boolean {
    return this.provider instanceof WebSocketProvider;
  }

  /** Subscribes to new heads over WebSocket; returns an unsubscribe function. */
  onNewHead(listener: () => void): () => void {
    if (!(this.provider instanceof WebSocketProvider)) return () => undefined;
    const provider = this.provider;
    void provider.on("block", listener);
    return () => void provider.off("block", listener);
  }

  stop(): void {
    this.stopped = true;
    for (const wake of this.waiters) wake();
    void this.provider?.destroy();
  }

  /** One call through the provider, not retried (wrap it in retry()). */
  send<T>(method: string, params: unknown[]): Promise<T> {
    if (!this.provider) throw new Error("RpcClient used before connect()");
    return this.provider.send(method, params) as Promise<T>;
  }

  /**
   * Runs `call` until it succeeds; StoppedError, and the errors `passThrough` accepts (a refusal the
   * caller answers otherwise, e.g. a log range to split), are thrown at once.
   */
  async retry<T>(label: string, call: () => Promise<T>, passThrough?: (error: unknown) => boolean): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      if (this.stopped) throw new StoppedError();
      try {
        return await call();
      } catch (error) {
        if (this.stopped) throw new StoppedError();
        if (passThrough?.(error)) throw error;
        const delay = Math.min(5_000, 100 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random());
        this.options.onRetry?.();
        const level = attempt >= 5 ? "warn" : "debug";
        this.options.log[level]({ call: label, attempt: attempt + 1, delayMs: Math.round(delay), error: errorText(error).slice(0, 300) }, "RPC call failed; retrying");
        await this.sleep(delay);
      }
    }
  }

  /** Sleeps, waking early on stop(). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.waiters.add(wake);
    });
  }

  async latestHeader(): Promise<BlockHeader> {
    return this.retry("eth_getBlockByNumber(latest)", async () => parseHeader(await this.send<RpcBlock | null>("eth_getBlockByNumber", ["latest", false]), "latest"));
  }

  /** The header at `number`, or null when the chain is shorter than that. */
  async headerAt(number: number): Promise<BlockHeader | null> {
    return this.retry(`eth_getBlockByNumber(${number})`, async () => {
      const block = await this.send<RpcBlock | null>("eth_getBlockByNumber", [hexQuantity(number), false]);
      return block ? parseHeader(block, number) : null;
    });
  }

  /** Headers of `numbers`, fetched concurrently (one JSON-RPC batch); null where the chain ends. */
  async headersAt(numbers: number[]): Promise<(BlockHeader | null)[]> {
    const result: (BlockHeader | null)[] = [];
    const CHUNK = 500;
    for (let start = 0; start < numbers.length; start += CHUNK) {
      result.push(...(await Promise.all(numbers.slice(start, start + CHUNK).map((number) => this.headerAt(number)))));
    }
    return result;
  }
}

interface RpcBlock {
  number: string;
  hash: string;
  parentHash: string;
  timestamp: string;
}

function parseHeader(block: RpcBlock | null, requested: number | string): BlockHeader {
  if (!block || typeof block.hash !== "string" || typeof block.number !== "string") {
    throw new Error(`eth_getBlockByNumber(${requested}) returned no block`);
  }
  return {
    number: Number(BigInt(block.number)),
    hash: block.hash.toLowerCase(),
    parentHash: block.parentHash.toLowerCase(),
    timestamp: Number(BigInt(block.timestamp)),
  };
}

/**
 * One JSON-RPC request over fetch, its answer left unread (the caller streams or parses it); a status
 * other than 2xx is an error. A ws(s):// URL is asked over http(s), where the same node answers.
 */
export async function postJsonRpc(url: string, method: string, params: unknown[], timeoutMs: number): Promise<Response> {
  const httpUrl = url.replace(/^ws(s?):/, "http$1:");
  const response = await fetch(httpUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok || !response.body) throw new Error(`${method}: HTTP ${response.status} from ${httpUrl}`);
  return response;
}

/** A single JSON-RPC call without ethers, for the chain id before a provider exists. */
async function rawCall<T>(url: string, method: string, params: unknown[], timeoutMs: number): Promise<T> {
  const response = await postJsonRpc(url, method, params, timeoutMs);
  const body = (await response.json()) as { result?: T; error?: { code?: number; message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message} (code ${body.error.code})`);
  if (body.result === undefined) throw new Error(`${method}: no result from ${url}`);
  return body.result;
}
