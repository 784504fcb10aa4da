import { ZeroAddress, getAddress, isAddress, parseUnits } from "ethers";
import { refToBytes32 } from "../../services/chain/refs";
import { InvalidArgumentError } from "./errors";

/** `--name value` as the user wrote it, for error messages. */
function shown(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** A 64-hex Swarm reference (0x optional), returned as 0x-prefixed bytes32. The zero ref is refused. */
export function parseRef(value: string | undefined, argument = "ref"): string {
  const text = (value ?? "").trim();
  if (!/^(0x)?[0-9a-fA-F]{64}$/.test(text)) {
    throw new InvalidArgumentError(`--${argument}: expected a 64-hex Swarm reference, got ${shown(value)}`);
  }
  const ref = refToBytes32(text);
  if (/^0x0{64}$/.test(ref)) throw new InvalidArgumentError(`--${argument}: the zero reference is not a pod`);
  return ref;
}

/** A checksummed or lower-case address; a wrong checksum or the zero address is refused. */
export function parseAddress(value: string | undefined, argument = "address", { allowZero = false } = {}): string {
  const text = (value ?? "").trim();
  if (!isAddress(text)) throw new InvalidArgumentError(`--${argument}: expected a 20-byte 0x address, got ${shown(value)}`);
  const address = getAddress(text);
  if (!allowZero && address === ZeroAddress) throw new InvalidArgumentError(`--${argument}: the zero address is not allowed`);
  return address;
}

/** `native`, `pol`, `eth` or `0x0…0` mean the chain's coin (address zero); anything else must be an ERC-20 address. */
export function parseToken(value: string | undefined, argument = "token"): string {
  const text = (value ?? "native").trim().toLowerCase();
  if (["native", "pol", "matic", "eth", "0x0", ZeroAddress.toLowerCase()].includes(text)) return ZeroAddress;
  return parseAddress(value, argument);
}

/** A positive decimal integer pod id. */
export function parsePodId(value: string | undefined, argument = "pod"): bigint {
  const text = (value ?? "").trim();
  if (!/^[0-9]+$/.test(text) || BigInt(text) === 0n) {
    throw new InvalidArgumentError(`--${argument}: expected a pod id (a positive integer), got ${shown(value)}`);
  }
  return BigInt(text);
}

/** A non-negative whole number (versions, basis points…), bounded by `max`. */
export function parseUint(value: string | undefined, argument: string, max: bigint): bigint {
  const text = (value ?? "").trim();
  if (!/^[0-9]+$/.test(text) || BigInt(text) > max) {
    throw new InvalidArgumentError(`--${argument}: expected a whole number from 0 to ${max}, got ${shown(value)}`);
  }
  return BigInt(text);
}

/** Largest price the market stores (uint96). */
const MAX_PRICE = (1n << 96n) - 1n;

/** A price in whole units of the token (`1.5` = 1.5 POL), converted with the token's decimals. */
export function parsePrice(value: string | undefined, decimals: number, argument = "price", { allowZero = false } = {}): bigint {
  const text = (value ?? "").trim();
  if (!/^[0-9]+(\.[0-9]+)?$/.test(text)) {
    throw new InvalidArgumentError(`--${argument}: expected a decimal amount such as 1.5, got ${shown(value)}`);
  }
  const fraction = text.split(".")[1] ?? "";
  if (fraction.length > decimals) {
    throw new InvalidArgumentError(`--${argument}: ${text} has more than ${decimals} decimal places`);
  }
  const amount = parseUnits(text, decimals);
  if (amount === 0n && !allowZero) throw new InvalidArgumentError(`--${argument}: must be greater than zero, got ${shown(value)}`);
  if (amount > MAX_PRICE) throw new InvalidArgumentError(`--${argument}: ${text} is larger than the market can store`);
  return amount;
}

/**
 * The most a pod may ask its forks, in basis points: PodRegistry's MAX_ROYALTY_BPS (25%). Every task
 * that takes --fork-royalty checks it against this one range, with this one message.
 */
export const MAX_FORK_ROYALTY_BPS = 2500;

/**
 * `--fork-royalty`: whole basis points from 0 to MAX_FORK_ROYALTY_BPS, refused in the words
 * services/pods/persist.ts uses for the same check (a recipe's or a caller's royalty), so the user
 * reads one message wherever the value came from.
 */
export function parseForkRoyalty(value: string | undefined): number {
  const text = (value ?? "").trim();
  if (!/^[0-9]+$/.test(text) || BigInt(text) > BigInt(MAX_FORK_ROYALTY_BPS)) {
    throw new InvalidArgumentError(`fork royalty: expected whole basis points from 0 to ${MAX_FORK_ROYALTY_BPS}, got ${/^[0-9]+$/.test(text) ? text : shown(value)}`);
  }
  return Number(text);
}
