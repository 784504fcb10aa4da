import type { BaseContract } from "ethers";
import { erc20 } from "./contracts";
import { invalid } from "./errors";
import { formatAmount, type TokenInfo } from "./format";
import type { WalletSession } from "./store";
import { txStep, type TxStep } from "./transaction";

/**
 * An ERC-20 payment to a Lure contract, as services/market/allowance.ts prepares it: the payer must
 * hold the amount, and when the contract may not pull it yet, an approval of exactly the amount
 * (never unlimited) comes first, as a step of its own that the user sees and confirms.
 */
export async function paymentSteps(session: WalletSession, token: TokenInfo, spender: BaseContract, spenderName: string, amount: bigint): Promise<{ steps: TxStep[]; notes: string[] }> {
  if (token.native || amount === 0n) return { steps: [], notes: [] };
  const contract = erc20(token.address, session.signer);
  const spenderAddress = await spender.getAddress();
  const balance = await contract.balanceOf(session.account);
  if (balance < amount) throw invalid(`your balance of ${formatAmount(balance, token)} is below the ${formatAmount(amount, token)} to pay`);
  const allowance = await contract.allowance(session.account, spenderAddress);
  if (allowance >= amount) return { steps: [], notes: [`${spenderName} may already take ${formatAmount(amount, token)} (allowance ${formatAmount(allowance, token)}): no approval needed.`] };
  const step = txStep(`Approve ${spenderName} to take exactly ${formatAmount(amount, token)}`, contract.approve, [spenderAddress, amount], {
    needed: async () => (await contract.allowance(session.account, spenderAddress)) < amount,
  });
  return { steps: [step], notes: [`${token.symbol} is an ERC-20: first an approval of exactly ${formatAmount(amount, token)} (the allowance is ${formatAmount(allowance, token)} now), then the payment: two transactions to confirm.`] };
}
