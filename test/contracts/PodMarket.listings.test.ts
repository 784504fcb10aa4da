import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployMarket, FEE_BPS, NATIVE, publishOriginal } from "../support/contracts";

const UINT96_MAX = (1n << 96n) - 1n;

describe("PodMarket: deployment, listings and governance", function () {
  describe("constructor", function () {
    it("grants the admin every role and announces the fee settings", async function () {
      const { market, admin, treasury, registryAddress } = await loadFixture(deployMarket);
      expect(await market.registry()).to.equal(registryAddress);
      for (const role of [await market.DEFAULT_ADMIN_ROLE(), await market.GOVERNOR_ROLE(), await market.PAUSER_ROLE()]) {
        expect(await market.hasRole(role, admin.address)).to.equal(true);
      }
      expect(await market.feeBps()).to.equal(FEE_BPS);
      expect(await market.feeRecipient()).to.equal(treasury.address);
      expect(await market.MAX_FEE_BPS()).to.equal(1000);
      const deployment = market.deploymentTransaction();
      if (!deployment) throw new Error("no deployment transaction");
      await expect(deployment).to.emit(market, "FeeRecipientChanged").withArgs(ethers.ZeroAddress, treasury.address);
      await expect(deployment).to.emit(market, "FeeChanged").withArgs(0, FEE_BPS);
    });

    it("rejects zero addresses and a fee above the cap", async function () {
      const { market, registryAddress, admin, treasury } = await loadFixture(deployMarket);
      const factory = await ethers.getContractFactory("PodMarket");
      const zero = ethers.ZeroAddress;
      await expect(factory.deploy(zero, admin.address, treasury.address, 0)).to.be.revertedWithCustomError(market, "ZeroAddress");
      await expect(factory.deploy(registryAddress, zero, treasury.address, 0)).to.be.revertedWithCustomError(market, "ZeroAddress");
      await expect(factory.deploy(registryAddress, admin.address, zero, 0)).to.be.revertedWithCustomError(market, "ZeroAddress");
      await expect(factory.deploy(registryAddress, admin.address, treasury.address, 1001))
        .to.be.revertedWithCustomError(market, "FeeTooHigh")
        .withArgs(1001, 1000);
    });
  });

  describe("list", function () {
    it("lists an owned pod in the native coin or an allowed ERC-20 and shows it as valid", async function () {
      const { market, usd, alice, alicePod, bob, bobFork } = await loadFixture(deployMarket);
      await expect(market.connect(alice).list(alicePod, NATIVE, 100n, 5000n))
        .to.emit(market, "Listed")
        .withArgs(alicePod, alice.address, NATIVE, 100n, 5000n);
      const [listing, valid] = await market.listing(alicePod);
      expect(valid).to.equal(true);
      expect(listing.seller).to.equal(alice.address);
      expect(listing.token).to.equal(NATIVE);
      expect(listing.price).to.equal(100n);
      expect(listing.podPrice).to.equal(5000n);
      expect(listing.active).to.equal(true);
      expect(listing.paused).to.equal(false);

      const usdAddress = await usd.getAddress();
      await expect(market.connect(bob).list(bobFork, usdAddress, UINT96_MAX, UINT96_MAX))
        .to.emit(market, "Listed")
        .withArgs(bobFork, bob.address, usdAddress, UINT96_MAX, UINT96_MAX);
    });

    it("rejects non-owners, unknown pods, unlisted tokens, zero and oversized prices", async function () {
      const { market, registry, alice, alicePod, bob, stranger } = await loadFixture(deployMarket);
      await expect(market.connect(bob).list(alicePod, NATIVE, 1n, 0n))
        .to.be.revertedWithCustomError(market, "NotPodOwner")
        .withArgs(alicePod, bob.address);
      await expect(market.connect(alice).list(77n, NATIVE, 1n, 0n)).to.be.revertedWithCustomError(registry, "PodNotFound").withArgs(77n);
      await expect(market.connect(alice).list(alicePod, stranger.address, 1n, 0n))
        .to.be.revertedWithCustomError(market, "TokenNotAllowed")
        .withArgs(stranger.address);
      await expect(market.connect(alice).list(alicePod, NATIVE, 0n, 10n)).to.be.revertedWithCustomError(market, "ZeroPrice");
      await expect(market.connect(alice).list(alicePod, NATIVE, UINT96_MAX + 1n, 0n))
        .to.be.revertedWithCustomError(market, "PriceTooLarge")
        .withArgs(UINT96_MAX + 1n);
      await expect(market.connect(alice).list(alicePod, NATIVE, 1n, UINT96_MAX + 1n))
        .to.be.revertedWithCustomError(market, "PriceTooLarge")
        .withArgs(UINT96_MAX + 1n);
    });

    it("a listing made by a previous owner is void, and the new owner's listing replaces it", async function () {
      const { market, registry, alice, alicePod, carol } = await loadFixture(deployMarket);
      await market.connect(alice).list(alicePod, NATIVE, 100n, 0n);
      await registry.connect(alice).transferFrom(alice.address, carol.address, alicePod);
      const [stale, valid] = await market.listing(alicePod);
      expect(stale.active).to.equal(true);
      expect(stale.seller).to.equal(alice.address);
      expect(valid).to.equal(false);
      // The previous owner can no longer manage it.
      await expect(market.connect(alice).setPrice(alicePod, 5n, 0n)).to.be.revertedWithCustomError(market, "NotPodOwner");
      // Nor can the new owner, whose listing it is not.
      await expect(market.connect(carol).setPrice(alicePod, 5n, 0n)).to.be.revertedWithCustomError(market, "NotListed").withArgs(alicePod);
      await expect(market.connect(carol).list(alicePod, NATIVE, 300n, 0n))
        .to.emit(market, "Listed")
        .withArgs(alicePod, carol.address, NATIVE, 300n, 0n);
      expect((await market.listing(alicePod))[1]).to.equal(true);
    });
    it("stays void when the pod comes back to the seller after a transfer", async function () {
      const { market, registry, alice, alicePod, bob, carol } = await loadFixture(deployMarket);
      await market.connect(alice).list(alicePod, NATIVE, 100n, 1000n);
      await registry.connect(alice).transferFrom(alice.address, bob.address, alicePod);
      await registry.connect(bob).transferFrom(bob.address, alice.address, alicePod);
      const [stale, valid] = await market.listing(alicePod);
      expect(stale.seller).to.equal(alice.address);
      expect(valid).to.equal(false);
      await expect(market.connect(carol).buy(alicePod, NATIVE, 100n, { value: 100n })).to.be.revertedWithCustomError(market, "NotListed").withArgs(alicePod);
      await expect(market.connect(carol).buyPod(alicePod, NATIVE, 1000n, { value: 1000n })).to.be.revertedWithCustomError(market, "NotListed");
      await expect(market.connect(alice).setPrice(alicePod, 5n, 0n)).to.be.revertedWithCustomError(market, "NotListed").withArgs(alicePod);
      await expect(market.connect(alice).delist(alicePod)).to.be.revertedWithCustomError(market, "NotListed");
      // Listing again makes it valid at the new terms.
      await market.connect(alice).list(alicePod, NATIVE, 200n, 0n);
      expect((await market.listing(alicePod))[1]).to.equal(true);
      await expect(market.connect(carol).buy(alicePod, NATIVE, 200n, { value: 200n })).to.emit(market, "LicensePurchased");
    });
  });

  describe("setPrice, setPaused, delist", function () {
    it("changes prices, pauses and resumes, and delists, each with its event", async function () {
      const { market, alice, alicePod } = await loadFixture(deployMarket);
      await market.connect(alice).list(alicePod, NATIVE, 100n, 0n);
      await expect(market.connect(alice).setPrice(alicePod, 150n, 9000n))
        .to.emit(market, "PriceChanged")
        .withArgs(alicePod, alice.address, NATIVE, 150n, 9000n);
      let [listing] = await market.listing(alicePod);
      expect([listing.price, listing.podPrice]).to.deep.equal([150n, 9000n]);

      await expect(market.connect(alice).setPaused(alicePod, true)).to.emit(market, "ListingPaused").withArgs(alicePod, alice.address, true);
      [listing] = await market.listing(alicePod);
      expect(listing.paused).to.equal(true);
      await expect(market.connect(alice).setPaused(alicePod, false)).to.emit(market, "ListingPaused").withArgs(alicePod, alice.address, false);

      await expect(market.connect(alice).delist(alicePod)).to.emit(market, "Delisted").withArgs(alicePod, alice.address);
      const [gone, valid] = await market.listing(alicePod);
      expect(valid).to.equal(false);
      expect(gone.active).to.equal(false);
      expect(gone.seller).to.equal(ethers.ZeroAddress);
    });

    it("validates the new prices", async function () {
      const { market, alice, alicePod } = await loadFixture(deployMarket);
      await market.connect(alice).list(alicePod, NATIVE, 100n, 0n);
      await expect(market.connect(alice).setPrice(alicePod, 0n, 1n)).to.be.revertedWithCustomError(market, "ZeroPrice");
      await expect(market.connect(alice).setPrice(alicePod, UINT96_MAX + 1n, 1n)).to.be.revertedWithCustomError(market, "PriceTooLarge");
      await expect(market.connect(alice).setPrice(alicePod, 1n, UINT96_MAX + 1n)).to.be.revertedWithCustomError(market, "PriceTooLarge");
    });

    it("reject non-owners and pods that are not listed", async function () {
      const { market, alice, alicePod, bob, bobFork } = await loadFixture(deployMarket);
      await market.connect(alice).list(alicePod, NATIVE, 100n, 0n);
      for (const call of [
        market.connect(bob).setPrice(alicePod, 1n, 0n),
        market.connect(bob).setPaused(alicePod, true),
        market.connect(bob).delist(alicePod),
      ]) {
        await expect(call).to.be.revertedWithCustomError(market, "NotPodOwner").withArgs(alicePod, bob.address);
      }
      for (const call of [
        market.connect(bob).setPrice(bobFork, 1n, 0n),
        market.connect(bob).setPaused(bobFork, true),
        market.connect(bob).delist(bobFork),
      ]) {
        await expect(call).to.be.revertedWithCustomError(market, "NotListed").withArgs(bobFork);
      }
      await market.connect(alice).delist(alicePod);
      await expect(market.connect(alice).delist(alicePod)).to.be.revertedWithCustomError(market, "NotListed").withArgs(alicePod);
    });
  });

  describe("hasLicense", function () {
    it("is true for the current owner only (before any purchase) and false for unknown pods", async function () {
      const { market, registry, alice, alicePod, bob } = await loadFixture(deployMarket);
      expect(await market.hasLicense(alicePod, alice.address)).to.equal(true);
      expect(await market.hasLicense(alicePod, bob.address)).to.equal(false);
      expect(await market.hasLicense(999n, alice.address)).to.equal(false);
      await registry.connect(alice).transferFrom(alice.address, bob.address, alicePod);
      expect(await market.hasLicense(alicePod, bob.address)).to.equal(true);
      expect(await market.hasLicense(alicePod, alice.address)).to.equal(false);
    });
  });

  describe("governance", function () {
    it("sets the fee within the cap, with FeeChanged", async function () {
      const { market, stranger } = await loadFixture(deployMarket);
      await expect(market.setFee(1000)).to.emit(market, "FeeChanged").withArgs(FEE_BPS, 1000);
      expect(await market.feeBps()).to.equal(1000);
      await expect(market.setFee(0)).to.emit(market, "FeeChanged").withArgs(1000, 0);
      await expect(market.setFee(1001)).to.be.revertedWithCustomError(market, "FeeTooHigh").withArgs(1001, 1000);
      await expect(market.connect(stranger).setFee(10))
        .to.be.revertedWithCustomError(market, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, await market.GOVERNOR_ROLE());
    });

    it("sets the fee recipient, never to zero, with FeeRecipientChanged", async function () {
      const { market, treasury, carol, stranger } = await loadFixture(deployMarket);
      await expect(market.setFeeRecipient(carol.address)).to.emit(market, "FeeRecipientChanged").withArgs(treasury.address, carol.address);
      expect(await market.feeRecipient()).to.equal(carol.address);
      await expect(market.setFeeRecipient(ethers.ZeroAddress)).to.be.revertedWithCustomError(market, "ZeroAddress");
      await expect(market.connect(stranger).setFeeRecipient(stranger.address)).to.be.revertedWithCustomError(
        market,
        "AccessControlUnauthorizedAccount",
      );
    });

    it("maintains the token allow-list, with TokenAllowed; the native coin is always allowed", async function () {
      const { market, usd, stranger } = await loadFixture(deployMarket);
      const usdAddress = await usd.getAddress();
      expect(await market.isTokenAllowed(NATIVE)).to.equal(true);
      expect(await market.isTokenAllowed(usdAddress)).to.equal(true);
      await expect(market.setTokenAllowed(usdAddress, false)).to.emit(market, "TokenAllowed").withArgs(usdAddress, false);
      expect(await market.isTokenAllowed(usdAddress)).to.equal(false);
      await expect(market.setTokenAllowed(ethers.ZeroAddress, true)).to.be.revertedWithCustomError(market, "ZeroAddress");
      await expect(market.connect(stranger).setTokenAllowed(usdAddress, true)).to.be.revertedWithCustomError(
        market,
        "AccessControlUnauthorizedAccount",
      );
    });

    it("pauses list and setPrice (but not setPaused or delist) for PAUSER_ROLE only", async function () {
      const { market, admin, alice, alicePod, bob, bobFork, stranger } = await loadFixture(deployMarket);
      await market.connect(bob).list(bobFork, NATIVE, 10n, 0n);
      await expect(market.connect(stranger).pause()).to.be.revertedWithCustomError(market, "AccessControlUnauthorizedAccount");
      await expect(market.pause()).to.emit(market, "Paused").withArgs(admin.address);
      expect(await market.paused()).to.equal(true);
      await expect(market.pause()).to.be.revertedWithCustomError(market, "EnforcedPause");
      await expect(market.connect(alice).list(alicePod, NATIVE, 1n, 0n)).to.be.revertedWithCustomError(market, "EnforcedPause");
      await expect(market.connect(bob).setPrice(bobFork, 1n, 0n)).to.be.revertedWithCustomError(market, "EnforcedPause");
      await expect(market.connect(bob).setPaused(bobFork, true)).to.emit(market, "ListingPaused");
      await expect(market.connect(bob).delist(bobFork)).to.emit(market, "Delisted");
      await expect(market.connect(stranger).unpause()).to.be.revertedWithCustomError(market, "AccessControlUnauthorizedAccount");
      await expect(market.unpause()).to.emit(market, "Unpaused").withArgs(admin.address);
      await expect(market.unpause()).to.be.revertedWithCustomError(market, "ExpectedPause");
      await expect(market.connect(alice).list(alicePod, NATIVE, 1n, 0n)).to.emit(market, "Listed");
    });

    it("lets the admin hand roles to others", async function () {
      const { market, carol } = await loadFixture(deployMarket);
      const governor = await market.GOVERNOR_ROLE();
      await market.grantRole(governor, carol.address);
      await expect(market.connect(carol).setFee(100)).to.emit(market, "FeeChanged").withArgs(FEE_BPS, 100);
    });

    it("an unrelated pod of the same owner is unaffected by another's listing", async function () {
      const { market, registry, alice } = await loadFixture(deployMarket);
      const other = await publishOriginal(registry, alice, "another");
      expect((await market.listing(other))[1]).to.equal(false);
    });
  });
});
