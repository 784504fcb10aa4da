import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { PodContracts } from "../../services/chain/contracts";
import { ChainError } from "../../services/chain/errors";
import { describeRevert } from "../../services/chain/revert";
import { NATIVE_TOKEN } from "../../services/chain/tokens";
import { withdraw, withdrawable } from "../../services/market/balances";
import { ContentChangedError, MarketError, PriceAboveMaximumError } from "../../services/market/errors";
import { hasLicense, licencesTransferable } from "../../services/market/licenses";
import { listPod } from "../../services/market/listings";
import { purchase, quotePurchase } from "../../services/market/purchase";
import { previewRoyalties } from "../../services/market/royalties";
import { cascade, deployMarket, FEE_BPS, type MarketFixture } from "../support/contracts";

/** The fixture's contracts, acting as `signer`. */
function actingAs(fixture: MarketFixture, signer: HardhatEthersSigner): PodContracts {
  return { registry: fixture.registry.connect(signer), licenses: fixture.licenses.connect(signer), market: fixture.market.connect(signer), account: signer.address };
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
    expect(quote).to.deep.equal({ podId: alicePod, item: "licence", token: NATIVE_TOKEN, price: ethers.parseEther("1"), decimals: 18, revision: 1n, transferable: false });
    const bought = await purchase(buyer, quote);
    expect(bought.approvalTx).to.equal(undefined);
    expect(bought.buyer).to.equal(carol.address);
    expect(await fixture.licenses.hasLicense(carol.address, alicePod)).to.equal(true);
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
    expect(await fixture.licenses.hasLicense(stranger.address, alicePod)).to.equal(true);

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
    expect(await fixture.licenses.hasLicense(carol.address, alicePod)).to.equal(false);
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
    expect(error.message).to.match(new RegExp(`^buy a licence for pod ${alicePod} refused: PodMarket: PodMarketPriceAboveMax\\(`));
    expect(await ethers.provider.getTransactionCount(carol.address)).to.equal(before);
  });

  it("buys the pod itself; a pod not for sale or not listed is refused at the quote", async function () {
    const fixture = await loadFixture(deployMarket);
    const { alice, carol, dave, alicePod, bobFork, registry } = fixture;
    await listPod(actingAs(fixture, alice), alicePod, { token: NATIVE_TOKEN, price: ethers.parseEther("1"), podPrice: 0n });
    const buyer = actingAs(fixture, dave);
    expect((await refusal(() => quotePurchase(buyer, alicePod, "pod"))).message).to.equal(`pod ${alicePod} itself is not for sale`);
    expect((await refusal(() => quotePurchase(buyer, bobFork, "licence"))).message).to.equal(
      `pod ${bobFork} is not listed (never listed, delisted, sold whole, or its listing was voided when the pod changed hands)`,
    );
    await listPod(actingAs(fixture, alice), alicePod, { token: NATIVE_TOKEN, price: ethers.parseEther("1"), podPrice: ethers.parseEther("3") });
    const carolBuys = actingAs(fixture, carol);
    const bought = await purchase(carolBuys, await quotePurchase(carolBuys, alicePod, "pod"));
    expect(bought.price).to.equal(ethers.parseEther("3"));
    expect(await registry.ownerOf(alicePod)).to.equal(carol.address);
  });

  it("refuses, sending nothing, a purchase after the seller added a version between quote and purchase", async function () {
    const fixture = await loadFixture(deployMarket);
    const { alice, carol, alicePod, registry } = fixture;
    await listPod(actingAs(fixture, alice), alicePod, { token: NATIVE_TOKEN, price: ethers.parseEther("1"), podPrice: 0n });
    const buyer = actingAs(fixture, carol);
    const quote = await quotePurchase(buyer, alicePod, "licence");
    expect(quote.revision).to.equal(1n);
    await registry.connect(alice).publishVersion(alicePod, ethers.id("other content"));
    const before = await ethers.provider.getTransactionCount(carol.address);
    const balance = await ethers.provider.getBalance(carol.address);
    const error = await refusal(() => purchase(buyer, quote));
    expect(error).to.be.instanceOf(ContentChangedError);
    expect(error.message).to.equal(
      `pod ${alicePod} changed since the quote: you were quoted revision 1, it is now at revision 2 (a version was added or its visibility changed); nothing was bought, check the pod and buy again`,
    );
    expect(await ethers.provider.getTransactionCount(carol.address)).to.equal(before);
    expect(await ethers.provider.getBalance(carol.address)).to.equal(balance);
    expect(await hasLicense(buyer, carol.address, alicePod)).to.equal(false);

    // Should the version land after the service's own check, the market refuses it on chain, and says why.
    const data = fixture.market.interface.encodeErrorResult("PodMarketContentChanged", [alicePod, 1n, 2n]);
    expect(describeRevert({ data })).to.equal(
      `PodMarket: PodMarketContentChanged(podId=${alicePod}, expected=1, actual=2) — pod ${alicePod} changed since you were quoted revision 1 (it is now at revision 2: a version was added or its visibility changed); nothing was bought, check the pod and quote again`,
    );

    // A new quote carries the new revision and buys.
    const again = await quotePurchase(buyer, alicePod, "licence");
    expect(again.revision).to.equal(2n);
    await purchase(buyer, again);
    expect(await hasLicense(buyer, carol.address, alicePod)).to.equal(true);
  });

  it("licences are tokens in PodLicenses, transferable only when the listing says so", async function () {
    const fixture = await loadFixture(deployMarket);
    const { alice, bob, carol, dave, alicePod, bobFork, licenses } = fixture;
    await listPod(actingAs(fixture, alice), alicePod, { token: NATIVE_TOKEN, price: 100n, podPrice: 0n });
    await listPod(actingAs(fixture, bob), bobFork, { token: NATIVE_TOKEN, price: 100n, podPrice: 0n, transferable: true });
    const carolBuys = actingAs(fixture, carol);
    expect(await licencesTransferable(carolBuys, alicePod)).to.equal(false);
    expect(await licencesTransferable(carolBuys, bobFork)).to.equal(true);
    const quote = await quotePurchase(carolBuys, bobFork, "licence");
    expect(quote.transferable).to.equal(true);
    await purchase(carolBuys, quote);
    await purchase(carolBuys, await quotePurchase(carolBuys, alicePod, "licence"));
    expect(await licenses.balanceOf(carol.address, bobFork)).to.equal(1n);
    // The owner is licensed without a token.
    expect(await hasLicense(carolBuys, alice.address, alicePod)).to.equal(true);
    await licenses.connect(carol).safeTransferFrom(carol.address, dave.address, bobFork, 1n, "0x");
    expect(await hasLicense(carolBuys, dave.address, bobFork)).to.equal(true);
    await expect(licenses.connect(carol).safeTransferFrom(carol.address, dave.address, alicePod, 1n, "0x")).to.be.revertedWithCustomError(
      licenses,
      "PodLicensesNotTransferable",
    );
  });

  it("withdraws to another address with withdrawTo; the credit is the payee's until then", async function () {
    const fixture = await loadFixture(deployMarket);
    const { alice, carol, erin, alicePod } = fixture;
    await listPod(actingAs(fixture, alice), alicePod, { token: NATIVE_TOKEN, price: ethers.parseEther("1"), podPrice: 0n });
    const buyer = actingAs(fixture, carol);
    await purchase(buyer, await quotePurchase(buyer, alicePod, "licence"));
    const seller = actingAs(fixture, alice);
    const credit = await withdrawable(seller, alice.address, NATIVE_TOKEN);
    expect(credit).to.equal(ethers.parseEther("1") - (ethers.parseEther("1") * FEE_BPS) / 10_000n);
    const before = await ethers.provider.getBalance(erin.address);
    const sent = await withdraw(seller, NATIVE_TOKEN, { recipient: erin.address });
    expect(sent).to.include({ amount: credit, recipient: erin.address });
    expect(await ethers.provider.getBalance(erin.address)).to.equal(before + credit);
    expect(await withdrawable(seller, alice.address, NATIVE_TOKEN)).to.equal(0n);
    const receipt = await ethers.provider.getTransactionReceipt(sent.tx);
    const events = (receipt?.logs ?? []).flatMap((log) => {
      const parsed = fixture.market.interface.parseLog(log);
      return parsed ? [parsed] : [];
    });
    expect(events.map((event) => [event.name, event.args.account as string, event.args.recipient as string])).to.deep.equal([["Withdrawn", alice.address, erin.address]]);
  });

  it("previews the royalty shares along the lineage, as a sale then credits them", async function () {
    const fixture = await loadFixture(deployMarket);
    const { alice, bob, carol, dave, alicePod, bobFork, registry } = fixture;
    // carol forks bob's fork: a lineage of two ancestors, each at 10%.
    await registry.connect(carol).publish("carol-fork", ethers.id("carol"), 1, bobFork, 1, 1000);
    const carolFork = await registry.totalPods();
    await registry.connect(carol).setApprovalForAll(fixture.marketAddress, true);
    const price = ethers.parseEther("2");
    const preview = await previewRoyalties(actingAs(fixture, dave), carolFork, price);
    const [toBob, toAlice] = cascade(price, [1000n, 1000n]);
    expect(preview.shares).to.deep.equal([
      { depth: 1, ancestorPodId: bobFork, receiver: bob.address, amount: toBob },
      { depth: 2, ancestorPodId: alicePod, receiver: alice.address, amount: toAlice },
    ]);
    expect(preview.fee).to.equal((price * FEE_BPS) / 10_000n);
    expect(preview.seller).to.equal(price - preview.fee - toBob - toAlice);

    await listPod(actingAs(fixture, carol), carolFork, { token: NATIVE_TOKEN, price: 1n, podPrice: price });
    const daveBuys = actingAs(fixture, dave);
    await purchase(daveBuys, await quotePurchase(daveBuys, carolFork, "pod"));
    expect(await withdrawable(daveBuys, bob.address, NATIVE_TOKEN)).to.equal(toBob);
    expect(await withdrawable(daveBuys, alice.address, NATIVE_TOKEN)).to.equal(toAlice);
    expect(await withdrawable(daveBuys, carol.address, NATIVE_TOKEN)).to.equal(preview.seller);
    expect((await previewRoyalties(daveBuys, alicePod, price)).shares).to.deep.equal([]);
  });
});
