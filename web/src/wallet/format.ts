import { ZeroAddress, formatUnits, parseUnits, type ContractRunner } from "ethers";
import type { AppConfig } from "../app-config";
import { erc20 } from "./contracts";
import { invalid } from "./errors";

/** A payment token as the app shows it: the native coin (address zero) or an ERC-20. */
export interface TokenInfo {
  address: string;
  symbol: string;
  decimals: number;
  native: boolean;
}

const cache = new Map<string, Promise<TokenInfo>>();

/**
 * Symbol and decimals of a payment token: the config's native symbol and 18 for address zero, else
 * the ERC-20's `symbol()` and `decimals()` (both optional in ERC-20: the address and 18 then).
 */
export function tokenInfo(config: AppConfig, token: string, runner: ContractRunner): Promise<TokenInfo> {
  if (token === ZeroAddress) return Promise.resolve({ address: ZeroAddress, symbol: config.nativeSymbol, decimals: 18, native: true });
  const key = `${config.chainId}:${token.toLowerCase()}`;
  let found = cache.get(key);
  if (!found) {
    const contract = erc20(token, runner);
    found = Promise.all([contract.symbol().catch(() => `${token.slice(0, 8)}…`), contract.decimals().then(Number).catch(() => 18)]).then(([symbol, decimals]) => ({
      address: token,
      symbol,
      decimals,
      native: false,
    }));
    cache.set(key, found);
  }
  return found;
}

/** `0.1 ETH`: an amount in its token's units, trailing zeros dropped. */
export function formatAmount(amount: bigint, token: Pick<TokenInfo, "symbol" | "decimals">): string {
  let text = formatUnits(amount, token.decimals);
  if (text.includes(".")) text = text.replace(/0+$/, "").replace(/\.$/, "");
  return `${text} ${token.symbol}`;
}

/** A typed amount ("0.01") in the token's smallest unit; an error naming `label` and the value otherwise. */
export function parseAmount(text: string, token: Pick<TokenInfo, "symbol" | "decimals">, label: string): bigint {
  const value = text.trim();
  if (!/^[0-9]+(\.[0-9]+)?$/.test(value)) throw invalid(`${label} ${JSON.stringify(text)} is not a number of ${token.symbol} (write it like 0.01)`);
  try {
    return parseUnits(value, token.decimals);
  } catch {
    throw invalid(`${label} ${JSON.stringify(text)} has more than ${token.decimals} decimals`);
  }
}

/** `0x1234…abcd`. */
export function shortAddress(address: string): string {
  return address.length > 12 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}
