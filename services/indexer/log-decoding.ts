import type { ChainEvent } from "./chain-event";
import { CONTRACT_MODULES } from "./contracts";
import type { RegisteredContract } from "./contracts/module";
import { eventDecodersOf, type EventDecoder } from "./event-decoder";
import type { RawLog } from "./get-logs";

/** Which contract module's contract lives at which address (any case). */
export interface ContractAddress {
  address: string;
  /** The module's name (ContractModule.name). */
  contract: string;
}

/** A followed contract as the decoder looks it up by address: its name and its events' decoders. */
interface FollowedContract {
  name: string;
  decoders: Map<string, EventDecoder>;
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
  private readonly contractOf: Map<string, FollowedContract>;
  // Consecutive logs mostly share their block and transaction: one lower-cased copy of each hash
  // serves them all (a fresh string per log was garbage, or memory held by the rows that keep it).
  private block = "";
  private blockLower = "";
  private tx = "";
  private txLower = "";

  /** @param modules the modules `contracts` name (default: every registered one) */
  constructor(contracts: readonly ContractAddress[], modules: readonly RegisteredContract[] = CONTRACT_MODULES) {
    this.contractOf = new Map(contracts.map((entry) => [entry.address.toLowerCase(), followed(entry.contract, modules)]));
  }

  add(log: RawLog): void {
    if (log.removed) return;
    const contract = this.contractOf.get(log.address) ?? this.contractOf.get(String(log.address).toLowerCase());
    if (!contract) return;
    if (!Array.isArray(log.topics) || !log.topics.every((topic) => typeof topic === "string")) throw malformed(log, "topics", log.topics);
    if (typeof log.data !== "string") throw malformed(log, "data", log.data);
    const topic0 = log.topics[0]?.toLowerCase();
    const decoder = topic0 === undefined ? undefined : contract.decoders.get(topic0);
    if (!decoder) {
      this.unknown.push({ address: log.address, topic0: log.topics[0], txHash: log.transactionHash });
      return;
    }
    const args = decoder.decode(log.topics, log.data);
    if (log.blockHash !== this.block) this.blockLower = (this.block = hash(log, "blockHash")).toLowerCase();
    if (log.transactionHash !== this.tx) this.txLower = (this.tx = hash(log, "transactionHash")).toLowerCase();
    this.events.push({
      contract: contract.name,
      name: decoder.name,
      args,
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

function followed(name: string, modules: readonly RegisteredContract[]): FollowedContract {
  const module = modules.find((candidate) => candidate.name === name);
  if (!module) throw new Error(`no contract module is named ${name} (registered: ${modules.map((candidate) => candidate.name).join(", ")})`);
  return { name: module.name, decoders: eventDecodersOf(module) };
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
export function decodeRawLogs(logs: readonly RawLog[], contracts: readonly ContractAddress[], modules: readonly RegisteredContract[] = CONTRACT_MODULES): DecodedLogs {
  const decoder = new LogDecoder(contracts, modules);
  for (const log of logs) decoder.add(log);
  return decoder.decoded();
}
