import { decodeLog, type LureContract } from "./abi";
import type { ChainEvent } from "./batch";
import type { RawLog } from "./rpc";

/** Which contract lives at which address (any case). */
export interface ContractAddress {
  address: string;
  contract: LureContract;
}

/** A log of one of our contracts whose event the ABI does not know: kept out, and reported. */
export interface UnknownLog {
  address: string;
  topic0: string | undefined;
  txHash: string;
}

/**
 * The logs of one eth_getLogs answer, decoded. `timestamp` of every event is 0 here: it is the
 * block's, and the indexer sets it once it holds the header of that block.
 */
export interface DecodedLogs {
  events: ChainEvent[];
  unknown: UnknownLog[];
}

/**
 * Decodes raw logs one by one, in the order given (as they come off the wire: log-stream.ts);
 * removed logs and logs of other addresses are dropped. Throws on a log too malformed to decode
 * (the range is then fetched again, never skipped).
 */
export class LogDecoder {
  readonly events: ChainEvent[] = [];
  readonly unknown: UnknownLog[] = [];
  private readonly contractOf: Map<string, LureContract>;
  // Consecutive logs mostly share their block and transaction: one lower-cased copy of each hash
  // serves them all (a fresh string per log was garbage, or memory held by the rows that keep it).
  private block = "";
  private blockLower = "";
  private tx = "";
  private txLower = "";

  constructor(contracts: readonly ContractAddress[]) {
    this.contractOf = new Map(contracts.map((entry) => [entry.address.toLowerCase(), entry.contract]));
  }

  add(log: RawLog): void {
    if (log.removed) return;
    const contract = this.contractOf.get(log.address) ?? this.contractOf.get(String(log.address).toLowerCase());
    if (!contract) return;
    if (!Array.isArray(log.topics) || !log.topics.every((topic) => typeof topic === "string")) throw malformed(log, "topics", log.topics);
    if (typeof log.data !== "string") throw malformed(log, "data", log.data);
    const decoded = decodeLog(contract, log.topics, log.data);
    if (!decoded) {
      this.unknown.push({ address: log.address, topic0: log.topics[0], txHash: log.transactionHash });
      return;
    }
    if (log.blockHash !== this.block) this.blockLower = (this.block = hash(log, "blockHash")).toLowerCase();
    if (log.transactionHash !== this.tx) this.txLower = (this.tx = hash(log, "transactionHash")).toLowerCase();
    this.events.push({
      contract: decoded.contract,
      name: decoded.name,
      args: decoded.args,
      blockNumber: quantity(log, "blockNumber"),
      blockHash: this.blockLower,
      txHash: this.txLower,
      logIndex: quantity(log, "logIndex"),
      timestamp: 0,
    });
  }

  decoded(): DecodedLogs {
    return { events: this.events, unknown: this.unknown };
  }
}

const HASH = /^0x[0-9a-fA-F]{64}$/;

/** An error naming the field of `log` that is not what eth_getLogs promises. */
function malformed(log: RawLog, field: string, value: unknown): Error {
  return new Error(`eth_getLogs answered a malformed log: ${field} is ${JSON.stringify(value)?.slice(0, 80)} (log ${JSON.stringify(log).slice(0, 200)})`);
}

/** A hex quantity (block number, log index) as a number; the error names the field. */
function quantity(log: RawLog, field: "blockNumber" | "logIndex"): number {
  const value = log[field];
  const number = typeof value === "string" && value.startsWith("0x") ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number)) throw malformed(log, field, value);
  return number;
}

/** A block or transaction hash; the error names the field. */
function hash(log: RawLog, field: "blockHash" | "transactionHash"): string {
  const value = log[field];
  if (typeof value !== "string" || !HASH.test(value)) throw malformed(log, field, value);
  return value;
}

/** Decodes a whole list of raw logs (see LogDecoder). */
export function decodeRawLogs(logs: readonly RawLog[], contracts: readonly ContractAddress[]): DecodedLogs {
  const decoder = new LogDecoder(contracts);
  for (const log of logs) decoder.add(log);
  return decoder.decoded();
}
