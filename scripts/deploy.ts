import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { ContractFactory, TransactionRequest } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { GroupRegistry, MessageBus, PodKeyGrants, PodLicenses, PodMarket, PodRegistry, RunMarket } from "../typechain-types";
import { DEV_ROLE_ACCOUNTS, readDeployment, writeDeployment, type Deployment, type DeployedContract } from "../services/chain/deployments";
import { setting } from "../services/config";

/**
 * `npx hardhat run scripts/deploy.ts --network <name>`: deploys PodRegistry, PodLicenses, PodMarket,
 * PodKeyGrants (which runners may run private pods), RunMarketLib and RunMarket (linked to it, naming
 * PodKeyGrants), GroupRegistry and MessageBus (with the native protocol
 * floor of messages, LURE_MESSAGE_FLOOR) and, on real networks (amoy, polygon), a
 * TimelockController that holds the GOVERNOR_ROLE of the markets, the groups and the message bus.
 *
 * It first prints the plan: every contract with its constructor arguments and predicted address, the
 * role holders, the estimated gas and its cost at the network's current EIP-1559 fees (base fee from
 * the latest block, priority fee from eth_feeHistory / eth_maxPriorityFeePerGas, raised to the
 * network's floor: Polygon rejects priority fees under ~25-30 gwei). On amoy and polygon it sends
 * nothing unless LURE_DEPLOY_YES=1 (`hardhat run` takes no flags of its own). It sends nothing either
 * when deployments/<network>.json already points at live code on the same chain.
 *
 * Roles always sit on distinct accounts, none of them the deployer. Dev chains (hardhat, localhost)
 * use the Hardhat accounts #16 (default admin of market and licences), #17 (governor), #18 (pauser)
 * and #19 (fee recipient); real networks take LURE_ADMIN, LURE_PAUSER, LURE_FEE_RECIPIENT and
 * LURE_TIMELOCK_PROPOSER (proposer and canceller of the timelock; anyone may execute once the delay
 * has passed).
 */

const REAL_NETWORKS = new Set(["amoy", "polygon"]);
/** The contracts added with groups and messages (issue 16): what an earlier deployment lacks. */
const MESSAGING_CONTRACTS: readonly string[] = ["GroupRegistry", "MessageBus"];
/** The minimum priority fee each network accepts, in gwei (LURE_PRIORITY_FEE_FLOOR_GWEI overrides it). */
const PRIORITY_FEE_FLOOR_GWEI: Record<string, number> = { polygon: 30, amoy: 30 };

export interface DeployOptions {
  /** Write deployments/<network>.json (default true). */
  write?: boolean;
  /** Print the plan and progress (default true). */
  verbose?: boolean;
  /** Send on amoy/polygon (default: LURE_DEPLOY_YES=1). Dev chains never need it. */
  yes?: boolean;
  /** The account that deploys (default: the network's first; `lure:deploy --account`). */
  deployer?: HardhatEthersSigner;
}

export interface Roles {
  admin: string;
  governor: string;
  pauser: string;
  feeRecipient: string;
  /** Real networks: the timelock's proposer and canceller. */
  proposer?: string;
}

export interface LureDeployment {
  deployment: Deployment;
  registry: PodRegistry;
  licenses: PodLicenses;
  market: PodMarket;
  keyGrants: PodKeyGrants;
  runMarket: RunMarket;
  groups: GroupRegistry;
  messages: MessageBus;
  /** True when everything was already deployed and nothing was sent. */
  reused: boolean;
}

interface PlannedContract {
  name: string;
  artifact: string;
  args: unknown[];
  address: string;
  gas: bigint;
  /** Libraries to link, by name, at their planned addresses. */
  libraries?: Record<string, string>;
}

/** Gas of deploying contracts linked to a library, as gas-snapshot.md measured it, rounded up. */
const LINKED_DEPLOYMENT_GAS: Record<string, bigint> = { RunMarket: 5_500_000n };

export interface FeePlan {
  baseFee: bigint;
  priorityFee: bigint;
  maxFeePerGas: bigint;
  floor: bigint;
}

