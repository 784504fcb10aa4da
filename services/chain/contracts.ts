import type { ContractRunner, Provider } from "ethers";
import type { GroupRegistry, MessageBus, PodKeyGrants, PodLicenses, PodMarket, PodRegistry, RunMarket } from "../../typechain-types";
import { GroupRegistry__factory } from "../../typechain-types/factories/contracts/GroupRegistry__factory";
import { MessageBus__factory } from "../../typechain-types/factories/contracts/MessageBus__factory";
import { PodLicenses__factory } from "../../typechain-types/factories/contracts/PodLicenses__factory";
import { PodMarket__factory } from "../../typechain-types/factories/contracts/PodMarket__factory";
import { PodRegistry__factory } from "../../typechain-types/factories/contracts/PodRegistry__factory";
import { RunMarket__factory } from "../../typechain-types/factories/contracts/RunMarket.sol/RunMarket__factory";
import { PodKeyGrants__factory } from "../../typechain-types/factories/contracts/PodKeyGrants__factory";
import { LURE_CONTRACTS, readDeployment, requireContract, type Deployment, type LureContractName } from "./deployments";
import { ChainError } from "./errors";

/**
 * Lure's contracts connected through their typechain bindings, from `deployments/<network>.json`,
 * to any ethers provider or signer: Hardhat's (tasks, tests) or a plain JsonRpcProvider and Wallet
 * (long-running services). A new contract is one line in BINDINGS and one entry in LURE_CONTRACTS.
 */
const BINDINGS = {
  PodRegistry: PodRegistry__factory,
  PodLicenses: PodLicenses__factory,
  PodMarket: PodMarket__factory,
  PodKeyGrants: PodKeyGrants__factory,
  RunMarket: RunMarket__factory,
  GroupRegistry: GroupRegistry__factory,
  MessageBus: MessageBus__factory,
} as const satisfies Record<LureContractName, { connect(address: string, runner?: ContractRunner | null): unknown; createInterface(): unknown }>;

/** The typechain type of each Lure contract, by name. */
export type LureContract<Name extends LureContractName> = ReturnType<(typeof BINDINGS)[Name]["connect"]>;

/** The registry, the licences and the market, connected to the account that acts: what pod and market services take. */
export interface PodContracts {
  registry: PodRegistry;
  /** Licences as ERC-1155 tokens (token id = pod id): `hasLicense`, transferability. */
  licenses: PodLicenses;
  market: PodMarket;
  /** Address of the signer the contracts are connected to (or the account a read is about). */
  account: string;
}

/** Every Lure contract, connected to the account that acts: PodContracts plus the run market, the groups and the message bus. */
export interface LureContracts extends PodContracts {
  /** Runners, escrowed runs and tasks. */
  runMarket: RunMarket;
  /** Which runners may run which private pod versions (sealed keys on Swarm). */
  keyGrants: PodKeyGrants;
  /** Groups: memberships, catalogues, treasuries of join fees. */
  groups: GroupRegistry;
  /** Paid messages to groups and inboxes. */
  messages: MessageBus;
}

/** LureContracts plus where they came from. */
export interface LureConnection extends LureContracts {
  deployment: Deployment;
  chainId: number;
}

export interface ConnectOptions {
  /** The deployments file's name: `deployments/<network>.json`. */
  network: string;
  /** Folder of deployment files (default DEPLOYMENTS_DIR, else `deployments`). */
  deploymentsDir?: string;
}

/** Every Lure contract's ABI by name, in deployment order: what a revert is decoded against. */
export function lureInterfaces(): Record<LureContractName, ReturnType<(typeof BINDINGS)[LureContractName]["createInterface"]>> {
  return Object.fromEntries(LURE_CONTRACTS.map((name) => [name, BINDINGS[name].createInterface()])) as ReturnType<typeof lureInterfaces>;
}

/**
 * One deployed Lure contract, connected to `runner` (a signer to send, a provider to read). Checks
 * that the deployment is for the chain the runner is on and that the code is there, so a restarted
 * dev chain is reported as such instead of as a confusing call error.
 */
export async function connectContract<Name extends LureContractName>(name: Name, runner: ContractRunner, options: ConnectOptions): Promise<LureContract<Name>> {
  const deployment = await checkedDeployment(providerOf(runner), options, [name]);
  return BINDINGS[name].connect(deployment.contracts[name].address, runner) as LureContract<Name>;
}

/**
 * Every Lure contract (registry, licences, market), connected to `signer` (or to a provider, for reads; `account` is
 * then the zero address unless given). Same checks as `connectContract`.
 */
export async function connectLure(runner: ContractRunner, options: ConnectOptions & { account?: string }): Promise<LureConnection> {
  const provider = providerOf(runner);
  const deployment = await checkedDeployment(provider, options, LURE_CONTRACTS);
  const account = options.account ?? (await signerAddress(runner));
  return {
    registry: BINDINGS.PodRegistry.connect(deployment.contracts.PodRegistry.address, runner),
    licenses: BINDINGS.PodLicenses.connect(deployment.contracts.PodLicenses.address, runner),
    market: BINDINGS.PodMarket.connect(deployment.contracts.PodMarket.address, runner),
    runMarket: BINDINGS.RunMarket.connect(deployment.contracts.RunMarket.address, runner),
    keyGrants: BINDINGS.PodKeyGrants.connect(deployment.contracts.PodKeyGrants.address, runner),
    groups: BINDINGS.GroupRegistry.connect(deployment.contracts.GroupRegistry.address, runner),
    messages: BINDINGS.MessageBus.connect(deployment.contracts.MessageBus.address, runner),
    account,
    deployment,
    chainId: deployment.chainId,
  };
}

async function checkedDeployment(provider: Provider, options: ConnectOptions, names: readonly LureContractName[]): Promise<Deployment> {
  const { network } = options;
  const deployment = readDeployment(network, options.deploymentsDir);
  const entries = names.map((name) => {
    try {
      return { name, entry: requireContract(deployment, network, name) };
    } catch (error) {
      throw new ChainError("connect", (error as Error).message);
    }
  });
  const chainId = Number((await provider.getNetwork()).chainId);
  if (deployment!.chainId !== chainId) {
    throw new ChainError("connect", `deployments/${network}.json is for chainId ${deployment!.chainId}, but the node reports ${chainId}`);
  }
  for (const { name, entry } of entries) {
    if ((await provider.getCode(entry.address)) === "0x") {
      throw new ChainError(
        "connect",
        `no ${name} code at ${entry.address} on ${network}: the chain was reset; run \`npx hardhat run scripts/deploy.ts --network ${network}\``,
      );
    }
  }
  return deployment!;
}

function providerOf(runner: ContractRunner): Provider {
  if (!runner.provider) throw new ChainError("connect", "the signer is not connected to a provider");
  return runner.provider;
}

/** A signer's address; a bare provider acts as nobody (reads only). */
async function signerAddress(runner: ContractRunner): Promise<string> {
  const candidate = runner as { getAddress?: () => Promise<string> };
  return typeof candidate.getAddress === "function" ? candidate.getAddress() : "0x0000000000000000000000000000000000000000";
}
