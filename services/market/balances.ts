import type { PodContracts } from "../chain/contracts";
import { tokenLabel } from "../chain/tokens";
import { transact } from "../chain/transact";
import { MarketError } from "./errors";

/** What `account` can withdraw in `token` (address(0) = native): its pull-payment credit (`creditOf`). */
export async function withdrawable(contracts: Pick<PodContracts, "market">, account: string, token: string): Promise<bigint> {
  return contracts.market.creditOf(account, token);
}

/** What a withdrawal sent, and where. */
export interface Withdrawal {
  amount: bigint;
  /** Who received it: the account itself, or the recipient given to `withdraw`. */
  recipient: string;
  tx: string;
}

/**
 * Withdraws the account's whole credit in one token, to the account itself or, with `recipient`,
 * to another address (`withdrawTo`: the credit stays the account's until it is paid out, only where
 * it goes changes). A MarketError, sending nothing, when there is no credit.
 */
export async function withdraw(contracts: PodContracts, token: string, options: { recipient?: string } = {}): Promise<Withdrawal> {
  const amount = await withdrawable(contracts, contracts.account, token);
  if (amount === 0n) throw new MarketError(`nothing to withdraw: ${contracts.account} has no ${tokenLabel(token)} credit`);
  const recipient = options.recipient;
  if (recipient === undefined || recipient.toLowerCase() === contracts.account.toLowerCase()) {
    const receipt = await transact(contracts.market.withdraw, [token], { action: `withdraw ${tokenLabel(token)}` });
    return { amount, recipient: contracts.account, tx: receipt.hash };
  }
  const receipt = await transact(contracts.market.withdrawTo, [token, recipient], { action: `withdraw ${tokenLabel(token)} to ${recipient}` });
  return { amount, recipient, tx: receipt.hash };
}
