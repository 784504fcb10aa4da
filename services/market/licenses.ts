import type { PodContracts } from "../chain/contracts";
import { read } from "../chain/transact";

/**
 * Licences live in PodLicenses (ERC-1155, token id = pod id), not in the market: a licence bought on
 * any market version counts, and the pod's current owner is licensed without holding a token.
 */

/** True when `account` holds a licence of `podId` or owns the pod. */
export async function hasLicense(contracts: Pick<PodContracts, "licenses">, account: string, podId: bigint): Promise<boolean> {
  return read(() => contracts.licenses.hasLicense(account, podId), { action: `licence of pod ${podId}` });
}

/** Whether holders may transfer (resell) the licences of `podId`, as its seller listed them. */
export async function licencesTransferable(contracts: Pick<PodContracts, "licenses">, podId: bigint): Promise<boolean> {
  return read(() => contracts.licenses.isTransferable(podId), { action: `licences of pod ${podId}` });
}