const formatGwei = (wei: bigint) => `${(Number(wei) / 1e9).toFixed(2)} gwei`;

/** Current EIP-1559 fees: the latest base fee, the median recent priority fee or the node's suggestion, at least the floor. */
export async function currentFees(hre: HardhatRuntimeEnvironment): Promise<FeePlan> {
  const network = hre.network.name;
  const floorGwei = setting("LURE_PRIORITY_FEE_FLOOR_GWEI") ?? PRIORITY_FEE_FLOOR_GWEI[network] ?? 0;
  const floor = BigInt(Math.round(floorGwei * 1e9));
  const provider = hre.ethers.provider;
  const latest = await provider.getBlock("latest");
  const baseFee = latest?.baseFeePerGas ?? 0n;
  let priorityFee = 0n;
  try {
    const history = (await provider.send("eth_feeHistory", ["0xa", "latest", [50]])) as { reward?: string[][] };
    const rewards = (history.reward ?? []).map((row) => BigInt(row[0] ?? "0x0")).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (rewards.length > 0) priorityFee = rewards[Math.floor(rewards.length / 2)];
  } catch {
    // Not every node serves fee history; the suggestion below stands in.
  }
  try {
    const suggested = BigInt((await provider.send("eth_maxPriorityFeePerGas", [])) as string);
    if (suggested > priorityFee) priorityFee = suggested;
  } catch {
    // Older nodes lack it.
  }
  if (priorityFee < floor) priorityFee = floor;
  return { baseFee, priorityFee, maxFeePerGas: 2n * baseFee + priorityFee, floor };
}

/** The role holders of this network, checked to be distinct from each other and from the deployer. */
export async function resolveRoles(hre: HardhatRuntimeEnvironment, deployer: string): Promise<Roles> {
  const real = REAL_NETWORKS.has(hre.network.name);
  let roles: Roles;
  if (real) {
    const need = (name: "LURE_ADMIN" | "LURE_PAUSER" | "LURE_FEE_RECIPIENT" | "LURE_TIMELOCK_PROPOSER") => {
      const value = setting(name);
      if (!value) throw new Error(`${name} is not set: it is required to deploy on ${hre.network.name}`);
      return hre.ethers.getAddress(value);
    };
    // The governor is the timelock, whose address is known once planned (see plan()).
    roles = { admin: need("LURE_ADMIN"), governor: "", pauser: need("LURE_PAUSER"), feeRecipient: need("LURE_FEE_RECIPIENT"), proposer: need("LURE_TIMELOCK_PROPOSER") };
  } else {
    const signers = await hre.ethers.getSigners();
    const at = (index: number) => {
      const signer = signers[index];
      if (!signer) throw new Error(`network ${hre.network.name} has no account #${index} for a role`);
      return signer.address;
    };
    roles = {
      admin: at(DEV_ROLE_ACCOUNTS.admin),
      governor: at(DEV_ROLE_ACCOUNTS.governor),
      pauser: at(DEV_ROLE_ACCOUNTS.pauser),
      feeRecipient: at(DEV_ROLE_ACCOUNTS.feeRecipient),
    };
  }
  const holders = [deployer, roles.admin, roles.pauser, roles.feeRecipient, ...(real ? [roles.proposer ?? ""] : [roles.governor])];
  if (new Set(holders.map((a) => a.toLowerCase())).size !== holders.length) {
    throw new Error(`the deployer and the role holders must be distinct accounts: ${holders.join(", ")}`);
  }
  return roles;
}

/** MessageBus's native floor never exceeds what it stores (uint96). */
const MAX_FLOOR = (1n << 96n) - 1n;
/** The dev chains' protocol floor of a message when LURE_MESSAGE_FLOOR is not set: 0.0001 of the native coin. */
const DEV_MESSAGE_FLOOR = 100_000_000_000_000n;

/**
 * The native protocol floor every message pays (wei): LURE_MESSAGE_FLOOR, else a small non-zero
 * default on dev chains. Real networks must name it, since it prices every message there.
 */
