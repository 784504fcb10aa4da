import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { PodRegistry } from "../../typechain-types";

export const NATIVE = ethers.ZeroAddress;
export const PRIVATE = 0;
export const PUBLIC = 1;
export const FEE_BPS = 250n;
const BPS = 10_000n;
export const ADMIN_DELAY = 3 * 24 * 3600;
export const FEE_DELAY = 24 * 3600;

/** A deterministic, non-zero 32-byte Swarm reference for tests. */
export function ref(label: string | number): string {
  return ethers.keccak256(ethers.toUtf8Bytes(`manifest:${label}`));
}

/** Publishes an original pod as `signer` and returns its id. */
export async function publishOriginal(
  registry: PodRegistry,
  signer: HardhatEthersSigner,
  name: string,
  forkRoyaltyBps = 0,
  visibility = PUBLIC,
): Promise<bigint> {
  await (await registry.connect(signer).publish(name, ref(name), visibility, 0, 0, forkRoyaltyBps)).wait();
  return registry.totalPods();
}

/** Publishes a fork of `parentPodId` (version 1) as `signer` and returns its id. */
export async function publishFork(
  registry: PodRegistry,
  signer: HardhatEthersSigner,
  name: string,
  parentPodId: bigint,
  forkRoyaltyBps?: number,
): Promise<bigint> {
  // By default a fork asks its own forks for what it owes (the lowest rate it may set).
  const bps = forkRoyaltyBps ?? Number((await registry.pod(parentPodId)).forkRoyaltyBps);
  await (await registry.connect(signer).publish(name, ref(name), PUBLIC, parentPodId, 1, bps)).wait();
  return registry.totalPods();
}

/** Registry only: for the registry's own tests. */
export async function deployRegistry() {
  const [deployer, alice, bob, carol, dave] = await ethers.getSigners();
  const registry = await ethers.deployContract("PodRegistry");
  return { registry, deployer, alice, bob, carol, dave };
}

/**
 * The market fixture. Roles sit on distinct accounts: `admin` (default admin of market and licences),
 * `governor`, `pauser`; fees (2.5%) are credited to `treasury`. alice owns an original (forks owe it
 * 10%), bob owns a fork of it (his forks owe him 10% too). Tokens: a plain ERC-20, a fee-on-transfer
 * one, one returning false, one with a re-entrant hook; all allow-listed; buyers hold and have
 * approved plenty of each. The market may mint licences.
 */
export async function deployMarket() {
  const signers = await ethers.getSigners();
  const [deployer, admin, governor, pauser, treasury, alice, bob, carol, dave, erin, stranger] = signers;
  const registry = await ethers.deployContract("PodRegistry", [], deployer);
  const registryAddress = await registry.getAddress();
  const licenses = await ethers.deployContract(
    "PodLicenses",
    [registryAddress, ADMIN_DELAY, admin.address, ethers.ZeroAddress],
    deployer,
  );
  const licensesAddress = await licenses.getAddress();
  const market = await ethers.deployContract(
    "PodMarket",
    [registryAddress, licensesAddress, ADMIN_DELAY, admin.address, governor.address, pauser.address, treasury.address, Number(FEE_BPS), FEE_DELAY],
    deployer,
  );
  const marketAddress = await market.getAddress();
  await licenses.connect(admin).grantRole(await licenses.MINTER_ROLE(), marketAddress);

  const usd = await ethers.deployContract("MockERC20", ["Test USD", "TUSD"]);
  const feeToken = await ethers.deployContract("FeeOnTransferERC20", [100]);
  const falseToken = await ethers.deployContract("FalseReturningERC20");
  const hookToken = await ethers.deployContract("ReentrantERC20");
  const erc20s = [usd, feeToken, falseToken, hookToken];
  for (const token of erc20s) {
    await market.connect(governor).setTokenAllowed(await token.getAddress(), true);
    for (const holder of [alice, bob, carol, dave, erin]) {
      await token.mint(holder.address, ethers.parseEther("1000000"));
      await token.connect(holder).approve(marketAddress, ethers.MaxUint256);
    }
  }

  const alicePod = await publishOriginal(registry, alice, "alice-original", 1000);
  const bobFork = await publishFork(registry, bob, "bob-fork", alicePod, 1000);
  for (const owner of [alice, bob]) await registry.connect(owner).setApprovalForAll(marketAddress, true);

  return {
    registry,
    licenses,
    market,
    registryAddress,
    licensesAddress,
    marketAddress,
    usd,
    feeToken,
    falseToken,
    hookToken,
    deployer,
    admin,
    governor,
    pauser,
    treasury,
    alice,
    bob,
    carol,
    dave,
    erin,
    stranger,
    signers,
    alicePod,
    bobFork,
  };
}

export type MarketFixture = Awaited<ReturnType<typeof deployMarket>>;

