import type { LureContracts } from "../chain/contracts";
import { transact } from "../chain/transact";

/** Governance (GOVERNOR_ROLE): allows an ERC-20 as a payment token, or removes it with `allowed` false. */
export async function allowToken(contracts: LureContracts, token: string, allowed: boolean): Promise<{ tx: string }> {
  const receipt = await transact(contracts.market.setTokenAllowed, [token, allowed], { action: `${allowed ? "allow" : "disallow"} token ${token}` });
  return { tx: receipt.hash };
}
