import type { ContractTransactionReceipt, ContractTransactionResponse, Interface } from "ethers";
import type { LureContracts } from "./contracts";
import { LureTaskError, describeRevert } from "./errors";

function interfacesOf(contracts: Pick<LureContracts, "registry" | "market">): Record<string, Interface> {
  return { PodRegistry: contracts.registry.interface, PodMarket: contracts.market.interface };
}

/**
 * Sends a transaction and waits for it. Reverts (caught at gas estimation, before anything is
 * broadcast, or after mining) come back as one line naming the contract's custom error.
 */
export async function sendAndWait(
  contracts: Pick<LureContracts, "registry" | "market">,
  send: () => Promise<ContractTransactionResponse>,
): Promise<ContractTransactionReceipt> {
  let response: ContractTransactionResponse;
  try {
    response = await send();
  } catch (error) {
    throw new LureTaskError(`refused: ${describeRevert(error, interfacesOf(contracts))}`);
  }
  try {
    const receipt = await response.wait();
    if (!receipt) throw new Error(`no receipt for ${response.hash}`);
    return receipt;
  } catch (error) {
    throw new LureTaskError(`transaction ${response.hash} failed: ${describeRevert(error, interfacesOf(contracts))}`);
  }
}

/** Reads a view, turning a custom-error revert into a one-line task error. */
export async function readOrExplain<T>(contracts: Pick<LureContracts, "registry" | "market">, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw new LureTaskError(describeRevert(error, interfacesOf(contracts)));
  }
}
