import { FetchRequest, JsonRpcProvider, Network, WebSocketProvider } from "ethers";
import type { Logger } from "../log";

/** A log exactly as eth_getLogs returns it (hex quantities). */
export interface RawLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: string;
  blockHash: string;
  transactionHash: string;
  logIndex: string;
  removed?: boolean;
}

export interface BlockHeader {
  number: number;
  hash: string;
  parentHash: string;
  timestamp: number;
}

/** Raised when the caller asked the indexer to stop while a call was being retried. */
export class StoppedError extends Error {
  constructor() {
    super("indexer stopped");
    this.name = "StoppedError";
  }
}

/** The node refused a log query because the range or result set is too large: shrink and ask again. */
export class RangeTooLargeError extends Error {
  constructor(readonly fromBlock: number, readonly toBlock: number, cause: string) {
    super(`eth_getLogs ${fromBlock}..${toBlock} too large: ${cause}`);
    this.name = "RangeTooLargeError";
  }
}

const RANGE_ERROR = /too many|more than \d+ (results|logs)|block range|range (is )?too (large|wide)|limit exceeded|exceed(s|ed)? (the )?max|response size|query timeout|-32005/i;

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const info = (error as { info?: unknown; error?: unknown }).error ?? (error as { info?: unknown }).info;
    return info ? `${error.message} ${JSON.stringify(info)}` : error.message;
  }
  return String(error);
}

const hex = (n: number) => `0x${n.toString(16)}`;

export interface ChainClientOptions {
  url: string;
  log: Logger;
  /** Per-request timeout; a hung request is abandoned and retried. */
  timeoutMs?: number;
  /** Called on every retried fault (metrics). */
  onRetry?: () => void;
}

/**
 * The indexer's view of the chain. Calls go through ethers' JsonRpcProvider with batching, so the
 * concurrent header and log requests of one step share HTTP round trips. Every call is retried on
 * faults (timeouts, 5xx, dropped connections, garbage) with jittered exponential backoff, forever,
 * until stop(): skipping data is never an option, waiting is.
 */
export class ChainClient {
  private provider: JsonRpcProvider | WebSocketProvider | undefined;
  private stopped = false;
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly options: ChainClientOptions, readonly chainId: number) {}

  static async connect(options: ChainClientOptions): Promise<ChainClient> {
    const probe = new ChainClient(options, 0);
    const chainIdHex = await probe.retry("eth_chainId", () => rawCall<string>(options.url, "eth_chainId", [], options.timeoutMs ?? 15_000));
    const client = new ChainClient(options, Number(BigInt(chainIdHex)));
    client.provider = client.createProvider();
    return client;
  }

  private createProvider(): JsonRpcProvider | WebSocketProvider {
    const network = Network.from(this.chainId);
    if (/^wss?:\/\//.test(this.options.url)) return new WebSocketProvider(this.options.url, network, { staticNetwork: network });
    const request = new FetchRequest(this.options.url);
    request.timeout = this.options.timeoutMs ?? 15_000;
    return new JsonRpcProvider(request, network, { staticNetwork: network, batchMaxCount: 200, batchStallTime: 2, batchMaxSize: 1 << 20 });
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
    this.provider?.destroy();
  }

  private send<T>(method: string, params: unknown[]): Promise<T> {
    if (!this.provider) throw new Error("ChainClient used before connect()");
    return this.provider.send(method, params) as Promise<T>;
  }

  /** Runs `call` until it succeeds; RangeTooLargeError and StoppedError pass through. */
  async retry<T>(label: string, call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      if (this.stopped) throw new StoppedError();
      try {
        return await call();
      } catch (error) {
        if (this.stopped) throw new StoppedError();
        if (error instanceof RangeTooLargeError) throw error;
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
      const block = await this.send<RpcBlock | null>("eth_getBlockByNumber", [hex(number), false]);
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

  /**
   * One eth_getLogs call for both contracts. Range refusals surface as RangeTooLargeError.
   * Over HTTP this bypasses ethers on purpose: its Node transport grows the response buffer by
   * concatenation (quadratic in the size) and decodes UTF-8 in JavaScript, which made a 10k-log
   * answer cost ~20x the plain fetch + JSON.parse that bench:indexer measures as the ceiling.
   */
  async getLogs(fromBlock: number, toBlock: number, addresses: string[]): Promise<RawLog[]> {
    const params = [{ fromBlock: hex(fromBlock), toBlock: hex(toBlock), address: addresses }];
    return this.retry(`eth_getLogs(${fromBlock}..${toBlock})`, async () => {
      try {
        if (this.isWebSocket) return await this.send<RawLog[]>("eth_getLogs", params);
        const logs = await rawCall<RawLog[]>(this.options.url, "eth_getLogs", params, this.options.timeoutMs ?? 15_000);
        if (!Array.isArray(logs)) throw new Error(`eth_getLogs(${fromBlock}..${toBlock}) answered ${typeof logs}, not an array`);
        return logs;
      } catch (error) {
        const text = errorText(error);
        if (RANGE_ERROR.test(text) && fromBlock < toBlock) throw new RangeTooLargeError(fromBlock, toBlock, text.slice(0, 200));
        throw error;
      }
    });
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

/** A single JSON-RPC call without ethers, for the chain id before a provider exists. */
export async function rawCall<T>(url: string, method: string, params: unknown[], timeoutMs: number): Promise<T> {
  const httpUrl = url.replace(/^ws(s?):/, "http$1:");
  const response = await fetch(httpUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) throw new Error(`${method}: HTTP ${response.status} from ${httpUrl}`);
  const body = (await response.json()) as { result?: T; error?: { code?: number; message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message} (code ${body.error.code})`);
  if (body.result === undefined) throw new Error(`${method}: no result from ${httpUrl}`);
  return body.result;
}
