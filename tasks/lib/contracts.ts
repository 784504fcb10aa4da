import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Signer } from "ethers";
import type { LureConnection } from "../../services/chain/contracts";
import { DEV_NETWORKS, DEV_ROLE_ACCOUNTS } from "../../services/chain/deployments";
import { InvalidArgumentError, LureTaskError, asTaskError } from "./errors";

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
    throw asTaskError(error, { namesTheStep: true });
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
async function pickSigner(hre: HardhatRuntimeEnvironment, account?: string): Promise<Signer> {
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
