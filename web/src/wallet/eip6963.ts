import type { Eip1193Provider } from "./eip1193";

/**
 * EIP-6963 wallet discovery: every installed wallet announces itself (`eip6963:announceProvider`)
 * when the page asks (`eip6963:requestProvider`), so several wallets can coexist and none has to
 * fight over `window.ethereum`.
 */

export interface WalletInfo {
  /** A UUIDv4 the wallet picks per page session. */
  uuid: string;
  name: string;
  /** A data URI of the wallet's icon. */
  icon: string;
  /** Reverse DNS name of the wallet (`io.metamask`). */
  rdns: string;
}

export interface DiscoveredWallet {
  info: WalletInfo;
  provider: Eip1193Provider;
}

interface AnnounceEvent extends Event {
  detail?: { info?: Partial<WalletInfo>; provider?: Eip1193Provider };
}

function isWallet(detail: AnnounceEvent["detail"]): detail is DiscoveredWallet {
  const info = detail?.info;
  return !!detail?.provider && typeof detail.provider.request === "function" && typeof info?.uuid === "string" && typeof info.name === "string";
}

/**
 * Listens for announcements (for as long as the page lives: a wallet may load after the app) and
 * asks every wallet to announce itself. `onWallet` gets each wallet once (by uuid). Returns a stop function.
 */
export function discoverWallets(onWallet: (wallet: DiscoveredWallet) => void): () => void {
  const seen = new Set<string>();
  const listener = (event: Event) => {
    const detail = (event as AnnounceEvent).detail;
    if (!isWallet(detail) || seen.has(detail.info.uuid)) return;
    seen.add(detail.info.uuid);
    onWallet({ info: { uuid: detail.info.uuid, name: detail.info.name, icon: detail.info.icon ?? "", rdns: detail.info.rdns ?? "" }, provider: detail.provider });
  };
  window.addEventListener("eip6963:announceProvider", listener);
  window.dispatchEvent(new Event("eip6963:requestProvider"));
  return () => window.removeEventListener("eip6963:announceProvider", listener);
}
