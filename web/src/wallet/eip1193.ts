/**
 * EIP-1193, the browser wallet's provider interface: `request({ method, params })` and events. Only
 * what the app uses is typed; ethers' BrowserProvider wraps it for contract calls.
 */

export interface RequestArguments {
  readonly method: string;
  readonly params?: readonly unknown[] | object;
}

export interface Eip1193Provider {
  request(args: RequestArguments): Promise<unknown>;
  on?(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener?(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** EIP-1193 error codes the app reacts to. */
const USER_REJECTED = 4001;
/** EIP-3085 / MetaMask: the chain is unknown to the wallet; add it first. */
export const UNRECOGNIZED_CHAIN = 4902;

/**
 * The EIP-1193 error code inside an error, however it got wrapped: by the wallet itself, by ethers
 * (ACTION_REJECTED keeps the wallet's error in `info.error`), or nested in `error`/`cause`.
 */
export function rpcErrorCode(error: unknown): number | undefined {
  const seen = new Set<unknown>();
  const stack: unknown[] = [error];
  while (stack.length > 0) {
    const node = stack.pop();
    if (!node || typeof node !== "object" || seen.has(node)) continue;
    seen.add(node);
    const code = (node as { code?: unknown }).code;
    if (typeof code === "number") return code;
    for (const key of ["info", "error", "cause", "data"]) stack.push((node as Record<string, unknown>)[key]);
  }
  return undefined;
}

/** True when the user declined in the wallet (EIP-1193 4001, or ethers' ACTION_REJECTED). */
export function isUserRejection(error: unknown): boolean {
  if ((error as { code?: unknown } | null)?.code === "ACTION_REJECTED") return true;
  return rpcErrorCode(error) === USER_REJECTED;
}

/** `0x7a69` → 31337; a wallet answering something else is reported with the value. */
export function parseChainId(value: unknown): number {
  if (typeof value === "string" && /^0x[0-9a-fA-F]+$/.test(value)) return Number.parseInt(value, 16);
  if (typeof value === "string" && /^[0-9]+$/.test(value)) return Number(value);
  if (typeof value === "number" && Number.isInteger(value)) return value;
  throw new Error(`the wallet answered eth_chainId with ${JSON.stringify(value)}, not a chain id`);
}

/** 31337 → `0x7a69`, as wallet_switchEthereumChain takes it. */
export function chainIdHex(chainId: number): string {
  return `0x${chainId.toString(16)}`;
}