/**
 * The cascade of royalty shares, as the registry computes it: `rates[0]` is what the pod sold owes
 * its parent, `rates[i]` what ancestor i owes ancestor i+1 (nearest first, at most 8 ancestors).
 */
export function cascade(price: bigint, rates: bigint[]): bigint[] {
  const depth = Math.min(rates.length, 8);
  const shares: bigint[] = [];
  let incoming = (price * (rates[0] ?? 0n)) / BPS;
  for (let i = 0; i < depth; i++) {
    const last = i === depth - 1;
    const passed = last ? 0n : (incoming * rates[i + 1]) / BPS;
    shares.push(incoming - passed);
    incoming = passed;
  }
  return shares;
}

/** fee, royalty and seller share of `price` for a pod one hop from the root (royalty on the full price). */
export function split(price: bigint, feeBps: bigint, royaltyBps: bigint) {
  const fee = (price * feeBps) / BPS;
  const royalty = (price * royaltyBps) / BPS;
  return { fee, royalty, seller: price - fee - royalty };
}

/** RunMarket settings of the fixture: 5% platform fee on pod prices, 10-minute claim window. */
export const RUN_FEE_BPS = 500n;
export const MIN_BOND = ethers.parseEther("1");
export const SLASH = ethers.parseEther("0.1");
export const CLAIM_WINDOW = 600;
export const UNBONDING_DELAY = 24 * 3600;
export const RUN_PRICE = ethers.parseEther("0.01");
export const RUNNER_FEE = ethers.parseEther("0.002");
export const X25519_KEY = ethers.keccak256(ethers.toUtf8Bytes("runner key"));

/** Deploys RunMarketLib and a RunMarket linked to it, for a market fixture's registry and licences (the deploy script will link it the same way). */
async function deployRunMarketFor(f: MarketFixture) {
  const lib = await ethers.deployContract("RunMarketLib", [], f.deployer);
  const keyGrants = await ethers.deployContract("PodKeyGrants", [f.registryAddress], f.deployer);
  const keyGrantsAddress = await keyGrants.getAddress();
  const settings = {
    feeRecipient: f.treasury.address,
    feeBps: Number(RUN_FEE_BPS),
    claimWindow: CLAIM_WINDOW,
    unbondingDelay: UNBONDING_DELAY,
    minBond: MIN_BOND,
    slashAmount: SLASH,
  };
  const runMarket = await ethers.deployContract(
    "RunMarket",
    [f.registryAddress, f.licensesAddress, keyGrantsAddress, ADMIN_DELAY, f.admin.address, f.governor.address, f.pauser.address, settings],
    { signer: f.deployer, libraries: { RunMarketLib: await lib.getAddress() } },
  );
  return { runMarket, runMarketAddress: await runMarket.getAddress(), lib, settings, keyGrants, keyGrantsAddress };
}

/**
 * The run market fixture, on top of the market fixture: the plain, fee-on-transfer and hooked ERC-20s
 * are allow-listed and approved; alice's original costs RUN_PRICE per run in the native coin, bob's
 * fork is free; carol holds a licence of both (bought from the market), dave of none. Three runners
 * (signers 11-13) are registered with MIN_BOND: runner1 takes the native coin at RUNNER_FEE and usd at
 * 1000, runner2 the native coin at twice the fee, runner3 the native coin for free.
 */
export async function deployRunMarket() {
  const f = await deployMarket();
  const { runMarket, runMarketAddress, lib, settings, keyGrants, keyGrantsAddress } = await deployRunMarketFor(f);
  const { governor, alice, bob, carol, dave, erin, market, alicePod, bobFork, usd, feeToken, hookToken, signers } = f;
  const [runner1, runner2, runner3] = signers.slice(11, 14);
  for (const token of [usd, feeToken, hookToken]) {
    await runMarket.connect(governor).setTokenAllowed(await token.getAddress(), true);
    for (const holder of [alice, bob, carol, dave, erin]) await token.connect(holder).approve(runMarketAddress, ethers.MaxUint256);
  }
  const usdAddress = await usd.getAddress();
  await market.connect(alice).list(alicePod, NATIVE, ethers.parseEther("1"), 0, false);
  await market.connect(bob).list(bobFork, NATIVE, ethers.parseEther("1"), 0, false);
  await market.connect(carol).buy(alicePod, 1, NATIVE, ethers.parseEther("1"), { value: ethers.parseEther("1") });
  await market.connect(carol).buy(bobFork, 1, NATIVE, ethers.parseEther("1"), { value: ethers.parseEther("1") });
  await runMarket.connect(alice).setRunPrice(alicePod, NATIVE, RUN_PRICE);
  await runMarket.connect(runner1).registerRunner(X25519_KEY, [NATIVE, usdAddress], [RUNNER_FEE, 1000n], { value: MIN_BOND });
  await runMarket.connect(runner2).registerRunner(X25519_KEY, [NATIVE], [2n * RUNNER_FEE], { value: MIN_BOND });
  await runMarket.connect(runner3).registerRunner(X25519_KEY, [NATIVE], [0n], { value: MIN_BOND });
  return { ...f, runMarket, runMarketAddress, lib, settings, keyGrants, keyGrantsAddress, runner1, runner2, runner3, usdAddress };
}

