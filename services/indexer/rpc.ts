import { FetchRequest, JsonRpcProvider, Network, WebSocketProvider } from "ethers";
import type { Logger } from "../log";
import { decodeRawLogs, LogDecoder, type ContractAddress, type DecodedLogs } from "./log-decoding";
import { LogStreamSplitter } from "./log-stream";

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
   * The decoded logs of `contracts` in blocks fromBlock..toBlock, from one eth_getLogs call. Range
   * refusals surface as RangeTooLargeError. Over HTTP this bypasses ethers on purpose: its Node
   * transport grows the response buffer by concatenation (quadratic in the size) and decodes UTF-8 in
   * JavaScript, which made a 10k-log answer cost ~20x the plain fetch + JSON.parse that bench:indexer
   * measures as the ceiling. The answer is decoded log by log as it arrives (streamLogs), never held
   * whole.
   */
  async getLogs(fromBlock: number, toBlock: number, contracts: readonly ContractAddress[]): Promise<DecodedLogs> {
    return this.retry(`eth_getLogs(${fromBlock}..${toBlock})`, async () => {
      try {
        if (this.isWebSocket) {
          const logs = await this.send<unknown>("eth_getLogs", getLogsParams(fromBlock, toBlock, contracts));
          if (!Array.isArray(logs)) throw new Error(`eth_getLogs(${fromBlock}..${toBlock}) answered ${typeof logs}, not an array`);
          return decodeRawLogs(logs as RawLog[], contracts);
        }
        const decoder = new LogDecoder(contracts);
        await streamLogs(this.options.url, fromBlock, toBlock, contracts, this.options.timeoutMs ?? 15_000, (log) => decoder.add(log));
        return decoder.decoded();
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

/** eth_getLogs' parameters for the logs of `contracts` in blocks fromBlock..toBlock. */
function getLogsParams(fromBlock: number, toBlock: number, contracts: readonly { address: string }[]): unknown[] {
  return [{ fromBlock: hex(fromBlock), toBlock: hex(toBlock), address: contracts.map((entry) => entry.address) }];
}

/** One JSON-RPC request over fetch; a status other than 2xx is an error. */
async function post(url: string, method: string, params: unknown[], timeoutMs: number): Promise<Response> {
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

/**
 * eth_getLogs, its answer split into logs as it arrives (log-stream.ts): `onLog` gets each log as
 * soon as its bytes are in. A failure can come after some logs were handed over: the caller drops them.
 */
export async function streamLogs(url: string, fromBlock: number, toBlock: number, contracts: readonly { address: string }[], timeoutMs: number, onLog: (log: RawLog) => void): Promise<void> {
  const response = await post(url, "eth_getLogs", getLogsParams(fromBlock, toBlock, contracts), timeoutMs);
  const splitter = new LogStreamSplitter(onLog);
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) splitter.push(chunk);
  const envelope = splitter.end();
  if (envelope.error) throw new Error(`eth_getLogs: ${envelope.error.message} (code ${envelope.error.code})`);
  if (!splitter.resultWasList) throw new Error(`eth_getLogs(${fromBlock}..${toBlock}) answered ${envelope.result === undefined ? "no result" : typeof envelope.result}, not an array`);
}

/** A single JSON-RPC call without ethers, for the chain id before a provider exists. */
export async function rawCall<T>(url: string, method: string, params: unknown[], timeoutMs: number): Promise<T> {
  const response = await post(url, method, params, timeoutMs);
  const body = (await response.json()) as { result?: T; error?: { code?: number; message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message} (code ${body.error.code})`);
  if (body.result === undefined) throw new Error(`${method}: no result from ${url}`);
  return body.result;
}
