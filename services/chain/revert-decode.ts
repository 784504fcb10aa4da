import { ZeroHash, id, type Interface, type Result } from "ethers";

/**
 * Turning revert data into `Contract: Error(arg=value)`: the pure part of revert.ts, which imports
 * nothing but ethers, so the web app's bundle decodes a wallet's revert with the same words as the
 * command line. revert.ts adds the default set of interfaces (every Lure contract).
 */

/** ABIs to decode a revert against, by contract name; the first that knows the error names it. */
export type ContractInterfaces = Readonly<Record<string, Interface>>;

/**
 * The revert data somewhere inside an ethers or provider error. Where it sits depends on who
 * reported the revert (ethers' CALL_EXCEPTION, Hardhat's in-process node, a JSON-RPC server's
 * nested `error.data`, a browser wallet's EIP-1193 error), so the error's `data`, `info`, `error` and
 * `cause` are searched.
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

/** The roles Lure's contracts use, by their hash, so that a missing role is named. */
const ROLE_NAMES = new Map<string, string>([
  [ZeroHash, "DEFAULT_ADMIN_ROLE"],
  ...["GOVERNOR_ROLE", "PAUSER_ROLE", "MINTER_ROLE"].map((name) => [id(name), name] as [string, string]),
]);

/**
 * A few words after the errors whose name alone says too little: a missing pod (OpenZeppelin's
 * ERC721NonexistentToken), content changed since a quote, a missing role, a fee change not due yet.
 */
const HINTS: Record<string, (args: Result) => string> = {
  ERC721NonexistentToken: (args) => `pod ${String(args.tokenId)} does not exist`,
  PodMarketContentChanged: (args) =>
    `pod ${String(args.podId)} changed since you were quoted revision ${String(args.expected)} (it is now at revision ${String(args.actual)}: a version was added or its visibility changed); nothing was bought, check the pod and quote again`,
  AccessControlUnauthorizedAccount: (args) => `${String(args.account)} does not hold ${ROLE_NAMES.get(String(args.neededRole)) ?? String(args.neededRole)}`,
  PodMarketFeeChangeNotReady: (args) => `the fee change may be executed from ${new Date(Number(args.executableAt) * 1000).toISOString()}`,
  PodLicensesNotTransferable: (args) => `the licences of pod ${String(args.podId)} are not transferable (the seller listed them so)`,
};

/**
 * The interfaces to try, the called contract's first: OpenZeppelin's errors (a missing role, a
 * pause) are declared by several Lure contracts, and belong to the one that was called.
 */
function candidates(interfaces: ContractInterfaces, calledOn: Interface | undefined): [string, Interface][] {
  const entries = Object.entries(interfaces);
  if (!calledOn) return entries;
  const signature = calledOn.formatJson();
  const own = entries.filter(([, iface]) => iface === calledOn || iface.formatJson() === signature);
  return [...own, ...entries.filter((entry) => !own.includes(entry))];
}

/** A revert decoded against known ABIs: the contract that declares the error, its name and its words. */
export interface DecodedRevert {
  contract: string;
  /** The custom error's name (`PodMarketContentChanged`). */
  name: string;
  /** `PodMarket: PodMarketContentChanged(podId=3, expected=1, actual=2) — pod 3 changed since …`. */
  text: string;
}

/** The custom error inside `error`, decoded with `interfaces` (`calledOn` tried first); undefined when none of them knows it. */
export function decodeRevert(error: unknown, interfaces: ContractInterfaces, calledOn?: Interface): DecodedRevert | undefined {
  const data = findRevertData(error);
  if (!data) return undefined;
  for (const [contractName, iface] of candidates(interfaces, calledOn)) {
    try {
      const parsed = iface.parseError(data);
      if (parsed) {
        const args = parsed.fragment.inputs.map((input, index) => `${input.name}=${String(parsed.args[index])}`);
        const hint = HINTS[parsed.name]?.(parsed.args);
        return { contract: contractName, name: parsed.name, text: `${contractName}: ${parsed.name}(${args.join(", ")})${hint ? ` — ${hint}` : ""}` };
      }
    } catch {
      // not this contract's error; try the next one
    }
  }
  return undefined;
}

/**
 * `PodRegistry: PodRegistryParentNotPublic(parentPodId=3)` instead of revert hex; an error that is
 * not a known custom error keeps ethers' short message.
 */
export function describeRevertWith(error: unknown, interfaces: ContractInterfaces, calledOn?: Interface): string {
  const decoded = decodeRevert(error, interfaces, calledOn);
  if (decoded) return decoded.text;
  const candidate = error as { shortMessage?: string; message?: string };
  return candidate.shortMessage ?? candidate.message ?? String(error);
}