function messageFloorOf(network: string, real: boolean): bigint {
  const configured = setting("LURE_MESSAGE_FLOOR");
  if (configured === undefined) {
    if (real) throw new Error(`LURE_MESSAGE_FLOOR is not set: it is required to deploy on ${network} (wei of the native coin every message pays the protocol)`);
    return DEV_MESSAGE_FLOOR;
  }
  const floor = BigInt(configured);
  if (floor > MAX_FLOOR) throw new Error(`LURE_MESSAGE_FLOOR=${configured} is larger than MessageBus stores (2^96-1 wei)`);
  return floor;
}

async function hasCode(hre: HardhatRuntimeEnvironment, entry: DeployedContract | undefined): Promise<boolean> {
  if (!entry) return false;
  return (await hre.ethers.provider.getCode(entry.address)) !== "0x";
}

async function attach(hre: HardhatRuntimeEnvironment, deployment: Deployment, reused: boolean): Promise<LureDeployment> {
  const at = async <T>(name: string) => (await hre.ethers.getContractAt(name, deployment.contracts[name].address)) as unknown as T;
  return {
    deployment,
    registry: await at<PodRegistry>("PodRegistry"),
    licenses: await at<PodLicenses>("PodLicenses"),
    market: await at<PodMarket>("PodMarket"),
    keyGrants: await at<PodKeyGrants>("PodKeyGrants"),
    runMarket: await at<RunMarket>("RunMarket"),
    groups: await at<GroupRegistry>("GroupRegistry"),
    messages: await at<MessageBus>("MessageBus"),
    reused,
  };
}

/**
 * Deploys Lure to the selected network, or reuses a live deployment; returns undefined when the
 * plan was printed but not confirmed (amoy/polygon without LURE_DEPLOY_YES=1).
 */
