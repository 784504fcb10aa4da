import { errorText, hexQuantity, postJsonRpc, type RpcClient } from "../chain/rpc";
import type { RegisteredContract } from "./contracts/module";
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

/** The node refused a log query because the range or result set is too large: shrink and ask again. */
export class RangeTooLargeError extends Error {
  constructor(
    readonly fromBlock: number,
    readonly toBlock: number,
    cause: string,
  ) {
    super(`eth_getLogs ${fromBlock}..${toBlock} too large: ${cause}`);
    this.name = "RangeTooLargeError";
  }
}

const RANGE_ERROR = /too many|more than \d+ (results|logs)|block range|range (is )?too (large|wide)|limit exceeded|exceed(s|ed)? (the )?max|response size|query timeout|-32005/i;

const isRangeTooLarge = (error: unknown) => error instanceof RangeTooLargeError;

/**
 * The decoded logs of `contracts` (whose modules are among `modules`) in blocks fromBlock..toBlock, from one eth_getLogs call, retried by
 * `client` on faults. Range refusals surface as RangeTooLargeError. Over HTTP this bypasses ethers on
 * purpose: its Node transport grows the response buffer by concatenation (quadratic in the size) and
 * decodes UTF-8 in JavaScript, which made a 10k-log answer cost ~20x the plain fetch + JSON.parse that
 * bench:indexer measures as the ceiling. The answer is decoded log by log as it arrives (streamLogs),
 * never held whole.
 */
export function getDecodedLogs(client: RpcClient, fromBlock: number, toBlock: number, contracts: readonly ContractAddress[], modules: readonly RegisteredContract[]): Promise<DecodedLogs> {
  return client.retry(
    `eth_getLogs(${fromBlock}..${toBlock})`,
    async () => {
      try {
        if (client.isWebSocket) {
          const logs = await client.send<unknown>("eth_getLogs", getLogsParams(fromBlock, toBlock, contracts));
          if (!Array.isArray(logs)) throw new Error(`eth_getLogs(${fromBlock}..${toBlock}) answered ${typeof logs}, not an array`);
          return decodeRawLogs(logs as RawLog[], contracts, modules);
        }
        const decoder = new LogDecoder(contracts, modules);
        await streamLogs(client.url, fromBlock, toBlock, contracts, client.timeoutMs, (log) => decoder.add(log));
        return decoder.decoded();
      } catch (error) {
        const text = errorText(error);
        if (RANGE_ERROR.test(text) && fromBlock < toBlock) throw new RangeTooLargeError(fromBlock, toBlock, text.slice(0, 200));
        throw error;
      }
    },
    isRangeTooLarge,
  );
}

/** eth_getLogs' parameters for the logs of `contracts` in blocks fromBlock..toBlock. */
function getLogsParams(fromBlock: number, toBlock: number, contracts: readonly { address: string }[]): unknown[] {
  return [{ fromBlock: hexQuantity(fromBlock), toBlock: hexQuantity(toBlock), address: contracts.map((entry) => entry.address) }];
}

/**
 * eth_getLogs, its answer split into logs as it arrives (log-stream.ts): `onLog` gets each log as
 * soon as its bytes are in. A failure can come after some logs were handed over: the caller drops them.
 */
export async function streamLogs(url: string, fromBlock: number, toBlock: number, contracts: readonly { address: string }[], timeoutMs: number, onLog: (log: RawLog) => void): Promise<void> {
  const response = await postJsonRpc(url, "eth_getLogs", getLogsParams(fromBlock, toBlock, contracts), timeoutMs);
  const splitter = new LogStreamSplitter(onLog);
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) splitter.push(chunk);
  const envelope = splitter.end();
  if (envelope.error) throw new Error(`eth_getLogs: ${envelope.error.message} (code ${envelope.error.code})`);
  if (!splitter.resultWasList) throw new Error(`eth_getLogs(${fromBlock}..${toBlock}) answered ${envelope.result === undefined ? "no result" : typeof envelope.result}, not an array`);
}
