import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { LureContracts } from "../../services/chain/contracts";
import { ChainError } from "../../services/chain/errors";
import { NATIVE_TOKEN } from "../../services/chain/tokens";
import { MarketError, PriceAboveMaximumError } from "../../services/market/errors";
import { listPod } from "../../services/market/listings";
import { purchase, quotePurchase } from "../../services/market/purchase";
import { withdraw, withdrawable } from "../../services/market/balances";
import { deployMarket, type MarketFixture } from "../support/contracts";

/** The fixture's contracts, acting as `signer`. */
function actingAs(fixture: MarketFixture, signer: HardhatEthersSigner): LureContracts {
  return { registry: fixture.registry.connect(signer), market: fixture.market.connect(signer), account: signer.address };
}

async function refusal(work: () => Promise<unknown>): Promise<Error> {
  try {
    await work();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a refusal");
}

describe("services/market: buying", function () {
  it("buys a licence in the native coin: the price travels as the call's value, no approval", async function () {
    const fixture = await loadFixture(deployMarket);
    const { alice, carol, alicePod } = fixture;
    await listPod(actingAs(fixture, alice), alicePod, { token: NATIVE_TOKEN, price: ethers.parseEther("1"), podPrice: 0n });
    const buyer = actingAs(fixture, carol);
    const quote = await quotePurchase(buyer, alicePod, "licence");
    expect(quote).to.deep.equal({ podId: alicePod, item: "licence", token: NATIVE_TOKEN, price: ethers.parseEther("1"), decimals: 18 });
    const bought = await purchase(buyer, quote);
    expect(bought.approvalTx).to.equal(undefined);
    expect(bought.buyer).to.equal(carol.address);
    expect(await fixture.market.hasLicense(alicePod, carol.address)).to.equal(true);
    const receipt = await ethers.provider.getTransactionReceipt(bought.tx);
    expect((await ethers.provider.getTransaction(bought.tx))?.value).to.equal(ethers.parseEther("1"));
    expect(receipt?.status).to.equal(1);

    // The seller's credit is withdrawable, then withdrawn; a second withdrawal is refused before sending.
    const seller = actingAs(fixture, alice);
    const credit = await withdrawable(seller, alice.address, NATIVE_TOKEN);
    expect(credit > 0n).to.equal(true);
    expect((await withdraw(seller, NATIVE_TOKEN)).amount).to.equal(credit);
    const before = await ethers.provider.getTransactionCount(alice.address);
    expect((await refusal(() => withdraw(seller, NATIVE_TOKEN))).message).to.equal(`nothing to withdraw: ${alice.address} has no native credit`);
    expect(await ethers.provider.getTransactionCount(alice.address)).to.equal(before);
  });

  it("buys with an ERC-20: approves exactly the price when the allowance is short, and not again when it suffices", async function () {
    const fixture = await loadFixture(deployMarket);
    const { alice, stranger, dave, usd, alicePod, marketAddress } = fixture;
    const price = ethers.parseEther("5");
    await listPod(actingAs(fixture, alice), alicePod, { token: await usd.getAddress(), price, podPrice: 0n });
    await usd.mint(stranger.address, ethers.parseEther("7"));
    expect(await usd.allowance(stranger.address, marketAddress)).to.equal(0n);

    const buyer = actingAs(fixture, stranger);
    const bought = await purchase(buyer, await quotePurchase(buyer, alicePod, "licence"));
    expect(bought.approvalTx).to.match(/^0x[0-9a-f]{64}$/);
    expect(await usd.balanceOf(stranger.address)).to.equal(ethers.parseEther("2"));
    // Exactly the price was approved, and the purchase spent it: nothing is left approved.
    expect(await usd.allowance(stranger.address, marketAddress)).to.equal(0n);
    expect(await fixture.market.hasLicense(alicePod, stranger.address)).to.equal(true);

    // Dave approved the market for everything in the fixture: no approval is sent.
    const daveBuys = actingAs(fixture, dave);
    expect((await purchase(daveBuys, await quotePurchase(daveBuys, alicePod, "licence"))).approvalTx).to.equal(undefined);
  });

  it("refuses, sending nothing, an ERC-20 purchase the buyer cannot pay", async function () {
    const fixture = await loadFixture(deployMarket);
    const { alice, stranger, usd, alicePod } = fixture;
    await listPod(actingAs(fixture, alice), alicePod, { token: await usd.getAddress(), price: ethers.parseEther("5"), podPrice: 0n });
    const buyer = actingAs(fixture, stranger);
    const quote = await quotePurchase(buyer, alicePod, "licence");
    const before = await ethers.provider.getTransactionCount(stranger.address);
    const error = await refusal(() => purchase(buyer, quote));
    expect(error).to.be.instanceOf(MarketError);
    expect(error.message).to.equal(`balance 0.0 of ${await usd.getAddress()} is below the price 5.0`);
    expect(await ethers.provider.getTransactionCount(stranger.address)).to.equal(before);
  });

  it("the price guard refuses a price above the buyer's maximum without sending anything", async function () {
    const fixture = await loadFixture(deployMarket);
    const { alice, carol, alicePod } = fixture;
    await listPod(actingAs(fixture, alice), alicePod, { token: NATIVE_TOKEN, price: ethers.parseEther("1"), podPrice: 0n });
    const buyer = actingAs(fixture, carol);
    const quote = await quotePurchase(buyer, alicePod, "licence");
    const before = await ethers.provider.getTransactionCount(carol.address);
    const error = await refusal(() => purchase(buyer, quote, { maxPrice: ethers.parseEther("0.5") }));
    expect(error).to.be.instanceOf(PriceAboveMaximumError);
    expect(error.message).to.equal(`the price of pod ${alicePod} is 1.0, above the maximum 0.5`);
    expect(await ethers.provider.getTransactionCount(carol.address)).to.equal(before);
    expect(await fixture.market.hasLicense(alicePod, carol.address)).to.equal(false);
  });

  it("a price raised after the quote fails on chain (the quote is the default maximum) before anything is sent", async function () {
    const fixture = await loadFixture(deployMarket);
    const { alice, carol, alicePod } = fixture;
    const seller = actingAs(fixture, alice);
    await listPod(seller, alicePod, { token: NATIVE_TOKEN, price: ethers.parseEther("1"), podPrice: 0n });
    const buyer = actingAs(fixture, carol);
    const quote = await quotePurchase(buyer, alicePod, "licence");
    await fixture.market.connect(alice).setPrice(alicePod, ethers.parseEther("2"), 0n);
    const before = await ethers.provider.getTransactionCount(carol.address);
    const error = await refusal(() => purchase(buyer, quote));
    expect(error).to.be.instanceOf(ChainError);
    expect(error.message).to.match(new RegExp(`^buy a licence for pod ${alicePod} refused: PodMarket: PriceAboveMax\\(`));
    expect(await ethers.provider.getTransactionCount(carol.address)).to.equal(before);
  });

  it("buys the pod itself; a pod not for sale or not listed is refused at the quote", async function () {
    const fixture = await loadFixture(deployMarket);
    const { alice, carol, dave, alicePod, bobFork, registry } = fixture;
    await listPod(actingAs(fixture, alice), alicePod, { token: NATIVE_TOKEN, price: ethers.parseEther("1"), podPrice: 0n });
    const buyer = actingAs(fixture, dave);
    expect((await refusal(() => quotePurchase(buyer, alicePod, "pod"))).message).to.equal(`pod ${alicePod} itself is not for sale`);
    expect((await refusal(() => quotePurchase(buyer, bobFork, "licence"))).message).to.equal(
      `pod ${bobFork} is not listed (or its listing was made by a previous owner)`,
    );
    await listPod(actingAs(fixture, alice), alicePod, { token: NATIVE_TOKEN, price: ethers.parseEther("1"), podPrice: ethers.parseEther("3") });
    const carolBuys = actingAs(fixture, carol);
    const bought = await purchase(carolBuys, await quotePurchase(carolBuys, alicePod, "pod"));
    expect(bought.price).to.equal(ethers.parseEther("3"));
    expect(await registry.ownerOf(alicePod)).to.equal(carol.address);
  });
});
