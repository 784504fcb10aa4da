import type { LureContracts } from "../chain/contracts";
import { tokenLabel } from "../chain/tokens";
import { transact } from "../chain/transact";
import { MarketError } from "./errors";

/** What `account` can withdraw in `token` (address(0) = native): its pull-payment credit. */
export async function withdrawable(contracts: Pick<LureContracts, "market">, account: string, token: string): Promise<bigint> {
  return contracts.market.balanceOf(account, token);
}

/** Withdraws the account's whole credit in one token; a MarketError, sending nothing, when there is none. */
export async function withdraw(contracts: LureContracts, token: string): Promise<{ amount: bigint; tx: string }> {
  const amount = await withdrawable(contracts, contracts.account, token);
  if (amount === 0n) throw new MarketError(`nothing to withdraw: ${contracts.account} has no ${tokenLabel(token)} credit`);
  const receipt = await transact(contracts.market.withdraw, [token], { action: `withdraw ${tokenLabel(token)}` });
  return { amount, tx: receipt.hash };
}
