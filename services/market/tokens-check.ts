import { ZeroAddress, getAddress, type ContractRunner } from "ethers";
import { IERC20Metadata__factory } from "../../typechain-types/factories/@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata__factory";
import { MarketError } from "./errors";

/**
 * Whether an address is an ERC-20 the market can take payment in: a contract that answers
 * `decimals()`, `balanceOf(address)` and `allowance(address,address)`, what quoting, the balance
 * check and the approval of a purchase call. Checked before a token is allowed or a listing names
 * it, so that a later purchase cannot fail on an address that is no token.
 */

export interface Erc20Token {
  /** Checksummed. */
  address: string;
  decimals: number;
  /** `symbol()` when the token answers it (it is optional in ERC-20). */
  symbol?: string;
}

/** The address is not an ERC-20 the market can use; nothing was sent. */
export class NotAnErc20Error extends MarketError {
  constructor(
    readonly token: string,
    reason: string,
  ) {
    super(`token ${token} ${reason}`);
    this.name = "NotAnErc20Error";
  }
}

/** The token's decimals and symbol, or NotAnErc20Error naming the address and what it failed to answer. */
export async function requireErc20(token: string, runner: ContractRunner | null): Promise<Erc20Token> {
  const address = getAddress(token);
  const provider = runner?.provider;
  if (!provider) throw new MarketError(`token ${address}: no provider to check it with`);
  if (address === ZeroAddress) throw new NotAnErc20Error(address, "is the zero address (the native coin), not an ERC-20");
  const code = await provider.getCode(address);
  if (code === "0x") throw new NotAnErc20Error(address, "is not a contract (no code at this address on this chain)");
  const erc20 = IERC20Metadata__factory.connect(address, runner);
  const [decimals, balance, allowance, symbol] = await Promise.allSettled([
    erc20.decimals(),
    erc20.balanceOf(ZeroAddress),
    erc20.allowance(ZeroAddress, ZeroAddress),
    erc20.symbol(),
  ]);
  const unanswered = [
    decimals.status === "rejected" ? "decimals()" : undefined,
    balance.status === "rejected" ? "balanceOf(address)" : undefined,
    allowance.status === "rejected" ? "allowance(address,address)" : undefined,
  ].filter((name): name is string => name !== undefined);
  if (unanswered.length > 0 || decimals.status !== "fulfilled") {
    throw new NotAnErc20Error(address, `is a contract but does not answer as an ERC-20: ${unanswered.join(", ")} failed`);
  }
  return { address, decimals: Number(decimals.value), symbol: symbol.status === "fulfilled" ? symbol.value : undefined };
}
