import { JsonRpcProvider, Wallet, getBytes, toQuantity, type TransactionRequest } from "ethers";
import type { Page } from "playwright-core";

/**
 * An injected EIP-1193 wallet for the browser tests: the page gets a provider (defined by an init
 * script, announced through EIP-6963 in answer to `eip6963:requestProvider`) whose `request()` is
 * bridged to this Node side, where an ethers Wallet holding a Hardhat dev key signs, and everything
 * else is forwarded to the chain's JSON-RPC. It records what it was asked, can refuse (EIP-1193 4001)
 * and can pretend to be on another chain until the app asks it to switch.
 */
export interface WalletRequest {
  method: string;
  params: unknown[];
  /** Milliseconds since the wallet was installed. */
  at: number;
}

interface RpcFailure {
  code: number;
  message: string;
  data?: unknown;
}

type Answer = { result: unknown } | { error: RpcFailure };

export interface TestWallet {
  /** The signing account's address. */
  readonly address: string;
  /** Every request the page made, in order. */
  readonly requests: WalletRequest[];
  /** Hashes of the transactions it signed and sent. */
  readonly sent: string[];
  /** When true, eth_sendTransaction, personal_sign and eth_requestAccounts are refused with 4001. */
  refuse: boolean;
  /** The chain id it reports (the real chain's unless set otherwise). */
  chainId: number;
  /** Times the page asked it to send a transaction (refused or not). */
  sendRequests(): WalletRequest[];
  /** Signs with another key from now on and tells the page (accountsChanged). */
  useKey(privateKey: string): Promise<void>;
}

const INFO = {
  uuid: "5f1a3f0e-7b2c-4e59-9a55-3c1f2d9b7e10",
  name: "Lure test wallet",
  rdns: "dev.lure.test-wallet",
  icon: "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='3' fill='%230b5cad'/%3E%3C/svg%3E",
};

/** The page side: an EIP-1193 provider calling `__lureTestWallet(method, params)`, announced per EIP-6963. */
function pageScript(info: typeof INFO): void {
  type Listener = (payload: unknown) => void;
  const listeners = new Map<string, Listener[]>();
  const bridge = (window as unknown as { __lureTestWallet: (method: string, params: unknown) => Promise<{ result?: unknown; error?: { code: number; message: string; data?: unknown } }> }).__lureTestWallet;
  const provider = {
    async request(args: { method: string; params?: unknown }) {
      const answer = await bridge(args.method, args.params ?? []);
      if (answer.error) {
        const error = new Error(answer.error.message) as Error & { code: number; data?: unknown };
        error.code = answer.error.code;
        error.data = answer.error.data;
        throw error;
      }
      return answer.result;
    },
    on(event: string, listener: Listener) {
      listeners.set(event, [...(listeners.get(event) ?? []), listener]);
      return provider;
    },
    removeListener(event: string, listener: Listener) {
      listeners.set(event, (listeners.get(event) ?? []).filter((candidate) => candidate !== listener));
      return provider;
    },
  };
  (window as unknown as { __lureTestWalletEmit: (event: string, payload: unknown) => void }).__lureTestWalletEmit = (event, payload) => {
    for (const listener of listeners.get(event) ?? []) listener(payload);
  };
  const announce = () => window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail: Object.freeze({ info, provider }) }));
  window.addEventListener("eip6963:requestProvider", announce);
  announce();
}

async function forward(rpcUrl: string, method: string, params: unknown[]): Promise<Answer> {
  const response = await fetch(rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  const body = (await response.json()) as { result?: unknown; error?: RpcFailure };
  return body.error ? { error: body.error } : { result: body.result ?? null };
}

const REFUSED: Answer = { error: { code: 4001, message: "User rejected the request." } };

/**
 * Installs the wallet in `page` (before its first navigation): it signs with `privateKey` and
 * talks to the chain at `rpcUrl`.
 */
export async function installTestWallet(page: Page, options: { rpcUrl: string; privateKey: string; reportChainId?: number }): Promise<TestWallet> {
  const provider = new JsonRpcProvider(options.rpcUrl, undefined, { cacheTimeout: -1 });
  const realChainId = Number((await provider.getNetwork()).chainId);
  let signer = new Wallet(options.privateKey, provider);
  const started = Date.now();
  const emit = (event: string, payload: unknown) => page.evaluate(([name, value]) => (window as unknown as { __lureTestWalletEmit?: (event: string, payload: unknown) => void }).__lureTestWalletEmit?.(name, value), [event, payload] as const);

  const wallet: TestWallet = {
    get address() {
      return signer.address;
    },
    requests: [],
    sent: [],
    refuse: false,
    chainId: options.reportChainId ?? realChainId,
    sendRequests() {
      return this.requests.filter((request) => request.method === "eth_sendTransaction");
    },
    async useKey(privateKey: string) {
      signer = new Wallet(privateKey, provider);
      await emit("accountsChanged", [signer.address]);
    },
  };

  const handle = async (method: string, params: unknown[]): Promise<Answer> => {
    switch (method) {
      case "eth_requestAccounts":
        return wallet.refuse ? REFUSED : { result: [signer.address] };
      case "eth_accounts":
        return { result: [signer.address] };
      case "eth_chainId":
        return { result: toQuantity(wallet.chainId) };
      case "net_version":
        return { result: String(wallet.chainId) };
      case "wallet_switchEthereumChain": {
        const asked = Number((params[0] as { chainId?: string } | undefined)?.chainId);
        if (asked !== realChainId) return { error: { code: 4902, message: `Unrecognized chain ID ${String(asked)}` } };
        wallet.chainId = asked;
        setTimeout(() => void emit("chainChanged", toQuantity(asked)).catch(() => undefined), 0);
        return { result: null };
      }
      case "wallet_addEthereumChain":
        return { error: { code: 4001, message: "The test wallet adds no chain." } };
      case "personal_sign": {
        if (wallet.refuse) return REFUSED;
        return { result: await signer.signMessage(getBytes(String(params[0]))) };
      }
      case "eth_sendTransaction": {
        if (wallet.refuse) return REFUSED;
        const tx = params[0] as { from?: string; to?: string; data?: string; value?: string; gas?: string };
        if (tx.from && tx.from.toLowerCase() !== signer.address.toLowerCase()) return { error: { code: 4100, message: `the test wallet holds ${signer.address}, not ${tx.from}` } };
        const request: TransactionRequest = { to: tx.to, data: tx.data, value: tx.value ? BigInt(tx.value) : 0n, gasLimit: tx.gas ? BigInt(tx.gas) : undefined };
        try {
          const response = await signer.sendTransaction(request);
          wallet.sent.push(response.hash);
          return { result: response.hash };
        } catch (error) {
          const failure = error as { code?: unknown; shortMessage?: string; message?: string; data?: unknown; info?: { error?: RpcFailure } };
          return { error: failure.info?.error ?? { code: -32603, message: failure.shortMessage ?? failure.message ?? String(error), data: failure.data } };
        }
      }
      default:
        return forward(options.rpcUrl, method, params);
    }
  };

  await page.exposeBinding("__lureTestWallet", async (_source, method: string, params: unknown) => {
    const list = Array.isArray(params) ? (params as unknown[]) : [params];
    wallet.requests.push({ method, params: list, at: Date.now() - started });
    try {
      return await handle(method, list);
    } catch (error) {
      return { error: { code: -32603, message: (error as Error).message } };
    }
  });
  await page.addInitScript(pageScript, INFO);
  return wallet;
}