export async function deployLure(hre: HardhatRuntimeEnvironment, options: DeployOptions = {}): Promise<LureDeployment | undefined> {
  const network = hre.network.name;
  const real = REAL_NETWORKS.has(network);
  const say = options.verbose === false ? () => undefined : (line: string) => console.log(line);
  const chainId = Number((await hre.ethers.provider.getNetwork()).chainId);
  const names = [...(real ? ["TimelockController"] : []), "PodRegistry", "PodLicenses", "PodMarket", "PodKeyGrants", "RunMarketLib", "RunMarket", "GroupRegistry", "MessageBus"];

  const existing = readDeployment(network);
  // A deployment made before groups and messages existed keeps its live contracts and gains only
  // GroupRegistry and MessageBus (a dev chain kept across restarts, a network deployed earlier).
  let kept: Deployment | undefined;
  if (existing && existing.chainId === chainId) {
    const live = new Map(await Promise.all(names.map(async (name) => [name, await hasCode(hre, existing.contracts[name])] as const)));
    if ([...live.values()].every(Boolean)) {
      say(`Lure already deployed on ${network} (chainId ${chainId}); nothing sent.`);
      return attach(hre, existing, true);
    }
    const earlier = names.filter((name) => !MESSAGING_CONTRACTS.includes(name));
    if (earlier.every((name) => live.get(name)) && MESSAGING_CONTRACTS.every((name) => !live.get(name))) kept = existing;
  }

  const deployer = options.deployer ?? (await hre.ethers.getSigners())[0];
  if (!deployer) throw new Error(`no deployer account on network ${network}: set DEPLOYER_PRIVATE_KEY`);
  const roles = await resolveRoles(hre, deployer.address);
  const adminDelay = setting("LURE_ADMIN_DELAY");
  const feeBps = setting("LURE_FEE_BPS");
  const feeDelay = setting("LURE_FEE_CHANGE_DELAY");
  const timelockDelay = setting("LURE_TIMELOCK_DELAY");

  // Addresses follow from the deployer's nonce, so each contract can name the next in its constructor
  // (the licences name the market as their first minter): no role ever sits with the deployer.
  const nonce = await hre.ethers.provider.getTransactionCount(deployer.address, "pending");
  const addressAt = (index: number) => hre.ethers.getCreateAddress({ from: deployer.address, nonce: nonce + index });
  // In deployment order: each contract sent takes the next nonce; a kept one keeps its address.
  let sent = 0;
  const place = (name: string) => kept?.contracts[name]?.address ?? addressAt(sent++);
  const timelockAddress = real ? place("TimelockController") : undefined;
  const registryAddress = place("PodRegistry");
  const licensesAddress = place("PodLicenses");
  const marketAddress = place("PodMarket");
  const keyGrantsAddress = place("PodKeyGrants");
  const runMarketLibAddress = place("RunMarketLib");
  const runMarketAddress = place("RunMarket");
  const groupsAddress = place("GroupRegistry");
  const messagesAddress = place("MessageBus");
  const messageFloor = messageFloorOf(network, real);
  const runSettings = {
    feeRecipient: roles.feeRecipient,
    feeBps,
    claimWindow: setting("LURE_RUN_CLAIM_WINDOW"),
    unbondingDelay: setting("LURE_RUN_UNBONDING_DELAY"),
    minBond: BigInt(setting("LURE_RUN_MIN_BOND")),
    slashAmount: BigInt(setting("LURE_RUN_SLASH")),
  };
  if (runSettings.slashAmount > runSettings.minBond) {
    throw new Error(`LURE_RUN_SLASH=${runSettings.slashAmount} is above LURE_RUN_MIN_BOND=${runSettings.minBond}: a slash is taken from the bond`);
  }
  if (real) roles.governor = timelockAddress!;

  const allSpecs: Omit<PlannedContract, "gas">[] = [
    ...(real
      ? [{ name: "TimelockController", artifact: "TimelockController", args: [timelockDelay, [roles.proposer], [hre.ethers.ZeroAddress], hre.ethers.ZeroAddress], address: timelockAddress! }]
      : []),
    { name: "PodRegistry", artifact: "PodRegistry", args: [], address: registryAddress },
    { name: "PodLicenses", artifact: "PodLicenses", args: [registryAddress, adminDelay, roles.admin, marketAddress], address: licensesAddress },
    {
      name: "PodMarket",
      artifact: "PodMarket",
      args: [registryAddress, licensesAddress, adminDelay, roles.admin, roles.governor, roles.pauser, roles.feeRecipient, feeBps, feeDelay],
      address: marketAddress,
    },
    { name: "PodKeyGrants", artifact: "PodKeyGrants", args: [registryAddress], address: keyGrantsAddress },
    { name: "RunMarketLib", artifact: "RunMarketLib", args: [], address: runMarketLibAddress },
    {
      name: "RunMarket",
      artifact: "RunMarket",
      args: [registryAddress, licensesAddress, keyGrantsAddress, adminDelay, roles.admin, roles.governor, roles.pauser, runSettings],
      address: runMarketAddress,
      libraries: { RunMarketLib: runMarketLibAddress },
    },
    { name: "GroupRegistry", artifact: "GroupRegistry", args: [registryAddress, adminDelay, roles.admin, roles.governor], address: groupsAddress },
    {
      name: "MessageBus",
      artifact: "MessageBus",
      args: [registryAddress, groupsAddress, adminDelay, roles.admin, roles.governor, roles.feeRecipient, messageFloor],
      address: messagesAddress,
    },
  ];
  const specs = kept ? allSpecs.filter((spec) => MESSAGING_CONTRACTS.includes(spec.name)) : allSpecs;
  const factories = new Map<string, ContractFactory>();
  const plan: PlannedContract[] = [];
  for (const spec of specs) {
    const factory = spec.libraries
      ? await hre.ethers.getContractFactory(spec.artifact, { signer: deployer, libraries: spec.libraries })
      : await hre.ethers.getContractFactory(spec.artifact, deployer);
    factories.set(spec.name, factory);
    const request: TransactionRequest = await factory.getDeployTransaction(...spec.args);
    let gas: bigint;
    try {
      gas = await hre.ethers.provider.estimateGas({ ...request, from: deployer.address });
    } catch (error) {
      // A contract linked to a library not deployed yet cannot be simulated (its constructor calls
      // the library): the plan shows the measured figure of the gas snapshot instead.
      const measured = spec.libraries ? LINKED_DEPLOYMENT_GAS[spec.name] : undefined;
      if (measured === undefined) throw error;
      gas = measured;
    }
    plan.push({ ...spec, gas });
  }
  const fees = await currentFees(hre);
  const totalGas = plan.reduce((sum, entry) => sum + entry.gas, 0n);

  say(`Lure deployment plan for ${network} (chainId ${chainId}), from ${deployer.address} (nonce ${nonce})`);
  if (kept) say(`  keeping ${Object.keys(kept.contracts).join(", ")} from deployments/${network}.json (live); adding ${MESSAGING_CONTRACTS.join(" and ")}`);
  for (const entry of plan) {
    say(`  ${entry.name.padEnd(18)} ${entry.address}  gas ~${entry.gas.toString()}  args ${JSON.stringify(entry.args, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value))}`);
  }
  say(`  roles: default admin (markets, licences, groups, messages) ${roles.admin}; GOVERNOR_ROLE ${roles.governor}${real ? " (the timelock)" : ""}; PAUSER_ROLE ${roles.pauser}; fee recipient ${roles.feeRecipient}; MINTER_ROLE (licences) the market`);
  say(`  runs: claim window ${runSettings.claimWindow}s, unbonding delay ${runSettings.unbondingDelay}s, runner bond ${hre.ethers.formatEther(runSettings.minBond)}, slash ${hre.ethers.formatEther(runSettings.slashAmount)} (native coin)`);
  say(`  messages: protocol floor ${hre.ethers.formatEther(messageFloor)} (native coin) per message, to the fee recipient`);
  if (real) say(`  timelock: delay ${timelockDelay}s, proposer/canceller ${roles.proposer}, executor: anyone`);
  say(`  delays: default admin transfer ${adminDelay}s, fee change ${feeDelay}s; fee ${feeBps} bps`);
  say(
    `  fees: base ${formatGwei(fees.baseFee)}, priority ${formatGwei(fees.priorityFee)} (floor ${formatGwei(fees.floor)}), max ${formatGwei(fees.maxFeePerGas)}`,
  );
  const expected = totalGas * (fees.baseFee + fees.priorityFee);
  say(`  total gas ~${totalGas}; cost ~${hre.ethers.formatEther(expected)} (at most ${hre.ethers.formatEther(totalGas * fees.maxFeePerGas)}) in the native coin`);

  const yes = options.yes ?? setting("LURE_DEPLOY_YES") === "1";
  if (real && !yes) {
    say(`Nothing sent: set LURE_DEPLOY_YES=1 to deploy on ${network}.`);
    return undefined;
  }

  const overrides = { maxFeePerGas: fees.maxFeePerGas, maxPriorityFeePerGas: fees.priorityFee };
  const contracts: Record<string, DeployedContract> = {};
  for (const entry of plan) {
    const factory = factories.get(entry.name) as ContractFactory;
    const contract = await factory.deploy(...entry.args, overrides);
    const tx = contract.deploymentTransaction();
    const receipt = await tx?.wait();
    if (!tx || !receipt) throw new Error(`deployment of ${entry.name} has no receipt`);
    const address = await contract.getAddress();
    if (address.toLowerCase() !== entry.address.toLowerCase()) {
      throw new Error(`${entry.name} landed at ${address}, not the planned ${entry.address}: another transaction used the deployer's nonce`);
    }
    contracts[entry.name] = { address, blockNumber: receipt.blockNumber, txHash: tx.hash };
    say(`  sent ${entry.name} ${address} (block ${receipt.blockNumber}, tx ${tx.hash})`);
  }
  const deployment: Deployment = { chainId, contracts: { ...(kept?.contracts ?? {}), ...contracts } };
  if (options.write !== false) say(`  wrote ${writeDeployment(network, deployment)}`);
  return attach(hre, deployment, false);
}

// `npx hardhat run scripts/deploy.ts --network <name>`
if (require.main === module) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const hre = require("hardhat") as HardhatRuntimeEnvironment;
  deployLure(hre).then(
    () => process.exit(0),
    (error: Error) => {
      console.error(`deploy failed: ${error.message}`);
      process.exit(1);
    },
  );
}
