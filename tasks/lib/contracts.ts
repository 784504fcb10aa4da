import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Signer } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { LureConnection } from "../../services/chain/contracts";
import { DEV_NETWORKS, DEV_ROLE_ACCOUNTS } from "../../services/chain/deployments";
import { trySetting } from "../../services/config";
import { InvalidArgumentError, LureTaskError, NetworkError, asTaskError } from "./errors";

/**
 * The Hardhat side of services/chain: the selected network's deployment, connected to one of its
 * accounts through hre.ethers. Everything else about contracts lives in services/chain.
 */

export interface TaskContracts extends LureConnection {
  signer: Signer;
}

/**
 * The deployed contracts of the selected network, connected to the account `--account` names (the
 * first by default). A missing deployment, another chain or a reset dev chain is a one-line error
 * that says how to deploy.
 */
export async function lureContracts(hre: HardhatRuntimeEnvironment, account?: string): Promise<TaskContracts> {
  const signer = await pickSigner(hre, account);
  // Loaded here, not with the config: the bindings exist only once the contracts are compiled.
  const { connectLure } = await import("../../services/chain/contracts");
  try {
    return { ...(await connectLure(signer, { network: hre.network.name })), signer };
  } catch (error) {
    const explained = asTaskError(error, { namesTheStep: true });
    if (explained instanceof NetworkError && hre.network.name === "hardhat") throw await inProcessNetworkHint();
    throw explained;
  }
}

/**
 * Without --network, Hardhat runs a task on its in-process `hardhat` network, which starts empty
 * with every command: it never holds Lure's contracts, and deploying there is of no use. The dev
 * chain (`npm start`) is `--network localhost`; the task is not redirected there silently (a
 * command must not change chains by itself), the error says to add the flag, and whether a dev
 * chain answers at LOCAL_RPC_URL right now.
 */
async function inProcessNetworkHint(): Promise<NetworkError> {
  const setting = trySetting("LOCAL_RPC_URL");
  const url = setting.ok ? setting.value : undefined;
  const lead = 'no Lure contracts on the in-process "hardhat" network (the default without --network; it starts empty with every command)';
  if (url !== undefined && (await answersJsonRpc(url))) return new NetworkError(`${lead}: a dev chain answers at ${url}, add --network localhost`);
  return new NetworkError(`${lead}: start the dev chain with \`npm start\` and add --network localhost`);
}

/** Whether a JSON-RPC node answers eth_chainId at `url` within a second. */
async function answersJsonRpc(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(1000),
    });
    const body = (await response.json()) as { result?: unknown };
    return typeof body.result === "string";
  } catch {
    return false;
  }
}

/**
 * The contracts connected to the market's governor: `--account` when given; on the dev chains
 * (hardhat, localhost) the dev governor, Hardhat account #17, by default; elsewhere the first
 * account, which the governance service refuses with a message naming the role when it lacks it.
 */
export async function governorContracts(hre: HardhatRuntimeEnvironment, account?: string): Promise<TaskContracts> {
  const fallback = DEV_NETWORKS.includes(hre.network.name) ? String(DEV_ROLE_ACCOUNTS.governor) : undefined;
  return lureContracts(hre, account ?? fallback);
}

/**
 * `--account` picks which of the network's accounts signs: an index (0 = first) or one of their
 * addresses. Without it, the first account signs.
 */
export async function pickSigner(hre: HardhatRuntimeEnvironment, account?: string): Promise<HardhatEthersSigner> {
  const signers = await hre.ethers.getSigners();
  if (signers.length === 0) throw new LureTaskError(`no account on network ${hre.network.name}: set DEPLOYER_PRIVATE_KEY`);
  if (account === undefined || account === "") return signers[0];
  if (/^[0-9]+$/.test(account)) {
    const signer = signers[Number(account)];
    if (!signer) throw new InvalidArgumentError(`--account: index ${account} is out of range (this network has ${signers.length} accounts)`);
    return signer;
  }
  const match = signers.find((signer) => signer.address.toLowerCase() === account.toLowerCase());
  if (!match) throw new InvalidArgumentError(`--account: ${JSON.stringify(account)} is neither an account index nor one of this network's accounts`);
  return match;
}
