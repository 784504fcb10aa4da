import type { ContractRunner } from "ethers";
import type { GroupRegistry, MessageBus, PodLicenses, PodMarket, PodRegistry, RunMarket } from "../../../typechain-types";
import { IERC20Metadata__factory } from "../../../typechain-types/factories/@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata__factory";
import { GroupRegistry__factory } from "../../../typechain-types/factories/contracts/GroupRegistry__factory";
import { MessageBus__factory } from "../../../typechain-types/factories/contracts/MessageBus__factory";
import { PodLicenses__factory } from "../../../typechain-types/factories/contracts/PodLicenses__factory";
import { PodMarket__factory } from "../../../typechain-types/factories/contracts/PodMarket__factory";
import { PodRegistry__factory } from "../../../typechain-types/factories/contracts/PodRegistry__factory";
import { RunMarket__factory } from "../../../typechain-types/factories/contracts/RunMarket.sol/RunMarket__factory";
import type { ContractInterfaces } from "../../../services/chain/revert-decode";
import type { AppConfig } from "../app-config";

/**
 * Lure's contracts in the browser: the typechain bindings connected to the wallet's signer at the
 * addresses `/app-config.json` names. services/chain/contracts.ts does the same for the services
 * from a deployments file, which the browser has no access to.
 */

/** The bindings, by the contract names the configuration uses. */
const BINDINGS = {
  PodRegistry: PodRegistry__factory,
  PodLicenses: PodLicenses__factory,
  PodMarket: PodMarket__factory,
  RunMarket: RunMarket__factory,
  GroupRegistry: GroupRegistry__factory,
  MessageBus: MessageBus__factory,
} as const;

type ContractName = keyof typeof BINDINGS;

export interface WebContracts {
  registry: PodRegistry;
  licenses: PodLicenses;
  market: PodMarket;
  runMarket: RunMarket;
  groups: GroupRegistry;
  messages: MessageBus;
}

/** Every Lure contract's ABI by name: what a revert is decoded against (as services/chain/contracts.ts's lureInterfaces). */
export function lureInterfaces(): ContractInterfaces {
  return Object.fromEntries(Object.entries(BINDINGS).map(([name, factory]) => [name, factory.createInterface()]));
}

function addressOf(config: AppConfig, name: ContractName): string {
  const address = config.contracts[name];
  if (!address || !/^0x[0-9a-fA-F]{40}$/.test(address)) {
    throw new Error(`the app's configuration has no address for ${name} (contracts.${name} is ${JSON.stringify(address)}): the API's deployments file lacks it`);
  }
  return address;
}

/** Every Lure contract the app writes to, connected to `runner` (the wallet's signer). */
export function connectContracts(config: AppConfig, runner: ContractRunner): WebContracts {
  return {
    registry: PodRegistry__factory.connect(addressOf(config, "PodRegistry"), runner),
    licenses: PodLicenses__factory.connect(addressOf(config, "PodLicenses"), runner),
    market: PodMarket__factory.connect(addressOf(config, "PodMarket"), runner),
    runMarket: RunMarket__factory.connect(addressOf(config, "RunMarket"), runner),
    groups: GroupRegistry__factory.connect(addressOf(config, "GroupRegistry"), runner),
    messages: MessageBus__factory.connect(addressOf(config, "MessageBus"), runner),
  };
}

/** An ERC-20 payment token, for its symbol, decimals, balance, allowance and approval. */
export function erc20(address: string, runner: ContractRunner) {
  return IERC20Metadata__factory.connect(address, runner);
}
