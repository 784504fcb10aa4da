import { BrowserProvider, JsonRpcSigner, getAddress } from "ethers";
import { useEffect, useState } from "preact/hooks";
import { appConfig, type AppConfig } from "../app-config";
import { switchToChain } from "./chain";
import { connectContracts, type WebContracts } from "./contracts";
import { isUserRejection, parseChainId, type Eip1193Provider } from "./eip1193";
import { discoverWallets, type DiscoveredWallet } from "./eip6963";

/**
 * The connection to a browser wallet, as one small store the components subscribe to: the wallets
 * discovered (EIP-6963), the one connected, its account and chain, kept current by the wallet's
 * `accountsChanged`, `chainChanged` and `disconnect` events. The app keeps no key: every signature
 * is the wallet's.
 */
export interface WalletState {
  /** The app's configuration, once loaded. */
  config?: AppConfig;
  /** Every wallet that announced itself, in order of announcement. */
  wallets: DiscoveredWallet[];
  /** The connected wallet. */
  wallet?: DiscoveredWallet;
  /** The connected account (checksummed). */
  account?: string;
  /** The chain the wallet is on. */
  chainId?: number;
  connecting: boolean;
  /** The last connection problem, in words. */
  error?: string;
}

/** A connected wallet on the app's chain: what an action needs to read and write. */
export interface WalletSession {
  config: AppConfig;
  account: string;
  provider: BrowserProvider;
  signer: JsonRpcSigner;
  contracts: WebContracts;
}

const STORAGE_KEY = "lure.wallet";
let state: WalletState = { wallets: [], connecting: false };
const listeners = new Set<(state: WalletState) => void>();
let started = false;
let detach: (() => void) | undefined;
let session: { key: string; value: WalletSession } | undefined;

function update(patch: Partial<WalletState>): void {
  state = { ...state, ...patch };
  for (const listener of listeners) listener(state);
}

