/** Decoded arguments: uints as decimal strings, addresses/bytes lower-case hex, bools, strings. */
export type DecodedArgs = Record<string, string | boolean>;

/** A decoded log with its position on chain and its block's timestamp. */
export interface ChainEvent {
  /** The contract module's name (ContractModule.name), also the `contract` column of `events`. */
  contract: string;
  name: string;
  args: DecodedArgs;
  blockNumber: number;
  blockHash: string;
  txHash: string;
  logIndex: number;
  timestamp: number;
}
