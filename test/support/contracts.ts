import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { PodRegistry } from "../../typechain-types";

export const NATIVE = ethers.ZeroAddress;
export const PRIVATE = 0;
export const PUBLIC = 1;
export const FEE_BPS = 250n;
export const BPS = 10_000n;

/** A deterministic, non-zero 32-byte Swarm reference for tests. */
export function ref(label: string | number): string {
  return ethers.keccak256(ethers.toUtf8Bytes(`manifest:${label}`));
}

export function nameHash(name: string): string {
  return ethers.keccak256(ethers.toUtf8Bytes(name));
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
  forkRoyaltyBps = 0,
): Promise<bigint> {
  await (await registry.connect(signer).publish(name, ref(name), PUBLIC, parentPodId, 1, forkRoyaltyBps)).wait();
  return registry.totalPods();
}

/** Registry only: for the registry's own tests. */
export async function deployRegistry() {
  const [deployer, alice, bob, carol, dave] = await ethers.getSigners();
  const registry = await ethers.deployContract("PodRegistry");
  return { registry, deployer, alice, bob, carol, dave };
}

/**
 * The market fixture: fee 2.5% to `treasury`; alice owns an original (forks owe it 10%), bob owns a
 * fork of it; tokens: a plain ERC-20, a fee-on-transfer one, one returning false, one with a
 * re-entrant hook. All allow-listed; buyers hold and have approved plenty of each.
 */
export async function deployMarket() {
  const signers = await ethers.getSigners();
  const [admin, treasury, alice, bob, carol, dave, erin, stranger] = signers;
  const registry = await ethers.deployContract("PodRegistry");
  const registryAddress = await registry.getAddress();
  const market = await ethers.deployContract("PodMarket", [
    registryAddress,
    admin.address,
    treasury.address,
    Number(FEE_BPS),
  ]);
  const marketAddress = await market.getAddress();

  const usd = await ethers.deployContract("MockERC20", ["Test USD", "TUSD"]);
  const feeToken = await ethers.deployContract("FeeOnTransferERC20", [100]);
  const falseToken = await ethers.deployContract("FalseReturningERC20");
  const hookToken = await ethers.deployContract("ReentrantERC20");
  const erc20s = [usd, feeToken, falseToken, hookToken];
  for (const token of erc20s) {
    await market.setTokenAllowed(await token.getAddress(), true);
    for (const holder of [alice, bob, carol, dave, erin]) {
      await token.mint(holder.address, ethers.parseEther("1000000"));
      await token.connect(holder).approve(marketAddress, ethers.MaxUint256);
    }
  }

  const alicePod = await publishOriginal(registry, alice, "alice-original", 1000);
  const bobFork = await publishFork(registry, bob, "bob-fork", alicePod, 500);
  for (const owner of [alice, bob]) await registry.connect(owner).setApprovalForAll(marketAddress, true);

  return {
    registry,
    market,
    registryAddress,
    marketAddress,
    usd,
    feeToken,
    falseToken,
    hookToken,
    admin,
    treasury,
    alice,
    bob,
    carol,
    dave,
    erin,
    stranger,
    alicePod,
    bobFork,
  };
}

export type MarketFixture = Awaited<ReturnType<typeof deployMarket>>;

/** fee, royalty and seller share of `price`, as the market computes them (royalty on the full price). */
export function split(price: bigint, feeBps: bigint, royaltyBps: bigint) {
  const fee = (price * feeBps) / BPS;
  const royalty = (price * royaltyBps) / BPS;
  return { fee, royalty, seller: price - fee - royalty };
}
