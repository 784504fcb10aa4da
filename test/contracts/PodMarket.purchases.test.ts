import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployMarket, FEE_BPS, NATIVE, publishFork, publishOriginal, split } from "../support/contracts";

const PRICE = ethers.parseEther("1");
const POD_PRICE = ethers.parseEther("20");

/** alice lists her original (licence PRICE, whole pod POD_PRICE); bob lists his fork (it owes alice 10%). */
async function listedMarket() {
  const fixture = await deployMarket();
  const { market, alice, alicePod, bob, bobFork } = fixture;
  await market.connect(alice).list(alicePod, NATIVE, PRICE, POD_PRICE);
  await market.connect(bob).list(bobFork, NATIVE, PRICE, POD_PRICE);
  return fixture;
}

describe("PodMarket: buy, buyPod, withdraw", function () {
  describe("buy (native coin)", function () {
    it("licenses the buyer and credits fee and seller for an original", async function () {
      const { market, alice, alicePod, carol, treasury, marketAddress } = await loadFixture(listedMarket);
      const expected = split(PRICE, FEE_BPS, 0n);
      const tx = market.connect(carol).buy(alicePod, NATIVE, PRICE, { value: PRICE });
      await expect(tx)
        .to.emit(market, "LicensePurchased")
        .withArgs(alicePod, carol.address, alice.address, NATIVE, PRICE, expected.fee, treasury.address, 0n, ethers.ZeroAddress, expected.seller);
      await expect(tx).to.changeEtherBalances([carol, marketAddress], [-PRICE, PRICE]);
      expect(await market.hasLicense(alicePod, carol.address)).to.equal(true);
      expect(await market.balanceOf(alice.address, NATIVE)).to.equal(expected.seller);
      expect(await market.balanceOf(treasury.address, NATIVE)).to.equal(expected.fee);
    });

    it("credits the upstream royalty (on the full price) to the parent pod's current owner", async function () {
      const { market, registry, alice, alicePod, bob, bobFork, carol, dave, treasury } = await loadFixture(listedMarket);
      const expected = split(PRICE, FEE_BPS, 1000n);
      await expect(market.connect(carol).buy(bobFork, NATIVE, PRICE, { value: PRICE }))
        .to.emit(market, "LicensePurchased")
        .withArgs(bobFork, carol.address, bob.address, NATIVE, PRICE, expected.fee, treasury.address, expected.royalty, alice.address, expected.seller);
      expect(await market.balanceOf(alice.address, NATIVE)).to.equal(expected.royalty);
      expect(await market.balanceOf(bob.address, NATIVE)).to.equal(expected.seller);
      // The parent changes hands: the next royalty goes to its new owner.
      await registry.connect(alice).transferFrom(alice.address, dave.address, alicePod);
      await market.connect(alice).buy(bobFork, NATIVE, PRICE, { value: PRICE });
      expect(await market.balanceOf(dave.address, NATIVE)).to.equal(expected.royalty);
    });

    it("folds the royalty into the seller's share when the seller owns the parent, or the rate is 0", async function () {
      const { market, registry, alice, alicePod, carol, treasury } = await loadFixture(listedMarket);
      const ownFork = await publishFork(registry, alice, "alice-own-fork", alicePod);
      await market.connect(alice).list(ownFork, NATIVE, PRICE, 0n);
      const expected = split(PRICE, FEE_BPS, 0n);
      await expect(market.connect(carol).buy(ownFork, NATIVE, PRICE, { value: PRICE }))
        .to.emit(market, "LicensePurchased")
        .withArgs(ownFork, carol.address, alice.address, NATIVE, PRICE, expected.fee, treasury.address, 0n, ethers.ZeroAddress, expected.seller);

      const free = await publishOriginal(registry, alice, "free-parent", 0);
      const freeFork = await publishFork(registry, carol, "free-fork", free);
      await market.connect(carol).list(freeFork, NATIVE, PRICE, 0n);
      await expect(market.connect(alice).buy(freeFork, NATIVE, PRICE, { value: PRICE }))
        .to.emit(market, "LicensePurchased")
        .withArgs(freeFork, alice.address, carol.address, NATIVE, PRICE, expected.fee, treasury.address, 0n, ethers.ZeroAddress, expected.seller);
    });

    it("credits nothing to the fee recipient when the fee is 0", async function () {
      const { market, alice, alicePod, carol, treasury } = await loadFixture(listedMarket);
      await market.setFee(0);
      await expect(market.connect(carol).buy(alicePod, NATIVE, PRICE, { value: PRICE }))
        .to.emit(market, "LicensePurchased")
        .withArgs(alicePod, carol.address, alice.address, NATIVE, PRICE, 0n, treasury.address, 0n, ethers.ZeroAddress, PRICE);
      expect(await market.balanceOf(treasury.address, NATIVE)).to.equal(0n);
    });

    it("keeps a licence when the pod changes owner", async function () {
      const { market, registry, alice, alicePod, carol, dave } = await loadFixture(listedMarket);
      await market.connect(carol).buy(alicePod, NATIVE, PRICE, { value: PRICE });
      await registry.connect(alice).transferFrom(alice.address, dave.address, alicePod);
      expect(await market.hasLicense(alicePod, carol.address)).to.equal(true);
    });

    it("rejects the owner, a second purchase, exact-payment mismatches and a price above maxPrice", async function () {
      const { market, alice, alicePod, carol } = await loadFixture(listedMarket);
      await expect(market.connect(alice).buy(alicePod, NATIVE, PRICE, { value: PRICE }))
        .to.be.revertedWithCustomError(market, "OwnPod")
        .withArgs(alicePod);
      await expect(market.connect(carol).buy(alicePod, NATIVE, PRICE - 1n, { value: PRICE }))
        .to.be.revertedWithCustomError(market, "PriceAboveMax")
        .withArgs(PRICE, PRICE - 1n);
      await expect(market.connect(carol).buy(alicePod, NATIVE, PRICE, { value: PRICE - 1n }))
        .to.be.revertedWithCustomError(market, "WrongPayment")
        .withArgs(PRICE, PRICE - 1n);
      // Overpayment is rejected, not refunded.
      await expect(market.connect(carol).buy(alicePod, NATIVE, PRICE * 2n, { value: PRICE + 1n }))
        .to.be.revertedWithCustomError(market, "WrongPayment")
        .withArgs(PRICE, PRICE + 1n);
      await market.connect(carol).buy(alicePod, NATIVE, PRICE, { value: PRICE });
      await expect(market.connect(carol).buy(alicePod, NATIVE, PRICE, { value: PRICE }))
        .to.be.revertedWithCustomError(market, "AlreadyLicensed")
        .withArgs(alicePod, carol.address);
    });

    it("rejects pods never listed, delisted, listed by a previous owner, paused, or in another token", async function () {
      const { market, registry, usd, alice, alicePod, bob, bobFork, carol, dave } = await loadFixture(listedMarket);
      await expect(market.connect(carol).buy(999n, NATIVE, PRICE, { value: PRICE })).to.be.revertedWithCustomError(market, "NotListed").withArgs(999n);
      const unlisted = await publishOriginal(registry, dave, "unlisted");
      await expect(market.connect(carol).buy(unlisted, NATIVE, PRICE, { value: PRICE })).to.be.revertedWithCustomError(market, "NotListed");
      await market.connect(bob).setPaused(bobFork, true);
      await expect(market.connect(carol).buy(bobFork, NATIVE, PRICE, { value: PRICE }))
        .to.be.revertedWithCustomError(market, "ListingIsPaused")
        .withArgs(bobFork);
      await market.connect(bob).delist(bobFork);
      await expect(market.connect(carol).buy(bobFork, NATIVE, PRICE, { value: PRICE })).to.be.revertedWithCustomError(market, "NotListed").withArgs(bobFork);
      const usdAddress = await usd.getAddress();
      await expect(market.connect(carol).buy(alicePod, usdAddress, PRICE))
        .to.be.revertedWithCustomError(market, "WrongToken")
        .withArgs(NATIVE, usdAddress);
      await registry.connect(alice).transferFrom(alice.address, dave.address, alicePod);
      await expect(market.connect(carol).buy(alicePod, NATIVE, PRICE, { value: PRICE })).to.be.revertedWithCustomError(market, "NotListed").withArgs(alicePod);
    });

    it("stops while the market is paused", async function () {
      const { market, alicePod, carol } = await loadFixture(listedMarket);
      await market.pause();
      await expect(market.connect(carol).buy(alicePod, NATIVE, PRICE, { value: PRICE })).to.be.revertedWithCustomError(market, "EnforcedPause");
      await market.unpause();
      await expect(market.connect(carol).buy(alicePod, NATIVE, PRICE, { value: PRICE })).to.emit(market, "LicensePurchased");
    });
  });

  describe("buy (ERC-20)", function () {
    it("pulls exactly the price and credits the split in the token", async function () {
      const { market, usd, bob, bobFork, alice, carol, treasury, marketAddress } = await loadFixture(deployMarket);
      const usdAddress = await usd.getAddress();
      const price = 12_345_678n;
      await market.connect(bob).list(bobFork, usdAddress, price, 0n);
      const expected = split(price, FEE_BPS, 1000n);
      const tx = market.connect(carol).buy(bobFork, usdAddress, price);
      await expect(tx)
        .to.emit(market, "LicensePurchased")
        .withArgs(bobFork, carol.address, bob.address, usdAddress, price, expected.fee, treasury.address, expected.royalty, alice.address, expected.seller);
      await expect(tx).to.changeTokenBalances(usd, [carol, marketAddress], [-price, price]);
      expect(await market.balanceOf(bob.address, usdAddress)).to.equal(expected.seller);
      expect(await market.balanceOf(alice.address, usdAddress)).to.equal(expected.royalty);
      expect(await market.balanceOf(treasury.address, usdAddress)).to.equal(expected.fee);
      expect(await market.balanceOf(bob.address, NATIVE)).to.equal(0n);
    });

    it("rejects native coin sent along, and tokens taken off the allow-list", async function () {
      const { market, usd, alice, alicePod, carol } = await loadFixture(deployMarket);
      const usdAddress = await usd.getAddress();
      await market.connect(alice).list(alicePod, usdAddress, 100n, 0n);
      await expect(market.connect(carol).buy(alicePod, usdAddress, 100n, { value: 1n }))
        .to.be.revertedWithCustomError(market, "UnexpectedNativePayment")
        .withArgs(1n);
      await market.setTokenAllowed(usdAddress, false);
      await expect(market.connect(carol).buy(alicePod, usdAddress, 100n))
        .to.be.revertedWithCustomError(market, "TokenNotAllowed")
        .withArgs(usdAddress);
      await expect(market.connect(carol).buy(alicePod, NATIVE, 100n, { value: 100n }))
        .to.be.revertedWithCustomError(market, "WrongToken")
        .withArgs(usdAddress, NATIVE);
    });

    it("fails cleanly when the buyer has not approved enough", async function () {
      const { market, usd, alice, alicePod, stranger } = await loadFixture(deployMarket);
      const usdAddress = await usd.getAddress();
      await market.connect(alice).list(alicePod, usdAddress, 100n, 0n);
      await usd.mint(stranger.address, 1000n);
      await expect(market.connect(stranger).buy(alicePod, usdAddress, 100n)).to.be.revertedWithCustomError(usd, "ERC20InsufficientAllowance");
      expect(await market.hasLicense(alicePod, stranger.address)).to.equal(false);
    });
  });

  describe("buyPod", function () {
    it("sells the token itself: PodSold, Transfer, split, deleted listing, licences kept, name moved", async function () {
      const { market, registry, alice, alicePod, carol, dave, treasury, marketAddress } = await loadFixture(listedMarket);
      await market.connect(carol).buy(alicePod, NATIVE, PRICE, { value: PRICE });
      const expected = split(POD_PRICE, FEE_BPS, 0n);
      const tx = market.connect(dave).buyPod(alicePod, NATIVE, POD_PRICE, { value: POD_PRICE });
      await expect(tx)
        .to.emit(market, "PodSold")
        .withArgs(alicePod, dave.address, alice.address, NATIVE, POD_PRICE, expected.fee, treasury.address, 0n, ethers.ZeroAddress, expected.seller);
      await expect(tx).to.emit(registry, "Transfer").withArgs(alice.address, dave.address, alicePod);
      await expect(tx).to.changeEtherBalances([dave, marketAddress], [-POD_PRICE, POD_PRICE]);
      expect(await registry.ownerOf(alicePod)).to.equal(dave.address);
      expect(await registry.podIdOf(dave.address, "alice-original")).to.equal(alicePod);
      const [listing, valid] = await market.listing(alicePod);
      expect([listing.active, valid]).to.deep.equal([false, false]);
      expect(await market.hasLicense(alicePod, dave.address)).to.equal(true);
      expect(await market.hasLicense(alicePod, carol.address)).to.equal(true);
      expect(await market.hasLicense(alicePod, alice.address)).to.equal(false);
      expect(await market.balanceOf(alice.address, NATIVE)).to.equal(split(PRICE, FEE_BPS, 0n).seller + expected.seller);
      await expect(market.connect(carol).buyPod(alicePod, NATIVE, POD_PRICE, { value: POD_PRICE })).to.be.revertedWithCustomError(market, "NotListed");
    });

    it("pays the royalty on a fork's sale, works with a single-token approval and with an ERC-20", async function () {
      const { market, registry, usd, alice, bob, bobFork, carol, treasury } = await loadFixture(deployMarket);
      const usdAddress = await usd.getAddress();
      await registry.connect(bob).setApprovalForAll(await market.getAddress(), false);
      await registry.connect(bob).approve(await market.getAddress(), bobFork);
      await market.connect(bob).list(bobFork, usdAddress, 10n, 1_000_000n);
      const expected = split(1_000_000n, FEE_BPS, 1000n);
      await expect(market.connect(carol).buyPod(bobFork, usdAddress, 1_000_000n))
        .to.emit(market, "PodSold")
        .withArgs(bobFork, carol.address, bob.address, usdAddress, 1_000_000n, expected.fee, treasury.address, expected.royalty, alice.address, expected.seller);
      expect(await registry.ownerOf(bobFork)).to.equal(carol.address);
    });

    it("rejects: not for sale, market not approved, own pod, price above max, wrong payment, paused", async function () {
      const { market, registry, alice, alicePod, bob, bobFork, carol, dave } = await loadFixture(listedMarket);
      await market.connect(alice).setPrice(alicePod, PRICE, 0n);
      await expect(market.connect(carol).buyPod(alicePod, NATIVE, POD_PRICE, { value: POD_PRICE }))
        .to.be.revertedWithCustomError(market, "PodNotForSale")
        .withArgs(alicePod);
      const unapproved = await publishOriginal(registry, dave, "dave-pod");
      await market.connect(dave).list(unapproved, NATIVE, PRICE, POD_PRICE);
      await expect(market.connect(carol).buyPod(unapproved, NATIVE, POD_PRICE, { value: POD_PRICE }))
        .to.be.revertedWithCustomError(market, "MarketNotApproved")
        .withArgs(unapproved);
      await expect(market.connect(bob).buyPod(bobFork, NATIVE, POD_PRICE, { value: POD_PRICE })).to.be.revertedWithCustomError(market, "OwnPod");
      await expect(market.connect(carol).buyPod(bobFork, NATIVE, POD_PRICE - 1n, { value: POD_PRICE }))
        .to.be.revertedWithCustomError(market, "PriceAboveMax")
        .withArgs(POD_PRICE, POD_PRICE - 1n);
      await expect(market.connect(carol).buyPod(bobFork, NATIVE, POD_PRICE, { value: PRICE }))
        .to.be.revertedWithCustomError(market, "WrongPayment")
        .withArgs(POD_PRICE, PRICE);
      await market.connect(bob).setPaused(bobFork, true);
      await expect(market.connect(carol).buyPod(bobFork, NATIVE, POD_PRICE, { value: POD_PRICE })).to.be.revertedWithCustomError(market, "ListingIsPaused");
      await market.connect(bob).setPaused(bobFork, false);
      await market.pause();
      await expect(market.connect(carol).buyPod(bobFork, NATIVE, POD_PRICE, { value: POD_PRICE })).to.be.revertedWithCustomError(market, "EnforcedPause");
    });

    it("reverts as a whole when the buyer already holds a pod of the same name", async function () {
      const { market, registry, alicePod, carol, marketAddress } = await loadFixture(listedMarket);
      await publishOriginal(registry, carol, "alice-original");
      await expect(market.connect(carol).buyPod(alicePod, NATIVE, POD_PRICE, { value: POD_PRICE })).to.be.revertedWithCustomError(
        registry,
        "NameHashTaken",
      );
      expect(await ethers.provider.getBalance(marketAddress)).to.equal(0n);
    });
  });

  describe("withdraw", function () {
    it("pays the whole native credit once, zeroes it and emits Withdrawn", async function () {
      const { market, alice, alicePod, carol, marketAddress } = await loadFixture(listedMarket);
      await market.connect(carol).buy(alicePod, NATIVE, PRICE, { value: PRICE });
      const credit = split(PRICE, FEE_BPS, 0n).seller;
      expect(await market.connect(alice).withdraw.staticCall(NATIVE)).to.equal(credit);
      const tx = market.connect(alice).withdraw(NATIVE);
      await expect(tx).to.emit(market, "Withdrawn").withArgs(alice.address, NATIVE, credit);
      await expect(tx).to.changeEtherBalances([alice, marketAddress], [credit, -credit]);
      expect(await market.balanceOf(alice.address, NATIVE)).to.equal(0n);
      await expect(market.connect(alice).withdraw(NATIVE))
        .to.be.revertedWithCustomError(market, "NothingToWithdraw")
        .withArgs(alice.address, NATIVE);
    });

    it("pays ERC-20 credits, also while the market is paused and after the token is disallowed", async function () {
      const { market, usd, alice, alicePod, carol, treasury, marketAddress } = await loadFixture(deployMarket);
      const usdAddress = await usd.getAddress();
      await market.connect(alice).list(alicePod, usdAddress, 1000n, 0n);
      await market.connect(carol).buy(alicePod, usdAddress, 1000n);
      await market.pause();
      await market.setTokenAllowed(usdAddress, false);
      const expected = split(1000n, FEE_BPS, 0n);
      await expect(market.connect(alice).withdraw(usdAddress)).to.changeTokenBalances(usd, [alice, marketAddress], [expected.seller, -expected.seller]);
      await expect(market.connect(treasury).withdraw(usdAddress))
        .to.emit(market, "Withdrawn")
        .withArgs(treasury.address, usdAddress, expected.fee);
      expect(await usd.balanceOf(marketAddress)).to.equal(0n);
    });

    it("gives no role a way to move someone else's credit", async function () {
      const { market, alice, alicePod, admin, carol } = await loadFixture(listedMarket);
      await market.connect(carol).buy(alicePod, NATIVE, PRICE, { value: PRICE });
      await expect(market.connect(admin).withdraw(NATIVE)).to.be.revertedWithCustomError(market, "NothingToWithdraw");
      expect(await market.balanceOf(alice.address, NATIVE)).to.equal(split(PRICE, FEE_BPS, 0n).seller);
      // Plain transfers of the coin are refused: the balance only ever holds credited payments.
      await expect(admin.sendTransaction({ to: await market.getAddress(), value: 1n })).to.be.reverted;
    });
  });
});
