import type { Interface } from "ethers";
import { lureInterfaces } from "./contracts";

/** ABIs to decode a revert against, by contract name; the first that knows the error names it. */
export type ContractInterfaces = Readonly<Record<string, Interface>>;

/**
 * The revert data somewhere inside an ethers or provider error. Where it sits depends on who
 * reported the revert (ethers' CALL_EXCEPTION, Hardhat's in-process node, a JSON-RPC server's
 * nested `error.data`), so the error's `data`, `info`, `error` and `cause` are searched.
 */
function findRevertData(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const stack: unknown[] = [error];
  while (stack.length > 0) {
    const node = stack.pop();
    if (!node || typeof node !== "object" || seen.has(node)) continue;
    seen.add(node);
    const data = (node as { data?: unknown }).data;
    // A selector (4 bytes) at least: shorter data is no custom error.
    if (typeof data === "string" && /^0x[0-9a-fA-F]{8,}$/.test(data)) return data;
    for (const key of ["data", "info", "error", "cause"]) stack.push((node as Record<string, unknown>)[key]);
  }
  return undefined;
}

/**
 * `PodRegistry: ParentNotPublic(parentPodId=3)` instead of revert hex, decoded with `interfaces`
 * (default: every Lure contract). An error that is not a known custom error keeps ethers' short
 * message.
 */
export function describeRevert(error: unknown, interfaces: ContractInterfaces = lureInterfaces()): string {
  const data = findRevertData(error);
  if (data) {
    for (const [contractName, iface] of Object.entries(interfaces)) {
      try {
        const parsed = iface.parseError(data);
        if (parsed) {
          const args = parsed.fragment.inputs.map((input, index) => `${input.name}=${String(parsed.args[index])}`);
          return `${contractName}: ${parsed.name}(${args.join(", ")})`;
        }
      } catch {
        // not this contract's error; try the next one
      }
    }
  }
  const candidate = error as { shortMessage?: string; message?: string };
  return candidate.shortMessage ?? candidate.message ?? String(error);
}
