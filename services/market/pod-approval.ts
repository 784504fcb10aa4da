import type { PodContracts } from "../chain/contracts";
import { transact } from "../chain/transact";

/**
 * `buyPod` makes the market move the pod token itself, so a seller who offers the whole pod must let
 * the market transfer it. Approves the market for this one pod, unless it already may (approved for
 * the pod, or an operator for all of the seller's pods). Returns the approval's hash, or undefined
 * when none was needed.
 */
export async function approvePodForSale(contracts: PodContracts, podId: bigint): Promise<string | undefined> {
  const marketAddress = await contracts.market.getAddress();
  const [approved, operator] = await Promise.all([
    contracts.registry.getApproved(podId),
    contracts.registry.isApprovedForAll(contracts.account, marketAddress),
  ]);
  if (operator || approved.toLowerCase() === marketAddress.toLowerCase()) return undefined;
  const receipt = await transact(contracts.registry.approve, [marketAddress, podId], { action: `approve the market for pod ${podId}` });
  return receipt.hash;
}
