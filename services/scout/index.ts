import path from "node:path";
import { JsonRpcProvider, type Signer } from "ethers";
import { ConfigError, loadConfig, rpcUrlFor, type LureConfig } from "../config";
import { connectLure } from "../chain/contracts";
import { DEV_NETWORKS } from "../chain/deployments";
import { RpcClient } from "../chain/rpc";
import { signerFromPrivateKey } from "../chain/signers";
import { devAccounts } from "../devnet/accounts";
import { logger } from "../log";
import { podStorage } from "../pods/swarm-storage";
import type { ScoutFilter } from "./filter";
import { ScoutService, type ScoutEvent } from "./service";

export { ScoutService, type ScoutEvent } from "./service";
export { parseReport, REPORT_FILE, type ScoutReport } from "./report";

/** The Hardhat account a dev chain's scout signs with when SCOUT_PRIVATE_KEY is unset (public test key). */
export const DEV_SCOUT_ACCOUNT = 14;

export interface CreateScoutOptions {
  config?: LureConfig;
  /** Another signer than the configured one. */
  signer?: Signer;
  /** Another folder than SCOUT_DATA_DIR/<chainId>-<PodRegistry address>. */
  dataDir?: string;
  onEvent?: (event: ScoutEvent) => void;
}

/** The filter of SCOUT_NAME_PATTERN, SCOUT_AUTHOR, SCOUT_GROUP and SCOUT_FORKS_OF. */
function scoutFilter(config: LureConfig): ScoutFilter {
  return {
    ...(config.SCOUT_NAME_PATTERN ? { namePattern: new RegExp(config.SCOUT_NAME_PATTERN) } : {}),
    ...(config.SCOUT_AUTHOR ? { author: config.SCOUT_AUTHOR } : {}),
    ...(config.SCOUT_GROUP ? { groupId: BigInt(config.SCOUT_GROUP) } : {}),
    ...(config.SCOUT_FORKS_OF ? { forksOf: BigInt(config.SCOUT_FORKS_OF) } : {}),
  };
}

/**
 * A scout assembled from the configuration: the chain of NETWORK (deployments/<NETWORK>.json), the
 * Bee node of BEE_URL (report bodies are uploaded there), the SCOUT_* settings and the scout's key.
 * A ConfigError names a missing SCOUT_REPORT_GROUP, or SCOUT_MAX_PAY missing beside SCOUT_TEST_POD.
 */
export async function createScout(options: CreateScoutOptions = {}): Promise<ScoutService> {
  const config = options.config ?? loadConfig();
  if (!config.SCOUT_REPORT_GROUP) throw new ConfigError(["SCOUT_REPORT_GROUP: required (the group the scout reports to)"]);
  if (config.SCOUT_TEST_POD && !config.SCOUT_MAX_PAY) throw new ConfigError(["SCOUT_MAX_PAY: required with SCOUT_TEST_POD (the most one test run escrows)"]);
  const url = rpcUrlFor(config);
  // No response cache: ethers would answer a repeated read (a run's state, its logs) from the last
  // 250 ms, and a service that polls would then see the state and the logs of different moments.
  const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true, cacheTimeout: -1 });
  const signer = options.signer ?? configuredSigner(config, provider);
  const contracts = await connectLure(signer, { network: config.NETWORK, deploymentsDir: config.DEPLOYMENTS_DIR });
  const registry = contracts.deployment.contracts.PodRegistry.address;
  const log = logger("scout");
  const rpc = await RpcClient.connect({ url, log });
  return new ScoutService({
    contracts,
    signer,
    rpc,
    storage: podStorage({ url: config.BEE_URL, postageBatchId: config.BEE_POSTAGE_BATCH, timeoutMs: config.BEE_TIMEOUT_MS }),
    dataDir: options.dataDir ?? path.join(config.SCOUT_DATA_DIR, `${contracts.chainId}-${registry.toLowerCase()}`),
    filter: scoutFilter(config),
    reportGroup: BigInt(config.SCOUT_REPORT_GROUP),
    ...(config.SCOUT_MAX_FEE ? { maxFee: config.SCOUT_MAX_FEE } : {}),
    ...(config.SCOUT_TEST_POD ? { test: { podId: BigInt(config.SCOUT_TEST_POD), maxPay: config.SCOUT_MAX_PAY! } } : {}),
    startBlock: config.SCOUT_START_BLOCK,
    pollMs: config.SCOUT_POLL_MS,
    confirmations: config.SCOUT_CONFIRMATIONS,
    log,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
}

function configuredSigner(config: LureConfig, provider: JsonRpcProvider): Signer {
  if (config.SCOUT_PRIVATE_KEY) return signerFromPrivateKey(config.SCOUT_PRIVATE_KEY, provider);
  if (DEV_NETWORKS.includes(config.NETWORK)) return signerFromPrivateKey(devAccounts(DEV_SCOUT_ACCOUNT + 1)[DEV_SCOUT_ACCOUNT].privateKey, provider);
  throw new Error(`the scout needs an account on ${config.NETWORK}: set SCOUT_PRIVATE_KEY`);
}
