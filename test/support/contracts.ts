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
    [f.registryAddress, f.licensesAddress, ADMIN_DELAY, f.admin.address, f.governor.address, f.pauser.address, settings],
    { signer: f.deployer, libraries: { RunMarketLib: await lib.getAddress() } },
  );
  return { runMarket, runMarketAddress: await runMarket.getAddress(), lib, settings };
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
  const { runMarket, runMarketAddress, lib, settings } = await deployRunMarketFor(f);
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
  return { ...f, runMarket, runMarketAddress, lib, settings, runner1, runner2, runner3, usdAddress };
}

export type RunMarketFixture = Awaited<ReturnType<typeof deployRunMarket>>;
