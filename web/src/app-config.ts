/**
 * What the web app learns from the API at start-up (`GET /app-config.json`): the chain it writes to,
 * the contracts' addresses, where GraphQL answers and how Swarm content is reached. The API builds it
 * from services/config and the deployments file, so the app holds no address of its own.
 */
export interface AppConfig {
  /** The chain the contracts are on (31337 for the dev chain, 137 Polygon, 80002 Amoy). */
  chainId: number;
  /** A human name for that chain, e.g. "Lure dev chain", "Polygon". */
  chainName: string;
  /** A JSON-RPC URL the wallet may add for the chain (wallet_addEthereumChain); the app itself reads through GraphQL. */
  rpcUrl: string;
  /** Contract name → address, as in the deployments file (PodRegistry, PodMarket, PodLicenses, RunMarket, GroupRegistry, MessageBus, ...). */
  contracts: Record<string, string>;
  /** The GraphQL endpoint (HTTP; subscriptions over SSE on the same path). */
  graphqlUrl: string;
  /** Where the API serves Swarm content read-only: `${swarmProxyUrl}/bzz/<ref>/<path>` and `${swarmProxyUrl}/bytes/<ref>`. */
  swarmProxyUrl: string;
  /** The Bee node's own URL, for links a user may open. */
  beeUrl: string;
  /** The native currency's symbol (ETH on the dev chain, POL on Polygon). */
  nativeSymbol: string;
  /** Where the app uploads a message body (`POST` the bytes, `?name=<file>`; the API stamps it), or null when the API takes no uploads. */
  uploadUrl: string | null;
  /** Payment tokens known by symbol and decimals, by lower-case address (the native coin at 0x000…0). */
  tokens?: Record<string, { symbol: string; decimals: number }>;
  /** The network name of the deployments file (localhost, amoy, polygon). */
  network?: string;
}

let loaded: Promise<AppConfig> | undefined;

/** The app's configuration, fetched once. */
export function appConfig(): Promise<AppConfig> {
  loaded ??= fetch("/app-config.json").then(async (response) => {
    if (!response.ok) throw new Error(`GET /app-config.json answered ${response.status}`);
    return (await response.json()) as AppConfig;
  });
  return loaded;
}
