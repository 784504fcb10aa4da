import { PRIVATE_KEY_PATTERN, trySetting } from "./index";

/**
 * How Hardhat reaches each network, from the same variables and rules as `loadConfig`. Problems are
 * returned instead of thrown: hardhat.config.ts reports one only when that network is selected, so
 * an unset AMOY_RPC_URL never stands in the way of the local chain.
 */
export interface NetworkAccess {
  url: string;
  /** Private keys Hardhat signs with (0x-prefixed); empty when none is configured. */
  accounts: string[];
  /** Why the network cannot be used, in one line naming the variable; undefined when it can. */
  problem?: string;
}

/** The networks reached over JSON-RPC, and the variable holding each one's URL. */
const URL_VARIABLE = { localhost: "LOCAL_RPC_URL", amoy: "AMOY_RPC_URL", polygon: "POLYGON_RPC_URL" } as const;
export type RpcNetwork = keyof typeof URL_VARIABLE;

/** Hardhat needs some URL for every declared network, even one nobody selected. */
const UNREACHABLE_URL = "http://127.0.0.1:0";

/** The URL and, for remote networks, the deployer key of `network`, or the problem with them. */
export function networkAccess(network: RpcNetwork, env: NodeJS.ProcessEnv = process.env): NetworkAccess {
  const variable = URL_VARIABLE[network];
  const url = trySetting(variable, env);
  if (network === "localhost") {
    // LOCAL_RPC_URL has a default, so only a malformed value is a problem.
    return url.ok ? { url: url.value ?? UNREACHABLE_URL, accounts: [] } : { url: UNREACHABLE_URL, accounts: [], problem: url.problem };
  }
  const key = env.DEPLOYER_PRIVATE_KEY;
  const validKey = key !== undefined && PRIVATE_KEY_PATTERN.test(key);
  const access: NetworkAccess = {
    url: url.ok && url.value !== undefined ? url.value : UNREACHABLE_URL,
    accounts: validKey ? [key.startsWith("0x") ? key : `0x${key}`] : [],
  };
  if (!url.ok) access.problem = url.problem;
  else if (url.value === undefined) access.problem = `${variable} is not set: it is required for the ${network} network`;
  else if (!key) access.problem = "DEPLOYER_PRIVATE_KEY is not set: it is required to send transactions on a remote network";
  else if (!validKey) access.problem = "DEPLOYER_PRIVATE_KEY must be 32 bytes of hex";
  return access;
}
