import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ADMIN_DELAY, deployMarket, FEE_BPS, FEE_DELAY, NATIVE } from "../support/contracts";

const PRICE = ethers.parseEther("1");

/** A market with credits and escrow in the native coin and an ERC-20, to check that no role can move them. */
async function marketWithCredits() {
  const f = await deployMarket();
  const usdAddress = await f.usd.getAddress();
  await f.market.connect(f.alice).list(f.alicePod, NATIVE, PRICE, 0, false);
  await f.market.connect(f.carol).buy(f.alicePod, 1, NATIVE, PRICE, { value: PRICE });
  await f.market.connect(f.bob).list(f.bobFork, usdAddress, 10_000n, 0, false);
  await f.market.connect(f.carol).buy(f.bobFork, 1, usdAddress, 10_000n);
  return { ...f, usdAddress };
}

describe("PodMarket and PodLicenses: governance", function () {
  it("the roles sit on distinct accounts; the deployer holds none", async function () {
    const { market, licenses, deployer, admin, governor, pauser } = await loadFixture(deployMarket);
    expect(await market.defaultAdmin()).to.equal(admin.address);
    expect(await licenses.defaultAdmin()).to.equal(admin.address);
    expect(await market.hasRole(await market.GOVERNOR_ROLE(), governor.address)).to.equal(true);
    expect(await market.hasRole(await market.PAUSER_ROLE(), pauser.address)).to.equal(true);
    for (const account of [deployer, governor, pauser]) expect(await market.hasRole(ethers.ZeroHash, account.address)).to.equal(false);
    for (const account of [deployer, admin, pauser]) expect(await market.hasRole(await market.GOVERNOR_ROLE(), account.address)).to.equal(false);
    for (const account of [deployer, admin, governor]) expect(await market.hasRole(await market.PAUSER_ROLE(), account.address)).to.equal(false);
    expect(await market.defaultAdminDelay()).to.equal(BigInt(ADMIN_DELAY));
  });

  it("each role is required for its functions", async function () {
    const { market, admin, governor, pauser, stranger } = await loadFixture(deployMarket);
    const GOVERNOR = await market.GOVERNOR_ROLE();
    const PAUSER = await market.PAUSER_ROLE();
    for (const caller of [admin, pauser, stranger]) {
      await expect(market.connect(caller).proposeFeeChange(100)).to.be.revertedWithCustomError(market, "AccessControlUnauthorizedAccount").withArgs(caller.address, GOVERNOR);
      await expect(market.connect(caller).cancelFeeChange()).to.be.revertedWithCustomError(market, "AccessControlUnauthorizedAccount").withArgs(caller.address, GOVERNOR);
      await expect(market.connect(caller).setFeeRecipient(caller.address)).to.be.revertedWithCustomError(market, "AccessControlUnauthorizedAccount").withArgs(caller.address, GOVERNOR);
      await expect(market.connect(caller).setTokenAllowed(caller.address, true)).to.be.revertedWithCustomError(market, "AccessControlUnauthorizedAccount").withArgs(caller.address, GOVERNOR);
    }
    for (const caller of [admin, governor, stranger]) {
      await expect(market.connect(caller).pause()).to.be.revertedWithCustomError(market, "AccessControlUnauthorizedAccount").withArgs(caller.address, PAUSER);
      await expect(market.connect(caller).unpause()).to.be.revertedWithCustomError(market, "AccessControlUnauthorizedAccount").withArgs(caller.address, PAUSER);
    }
  });

  it("fee changes: propose, wait for the delay, execute (anyone), with events; cancel; caps", async function () {
    const { market, governor, stranger } = await loadFixture(deployMarket);
    await expect(market.connect(governor).proposeFeeChange(1001)).to.be.revertedWithCustomError(market, "PodMarketFeeTooHigh").withArgs(1001n, 1000n);
    await expect(market.executeFeeChange()).to.be.revertedWithCustomError(market, "PodMarketNoPendingFeeChange");
    await expect(market.connect(governor).cancelFeeChange()).to.be.revertedWithCustomError(market, "PodMarketNoPendingFeeChange");
    const tx = await market.connect(governor).proposeFeeChange(500);
    const executableAt = BigInt(await time.latest()) + BigInt(FEE_DELAY);
    await expect(tx).to.emit(market, "FeeChangeProposed").withArgs(FEE_BPS, 500n, executableAt);
    expect(await market.pendingFeeChange()).to.deep.equal([500n, executableAt]);
    await expect(market.connect(stranger).executeFeeChange()).to.be.revertedWithCustomError(market, "PodMarketFeeChangeNotReady").withArgs(executableAt);
    await expect(market.connect(governor).cancelFeeChange()).to.emit(market, "FeeChangeCancelled").withArgs(500n);
    await market.connect(governor).proposeFeeChange(700);
    await time.increase(FEE_DELAY);
    await expect(market.connect(stranger).executeFeeChange()).to.emit(market, "FeeChanged").withArgs(FEE_BPS, 700n);
    expect(await market.feeBps()).to.equal(700n);
    expect(await market.pendingFeeChange()).to.deep.equal([0n, 0n]);
  });

  it("fee recipient and token allow-list (governor), with events and zero-address checks", async function () {
    const { market, governor, treasury, dave, usd } = await loadFixture(deployMarket);
    await expect(market.connect(governor).setFeeRecipient(dave.address)).to.emit(market, "FeeRecipientChanged").withArgs(treasury.address, dave.address);
    await expect(market.connect(governor).setFeeRecipient(ethers.ZeroAddress)).to.be.revertedWithCustomError(market, "PodMarketZeroAddress");
    await expect(market.connect(governor).setTokenAllowed(ethers.ZeroAddress, true)).to.be.revertedWithCustomError(market, "PodMarketZeroAddress");
    await expect(market.connect(governor).setTokenAllowed(await usd.getAddress(), false)).to.emit(market, "TokenAllowed").withArgs(await usd.getAddress(), false);
  });

  it("the default admin is transferred in two steps behind the delay", async function () {
    const { market, admin, dave } = await loadFixture(deployMarket);
    await market.connect(admin).beginDefaultAdminTransfer(dave.address);
    await expect(market.connect(dave).acceptDefaultAdminTransfer()).to.be.revertedWithCustomError(market, "AccessControlEnforcedDefaultAdminDelay");
    await time.increase(ADMIN_DELAY + 1);
    await market.connect(dave).acceptDefaultAdminTransfer();
    expect(await market.defaultAdmin()).to.equal(dave.address);
    await expect(market.connect(admin).grantRole(await market.PAUSER_ROLE(), admin.address)).to.be.revertedWithCustomError(market, "AccessControlUnauthorizedAccount");
  });

  it("no role can move credits or escrow: every role-gated function leaves balances and credits unchanged", async function () {
    const f = await loadFixture(marketWithCredits);
    const { market, licenses, admin, governor, pauser, alice, bob, treasury, marketAddress, usd, usdAddress } = f;
    const payees = [alice, bob, treasury, admin, governor, pauser];
    const snapshot = async () => ({
      native: await ethers.provider.getBalance(marketAddress),
      erc20: await usd.balanceOf(marketAddress),
      credits: await Promise.all(payees.flatMap((p) => [market.creditOf(p.address, NATIVE), market.creditOf(p.address, usdAddress)])),
    });
    const before = await snapshot();
    await market.connect(governor).proposeFeeChange(1000);
    await market.connect(governor).setFeeRecipient(governor.address);
    await market.connect(governor).setTokenAllowed(usdAddress, false);
    await market.connect(pauser).pause();
    await market.connect(admin).grantRole(await market.GOVERNOR_ROLE(), admin.address);
    await market.connect(admin).grantRole(await market.PAUSER_ROLE(), admin.address);
    await licenses.connect(admin).grantRole(await licenses.MINTER_ROLE(), admin.address);
    await time.increase(FEE_DELAY);
    await market.executeFeeChange();
    // Withdrawing is the only way out, and each role can only withdraw its own (empty) credit.
    for (const role of [admin, governor, pauser]) {
      await expect(market.connect(role).withdraw(NATIVE)).to.be.revertedWithCustomError(market, "PodMarketNothingToWithdraw");
      await expect(market.connect(role).withdrawTo(usdAddress, role.address)).to.be.revertedWithCustomError(market, "PodMarketNothingToWithdraw");
    }
    expect(await snapshot()).to.deep.equal(before);
    // And the payees still withdraw while paused, in a token that is no longer allowed.
    await market.connect(bob).withdraw(usdAddress);
    await market.connect(alice).withdraw(NATIVE);
  });

  it("constructor checks", async function () {
    const { registryAddress, licensesAddress, admin, governor, pauser, treasury } = await loadFixture(deployMarket);
    const factory = await ethers.getContractFactory("PodMarket");
    const args = [registryAddress, licensesAddress, ADMIN_DELAY, admin.address, governor.address, pauser.address, treasury.address, 250, FEE_DELAY] as const;
    for (const index of [0, 1, 4, 5, 6]) {
      const bad = [...args] as unknown[];
      bad[index] = ethers.ZeroAddress;
      await expect(factory.deploy(...(bad as Parameters<typeof factory.deploy>))).to.be.revertedWithCustomError(factory, "PodMarketZeroAddress");
    }
    const highFee = [...args] as unknown[];
    highFee[7] = 1001;
    await expect(factory.deploy(...(highFee as Parameters<typeof factory.deploy>))).to.be.revertedWithCustomError(factory, "PodMarketFeeTooHigh");
    const shortDelay = [...args] as unknown[];
    shortDelay[8] = 3600;
    await expect(factory.deploy(...(shortDelay as Parameters<typeof factory.deploy>)))
      .to.be.revertedWithCustomError(factory, "PodMarketFeeDelayTooShort")
      .withArgs(3600n, 86_400n);
    const licensesFactory = await ethers.getContractFactory("PodLicenses");
    await expect(licensesFactory.deploy(ethers.ZeroAddress, 0, admin.address, ethers.ZeroAddress)).to.be.revertedWithCustomError(licensesFactory, "PodLicensesZeroAddress");
  });
});
