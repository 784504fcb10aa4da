import path from "node:path";
import { getAddress } from "ethers";
import { loadConfig, rpcUrlFor, type LureConfig } from "../config";
import { requireContract, readDeployment } from "../chain/deployments";
import { lureInterfaces } from "../chain/contracts";
import { RpcClient } from "../chain/rpc";
import { logger } from "../log";
import type { MessageTarget } from "../market/messages";
import { podStorage } from "../pods/swarm-storage";
import { CourierService, type CourierEvent } from "./service";

export { CourierService, type CourierEvent } from "./service";
export type { MessagePayload } from "./delivery";

export interface CreateCourierOptions {
  config?: LureConfig;
  /** Another cursor folder than COURIER_DATA_DIR/<chainId>-<MessageBus address>. */
  dataDir?: string;
  /** The first wait between webhook attempts (default 500 ms; tests shorten it). */
  retryBaseMs?: number;
  onEvent?: (event: CourierEvent) => void;
}

/** COURIER_GROUPS and COURIER_INBOXES as message targets: groups first, then inboxes, duplicates dropped. */
export function courierTargets(config: Pick<LureConfig, "COURIER_GROUPS" | "COURIER_INBOXES">): MessageTarget[] {
  const list = (value: string | undefined) => [...new Set((value ?? "").split(",").map((item) => item.trim()).filter((item) => item !== ""))];
  return [
    ...list(config.COURIER_GROUPS).map((id): MessageTarget => ({ kind: "group", groupId: BigInt(id) })),
    ...[...new Set(list(config.COURIER_INBOXES).map((account) => getAddress(account.toLowerCase())))].map((account): MessageTarget => ({ kind: "account", account })),
  ];
}

/**
 * A courier assembled from the configuration: MessageBus of deployments/<NETWORK>.json on the chain
 * of NETWORK, the Bee node of BEE_URL for bodies, and the COURIER_* settings. It needs no account:
 * it only reads the chain.
 */
export async function createCourier(options: CreateCourierOptions = {}): Promise<CourierService> {
  const config = options.config ?? loadConfig();
  const targets = courierTargets(config);
  if (!config.COURIER_WEBHOOK_URL) throw new Error("the courier needs COURIER_WEBHOOK_URL: the URL each message is POSTed to");
  if (targets.length === 0) throw new Error("the courier has nothing to carry: set COURIER_GROUPS (group ids) and/or COURIER_INBOXES (addresses)");
  const deployment = readDeployment(config.NETWORK, config.DEPLOYMENTS_DIR);
  const messageBus = requireContract(deployment, config.NETWORK, "MessageBus");
  const log = logger("courier");
  const rpc = await RpcClient.connect({ url: rpcUrlFor(config), log });
  const code = await rpc.retry("eth_getCode", () => rpc.send<string>("eth_getCode", [messageBus.address, "latest"]));
  if (deployment?.chainId !== rpc.chainId || code === "0x") {
    rpc.stop();
    throw new Error(`no MessageBus at ${messageBus.address} on ${config.NETWORK} (chain ${rpc.chainId}): deployments/${config.NETWORK}.json (chain ${deployment?.chainId}) is for another chain`);
  }
  return new CourierService({
    rpc,
    messageBus: { address: messageBus.address, interface: lureInterfaces().MessageBus },
    chainId: rpc.chainId,
    targets,
    storage: podStorage({ url: config.BEE_URL, postageBatchId: config.BEE_POSTAGE_BATCH, timeoutMs: config.BEE_TIMEOUT_MS }),
    webhookUrl: config.COURIER_WEBHOOK_URL,
    dataDir: options.dataDir ?? path.join(config.COURIER_DATA_DIR, `${rpc.chainId}-${messageBus.address.toLowerCase()}`),
    startBlock: config.COURIER_START_BLOCK ?? messageBus.blockNumber,
    pollMs: config.COURIER_POLL_MS,
    confirmations: config.COURIER_CONFIRMATIONS,
    timeoutMs: config.COURIER_TIMEOUT_MS,
    retryBaseMs: options.retryBaseMs ?? 500,
    retryMaxMs: config.COURIER_RETRY_MAX_MS,
    bodyAttempts: 5,
    log,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
}
