import type { Interface } from "ethers";
import { lureInterfaces } from "./contracts";
import { describeRevertWith, type ContractInterfaces } from "./revert-decode";

export type { ContractInterfaces } from "./revert-decode";

/**
 * `PodRegistry: PodRegistryParentNotPublic(parentPodId=3)` instead of revert hex, decoded with `interfaces`
 * (default: every Lure contract; `calledOn`, the interface of the contract that was called, is tried
 * first). An error that is not a known custom error keeps ethers' short
 * message. The decoding itself is revert-decode.ts, which the web app's bundle shares.
 */
export function describeRevert(error: unknown, interfaces: ContractInterfaces = lureInterfaces(), calledOn?: Interface): string {
  return describeRevertWith(error, interfaces, calledOn);
}
