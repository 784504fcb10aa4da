import { ZeroAddress, type ContractRunner } from "ethers";
import { IERC20Metadata__factory } from "../../typechain-types/factories/@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata__factory";

/** The market's name for the chain's own coin (POL on Polygon): the zero address. */
export const NATIVE_TOKEN = ZeroAddress;

/** "native" for the chain's coin, else the token's address: how amounts are labelled. */
export function tokenLabel(token: string): string {
  return token === NATIVE_TOKEN ? "native" : token;
}

/**
 * Decimals of a payment token: 18 for the native coin, else the ERC-20's `decimals()`, or 18 when
 * the token does not answer (decimals() is optional in ERC-20).
 */
export async function decimalsOf(token: string, runner: ContractRunner | null): Promise<number> {
  if (token === NATIVE_TOKEN) return 18;
  try {
    return Number(await IERC20Metadata__factory.connect(token, runner).decimals());
  } catch {
    return 18;
  }
}
