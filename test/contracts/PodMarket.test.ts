import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { cascade, deployMarket, FEE_BPS, FEE_DELAY, NATIVE, PRIVATE, PUBLIC, publishFork, publishOriginal, ref, split } from "../support/contracts";

const PRICE = ethers.parseEther("1");
const POD_PRICE = ethers.parseEther("20");

/** alice lists her original (licence PRICE, whole pod POD_PRICE, transferable licences); bob lists his fork (it owes alice 10%). */
async function listedMarket() {
  const fixture = await deployMarket();
  const { market, alice, alicePod, bob, bobFork } = fixture;
  await market.connect(alice).list(alicePod, NATIVE, PRICE, POD_PRICE, true);
  await market.connect(bob).list(bobFork, NATIVE, PRICE, POD_PRICE, false);
  return fixture;
}

describe("PodMarket", function () {
  describe("listings", function () {
    it("list stores the fee in force and the transfer count, emits Listed with both and sets the licences' transferability", async function () {
      const { market, licenses, alice, alicePod, marketAddress } = await loadFixture(deployMarket);
      const tx = market.connect(alice).list(alicePod, NATIVE, PRICE, POD_PRICE, true);
      await expect(tx).to.emit(market, "Listed").withArgs(alicePod, alice.address, NATIVE, PRICE, POD_PRICE, FEE_BPS, true, 0n);
      await expect(tx).to.emit(licenses, "LicenseTransferabilitySet").withArgs(alicePod, true, marketAddress);
      const listing = await market.listing(alicePod);
      expect(listing.active).to.equal(true);
      expect(listing.feeBps).to.equal(FEE_BPS);
      expect(listing.transferable).to.equal(true);
      expect(await licenses.isTransferable(alicePod)).to.equal(true);
    });

    it("rejects non-owners, unknown tokens and bad prices", async function () {
      const { market, alice, alicePod, bob, stranger, registry } = await loadFixture(deployMarket);
      await expect(market.connect(bob).list(alicePod, NATIVE, PRICE, 0, false))
        .to.be.revertedWithCustomError(market, "PodMarketNotPodOwner")
        .withArgs(alicePod, bob.address);
      await expect(market.connect(alice).list(alicePod, stranger.address, PRICE, 0, false))
        .to.be.revertedWithCustomError(market, "PodMarketTokenNotAllowed")
        .withArgs(stranger.address);
      await expect(market.connect(alice).list(alicePod, NATIVE, 0, 0, false)).to.be.revertedWithCustomError(market, "PodMarketZeroPrice");
      const big = 1n << 96n;
      await expect(market.connect(alice).list(alicePod, NATIVE, big, 0, false)).to.be.revertedWithCustomError(market, "PodMarketPriceTooLarge").withArgs(big);
      await expect(market.connect(alice).list(alicePod, NATIVE, 1, big, false)).to.be.revertedWithCustomError(market, "PodMarketPriceTooLarge").withArgs(big);
      await expect(market.connect(alice).list(77, NATIVE, 1, 0, false)).to.be.revertedWithCustomError(registry, "ERC721NonexistentToken").withArgs(77n);
    });

    it("setPrice, setPaused and delist: the seller's own valid listing only", async function () {
      const { market, alice, alicePod, bob, carol } = await loadFixture(listedMarket);
      await expect(market.connect(alice).setPrice(alicePod, 5n, 6n)).to.emit(market, "PriceChanged").withArgs(alicePod, alice.address, NATIVE, 5n, 6n);
      await expect(market.connect(alice).setPaused(alicePod, true)).to.emit(market, "ListingPaused").withArgs(alicePod, alice.address, true);
      expect((await market.listing(alicePod)).paused).to.equal(true);
      await expect(market.connect(bob).setPaused(alicePod, false)).to.be.revertedWithCustomError(market, "PodMarketNotPodOwner").withArgs(alicePod, bob.address);
      await expect(market.connect(alice).delist(alicePod)).to.emit(market, "Delisted").withArgs(alicePod, alice.address);
      expect((await market.listing(alicePod)).active).to.equal(false);
      await expect(market.connect(alice).delist(alicePod)).to.be.revertedWithCustomError(market, "PodMarketNotListed").withArgs(alicePod);
      await expect(market.connect(carol).delist(alicePod)).to.be.revertedWithCustomError(market, "PodMarketNotPodOwner");
    });

    it("a transfer voids the listing, even a round trip: listing() reads it inactive and nobody can buy", async function () {
      const { market, registry, alice, alicePod, bob, carol } = await loadFixture(listedMarket);
      await registry.connect(alice).transferFrom(alice.address, bob.address, alicePod);
      await registry.connect(bob).transferFrom(bob.address, alice.address, alicePod);
      const listing = await market.listing(alicePod);
      expect(listing.active).to.equal(false);
      expect(listing.seller).to.equal(alice.address);
      await expect(market.connect(carol).buy(alicePod, 1, NATIVE, PRICE, { value: PRICE })).to.be.revertedWithCustomError(market, "PodMarketNotListed");
      await expect(market.connect(alice).setPrice(alicePod, 1, 1)).to.be.revertedWithCustomError(market, "PodMarketNotListed");
      // Relisting takes the new transfer count.
      await expect(market.connect(alice).list(alicePod, NATIVE, PRICE, 0, false)).to.emit(market, "Listed").withArgs(alicePod, alice.address, NATIVE, PRICE, 0n, FEE_BPS, false, 2n);
    });
  });

  describe("buy", function () {
    it("mints a licence and credits fee and seller for an original (native coin)", async function () {
      const { market, licenses, alice, alicePod, carol, treasury, marketAddress } = await loadFixture(listedMarket);
      const expected = split(PRICE, FEE_BPS, 0n);
      const tx = market.connect(carol).buy(alicePod, 1, NATIVE, PRICE, { value: PRICE });
      await expect(tx).to.emit(market, "LicensePurchased").withArgs(alicePod, carol.address, alice.address, NATIVE, PRICE, expected.fee, treasury.address, 0n, expected.seller, 1n);
      await expect(tx).to.emit(licenses, "TransferSingle").withArgs(marketAddress, ethers.ZeroAddress, carol.address, alicePod, 1n);
      await expect(tx).not.to.emit(market, "RoyaltyPaid");
      await expect(tx).to.changeEtherBalances([carol, marketAddress], [-PRICE, PRICE]);
      expect(await licenses.balanceOf(carol.address, alicePod)).to.equal(1n);
      expect(await licenses.hasLicense(carol.address, alicePod)).to.equal(true);
      expect(await market.creditOf(alice.address, NATIVE)).to.equal(expected.seller);
      expect(await market.creditOf(treasury.address, NATIVE)).to.equal(expected.fee);
      await expect(market.connect(carol).buy(alicePod, 1, NATIVE, PRICE, { value: PRICE }))
        .to.be.revertedWithCustomError(market, "PodMarketAlreadyLicensed")
        .withArgs(alicePod, carol.address);
    });

    it("credits the parent's share to the parent's current owner with RoyaltyPaid", async function () {
      const { market, registry, alice, alicePod, bob, bobFork, carol, dave, treasury } = await loadFixture(listedMarket);
      const expected = split(PRICE, FEE_BPS, 1000n);
      const tx = market.connect(carol).buy(bobFork, 1, NATIVE, PRICE, { value: PRICE });
      await expect(tx).to.emit(market, "RoyaltyPaid").withArgs(bobFork, alicePod, alice.address, NATIVE, expected.royalty, 1n);
      await expect(tx).to.emit(market, "LicensePurchased").withArgs(bobFork, carol.address, bob.address, NATIVE, PRICE, expected.fee, treasury.address, expected.royalty, expected.seller, 1n);
      await registry.connect(alice).transferFrom(alice.address, dave.address, alicePod);
      await market.connect(alice).buy(bobFork, 1, NATIVE, PRICE, { value: PRICE });
      expect(await market.creditOf(dave.address, NATIVE)).to.equal(expected.royalty);
    });

    for (const depth of [2, 3, 8, 9]) {
      it(`shares a sale among every ancestor (a fork ${depth} levels down), shares summing to the price`, async function () {
        const { market, registry, signers, carol, treasury } = await loadFixture(deployMarket);
        const owners = signers.slice(9, 9 + depth + 1);
        // Rates rise by 1% per generation: generation g's forkRoyaltyBps is 500 + 100 * g.
        let id = await publishOriginal(registry, owners[0], "lineage-0", 500);
        const ids = [id];
        for (let g = 1; g <= depth; g++) {
          await registry.connect(owners[g]).publish(`lineage-${g}`, ref(`lineage-${g}`), PUBLIC, id, 1, 500 + 100 * g);
          id = await registry.totalPods();
          ids.push(id);
        }
        const seller = owners[depth];
        await market.connect(seller).list(id, NATIVE, PRICE, 0, false);
        const tx = await market.connect(carol).buy(id, 1, NATIVE, PRICE, { value: PRICE });
        // What pod g owes its parent is generation (g-1)'s forkRoyaltyBps.
        const rates = Array.from({ length: depth }, (_, i) => BigInt(500 + 100 * (depth - 1 - i)));
        const shares = cascade(PRICE, rates);
        const counted = Math.min(depth, 8);
        for (let i = 0; i < counted; i++) {
          await expect(tx).to.emit(market, "RoyaltyPaid").withArgs(id, ids[depth - 1 - i], owners[depth - 1 - i].address, NATIVE, shares[i], BigInt(i + 1));
          expect(await market.creditOf(owners[depth - 1 - i].address, NATIVE)).to.equal(shares[i]);
        }
        if (depth > 8) expect(await market.creditOf(owners[0].address, NATIVE)).to.equal(0n);
        const royalty = shares.reduce((a, b) => a + b, 0n);
        const fee = (PRICE * FEE_BPS) / 10_000n;
        expect(await market.creditOf(seller.address, NATIVE)).to.equal(PRICE - fee - royalty);
        expect(await market.creditOf(treasury.address, NATIVE)).to.equal(fee);
      });
    }

    it("takes the revision the buyer saw: a new version or a visibility change in between reverts naming both", async function () {
      const { market, registry, alice, alicePod, carol } = await loadFixture(listedMarket);
      await registry.connect(alice).publishVersion(alicePod, ref("v2"));
      await expect(market.connect(carol).buy(alicePod, 1, NATIVE, PRICE, { value: PRICE }))
        .to.be.revertedWithCustomError(market, "PodMarketContentChanged")
        .withArgs(alicePod, 1n, 2n);
      await registry.connect(alice).setVisibility(alicePod, PRIVATE);
      await expect(market.connect(carol).buyPod(alicePod, 2, NATIVE, POD_PRICE, { value: POD_PRICE }))
        .to.be.revertedWithCustomError(market, "PodMarketContentChanged")
        .withArgs(alicePod, 2n, 3n);
      await expect(market.connect(carol).buy(alicePod, 3, NATIVE, PRICE, { value: PRICE })).to.emit(market, "LicensePurchased");
    });

    it("checks token, price, payment, pauses and the seller itself", async function () {
      const { market, alice, alicePod, carol, pauser, usd } = await loadFixture(listedMarket);
      const usdAddress = await usd.getAddress();
      await expect(market.connect(carol).buy(alicePod, 1, usdAddress, PRICE)).to.be.revertedWithCustomError(market, "PodMarketWrongToken").withArgs(NATIVE, usdAddress);
      await expect(market.connect(carol).buy(alicePod, 1, NATIVE, PRICE - 1n, { value: PRICE }))
        .to.be.revertedWithCustomError(market, "PodMarketPriceAboveMax")
        .withArgs(PRICE, PRICE - 1n);
      await expect(market.connect(carol).buy(alicePod, 1, NATIVE, PRICE, { value: PRICE + 1n }))
        .to.be.revertedWithCustomError(market, "PodMarketWrongPayment")
        .withArgs(PRICE, PRICE + 1n);
      await expect(market.connect(alice).buy(alicePod, 1, NATIVE, PRICE, { value: PRICE })).to.be.revertedWithCustomError(market, "PodMarketOwnPod").withArgs(alicePod);
      await expect(market.connect(carol).buy(99, 1, NATIVE, PRICE, { value: PRICE })).to.be.revertedWithCustomError(market, "PodMarketNotListed").withArgs(99n);
      await market.connect(alice).setPaused(alicePod, true);
      await expect(market.connect(carol).buy(alicePod, 1, NATIVE, PRICE, { value: PRICE })).to.be.revertedWithCustomError(market, "PodMarketListingPaused").withArgs(alicePod);
      await market.connect(alice).setPaused(alicePod, false);
      await market.connect(pauser).pause();
      await expect(market.connect(carol).buy(alicePod, 1, NATIVE, PRICE, { value: PRICE })).to.be.revertedWithCustomError(market, "EnforcedPause");
      await expect(market.connect(alice).list(alicePod, NATIVE, PRICE, 0, false)).to.be.revertedWithCustomError(market, "EnforcedPause");
      await expect(market.connect(alice).setPrice(alicePod, PRICE, 0)).to.be.revertedWithCustomError(market, "EnforcedPause");
    });

    it("ERC-20: pulls exactly the price and credits in the token; native coin alongside is rejected", async function () {
      const { market, alice, alicePod, carol, usd, marketAddress } = await loadFixture(deployMarket);
      const usdAddress = await usd.getAddress();
      await market.connect(alice).list(alicePod, usdAddress, 1000n, 0, false);
      await expect(market.connect(carol).buy(alicePod, 1, usdAddress, 1000n, { value: 1n }))
        .to.be.revertedWithCustomError(market, "PodMarketUnexpectedNativePayment")
        .withArgs(1n);
      await expect(market.connect(carol).buy(alicePod, 1, usdAddress, 1000n)).to.changeTokenBalances(usd, [carol, marketAddress], [-1000n, 1000n]);
      expect(await market.creditOf(alice.address, usdAddress)).to.equal(1000n - 25n);
    });

    it("ERC-20 failures: fee-on-transfer, false-returning, removed from the allow-list", async function () {
      const { market, governor, alice, alicePod, carol, dave, feeToken, falseToken, usd } = await loadFixture(deployMarket);
      const feeAddress = await feeToken.getAddress();
      await market.connect(alice).list(alicePod, feeAddress, 1000n, 0, false);
      await expect(market.connect(carol).buy(alicePod, 1, feeAddress, 1000n))
        .to.be.revertedWithCustomError(market, "PodMarketFeeOnTransferToken")
        .withArgs(feeAddress, 1000n, 990n);
      const falseAddress = await falseToken.getAddress();
      await market.connect(alice).list(alicePod, falseAddress, 1000n, 0, false);
      await falseToken.setFailing(true);
      await expect(market.connect(carol).buy(alicePod, 1, falseAddress, 1000n))
        .to.be.revertedWithCustomError(market, "SafeERC20FailedOperation")
        .withArgs(falseAddress);
      const usdAddress = await usd.getAddress();
      await market.connect(alice).list(alicePod, usdAddress, 1000n, 0, false);
      await market.connect(governor).setTokenAllowed(usdAddress, false);
      await expect(market.connect(dave).buy(alicePod, 1, usdAddress, 1000n)).to.be.revertedWithCustomError(market, "PodMarketTokenNotAllowed").withArgs(usdAddress);
    });
  });

  describe("buyPod", function () {
    it("moves the pod, credits everyone, deletes the listing; the licence stays with the new owner's pod", async function () {
      const { market, registry, licenses, alice, alicePod, bob, bobFork, carol, treasury } = await loadFixture(listedMarket);
      const expected = split(POD_PRICE, FEE_BPS, 1000n);
      const tx = market.connect(carol).buyPod(bobFork, 1, NATIVE, POD_PRICE, { value: POD_PRICE });
      await expect(tx).to.emit(market, "PodSold").withArgs(bobFork, carol.address, bob.address, NATIVE, POD_PRICE, expected.fee, treasury.address, expected.royalty, expected.seller, 1n);
      await expect(tx).to.emit(market, "RoyaltyPaid").withArgs(bobFork, alicePod, alice.address, NATIVE, expected.royalty, 1n);
      expect(await registry.ownerOf(bobFork)).to.equal(carol.address);
      expect((await market.listing(bobFork)).seller).to.equal(ethers.ZeroAddress);
      expect(await licenses.hasLicense(carol.address, bobFork)).to.equal(true);
      expect(await licenses.hasLicense(bob.address, bobFork)).to.equal(false);
    });

    it("can be bought by an account that already holds a same-named pod", async function () {
      const { market, registry, alice, alicePod, carol } = await loadFixture(listedMarket);
      await publishOriginal(registry, carol, "alice-original");
      // Even a same-named pod given to the buyer by a third party cannot block the purchase.
      await market.connect(carol).buyPod(alicePod, 1, NATIVE, POD_PRICE, { value: POD_PRICE });
      expect(await registry.ownerOf(alicePod)).to.equal(carol.address);
      expect(await registry.podIdOf(alice.address, "alice-original")).to.equal(alicePod);
    });

    it("reverts when not for sale or the market is not approved; a single-token approval is enough", async function () {
      const { market, registry, alice, alicePod, carol, marketAddress } = await loadFixture(deployMarket);
      await market.connect(alice).list(alicePod, NATIVE, PRICE, 0, false);
      await expect(market.connect(carol).buyPod(alicePod, 1, NATIVE, POD_PRICE, { value: POD_PRICE })).to.be.revertedWithCustomError(market, "PodMarketPodNotForSale").withArgs(alicePod);
      await market.connect(alice).setPrice(alicePod, PRICE, POD_PRICE);
      await expect(market.connect(carol).buyPod(alicePod, 1, NATIVE, POD_PRICE - 1n, { value: POD_PRICE })).to.be.revertedWithCustomError(market, "PodMarketPriceAboveMax");
      await registry.connect(alice).setApprovalForAll(marketAddress, false);
      await expect(market.connect(carol).buyPod(alicePod, 1, NATIVE, POD_PRICE, { value: POD_PRICE })).to.be.revertedWithCustomError(market, "PodMarketNotApproved").withArgs(alicePod);
      await registry.connect(alice).approve(marketAddress, alicePod);
      await expect(market.connect(carol).buyPod(alicePod, 1, NATIVE, POD_PRICE, { value: POD_PRICE })).to.emit(market, "PodSold");
    });
  });

  describe("fees per listing", function () {
    it("a listing keeps the fee in force when it was made; later listings get the new fee", async function () {
      const { market, governor, alice, alicePod, bob, bobFork, carol, treasury } = await loadFixture(deployMarket);
      await market.connect(alice).list(alicePod, NATIVE, PRICE, 0, false);
      await market.connect(governor).proposeFeeChange(1000);
      await time.increase(FEE_DELAY);
      await market.executeFeeChange();
      await market.connect(bob).list(bobFork, NATIVE, PRICE, 0, false);
      await market.connect(carol).buy(alicePod, 1, NATIVE, PRICE, { value: PRICE });
      expect(await market.creditOf(treasury.address, NATIVE)).to.equal((PRICE * FEE_BPS) / 10_000n);
      await market.connect(carol).buy(bobFork, 1, NATIVE, PRICE, { value: PRICE });
      expect(await market.creditOf(treasury.address, NATIVE)).to.equal((PRICE * FEE_BPS) / 10_000n + PRICE / 10n);
      // setPrice keeps the listing's fee.
      await market.connect(alice).setPrice(alicePod, PRICE, 0);
      expect((await market.listing(alicePod)).feeBps).to.equal(FEE_BPS);
    });
  });

  describe("withdraw and withdrawTo", function () {
    it("pays the caller's whole credit; withdrawTo forwards it; both work while paused", async function () {
      const { market, alice, alicePod, carol, dave, pauser, treasury } = await loadFixture(listedMarket);
      await market.connect(carol).buy(alicePod, 1, NATIVE, PRICE, { value: PRICE });
      const { seller, fee } = split(PRICE, FEE_BPS, 0n);
      await market.connect(pauser).pause();
      await expect(market.connect(alice).withdraw(NATIVE)).to.changeEtherBalance(alice, seller);
      await expect(market.connect(treasury).withdrawTo(NATIVE, dave.address))
        .to.emit(market, "Withdrawn")
        .withArgs(treasury.address, NATIVE, dave.address, fee);
      expect(await market.creditOf(treasury.address, NATIVE)).to.equal(0n);
      await expect(market.connect(alice).withdraw(NATIVE)).to.be.revertedWithCustomError(market, "PodMarketNothingToWithdraw").withArgs(alice.address, NATIVE);
      await expect(market.connect(alice).withdrawTo(NATIVE, ethers.ZeroAddress)).to.be.revertedWithCustomError(market, "PodMarketZeroAddress");
    });

    it("ERC-20 credits are withdrawn in the token, to the payee or a recipient", async function () {
      const { market, alice, alicePod, carol, erin, usd } = await loadFixture(deployMarket);
      const usdAddress = await usd.getAddress();
      await market.connect(alice).list(alicePod, usdAddress, 1000n, 0, false);
      await market.connect(carol).buy(alicePod, 1, usdAddress, 1000n);
      await expect(market.connect(alice).withdrawTo(usdAddress, erin.address)).to.changeTokenBalance(usd, erin, 975n);
    });

    it("a failed native payment reverts and keeps the credit", async function () {
      const { market, alice, alicePod, carol, usd } = await loadFixture(listedMarket);
      await market.connect(carol).buy(alicePod, 1, NATIVE, PRICE, { value: PRICE });
      const noReceive = await usd.getAddress(); // a contract without receive()
      const credit = await market.creditOf(alice.address, NATIVE);
      await expect(market.connect(alice).withdrawTo(NATIVE, noReceive))
        .to.be.revertedWithCustomError(market, "PodMarketNativeTransferFailed")
        .withArgs(noReceive, credit);
      expect(await market.creditOf(alice.address, NATIVE)).to.equal(credit);
    });
  });

  it("views: isTokenAllowed, feeRecipient, feeBps, pendingFeeChange, registry and licences", async function () {
    const { market, treasury, usd, registryAddress, licensesAddress, stranger } = await loadFixture(deployMarket);
    expect(await market.isTokenAllowed(NATIVE)).to.equal(true);
    expect(await market.isTokenAllowed(await usd.getAddress())).to.equal(true);
    expect(await market.isTokenAllowed(stranger.address)).to.equal(false);
    expect(await market.feeRecipient()).to.equal(treasury.address);
    expect(await market.feeBps()).to.equal(FEE_BPS);
    expect(await market.pendingFeeChange()).to.deep.equal([0n, 0n]);
    expect(await market.registry()).to.equal(registryAddress);
    expect(await market.licenses()).to.equal(licensesAddress);
    void publishFork;
  });
});
