import path from "node:path";
import { JsonRpcProvider, type Signer } from "ethers";
import { golemSettings, loadConfig, payloadLimits, rpcUrlFor, runnerLimits, type LureConfig } from "../config";
import { connectLure } from "../chain/contracts";
import { DEV_NETWORKS } from "../chain/deployments";
import { RpcClient } from "../chain/rpc";
import { signerFromKeystoreFile, signerFromPrivateKey } from "../chain/signers";
import { devAccounts } from "../devnet/accounts";
import { logger, type Logger } from "../log";
import { podStorage } from "../pods/swarm-storage";
import type { Executor } from "./executor";
import { GolemExecutor } from "./golem/executor";
import { SandboxExecutor } from "./sandbox/executor";
import { RunnerService, type RunnerEvent } from "./service";
import { readRunnerPrivateKey } from "./private-pod";

export { RunnerService, type RunnerEvent } from "./service";

/** The Hardhat account a dev chain's runner signs with when no key is configured (public test key). */
export const DEV_RUNNER_ACCOUNT = 15;

export interface CreateRunnerOptions {
  config?: LureConfig;
  /** Another executor than the local sandbox (tests, Golem). */
  executor?: Executor;
  /** Another signer than the configured one. */
  signer?: Signer;
  /** Another journal folder than RUNNER_DATA_DIR/<chainId>-<RunMarket address>. */
  dataDir?: string;
  /** Another folder than RUNNER_DATA_DIR for the runner's X25519 key (`runner-x25519.pem`, made by runner:register). */
  keyDir?: string;
  /** Another logger than the `runner` subsystem's. */
  log?: Logger;
  onEvent?: (event: RunnerEvent) => void;
}

/**
 * A runner assembled from the configuration: the chain of NETWORK (deployments/<NETWORK>.json), the
 * Bee node of BEE_URL, the local sandbox with the RUNNER_* limits, and the runner's key. Nothing here
 * assumes the embedded services: a Polygon RPC, a real Bee node and a keystore work the same way.
 */
export async function createRunner(options: CreateRunnerOptions = {}): Promise<RunnerService> {
  const config = options.config ?? loadConfig();
  const url = rpcUrlFor(config);
  // No response cache: ethers would answer a repeated read (a run's state, its logs) from the last
  // 250 ms, and a service that polls would then see the state and the logs of different moments.
  const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true, cacheTimeout: -1 });
  const signer = options.signer ?? (await configuredSigner(config, provider));
  const contracts = await connectLure(signer, { network: config.NETWORK, deploymentsDir: config.DEPLOYMENTS_DIR });
  const runMarketAddress = contracts.deployment.contracts.RunMarket.address;
  const log = options.log ?? logger("runner");
  // The key that opens the private pods granted to this runner stays in memory (a KeyObject).
  const { privateKey, keyFile } = await readRunnerPrivateKey(options.keyDir ?? config.RUNNER_DATA_DIR);
  const runnerAddress = await signer.getAddress();
  const rpc = await RpcClient.connect({ url, log });
  return new RunnerService({
    runMarket: contracts.runMarket,
    registry: contracts.registry,
    signer,
    rpc,
    storage: podStorage({ url: config.BEE_URL, postageBatchId: config.BEE_POSTAGE_BATCH, timeoutMs: config.BEE_TIMEOUT_MS }),
    executor: options.executor ?? configuredExecutor(config),
    dataDir: options.dataDir ?? path.join(config.RUNNER_DATA_DIR, `${contracts.chainId}-${runMarketAddress.toLowerCase()}`),
    startBlock: config.RUNNER_START_BLOCK ?? contracts.deployment.contracts.RunMarket.blockNumber,
    concurrency: config.RUNNER_CONCURRENCY,
    pollMs: config.RUNNER_POLL_MS,
    confirmations: config.RUNNER_CONFIRMATIONS,
    downloadLimits: payloadLimits(config),
    privatePods: { keyGrants: contracts.keyGrants, chainId: BigInt(contracts.chainId), runner: runnerAddress, keyFile, ...(privateKey ? { privateKey } : {}) },
    log,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
}

async function configuredSigner(config: LureConfig, provider: JsonRpcProvider): Promise<Signer> {
  if (config.RUNNER_PRIVATE_KEY) return signerFromPrivateKey(config.RUNNER_PRIVATE_KEY, provider);
  if (config.RUNNER_KEYSTORE) return signerFromKeystoreFile(config.RUNNER_KEYSTORE, config.RUNNER_KEYSTORE_PASSWORD ?? "", provider);
  if (DEV_NETWORKS.includes(config.NETWORK)) return signerFromPrivateKey(devAccounts(DEV_RUNNER_ACCOUNT + 1)[DEV_RUNNER_ACCOUNT].privateKey, provider);
  throw new Error(`the runner needs an account on ${config.NETWORK}: set RUNNER_PRIVATE_KEY or RUNNER_KEYSTORE (with RUNNER_KEYSTORE_PASSWORD)`);
}

/**
 * The sandbox, or Golem when RUNNER_EXECUTOR=golem (the default once YAGNA_APPKEY is set). The
 * runner's start() calls check(), so an unreachable yagna stops start-up with YAGNA_API_URL named.
 */
function configuredExecutor(config: LureConfig): Executor {
  const golem = golemSettings(config);
  if (golem.executor === "sandbox") return new SandboxExecutor({ limits: runnerLimits(config) });
  if (!golem.appKey) throw new Error("RUNNER_EXECUTOR=golem needs YAGNA_APPKEY (an app key of `yagna app-key create lure`)");
  return new GolemExecutor({
    limits: runnerLimits(config),
    apiUrl: golem.apiUrl,
    appKey: golem.appKey,
    paymentNetwork: golem.paymentNetwork,
    pricing: golem.pricing,
    budgetPerRun: golem.budgetPerRun,
  });
}
