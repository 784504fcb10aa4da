import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployMarket, FEE_BPS, NATIVE, ref, split } from "../support/contracts";

const PRICE = ethers.parseEther("1");
const POD_PRICE = ethers.parseEther("3");

/** The 4-byte selector of ReentrancyGuardReentrantCall(), as a revert payload. */
const REENTRANT_CALL = ethers.id("ReentrancyGuardReentrantCall()").slice(0, 10);

async function withAttackers() {
  const fixture = await deployMarket();
  const { registryAddress, marketAddress } = fixture;
  const withdrawer = await ethers.deployContract("ReentrantWithdrawer", [registryAddress, marketAddress]);
  const podBuyer = await ethers.deployContract("ReentrantPodBuyer", [marketAddress]);
  return { ...fixture, withdrawer, podBuyer };
}

describe("PodMarket: attacks and hostile tokens", function () {
  describe("re-entering withdraw", function () {
    it("pays once: the re-entrant withdraw from the receive hook is refused", async function () {
      const { market, withdrawer, carol, marketAddress } = await loadFixture(withAttackers);
      await withdrawer.publishAndList("bait", ref("bait"), PRICE);
      const podId = 3n;
      await market.connect(carol).buy(podId, NATIVE, PRICE, { value: PRICE });
      const credit = split(PRICE, FEE_BPS, 0n).seller;
      const attacker = await withdrawer.getAddress();
      expect(await market.balanceOf(attacker, NATIVE)).to.equal(credit);

      const tx = withdrawer.withdraw();
      await expect(tx).to.changeEtherBalances([attacker, marketAddress], [credit, -credit]);
      await expect(tx).to.emit(market, "Withdrawn").withArgs(attacker, NATIVE, credit);
      expect(await withdrawer.reentries()).to.equal(1n);
      expect(await withdrawer.lastReentryError()).to.equal(REENTRANT_CALL);
      expect(await market.balanceOf(attacker, NATIVE)).to.equal(0n);
      // Only the fee is left in the market, owed to the fee recipient.
      expect(await ethers.provider.getBalance(marketAddress)).to.equal(split(PRICE, FEE_BPS, 0n).fee);
    });

    it("reverts with NativeTransferFailed and keeps the credit when the payee's hook fails", async function () {
      const { market, withdrawer, carol } = await loadFixture(withAttackers);
      await withdrawer.publishAndList("bait", ref("bait"), PRICE);
      await market.connect(carol).buy(3n, NATIVE, PRICE, { value: PRICE });
      await withdrawer.setBubble(true);
      const attacker = await withdrawer.getAddress();
      const credit = split(PRICE, FEE_BPS, 0n).seller;
      await expect(withdrawer.withdraw()).to.be.revertedWithCustomError(market, "NativeTransferFailed").withArgs(attacker, credit);
      expect(await market.balanceOf(attacker, NATIVE)).to.equal(credit);
    });
  });

  describe("re-entering from a token hook during buy", function () {
    it("refuses a nested buy or withdraw started by the token and still sells exactly one licence", async function () {
      const { market, hookToken, alice, alicePod, bob, bobFork, carol, dave, treasury, marketAddress } = await loadFixture(deployMarket);
      const hookAddress = await hookToken.getAddress();
      await market.connect(alice).list(alicePod, hookAddress, 1000n, 0n);
      await market.connect(bob).list(bobFork, hookAddress, 1000n, 0n);
      const attempts = [
        { buyer: carol, payload: market.interface.encodeFunctionData("buy", [bobFork, hookAddress, 1000n]) },
        { buyer: dave, payload: market.interface.encodeFunctionData("withdraw", [hookAddress]) },
      ];
      for (const [index, { buyer, payload }] of attempts.entries()) {
        await hookToken.arm(marketAddress, payload, false);
        await expect(market.connect(buyer).buy(alicePod, hookAddress, 1000n)).to.emit(market, "LicensePurchased");
        expect(await hookToken.hookCalls()).to.equal(BigInt(index + 1));
        expect(await hookToken.lastHookError()).to.equal(REENTRANT_CALL);
        expect(await market.hasLicense(alicePod, buyer.address)).to.equal(true);
      }
      expect(await market.hasLicense(bobFork, hookAddress)).to.equal(false);
      const credited =
        (await market.balanceOf(alice.address, hookAddress)) +
        (await market.balanceOf(bob.address, hookAddress)) +
        (await market.balanceOf(treasury.address, hookAddress));
      expect(credited).to.equal(2000n);
      expect(await hookToken.balanceOf(marketAddress)).to.equal(credited);
    });

    it("makes the whole purchase fail when the hook insists", async function () {
      const { market, hookToken, alice, alicePod, carol, marketAddress } = await loadFixture(deployMarket);
      const hookAddress = await hookToken.getAddress();
      await market.connect(alice).list(alicePod, hookAddress, 1000n, 0n);
      await hookToken.arm(marketAddress, market.interface.encodeFunctionData("withdraw", [hookAddress]), true);
      await expect(market.connect(carol).buy(alicePod, hookAddress, 1000n)).to.be.revertedWithCustomError(market, "ReentrancyGuardReentrantCall");
      expect(await market.hasLicense(alicePod, carol.address)).to.equal(false);
      expect(await hookToken.balanceOf(marketAddress)).to.equal(0n);
    });
  });

  describe("re-entering from onERC721Received during buyPod", function () {
    it("refuses nested buy, buyPod and withdraw calls while the token is handed over", async function () {
      const { market, registry, podBuyer, alice, alicePod, bob, bobFork, marketAddress } = await loadFixture(withAttackers);
      await market.connect(alice).list(alicePod, NATIVE, PRICE, POD_PRICE);
      await market.connect(bob).list(bobFork, NATIVE, PRICE, POD_PRICE);
      const attacker = await podBuyer.getAddress();
      const payloads = [
        market.interface.encodeFunctionData("buy", [bobFork, NATIVE, PRICE]),
        market.interface.encodeFunctionData("buyPod", [bobFork, NATIVE, POD_PRICE]),
        market.interface.encodeFunctionData("withdraw", [NATIVE]),
      ];
      await podBuyer.arm(payloads[0], false);
      await podBuyer.buyPod(alicePod, NATIVE, POD_PRICE, { value: POD_PRICE });
      expect(await podBuyer.lastReentryError()).to.equal(REENTRANT_CALL);
      expect(await registry.ownerOf(alicePod)).to.equal(attacker);
      expect(await market.hasLicense(bobFork, attacker)).to.equal(false);
      expect(await ethers.provider.getBalance(marketAddress)).to.equal(POD_PRICE);

      for (const payload of payloads.slice(1)) {
        await podBuyer.arm(payload, true);
        await expect(podBuyer.buyPod(bobFork, NATIVE, POD_PRICE, { value: POD_PRICE })).to.be.revertedWithCustomError(
          market,
          "ReentrancyGuardReentrantCall",
        );
      }
      expect(await registry.ownerOf(bobFork)).to.equal(bob.address);
      expect(await podBuyer.reentries()).to.equal(1n);
    });

    it("reverts the sale when the buying contract does not accept ERC-721 tokens", async function () {
      const { market, registry, podBuyer, alice, alicePod } = await loadFixture(withAttackers);
      await market.connect(alice).list(alicePod, NATIVE, PRICE, POD_PRICE);
      await podBuyer.setAccept(false);
      await expect(podBuyer.buyPod(alicePod, NATIVE, POD_PRICE, { value: POD_PRICE })).to.be.revertedWithCustomError(
        registry,
        "ERC721InvalidReceiver",
      );
      expect(await market.balanceOf(alice.address, NATIVE)).to.equal(0n);
    });

    it("a contract buyer can still buy a licence normally", async function () {
      const { market, podBuyer, alice, alicePod } = await loadFixture(withAttackers);
      await market.connect(alice).list(alicePod, NATIVE, PRICE, 0n);
      await podBuyer.buy(alicePod, NATIVE, PRICE, { value: PRICE });
      expect(await market.hasLicense(alicePod, await podBuyer.getAddress())).to.equal(true);
    });
  });

  describe("hostile ERC-20s", function () {
    it("a token whose transferFrom returns false cannot buy anything (SafeERC20)", async function () {
      const { market, falseToken, alice, alicePod, carol, marketAddress } = await loadFixture(deployMarket);
      const tokenAddress = await falseToken.getAddress();
      await market.connect(alice).list(alicePod, tokenAddress, 500n, 0n);
      await falseToken.setFailing(true);
      await expect(market.connect(carol).buy(alicePod, tokenAddress, 500n))
        .to.be.revertedWithCustomError(market, "SafeERC20FailedOperation")
        .withArgs(tokenAddress);
      expect(await market.hasLicense(alicePod, carol.address)).to.equal(false);
      expect(await falseToken.balanceOf(marketAddress)).to.equal(0n);
    });

    it("a token whose transfer returns false cannot fake a withdrawal: the credit stays", async function () {
      const { market, falseToken, alice, alicePod, carol } = await loadFixture(deployMarket);
      const tokenAddress = await falseToken.getAddress();
      await market.connect(alice).list(alicePod, tokenAddress, 500n, 0n);
      await market.connect(carol).buy(alicePod, tokenAddress, 500n);
      const credit = split(500n, FEE_BPS, 0n).seller;
      await falseToken.setFailing(true);
      await expect(market.connect(alice).withdraw(tokenAddress))
        .to.be.revertedWithCustomError(market, "SafeERC20FailedOperation")
        .withArgs(tokenAddress);
      expect(await market.balanceOf(alice.address, tokenAddress)).to.equal(credit);
      await falseToken.setFailing(false);
      await expect(market.connect(alice).withdraw(tokenAddress)).to.changeTokenBalance(falseToken, alice, credit);
    });

    it("a fee-on-transfer token is rejected for buy and buyPod, naming what arrived", async function () {
      const { market, feeToken, alice, alicePod, carol, marketAddress } = await loadFixture(deployMarket);
      const tokenAddress = await feeToken.getAddress();
      await market.connect(alice).list(alicePod, tokenAddress, 10_000n, 50_000n);
      await expect(market.connect(carol).buy(alicePod, tokenAddress, 10_000n))
        .to.be.revertedWithCustomError(market, "FeeOnTransferToken")
        .withArgs(tokenAddress, 10_000n, 9_900n);
      await expect(market.connect(carol).buyPod(alicePod, tokenAddress, 50_000n))
        .to.be.revertedWithCustomError(market, "FeeOnTransferToken")
        .withArgs(tokenAddress, 50_000n, 49_500n);
      expect(await feeToken.balanceOf(marketAddress)).to.equal(0n);
    });
  });
});
