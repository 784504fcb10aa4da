import { formatUnits } from "ethers";
import { IERC20__factory } from "../../typechain-types/factories/@openzeppelin/contracts/token/ERC20/IERC20__factory";
import { transact } from "../chain/transact";
import type { PodContracts } from "../chain/contracts";
import { MarketError } from "./errors";

/**
 * The one place an ERC-20 payment to the market is prepared: the payer must hold `amount`, and the
 * market must be allowed to pull it. Approves exactly `amount` when the allowance is short (never an
 * unlimited approval). Returns the approval's hash, or undefined when the allowance sufficed.
 */
export async function prepareErc20Payment(contracts: PodContracts, token: string, amount: bigint, decimals: number): Promise<string | undefined> {
  const erc20 = IERC20__factory.connect(token, contracts.market.runner);
  const marketAddress = await contracts.market.getAddress();
  const balance = await erc20.balanceOf(contracts.account);
  if (balance < amount) throw new MarketError(`balance ${formatUnits(balance, decimals)} of ${token} is below the price ${formatUnits(amount, decimals)}`);
  if ((await erc20.allowance(contracts.account, marketAddress)) >= amount) return undefined;
  const receipt = await transact(erc20.approve, [marketAddress, amount], { action: `approve the market to spend ${formatUnits(amount, decimals)} of ${token}` });
  return receipt.hash;
}
