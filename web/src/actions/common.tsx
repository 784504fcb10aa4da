import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { sessionOf, switchChain, useWallet, wrongChain, type WalletSession, type WalletState } from "../wallet/store";

/** The wallet state and, when connected to the app's chain, the session to act with. */
export function useSession(): { state: WalletState; session?: WalletSession } {
  const state = useWallet();
  return { state, session: sessionOf(state) };
}

/**
 * What a page's action area shows without a usable session: nothing without a wallet (the app is a
 * read-only explorer), a hint to connect when a wallet is there, a switch button on another chain.
 */
export function SessionGate({ state, session, what, children }: { state: WalletState; session?: WalletSession; what: string; children: (session: WalletSession) => ComponentChildren }) {
  if (session) return <>{children(session)}</>;
  if (wrongChain(state) && state.config) {
    return (
      <p class="wallet-hint" data-hint="wrong-chain">
        Your wallet is on chain {state.chainId}; {what} happens on {state.config.chainName} (chain {state.config.chainId}).{" "}
        <button type="button" class="wallet-button" onClick={() => void switchChain()}>
          Switch to {state.config.chainName}
        </button>
      </p>
    );
  }
  if (state.wallets.length > 0 && !state.wallet) {
    return (
      <p class="wallet-hint" data-hint="connect">
        Connect your wallet (top right) to {what}.
      </p>
    );
  }
  return null;
}

export interface Loaded<T> {
  value?: T;
  error?: string;
  loading: boolean;
}

/** Reads `load()` again whenever `key` changes; a failure is kept as its message. */
export function useLoaded<T>(load: (() => Promise<T>) | undefined, key: string): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ loading: !!load });
  useEffect(() => {
    if (!load) {
      setState({ loading: false });
      return;
    }
    let live = true;
    setState((previous) => ({ value: previous.value, loading: true }));
    load().then(
      (value) => live && setState({ value, loading: false }),
      (error: Error) => live && setState({ error: error.message, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [key]); // `key` names what `load` depends on
  return state;
}

/** A pod or group id from the page (a decimal string); undefined when it is not one. */
export function parseId(value: string): bigint | undefined {
  return /^[0-9]+$/.test(value.trim()) ? BigInt(value.trim()) : undefined;
}