function subscribeWallet(listener: (state: WalletState) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The wallet state, re-rendering the component at every change; starts discovery on first use. */
export function useWallet(): WalletState {
  const [current, setCurrent] = useState(state);
  useEffect(() => {
    startWallets();
    setCurrent(state);
    return subscribeWallet(setCurrent);
  }, []);
  return current;
}

function remembered(): string | undefined {
  try {
    return localStorage.getItem(STORAGE_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

function remember(rdns: string | undefined): void {
  try {
    if (rdns) localStorage.setItem(STORAGE_KEY, rdns);
    else localStorage.removeItem(STORAGE_KEY);
  } catch {
    // storage disabled: the user connects again after a reload
  }
}

const keyOf = (wallet: DiscoveredWallet) => wallet.info.rdns || wallet.info.name;

/**
 * Loads the configuration and listens for wallets. A wallet the user connected before is
 * reconnected without a prompt (`eth_accounts`) when it announces itself again. A browser with
 * only a legacy `window.ethereum` gets it as one more wallet after a short wait.
 */
function startWallets(): void {
  if (started || typeof window === "undefined") return;
  started = true;
  appConfig().then(
    (config) => update({ config }),
    (error: Error) => update({ error: `the app's configuration could not be read: ${error.message}` }),
  );
  discoverWallets((wallet) => {
    update({ wallets: [...state.wallets, wallet] });
    if (!state.wallet && !state.connecting && remembered() === keyOf(wallet)) void connectWallet(wallet, { silent: true });
  });
  setTimeout(() => {
    const legacy = (window as unknown as { ethereum?: Eip1193Provider }).ethereum;
    if (state.wallets.length === 0 && legacy && typeof legacy.request === "function") {
      const wallet: DiscoveredWallet = { info: { uuid: "legacy", name: "Browser wallet", icon: "", rdns: "window.ethereum" }, provider: legacy };
      update({ wallets: [wallet] });
      if (!state.wallet && remembered() === keyOf(wallet)) void connectWallet(wallet, { silent: true });
    }
  }, 500);
}

function attach(wallet: DiscoveredWallet): void {
  detach?.();
  const { provider } = wallet;
  const onAccounts = (...args: unknown[]) => {
    const accounts = Array.isArray(args[0]) ? (args[0] as unknown[]) : [];
    if (accounts.length === 0 || typeof accounts[0] !== "string") {
      disconnectWallet();
      return;
    }
    update({ account: getAddress(accounts[0]) });
  };
  const onChain = (...args: unknown[]) => {
    try {
      update({ chainId: parseChainId(args[0]) });
    } catch (error) {
      update({ error: (error as Error).message });
    }
  };
  const onDisconnect = () => disconnectWallet();
  provider.on?.("accountsChanged", onAccounts);
  provider.on?.("chainChanged", onChain);
  provider.on?.("disconnect", onDisconnect);
  detach = () => {
    provider.removeListener?.("accountsChanged", onAccounts);
    provider.removeListener?.("chainChanged", onChain);
    provider.removeListener?.("disconnect", onDisconnect);
    detach = undefined;
  };
}

/**
 * Connects a wallet: `eth_requestAccounts` (the wallet asks the user), or with `silent` only
 * `eth_accounts` (no prompt; nothing happens when the site is not authorised).
 */
export async function connectWallet(wallet: DiscoveredWallet, options: { silent?: boolean } = {}): Promise<void> {
  update({ connecting: true, error: undefined });
  try {
    const accounts = await wallet.provider.request({ method: options.silent ? "eth_accounts" : "eth_requestAccounts" });
    if (!Array.isArray(accounts) || typeof accounts[0] !== "string") {
      if (options.silent) return update({ connecting: false });
      throw new Error(`${wallet.info.name} gave no account`);
    }
    const chainId = parseChainId(await wallet.provider.request({ method: "eth_chainId" }));
    attach(wallet);
    remember(keyOf(wallet));
    update({ wallet, account: getAddress(accounts[0]), chainId, connecting: false });
  } catch (error) {
    const message = isUserRejection(error) ? `You declined the connection in ${wallet.info.name}.` : `${wallet.info.name} did not connect: ${(error as Error).message}`;
    update({ connecting: false, error: options.silent ? undefined : message });
  }
}

/** Forgets the connection (the wallet itself may keep the site authorised). */
export function disconnectWallet(): void {
  detach?.();
  remember(undefined);
  session = undefined;
  update({ wallet: undefined, account: undefined, chainId: undefined });
}

/** Asks the wallet to switch to (or add) the app's chain; the `chainChanged` event updates the state. */
export async function switchChain(): Promise<void> {
  const { wallet, config } = state;
  if (!wallet || !config) return;
  update({ error: undefined });
  try {
    await switchToChain(wallet.provider, config);
    // Wallets that emit no chainChanged event are read again.
    update({ chainId: parseChainId(await wallet.provider.request({ method: "eth_chainId" })) });
  } catch (error) {
    update({ error: isUserRejection(error) ? `You declined switching to ${config.chainName}.` : `${wallet.info.name} did not switch to ${config.chainName}: ${(error as Error).message}` });
  }
}

/** True when a wallet is connected but on another chain than the app's. */
export function wrongChain(current: WalletState): boolean {
  return !!current.wallet && !!current.config && current.chainId !== undefined && current.chainId !== current.config.chainId;
}

/**
 * The session actions use: the wallet's provider and signer for the connected account, with the
 * contracts bound to it; undefined without a wallet, before the configuration, or on another chain.
 * One per wallet, account and chain, so an account change never signs with the previous one.
 */
export function sessionOf(current: WalletState): WalletSession | undefined {
  const { wallet, account, chainId, config } = current;
  if (!wallet || !account || !config || chainId !== config.chainId) return undefined;
  const key = `${wallet.info.uuid}/${account}/${chainId}`;
  if (session?.key !== key) {
    const provider = new BrowserProvider(wallet.provider, chainId, { pollingInterval: 500, cacheTimeout: -1 });
    // The signer for the account the wallet said is current; the wallet itself refuses any other.
    const signer = new JsonRpcSigner(provider, account);
    session = { key, value: { config, account, provider, signer, contracts: connectContracts(config, signer) } };
  }
  return session.value;
}
