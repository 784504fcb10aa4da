import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Signer } from "ethers";
import type { PodMarket, PodRegistry } from "../../typechain-types";
import { readDeployment, requireContract, type Deployment } from "../../services/chain/deployments";
import { InvalidArgumentError, LureTaskError } from "./errors";

export interface LureContracts {
  registry: PodRegistry;
  market: PodMarket;
  signer: Signer;
  signerAddress: string;
  deployment: Deployment;
}

/**
 * The deployed contracts of the selected network, connected to its first signer. Fails with a
 * message that says how to deploy when the file is missing or points at a chain without the code
 * (for example a dev chain that was restarted).
 */
export async function lureContracts(hre: HardhatRuntimeEnvironment, account?: string): Promise<LureContracts> {
  const network = hre.network.name;
  const deployment = readDeployment(network);
  const registryEntry = requireContract(deployment, network, "PodRegistry");
  const marketEntry = requireContract(deployment, network, "PodMarket");
  const chainId = Number((await hre.ethers.provider.getNetwork()).chainId);
  if (deployment!.chainId !== chainId) {
    throw new LureTaskError(`deployments/${network}.json is for chainId ${deployment!.chainId}, but the node reports ${chainId}`);
  }
  if ((await hre.ethers.provider.getCode(registryEntry.address)) === "0x") {
    throw new LureTaskError(
      `no PodRegistry code at ${registryEntry.address} on ${network}: the chain was reset; run \`npx hardhat run scripts/deploy.ts --network ${network}\``,
    );
  }
  const signer = await pickSigner(hre, account);
  const registry = (await hre.ethers.getContractAt("PodRegistry", registryEntry.address, signer)) as unknown as PodRegistry;
  const market = (await hre.ethers.getContractAt("PodMarket", marketEntry.address, signer)) as unknown as PodMarket;
  return { registry, market, signer, signerAddress: await signer.getAddress(), deployment: deployment! };
}

/**
 * `--account` picks which of the network's accounts signs: an index (0 = first) or one of their
 * addresses. Without it, the first account signs.
 */
export async function pickSigner(hre: HardhatRuntimeEnvironment, account?: string): Promise<Signer> {
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
