import type { ContractTransactionReceipt, ContractTransactionResponse, Interface, LogDescription } from "ethers";
import type { PodMarket, PodRegistry } from "../../typechain-types";
import { PodError } from "./errors";

/** The deployed contracts a pod operation talks to, connected to the signer that acts. */
export interface PodContracts {
  registry: PodRegistry;
  market: PodMarket;
  /** Address of the signer the contracts are connected to. */
  account: string;
}

export const VISIBILITY_PRIVATE = 0;
export const VISIBILITY_PUBLIC = 1;

/** "ab…" (64 hex) → "0xab…" (bytes32). */
export function refToBytes32(ref: string): string {
  return `0x${ref.replace(/^0x/, "").toLowerCase()}`;
}

/** "0xab…" (bytes32) → "ab…" (64 hex, as Bee prints it). */
export function bytes32ToRef(value: string): string {
  return value.replace(/^0x/, "").toLowerCase();
}

/** `PodRegistry: ParentNotPublic(parentPodId=3)` instead of revert hex. */
export function explainRevert(error: unknown, contracts: Pick<PodContracts, "registry" | "market">): string {
  const interfaces: [string, Interface][] = [
    ["PodRegistry", contracts.registry.interface],
    ["PodMarket", contracts.market.interface],
  ];
  const data = findRevertData(error);
  if (data) {
    for (const [name, iface] of interfaces) {
      try {
        const parsed = iface.parseError(data);
        if (parsed) return `${name}: ${parsed.name}(${parsed.fragment.inputs.map((input, index) => `${input.name}=${String(parsed.args[index])}`).join(", ")})`;
      } catch {
        // another contract's error
      }
    }
  }
  const candidate = error as { shortMessage?: string; message?: string };
  return candidate.shortMessage ?? candidate.message ?? String(error);
}

function findRevertData(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const stack: unknown[] = [error];
  while (stack.length > 0) {
    const node = stack.pop();
    if (!node || typeof node !== "object" || seen.has(node)) continue;
    seen.add(node);
    const data = (node as { data?: unknown }).data;
    if (typeof data === "string" && /^0x[0-9a-fA-F]{8,}$/.test(data)) return data;
    for (const key of ["data", "info", "error", "cause"]) stack.push((node as Record<string, unknown>)[key]);
  }
  return undefined;
}

/** Runs a call's simulation (`.staticCall`); a revert becomes a PodError naming the contract's error. */
export async function simulate(what: string, contracts: Pick<PodContracts, "registry" | "market">, preflight: () => Promise<unknown>): Promise<void> {
  try {
    await preflight();
  } catch (error) {
    throw new PodError(`${what} refused: ${explainRevert(error, contracts)}`);
  }
}

/**
 * Simulates the call first, so a revert is reported (with the contract's error name) before
 * anything is signed or broadcast; then sends it and waits for the receipt.
 */
export async function transact(
  what: string,
  contracts: Pick<PodContracts, "registry" | "market">,
  preflight: () => Promise<unknown>,
  send: () => Promise<ContractTransactionResponse>,
): Promise<ContractTransactionReceipt> {
  await simulate(what, contracts, preflight);
  let response: ContractTransactionResponse;
  try {
    response = await send();
  } catch (error) {
    throw new PodError(`${what} refused: ${explainRevert(error, contracts)}`);
  }
  try {
    const receipt = await response.wait();
    if (!receipt) throw new Error(`no receipt for ${response.hash}`);
    return receipt;
  } catch (error) {
    throw new PodError(`${what}: transaction ${response.hash} failed: ${explainRevert(error, contracts)}`);
  }
}

/** Reads a view; a custom-error revert becomes a one-line PodError. */
export async function read<T>(what: string, contracts: Pick<PodContracts, "registry" | "market">, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new PodError(`${what}: ${explainRevert(error, contracts)}`);
  }
}

/** The named events a receipt carries from one contract. */
export function eventsOf(receipt: ContractTransactionReceipt, iface: Interface, name: string): LogDescription[] {
  const found: LogDescription[] = [];
  for (const log of receipt.logs) {
    try {
      const parsed = iface.parseLog(log);
      if (parsed?.name === name) found.push(parsed);
    } catch {
      // a log of another contract
    }
  }
  return found;
}
