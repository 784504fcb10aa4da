import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployMarket, NATIVE, publishOriginal, ref } from "../support/contracts";

const PRICE = ethers.parseEther("1");
const POD_PRICE = ethers.parseEther("3");

async function attacked() {
  const f = await deployMarket();
  await f.market.connect(f.alice).list(f.alicePod, NATIVE, PRICE, POD_PRICE, true);
  const guard = f.market.interface.getError("ReentrancyGuardReentrantCall")!.selector;
  return { ...f, guard };
}

describe("PodMarket: attacks", function () {
  for (const useWithdrawTo of [false, true]) {
    it(`a payee re-entering ${useWithdrawTo ? "withdrawTo" : "withdraw"} from its receive hook is paid once`, async function () {
      const { market, registryAddress, marketAddress, carol, dave, guard } = await loadFixture(attacked);
      const attacker = await ethers.deployContract("ReentrantWithdrawer", [registryAddress, marketAddress]);
      await attacker.setUseWithdrawTo(useWithdrawTo);
      await attacker.publishAndList("trap", ref("trap"), PRICE);
      const podId = 3n;
      await market.connect(carol).buy(podId, 1, NATIVE, PRICE, { value: PRICE });
      const credit = await market.creditOf(await attacker.getAddress(), NATIVE);
      await expect(attacker.withdraw()).to.changeEtherBalances([attacker, market], [credit, -credit]);
      expect(await attacker.reentries()).to.equal(1n);
      expect((await attacker.lastReentryError()).slice(0, 10)).to.equal(guard);
      await attacker.setBubble(true);
      await market.connect(dave).buy(podId, 1, NATIVE, PRICE, { value: PRICE });
      // The hook bubbles the guard's revert: the payment fails as a whole and the credit stays.
      const second = await market.creditOf(await attacker.getAddress(), NATIVE);
      await expect(attacker.withdraw()).to.be.revertedWithCustomError(market, "PodMarketNativeTransferFailed");
      expect(await market.creditOf(await attacker.getAddress(), NATIVE)).to.equal(second);
    });
  }

  it("the ERC-1155 hook of a licence mint cannot re-enter the market; the licence is minted once accounting is done", async function () {
    const { market, licenses, marketAddress, alicePod, alice, guard } = await loadFixture(attacked);
    const buyer = await ethers.deployContract("ReentrantLicenseBuyer", [marketAddress]);
    await buyer.arm(market.interface.encodeFunctionData("withdraw", [NATIVE]), false);
    await buyer.buy(alicePod, 1, NATIVE, PRICE, { value: PRICE });
    expect(await buyer.reentries()).to.equal(1n);
    expect((await buyer.lastReentryError()).slice(0, 10)).to.equal(guard);
    expect(await licenses.balanceOf(await buyer.getAddress(), alicePod)).to.equal(1n);
    // Bubbling the guard's revert fails the whole purchase.
    const other = await publishOriginal((await ethers.getContractAt("PodRegistry", await market.registry())), alice, "second");
    await market.connect(alice).list(other, NATIVE, PRICE, 0, false);
    await buyer.arm(market.interface.encodeFunctionData("buy", [other, 1, NATIVE, PRICE]), true);
    await expect(buyer.buy(other, 1, NATIVE, PRICE, { value: PRICE })).to.be.revertedWithCustomError(market, "ReentrancyGuardReentrantCall");
    // A contract that rejects licences cannot buy one.
    await buyer.arm("0x", false);
    await buyer.setAccept(false);
    await expect(buyer.buy(other, 1, NATIVE, PRICE, { value: PRICE })).to.be.revertedWithCustomError(licenses, "ERC1155InvalidReceiver");
  });

  it("the ERC-721 hook of buyPod cannot re-enter; a rejecting contract cannot buy the pod", async function () {
    const { market, registry, marketAddress, alicePod, guard } = await loadFixture(attacked);
    const buyer = await ethers.deployContract("ReentrantPodBuyer", [marketAddress]);
    await buyer.arm(market.interface.encodeFunctionData("withdraw", [NATIVE]), false);
    await buyer.buyPod(alicePod, 1, NATIVE, POD_PRICE, { value: POD_PRICE });
    expect((await buyer.lastReentryError()).slice(0, 10)).to.equal(guard);
    expect(await registry.ownerOf(alicePod)).to.equal(await buyer.getAddress());
  });

  it("an ERC-20 transfer hook cannot re-enter buy", async function () {
    const { market, hookToken, alice, alicePod, carol, marketAddress } = await loadFixture(attacked);
    const hookAddress = await hookToken.getAddress();
    await market.connect(alice).list(alicePod, hookAddress, 1000n, 0, false);
    await hookToken.arm(marketAddress, market.interface.encodeFunctionData("withdraw", [hookAddress]), true);
    await expect(market.connect(carol).buy(alicePod, 1, hookAddress, 1000n)).to.be.revertedWithCustomError(market, "ReentrancyGuardReentrantCall");
  });

  it("the market accepts no plain coin transfers", async function () {
    const { carol, marketAddress } = await loadFixture(attacked);
    await expect(carol.sendTransaction({ to: marketAddress, value: 1n })).to.be.reverted;
  });
});
