import { formatUnits } from "ethers";
import { IERC20__factory } from "../../typechain-types/factories/@openzeppelin/contracts/token/ERC20/IERC20__factory";
import { transact } from "../chain/transact";
import type { BaseContract } from "ethers";
import { MarketError } from "./errors";

/**
 * The one place an ERC-20 payment to a Lure contract is prepared (a purchase from PodMarket, a run's
 * escrow in RunMarket): the payer must hold `amount`, and `spender` must be allowed to pull it.
 * Approves exactly `amount` when the allowance is short (never an unlimited approval). Returns the
 * approval's hash, or undefined when the allowance sufficed.
 */
export async function prepareErc20Payment(payer: { account: string; spender: BaseContract }, token: string, amount: bigint, decimals: number): Promise<string | undefined> {
  const erc20 = IERC20__factory.connect(token, payer.spender.runner);
  const spenderAddress = await payer.spender.getAddress();
  const spenderName = contractName(payer.spender);
  const balance = await erc20.balanceOf(payer.account);
  if (balance < amount) throw new MarketError(`balance ${formatUnits(balance, decimals)} of ${token} is below the price ${formatUnits(amount, decimals)}`);
  if ((await erc20.allowance(payer.account, spenderAddress)) >= amount) return undefined;
  const receipt = await transact(erc20.approve, [spenderAddress, amount], { action: `approve ${spenderName} to spend ${formatUnits(amount, decimals)} of ${token}` });
  return receipt.hash;
}

/** "the run market" for RunMarket (it has requestRun), else "the market". */
function contractName(contract: BaseContract): string {
  return contract.interface.hasFunction("requestRun") ? "the run market" : "the market";
}
