import type { ContractTransactionReceipt, Interface, LogDescription } from "ethers";

/** The events named `name` that a receipt carries from the contract of `iface` (other contracts' logs are skipped). */
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
