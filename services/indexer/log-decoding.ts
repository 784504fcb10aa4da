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
    const decoded = decodeLog(contract, log.topics, log.data);
    if (!decoded) {
      this.unknown.push({ address: log.address, topic0: log.topics[0], txHash: log.transactionHash });
      return;
    }
    if (log.blockHash !== this.block) this.blockLower = (this.block = log.blockHash).toLowerCase();
    if (log.transactionHash !== this.tx) this.txLower = (this.tx = log.transactionHash).toLowerCase();
    this.events.push({
      contract: decoded.contract,
      name: decoded.name,
      args: decoded.args,
      blockNumber: Number(log.blockNumber),
      blockHash: this.blockLower,
      txHash: this.txLower,
      logIndex: Number(log.logIndex),
      timestamp: 0,
    });
  }

  decoded(): DecodedLogs {
    return { events: this.events, unknown: this.unknown };
  }
}

/** Decodes a whole list of raw logs (see LogDecoder). */
export function decodeRawLogs(logs: readonly RawLog[], contracts: readonly ContractAddress[]): DecodedLogs {
  const decoder = new LogDecoder(contracts);
  for (const log of logs) decoder.add(log);
  return decoder.decoded();
}
