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