export type RunMarketFixture = Awaited<ReturnType<typeof deployRunMarket>>;

/** GroupRegistry / MessageBus fixture settings: the native floor of every message, group fees. */
export const MSG_FLOOR = ethers.parseEther("0.0001");
export const JOIN_FEE = ethers.parseEther("0.01");
export const MEMBER_FEE = ethers.parseEther("0.001");
export const PUBLIC_FEE = ethers.parseEther("0.005");
export const MEMBERSHIP_PERIOD = 30 * 24 * 3600;
export enum JoinPolicy {
  Open,
  Fee,
  Approval,
}

/** A MessageBus target: the kind in the top byte (1 = account, 2 = group), the id below. */
export function groupTarget(groupId: bigint): bigint {
  return (2n << 248n) | groupId;
}

/** A MessageBus target for an account. */
export function accountTarget(account: string): bigint {
  return (1n << 248n) | BigInt(account);
}

/**
 * The groups and messages fixture: a PodRegistry with alice's public pod and private pod; a
 * GroupRegistry and a MessageBus (default admin `admin`, GOVERNOR_ROLE `governor`, protocol fees to
 * `treasury`, native floor MSG_FLOOR). The plain, fee-on-transfer and hooked ERC-20s are allow-listed
 * (in GroupRegistry, which MessageBus reads) and approved to both by alice..erin. alice owns three
 * groups: 1 `open` (Open, native, no expiry), 2 `club` (Fee: JOIN_FEE, native, MEMBERSHIP_PERIOD),
 * 3 `guild` (Approval, usd, join fee 1000, member fee 10, public fee 50). Message fees of the native
 * groups: MEMBER_FEE for members, PUBLIC_FEE for others.
 */
export async function deployGroups() {
  const signers = await ethers.getSigners();
  const [deployer, admin, governor, treasury, alice, bob, carol, dave, erin, stranger] = signers;
  const registry = await ethers.deployContract("PodRegistry", [], deployer);
  const registryAddress = await registry.getAddress();
  const publicPod = await publishOriginal(registry, alice, "decoder");
  const privatePod = await publishOriginal(registry, alice, "secret", 0, PRIVATE);
  const groups = await ethers.deployContract("GroupRegistry", [registryAddress, ADMIN_DELAY, admin.address, governor.address], deployer);
  const groupsAddress = await groups.getAddress();
  const bus = await ethers.deployContract(
    "MessageBus",
    [registryAddress, groupsAddress, ADMIN_DELAY, admin.address, governor.address, treasury.address, MSG_FLOOR],
    deployer,
  );
  const busAddress = await bus.getAddress();
  const usd = await ethers.deployContract("MockERC20", ["Test USD", "TUSD"]);
  const feeToken = await ethers.deployContract("FeeOnTransferERC20", [100]);
  const hookToken = await ethers.deployContract("ReentrantERC20");
  for (const token of [usd, feeToken, hookToken]) {
    await groups.connect(governor).setTokenAllowed(await token.getAddress(), true);
    for (const holder of [alice, bob, carol, dave, erin]) {
      await token.mint(holder.address, ethers.parseEther("1000000"));
      await token.connect(holder).approve(groupsAddress, ethers.MaxUint256);
      await token.connect(holder).approve(busAddress, ethers.MaxUint256);
    }
  }
  const usdAddress = await usd.getAddress();
  await groups.connect(alice).createGroup("open", ref("banner-open"), JoinPolicy.Open, NATIVE, 0, 0, MEMBER_FEE, PUBLIC_FEE);
  await groups.connect(alice).createGroup("club", ref("banner-club"), JoinPolicy.Fee, NATIVE, JOIN_FEE, MEMBERSHIP_PERIOD, MEMBER_FEE, PUBLIC_FEE);
  await groups.connect(alice).createGroup("guild", ref("banner-guild"), JoinPolicy.Approval, usdAddress, 1000n, 0, 10n, 50n);
  return {
    registry,
    groups,
    bus,
    groupsAddress,
    busAddress,
    usd,
    usdAddress,
    feeToken,
    hookToken,
    deployer,
    admin,
    governor,
    treasury,
    alice,
    bob,
    carol,
    dave,
    erin,
    stranger,
    signers,
    publicPod,
    privatePod,
    openGroup: 1n,
    clubGroup: 2n,
    guildGroup: 3n,
  };
}

export type GroupsFixture = Awaited<ReturnType<typeof deployGroups>>;
