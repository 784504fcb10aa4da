import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { ContractTransactionResponse } from "ethers";
import type { PodMarket, PodRegistry } from "../typechain-types";
import { LURE_CONTRACTS, readDeployment, writeDeployment, type Deployment, type DeployedContract } from "../services/chain/deployments";

/** Market settings at deployment; governance can change fee and recipient later within the coded caps. */
export interface DeployOptions {
  /** Platform fee in basis points (default 250 = 2.5%). */
  feeBps?: number;
  /** Receives the platform fee (default: the deployer). */
  feeRecipient?: string;
  /** Governance admin (default: the deployer). */
  admin?: string;
  /** Write deployments/<network>.json (default true). */
  write?: boolean;
  /** Print progress (default true). */
  verbose?: boolean;
}

export interface LureDeployment {
  deployment: Deployment;
  registry: PodRegistry;
  market: PodMarket;
  /** True when everything was already deployed and nothing was sent. */
  reused: boolean;
}

async function hasCode(hre: HardhatRuntimeEnvironment, entry: DeployedContract | undefined): Promise<boolean> {
  if (!entry) return false;
  const code = await hre.ethers.provider.getCode(entry.address);
  return code !== "0x";
}

async function record(tx: ContractTransactionResponse | null, address: string): Promise<DeployedContract> {
  if (!tx) throw new Error(`deployment of ${address} has no transaction`);
  const receipt = await tx.wait();
  if (!receipt) throw new Error(`deployment transaction ${tx.hash} has no receipt`);
  return { address, blockNumber: receipt.blockNumber, txHash: tx.hash };
}

/**
 * Deploys PodRegistry and PodMarket, unless a deployment file for this network already points at
 * live code on the same chain: then nothing is sent (idempotent per network).
 */
export async function deployLure(hre: HardhatRuntimeEnvironment, options: DeployOptions = {}): Promise<LureDeployment> {
  const network = hre.network.name;
  const say = options.verbose === false ? () => undefined : (line: string) => console.log(line);
  const chainId = Number((await hre.ethers.provider.getNetwork()).chainId);
  const existing = readDeployment(network);

  if (existing && existing.chainId === chainId) {
    const live = await Promise.all(LURE_CONTRACTS.map((name) => hasCode(hre, existing.contracts[name])));
    if (live.every(Boolean)) {
      say(`Lure already deployed on ${network} (chainId ${chainId}); nothing sent.`);
      return {
        deployment: existing,
        registry: await hre.ethers.getContractAt("PodRegistry", existing.contracts.PodRegistry.address),
        market: await hre.ethers.getContractAt("PodMarket", existing.contracts.PodMarket.address),
        reused: true,
      };
    }
  }

  const [deployer] = await hre.ethers.getSigners();
  if (!deployer) throw new Error(`no deployer account on network ${network}: set DEPLOYER_PRIVATE_KEY`);
  const admin = options.admin ?? deployer.address;
  const feeRecipient = options.feeRecipient ?? deployer.address;
  const feeBps = options.feeBps ?? 250;
  say(`Deploying Lure to ${network} (chainId ${chainId}) from ${deployer.address}`);

  const registryFactory = await hre.ethers.getContractFactory("PodRegistry", deployer);
  const registry = (await registryFactory.deploy()) as unknown as PodRegistry;
  const registryAddress = await registry.getAddress();
  const registryEntry = await record(registry.deploymentTransaction(), registryAddress);
  say(`  PodRegistry ${registryAddress} (block ${registryEntry.blockNumber})`);

  const marketFactory = await hre.ethers.getContractFactory("PodMarket", deployer);
  const market = (await marketFactory.deploy(registryAddress, admin, feeRecipient, feeBps)) as unknown as PodMarket;
  const marketAddress = await market.getAddress();
  const marketEntry = await record(market.deploymentTransaction(), marketAddress);
  say(`  PodMarket   ${marketAddress} (block ${marketEntry.blockNumber})`);

  const deployment: Deployment = { chainId, contracts: { PodRegistry: registryEntry, PodMarket: marketEntry } };
  if (options.write !== false) say(`  wrote ${writeDeployment(network, deployment)}`);
  return { deployment, registry, market, reused: false };
}

// `npx hardhat run scripts/deploy.ts --network <name>`
if (require.main === module) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when run as a script, synchronously, as before the deployment starts
  const hre = require("hardhat") as HardhatRuntimeEnvironment;
  deployLure(hre).then(
    () => process.exit(0),
    (error: Error) => {
      console.error(`deploy failed: ${error.message}`);
      process.exit(1);
    },
  );
}
