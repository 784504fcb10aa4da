import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, setBalance, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  ADMIN_DELAY,
  CLAIM_WINDOW,
  deployMarket,
  deployRunMarket,
  MIN_BOND,
  NATIVE,
  ref,
  RUN_FEE_BPS,
  RUN_PRICE,
  RUNNER_FEE,
  SLASH,
  UNBONDING_DELAY,
  X25519_KEY,
  type RunMarketFixture,
} from "../support/contracts";

const BPS = 10_000n;
const MAX = ethers.parseEther("0.1");
const INPUT = ref("input");
const OUT = ref("output");
const LOG = ref("logs");

enum Status {
  None,
  Requested,
  Claimed,
  Completed,
  Failed,
  Expired,
  Cancelled,
}
enum Phase {
  FetchPod,
  ResolvePayload,
  Provision,
  Execute,
  Timeout,
  OutputTooLarge,
  UploadOutput,
}

async function deadline(seconds = 3600): Promise<number> {
  return (await time.latest()) + seconds;
}

/** carol requests a run of alice's pod (latest version) for any runner, escrowing MAX. */
async function requestAny(f: RunMarketFixture, max = MAX): Promise<bigint> {
  await f.runMarket.connect(f.carol).requestRun(f.alicePod, 0, INPUT, NATIVE, max, await deadline(), NATIVE, { value: max });
  return f.runMarket.runCount();
}

/** A run of alice's pod requested by carol and claimed by runner1. */
async function claimedRun() {
  const f = await loadFixture(deployRunMarket);
  const runId = await requestAny(f);
  await f.runMarket.connect(f.runner1).claim(runId);
  return { ...f, runId };
}

describe("RunMarket", function () {
  describe("deployment and governance", function () {
    it("refuses zero addresses and settings out of bounds", async function () {
      const f = await loadFixture(deployMarket);
      const lib = await ethers.deployContract("RunMarketLib");
      const libraries = { RunMarketLib: await lib.getAddress() };
      const good = { feeRecipient: f.treasury.address, feeBps: 500, claimWindow: 600, unbondingDelay: 60, minBond: 10n, slashAmount: 1n };
      const factory = await ethers.getContractFactory("RunMarket", { libraries });
      const keyGrants = await ethers.deployContract("PodKeyGrants", [f.registryAddress]);
      const keyGrantsAddress = await keyGrants.getAddress();
      const args = (over: Partial<typeof good>, registry = f.registryAddress) =>
        [registry, f.licensesAddress, keyGrantsAddress, ADMIN_DELAY, f.admin.address, f.governor.address, f.pauser.address, { ...good, ...over }] as const;
      await expect(factory.deploy(...args({}, ethers.ZeroAddress))).to.be.revertedWithCustomError(factory, "RunMarketZeroAddress");
      for (const position of [1, 2, 5, 6]) {
        const bad = [...args({})] as unknown[];
        bad[position] = ethers.ZeroAddress;
        await expect(factory.deploy(...(bad as Parameters<typeof factory.deploy>))).to.be.revertedWithCustomError(factory, "RunMarketZeroAddress");
      }
      await expect(factory.deploy(...args({ feeRecipient: ethers.ZeroAddress }))).to.be.revertedWithCustomError(factory, "RunMarketZeroAddress");
      await expect(factory.deploy(...args({ feeBps: 1001 }))).to.be.revertedWithCustomError(factory, "RunMarketBadSettings");
      await expect(factory.deploy(...args({ claimWindow: 59 }))).to.be.revertedWithCustomError(factory, "RunMarketBadSettings");
      await expect(factory.deploy(...args({ slashAmount: 11n }))).to.be.revertedWithCustomError(factory, "RunMarketBadSettings");
      const runMarket = await factory.deploy(...args({}));
      expect(await runMarket.keyGrants()).to.equal(keyGrantsAddress);
      expect((await runMarket.settings()).claimWindow).to.equal(600n);
      expect(await runMarket.MAX_FEE_BPS()).to.equal(1000n);
      expect(await runMarket.MIN_CLAIM_WINDOW()).to.equal(60n);
    });

    it("the governor changes settings and the allow-list; nobody else can; the pauser stops requests, registrations and claims", async function () {
      const f = await loadFixture(deployRunMarket);
      const { runMarket, governor, pauser, carol, treasury, usdAddress, runner1, alicePod, stranger } = f;
      const next = { feeRecipient: treasury.address, feeBps: 100, claimWindow: 120, unbondingDelay: 10, minBond: 5n, slashAmount: 5n };
      await expect(runMarket.connect(carol).setSettings(next)).to.be.revertedWithCustomError(runMarket, "AccessControlUnauthorizedAccount");
      await expect(runMarket.connect(governor).setSettings(next)).to.emit(runMarket, "SettingsChanged");
      expect((await runMarket.settings()).feeBps).to.equal(100n);
      await expect(runMarket.connect(carol).setTokenAllowed(usdAddress, false)).to.be.revertedWithCustomError(runMarket, "AccessControlUnauthorizedAccount");
      await expect(runMarket.connect(governor).setTokenAllowed(ethers.ZeroAddress, true)).to.be.revertedWithCustomError(runMarket, "RunMarketZeroAddress");
      await expect(runMarket.connect(governor).setTokenAllowed(usdAddress, false)).to.emit(runMarket, "TokenAllowed").withArgs(usdAddress, false);
      expect(await runMarket.isTokenAllowed(usdAddress)).to.equal(false);
      expect(await runMarket.isTokenAllowed(NATIVE)).to.equal(true);
      await expect(runMarket.connect(governor).setTokenAllowed(usdAddress, true)).to.emit(runMarket, "TokenAllowed").withArgs(usdAddress, true);
      const runId = await requestAny(f);
      await expect(runMarket.connect(carol).pause()).to.be.revertedWithCustomError(runMarket, "AccessControlUnauthorizedAccount");
      await expect(runMarket.connect(carol).unpause()).to.be.revertedWithCustomError(runMarket, "AccessControlUnauthorizedAccount");
      expect(await runMarket.isTokenAllowed(stranger.address)).to.equal(false);
      await expect(runMarket.connect(pauser).unpause()).to.be.revertedWithCustomError(runMarket, "ExpectedPause");
      await expect(runMarket.connect(pauser).pause()).to.emit(runMarket, "Paused").withArgs(pauser.address);
      expect(await runMarket.paused()).to.equal(true);
      await expect(runMarket.connect(pauser).pause()).to.be.revertedWithCustomError(runMarket, "EnforcedPause");
      await expect(runMarket.connect(runner1).claim(runId)).to.be.revertedWithCustomError(runMarket, "EnforcedPause");
      await expect(runMarket.connect(carol).requestRun(alicePod, 0, INPUT, NATIVE, MAX, await deadline(), NATIVE, { value: MAX })).to.be.revertedWithCustomError(runMarket, "EnforcedPause");
      await expect(runMarket.connect(carol).requestTask([{ podId: alicePod, version: 0 }], INPUT, NATIVE, MAX, await deadline(), NATIVE, { value: MAX })).to.be.revertedWithCustomError(runMarket, "EnforcedPause");
      await expect(runMarket.connect(stranger).registerRunner(X25519_KEY, [], [], { value: MIN_BOND })).to.be.revertedWithCustomError(runMarket, "EnforcedPause");
      // Cancelling and withdrawing go on while paused.
      await expect(runMarket.connect(carol).cancel(runId)).to.emit(runMarket, "RunCancelled");
      await expect(runMarket.connect(carol).withdraw(NATIVE)).to.changeEtherBalance(carol, MAX);
      await expect(runMarket.connect(pauser).unpause()).to.emit(runMarket, "Unpaused").withArgs(pauser.address);
      await expect(runMarket.connect(runner1).claim(runId)).to.be.revertedWithCustomError(runMarket, "RunMarketWrongStatus").withArgs(runId, Status.Cancelled);
    });
  });

  describe("runners", function () {
    it("register with a bond, a key and fees; the views read them back", async function () {
      const { runMarket, stranger, usdAddress } = await loadFixture(deployRunMarket);
      const tx = runMarket.connect(stranger).registerRunner(X25519_KEY, [NATIVE, usdAddress], [7n, 9n], { value: MIN_BOND });
      await expect(tx).to.emit(runMarket, "RunnerRegistered").withArgs(stranger.address, 4n, MIN_BOND, X25519_KEY);
      await expect(tx).to.emit(runMarket, "RunnerFeeSet").withArgs(stranger.address, usdAddress, 9n, true);
      const info = await runMarket.runnerInfo(stranger.address);
      expect([info.id, info.bond, info.openClaims, info.unbondingAt, info.paused, info.publicKey]).to.deep.equal([4n, MIN_BOND, 0n, 0n, false, X25519_KEY]);
      expect(await runMarket.runnerFee(stranger.address, usdAddress)).to.deep.equal([9n, true]);
      expect(await runMarket.runnerFee(ethers.ZeroAddress, usdAddress)).to.deep.equal([0n, false]);
    });

    it("refuses a second registration, a zero key, mismatched lists, a low bond, unknown tokens and huge fees", async function () {
      const { runMarket, runner1, stranger, feeToken, governor } = await loadFixture(deployRunMarket);
      await expect(runMarket.connect(runner1).registerRunner(X25519_KEY, [], [], { value: MIN_BOND })).to.be.revertedWithCustomError(runMarket, "RunMarketAlreadyRunner").withArgs(runner1.address);
      await expect(runMarket.connect(stranger).registerRunner(ethers.ZeroHash, [], [], { value: MIN_BOND })).to.be.revertedWithCustomError(runMarket, "RunMarketZeroKey");
      await expect(runMarket.connect(stranger).registerRunner(X25519_KEY, [NATIVE], [], { value: MIN_BOND })).to.be.revertedWithCustomError(runMarket, "RunMarketLengthMismatch").withArgs(1n, 0n);
      await expect(runMarket.connect(stranger).registerRunner(X25519_KEY, [], [], { value: MIN_BOND - 1n })).to.be.revertedWithCustomError(runMarket, "RunMarketBondTooLow").withArgs(MIN_BOND - 1n, MIN_BOND);
      await expect(runMarket.connect(stranger).registerRunner(X25519_KEY, [stranger.address], [1n], { value: MIN_BOND })).to.be.revertedWithCustomError(runMarket, "RunMarketTokenNotAllowed").withArgs(stranger.address);
      await expect(runMarket.connect(runner1).setRunnerFee(NATIVE, 1n << 96n, true)).to.be.revertedWithCustomError(runMarket, "RunMarketAmountTooLarge").withArgs(1n << 96n);
      const feeAddress = await feeToken.getAddress();
      await runMarket.connect(governor).setTokenAllowed(feeAddress, false);
      await expect(runMarket.connect(runner1).setRunnerFee(feeAddress, 1n, true)).to.be.revertedWithCustomError(runMarket, "RunMarketTokenNotAllowed");
    });

    it("a runner updates its fee, key and pause and tops up its bond; strangers cannot", async function () {
      const { runMarket, runner1, stranger } = await loadFixture(deployRunMarket);
      const key = ref("new key");
      await expect(runMarket.connect(runner1).setRunnerFee(NATIVE, 5n, false)).to.emit(runMarket, "RunnerFeeSet").withArgs(runner1.address, NATIVE, 5n, false);
      await expect(runMarket.connect(runner1).setRunnerKey(key)).to.emit(runMarket, "RunnerKeySet").withArgs(runner1.address, key);
      await expect(runMarket.connect(runner1).setRunnerKey(ethers.ZeroHash)).to.be.revertedWithCustomError(runMarket, "RunMarketZeroKey");
      await expect(runMarket.connect(runner1).setRunnerPaused(true)).to.emit(runMarket, "RunnerPaused").withArgs(runner1.address, true);
      await expect(runMarket.connect(runner1).addBond({ value: 5n })).to.emit(runMarket, "BondAdded").withArgs(runner1.address, 5n, MIN_BOND + 5n);
      const info = await runMarket.runnerInfo(runner1.address);
      expect([info.paused, info.publicKey, info.bond]).to.deep.equal([true, key, MIN_BOND + 5n]);
      const asStranger = runMarket.connect(stranger);
      for (const call of [
        () => asStranger.setRunnerFee(NATIVE, 1n, true),
        () => asStranger.setRunnerKey(key),
        () => asStranger.setRunnerPaused(true),
        () => asStranger.addBond({ value: 1n }),
        () => asStranger.requestUnregister(),
        () => asStranger.withdrawBond(),
      ]) {
        await expect(call()).to.be.revertedWithCustomError(runMarket, "RunMarketNotRunner").withArgs(stranger.address);
      }
    });

    it("unregister: request, wait the delay with no open claim, then the bond is credited; a new registration gets a new id", async function () {
      const { runMarket, runner1, runId } = await loadFixture(claimedRun);
      await expect(runMarket.connect(runner1).withdrawBond()).to.be.revertedWithCustomError(runMarket, "RunMarketNotUnbonding").withArgs(runner1.address);
      const tx = runMarket.connect(runner1).requestUnregister();
      const at = (await time.latest()) + 1 + UNBONDING_DELAY;
      await expect(tx).to.emit(runMarket, "RunnerUnbonding").withArgs(runner1.address, at);
      await expect(runMarket.connect(runner1).requestUnregister()).to.be.revertedWithCustomError(runMarket, "RunMarketAlreadyUnbonding");
      await expect(runMarket.connect(runner1).withdrawBond()).to.be.revertedWithCustomError(runMarket, "RunMarketUnbondingNotOver").withArgs(at);
      await time.increaseTo(at);
      await expect(runMarket.connect(runner1).withdrawBond()).to.be.revertedWithCustomError(runMarket, "RunMarketOpenClaims").withArgs(runner1.address, 1n);
      // Its claim has lapsed by now: expiring it releases the claim (and slashes the bond).
      await runMarket.expire(runId);
      await expect(runMarket.connect(runner1).withdrawBond()).to.emit(runMarket, "RunnerUnregistered").withArgs(runner1.address, 1n, MIN_BOND - SLASH);
      expect((await runMarket.runnerInfo(runner1.address)).id).to.equal(0n);
      await expect(runMarket.connect(runner1).withdraw(NATIVE)).to.changeEtherBalance(runner1, MIN_BOND - SLASH);
      await expect(runMarket.connect(runner1).registerRunner(X25519_KEY, [], [], { value: MIN_BOND })).to.emit(runMarket, "RunnerRegistered").withArgs(runner1.address, 4n, MIN_BOND, X25519_KEY);
      expect(await runMarket.runnerFee(runner1.address, NATIVE)).to.deep.equal([0n, false]);
    });
  });

  describe("edges", function () {
    it("bonds above uint96 are refused; a slash at expiry is capped by the bond; a fee that rounds to 0 is not credited", async function () {
      const { runMarket, runId, runner1, stranger, carol, alice, alicePod, governor, treasury, runner2 } = await loadFixture(claimedRun);
      await setBalance(stranger.address, 1n << 100n);
      await expect(runMarket.connect(stranger).registerRunner(X25519_KEY, [], [], { value: 1n << 96n })).to.be.revertedWithCustomError(runMarket, "RunMarketAmountTooLarge").withArgs(1n << 96n);
      await runMarket.connect(stranger).registerRunner(X25519_KEY, [], [], { value: MIN_BOND });
      await expect(runMarket.connect(stranger).addBond({ value: (1n << 96n) - MIN_BOND })).to.be.revertedWithCustomError(runMarket, "RunMarketAmountTooLarge").withArgs(1n << 96n);
      // runner1 holds run 1; a slash of the whole minimum bond takes all it has at expiry.
      await runMarket.connect(governor).setSettings({ feeRecipient: treasury.address, feeBps: 500, claimWindow: 600, unbondingDelay: 60, minBond: MIN_BOND, slashAmount: MIN_BOND });
      await time.increase(CLAIM_WINDOW);
      await runMarket.connect(runner2).claim(runId);
      await time.increase(CLAIM_WINDOW);
      // The slash now exceeds runner2's bond: expiry takes all of it.
      await runMarket.connect(governor).setSettings({ feeRecipient: treasury.address, feeBps: 500, claimWindow: 600, unbondingDelay: 60, minBond: 2n * MIN_BOND, slashAmount: 2n * MIN_BOND });
      await expect(runMarket.expire(runId)).to.emit(runMarket, "ClaimLapsed").withArgs(runId, runner2.address, carol.address, MIN_BOND);
      expect((await runMarket.runnerInfo(runner2.address)).bond).to.equal(0n);
      await runMarket.connect(governor).setSettings({ feeRecipient: treasury.address, feeBps: 500, claimWindow: 600, unbondingDelay: 60, minBond: MIN_BOND, slashAmount: SLASH });
      // A 19-wei pod price: 5% of it rounds to 0, so the fee recipient is not credited.
      await runMarket.connect(alice).setRunPrice(alicePod, NATIVE, 19n);
      await runMarket.connect(carol).requestRun(alicePod, 0, INPUT, NATIVE, MAX, await deadline(), NATIVE, { value: MAX });
      await runMarket.connect(runner1).addBond({ value: MIN_BOND });
      await runMarket.connect(runner1).claim(2n);
      const before = await runMarket.creditOf(treasury.address, NATIVE);
      await expect(runMarket.connect(runner1).complete(2n, OUT, LOG)).to.emit(runMarket, "StageCompleted").withArgs(2n, 0, runner1.address, alicePod, OUT, LOG, alice.address, 19n, 0n, treasury.address, RUNNER_FEE);
      expect(await runMarket.creditOf(treasury.address, NATIVE)).to.equal(before);
    });
  });

  describe("run prices", function () {
    it("only the pod's owner sets a price, in an allowed token, within uint96", async function () {
      const { runMarket, alice, bob, alicePod, usdAddress, registry } = await loadFixture(deployRunMarket);
      await expect(runMarket.connect(alice).setRunPrice(alicePod, usdAddress, 5n)).to.emit(runMarket, "RunPriceSet").withArgs(alicePod, alice.address, usdAddress, 5n);
      expect(await runMarket.runPrice(alicePod)).to.deep.equal([usdAddress, 5n]);
      await expect(runMarket.connect(bob).setRunPrice(alicePod, NATIVE, 5n)).to.be.revertedWithCustomError(runMarket, "RunMarketNotPodOwner").withArgs(alicePod, bob.address);
      await expect(runMarket.connect(alice).setRunPrice(alicePod, bob.address, 5n)).to.be.revertedWithCustomError(runMarket, "RunMarketTokenNotAllowed");
      await expect(runMarket.connect(alice).setRunPrice(alicePod, NATIVE, 1n << 96n)).to.be.revertedWithCustomError(runMarket, "RunMarketAmountTooLarge");
      await expect(runMarket.connect(alice).setRunPrice(99, NATIVE, 1n)).to.be.revertedWithCustomError(registry, "ERC721NonexistentToken");
    });
  });

  describe("requestRun", function () {
    it("any runner: escrows maxPayment, pins the latest version, announces everything", async function () {
      const { runMarket, registry, alice, alicePod, carol, runMarketAddress } = await loadFixture(deployRunMarket);
      await registry.connect(alice).publishVersion(alicePod, ref("v2"));
      const end = await deadline();
      const tx = runMarket.connect(carol).requestRun(alicePod, 0, INPUT, NATIVE, MAX, end, NATIVE, { value: MAX });
      await expect(tx).to.emit(runMarket, "RunRequested").withArgs(1n, carol.address, NATIVE, alicePod, 2n, INPUT, NATIVE, MAX, RUN_PRICE, RUN_FEE_BPS, end);
      await expect(tx).to.changeEtherBalances([carol, runMarketAddress], [-MAX, MAX]);
      const run = await runMarket.run(1n);
      expect(run.status).to.equal(Status.Requested);
      expect([run.requester, run.escrow, run.podPrice, run.podId, run.runner, run.named, run.stageCount, run.deadline]).to.deep.equal([carol.address, MAX, RUN_PRICE, alicePod, NATIVE, false, 1n, BigInt(end)]);
      expect(await runMarket.stageOf(1n, 0)).to.deep.equal([alicePod, RUN_PRICE]);
      expect(await runMarket.stageOf(1n, 1)).to.deep.equal([0n, 0n]);
      // An explicit older version; a missing one.
      await expect(runMarket.connect(carol).requestRun(alicePod, 1, ethers.ZeroHash, NATIVE, MAX, end, NATIVE, { value: MAX })).to.emit(runMarket, "RunRequested").withArgs(2n, carol.address, NATIVE, alicePod, 1n, ethers.ZeroHash, NATIVE, MAX, RUN_PRICE, RUN_FEE_BPS, end);
      await expect(runMarket.connect(carol).requestRun(alicePod, 3, INPUT, NATIVE, MAX, end, NATIVE, { value: MAX })).to.be.revertedWithCustomError(runMarket, "RunMarketVersionNotFound").withArgs(alicePod, 3n, 2n);
    });

    it("a named runner: escrows exactly the pod price plus its fee, capped by maxPayment", async function () {
      const { runMarket, alicePod, carol, runner1, runner2, stranger } = await loadFixture(deployRunMarket);
      const due = RUN_PRICE + RUNNER_FEE;
      const end = await deadline();
      await expect(runMarket.connect(carol).requestRun(alicePod, 0, INPUT, NATIVE, due - 1n, end, runner1.address, { value: due })).to.be.revertedWithCustomError(runMarket, "RunMarketPaymentAboveMax").withArgs(due, due - 1n);
      await expect(runMarket.connect(carol).requestRun(alicePod, 0, INPUT, NATIVE, MAX, end, runner1.address, { value: MAX })).to.be.revertedWithCustomError(runMarket, "RunMarketWrongPayment").withArgs(due, MAX);
      await expect(runMarket.connect(carol).requestRun(alicePod, 0, INPUT, NATIVE, MAX, end, runner1.address, { value: due })).to.emit(runMarket, "RunRequested").withArgs(1n, carol.address, runner1.address, alicePod, 1n, INPUT, NATIVE, due, RUN_PRICE, RUN_FEE_BPS, end);
      const run = await runMarket.run(1n);
      expect([run.runner, run.named, run.escrow]).to.deep.equal([runner1.address, true, due]);
      await expect(runMarket.connect(carol).requestRun(alicePod, 0, INPUT, NATIVE, MAX, end, stranger.address, { value: due })).to.be.revertedWithCustomError(runMarket, "RunMarketNotRunner").withArgs(stranger.address);
      await runMarket.connect(runner2).setRunnerPaused(true);
      await expect(runMarket.connect(carol).requestRun(alicePod, 0, INPUT, NATIVE, MAX, end, runner2.address, { value: due })).to.be.revertedWithCustomError(runMarket, "RunMarketRunnerInactive").withArgs(runner2.address);
      await runMarket.connect(runner1).setRunnerFee(NATIVE, 0n, false);
      await expect(runMarket.connect(carol).requestRun(alicePod, 0, INPUT, NATIVE, MAX, end, runner1.address, { value: due })).to.be.revertedWithCustomError(runMarket, "RunMarketTokenNotAccepted").withArgs(runner1.address, NATIVE);
    });

    it("only licence holders and the owner; the price's token; an allowed token; a future deadline; uint96 amounts", async function () {
      const { runMarket, alicePod, bobFork, alice, carol, dave, usdAddress, stranger } = await loadFixture(deployRunMarket);
      const end = await deadline();
      await expect(runMarket.connect(dave).requestRun(alicePod, 0, INPUT, NATIVE, MAX, end, NATIVE, { value: MAX })).to.be.revertedWithCustomError(runMarket, "RunMarketNotLicensed").withArgs(alicePod, dave.address);
      await expect(runMarket.connect(alice).requestRun(alicePod, 0, INPUT, NATIVE, MAX, end, NATIVE, { value: MAX })).to.emit(runMarket, "RunRequested");
      await expect(runMarket.connect(carol).requestRun(alicePod, 0, INPUT, usdAddress, MAX, end, NATIVE)).to.be.revertedWithCustomError(runMarket, "RunMarketWrongToken").withArgs(alicePod, NATIVE, usdAddress);
      // bob's fork is free: any allowed token.
      await expect(runMarket.connect(carol).requestRun(bobFork, 0, INPUT, stranger.address, MAX, end, NATIVE)).to.be.revertedWithCustomError(runMarket, "RunMarketTokenNotAllowed").withArgs(stranger.address);
      await expect(runMarket.connect(carol).requestRun(alicePod, 0, INPUT, NATIVE, RUN_PRICE - 1n, end, NATIVE, { value: RUN_PRICE - 1n })).to.be.revertedWithCustomError(runMarket, "RunMarketPaymentAboveMax").withArgs(RUN_PRICE, RUN_PRICE - 1n);
      await expect(runMarket.connect(carol).requestRun(alicePod, 0, INPUT, NATIVE, MAX, await time.latest(), NATIVE, { value: MAX })).to.be.revertedWithCustomError(runMarket, "RunMarketDeadlineNotInFuture");
      await expect(runMarket.connect(carol).requestRun(bobFork, 0, INPUT, usdAddress, 1n << 96n, end, NATIVE)).to.be.revertedWithCustomError(runMarket, "RunMarketAmountTooLarge").withArgs(1n << 96n);
      await expect(runMarket.connect(carol).requestRun(bobFork, 0, INPUT, usdAddress, 5n, end, NATIVE, { value: 1n })).to.be.revertedWithCustomError(runMarket, "RunMarketUnexpectedNativePayment").withArgs(1n);
    });

    it("ERC-20: pulls the escrow with transferFrom; refuses fee-on-transfer tokens; a free run escrows nothing", async function () {
      const { runMarket, bobFork, carol, usd, feeToken, usdAddress, runMarketAddress, runner1 } = await loadFixture(deployRunMarket);
      const end = await deadline();
      await expect(runMarket.connect(carol).requestRun(bobFork, 0, INPUT, usdAddress, 5000n, end, NATIVE)).to.changeTokenBalances(usd, [carol, runMarketAddress], [-5000n, 5000n]);
      const feeAddress = await feeToken.getAddress();
      await expect(runMarket.connect(carol).requestRun(bobFork, 0, INPUT, feeAddress, 5000n, end, NATIVE)).to.be.revertedWithCustomError(runMarket, "RunMarketFeeOnTransferToken").withArgs(feeAddress, 5000n, 4950n);
      await expect(runMarket.connect(carol).requestRun(bobFork, 0, INPUT, usdAddress, 0n, end, NATIVE)).to.changeTokenBalance(usd, carol, 0n);
      // A named runner in usd: its fee of 1000.
      await expect(runMarket.connect(carol).requestRun(bobFork, 0, INPUT, usdAddress, 5000n, end, runner1.address)).to.changeTokenBalance(usd, carol, -1000n);
    });
  });

  describe("claim", function () {
    it("the first claim wins and fixes the fee; the claim window starts", async function () {
      const f = await loadFixture(deployRunMarket);
      const { runMarket, runner1, runner2 } = f;
      const runId = await requestAny(f);
      const tx = runMarket.connect(runner2).claim(runId);
      const until = (await time.latest()) + 1 + CLAIM_WINDOW;
      await expect(tx).to.emit(runMarket, "RunClaimed").withArgs(runId, runner2.address, 2n * RUNNER_FEE, until);
      await expect(runMarket.connect(runner1).claim(runId)).to.be.revertedWithCustomError(runMarket, "RunMarketClaimActive").withArgs(runId, until);
      const run = await runMarket.run(runId);
      expect([run.status, run.runner, run.runnerFee, run.claimedUntil]).to.deep.equal([BigInt(Status.Claimed), runner2.address, 2n * RUNNER_FEE, BigInt(until)]);
      expect((await runMarket.runnerInfo(runner2.address)).openClaims).to.equal(1n);
    });

    it("refuses unknown runs, strangers, paused, leaving and under-bonded runners, other runners than the named one, fees above the budget, and late claims", async function () {
      const f = await loadFixture(deployRunMarket);
      const { runMarket, runner1, runner2, runner3, stranger, carol, alicePod, governor, treasury } = f;
      await expect(runMarket.connect(runner1).claim(9)).to.be.revertedWithCustomError(runMarket, "RunMarketWrongStatus").withArgs(9n, Status.None);
      const runId = await requestAny(f, RUN_PRICE + RUNNER_FEE);
      await expect(runMarket.connect(stranger).claim(runId)).to.be.revertedWithCustomError(runMarket, "RunMarketNotRunner").withArgs(stranger.address);
      await expect(runMarket.connect(runner2).claim(runId)).to.be.revertedWithCustomError(runMarket, "RunMarketFeeAboveBudget").withArgs(runId, 2n * RUNNER_FEE, RUNNER_FEE);
      await runMarket.connect(runner3).setRunnerPaused(true);
      await expect(runMarket.connect(runner3).claim(runId)).to.be.revertedWithCustomError(runMarket, "RunMarketRunnerInactive");
      await runMarket.connect(runner3).setRunnerPaused(false);
      await runMarket.connect(runner3).requestUnregister();
      await expect(runMarket.connect(runner3).claim(runId)).to.be.revertedWithCustomError(runMarket, "RunMarketRunnerInactive");
      await runMarket.connect(runner1).setRunnerFee(NATIVE, RUNNER_FEE, false);
      await expect(runMarket.connect(runner1).claim(runId)).to.be.revertedWithCustomError(runMarket, "RunMarketTokenNotAccepted").withArgs(runner1.address, NATIVE);
      await runMarket.connect(runner1).setRunnerFee(NATIVE, RUNNER_FEE, true);
      await runMarket.connect(governor).setSettings({ feeRecipient: treasury.address, feeBps: 500, claimWindow: 600, unbondingDelay: 60, minBond: 2n * MIN_BOND, slashAmount: SLASH });
      await expect(runMarket.connect(runner1).claim(runId)).to.be.revertedWithCustomError(runMarket, "RunMarketBondTooLow").withArgs(MIN_BOND, 2n * MIN_BOND);
      await runMarket.connect(runner1).addBond({ value: MIN_BOND });
      // Named runs: only that runner.
      const named = await runMarket.connect(carol).requestRun(alicePod, 0, INPUT, NATIVE, MAX, await deadline(100), runner2.address, { value: RUN_PRICE + 2n * RUNNER_FEE });
      await named.wait();
      await expect(runMarket.connect(runner1).claim(2n)).to.be.revertedWithCustomError(runMarket, "RunMarketNotNamedRunner").withArgs(2n, runner1.address);
      await time.increase(100);
      await expect(runMarket.connect(runner2).claim(2n)).to.be.revertedWithCustomError(runMarket, "RunMarketDeadlinePassed");
      await expect(runMarket.connect(runner1).claim(runId)).to.emit(runMarket, "RunClaimed");
    });

    it("a lapsed claim can be taken by another runner; the lapsed runner's bond pays the requester", async function () {
      const { runMarket, runId, runner1, runner2, carol } = await loadFixture(claimedRun);
      await time.increase(CLAIM_WINDOW);
      const tx = runMarket.connect(runner2).claim(runId);
      await expect(tx).to.emit(runMarket, "ClaimLapsed").withArgs(runId, runner1.address, carol.address, SLASH);
      await expect(tx).to.emit(runMarket, "RunClaimed").withArgs(runId, runner2.address, 2n * RUNNER_FEE, (await time.latest()) + CLAIM_WINDOW);
      expect(await runMarket.creditOf(carol.address, NATIVE)).to.equal(SLASH);
      const lapsed = await runMarket.runnerInfo(runner1.address);
      expect([lapsed.bond, lapsed.openClaims]).to.deep.equal([MIN_BOND - SLASH, 0n]);
      await expect(runMarket.connect(runner1).complete(runId, OUT, LOG)).to.be.revertedWithCustomError(runMarket, "RunMarketNotClaimant").withArgs(runId, runner1.address);
    });

    it("the slash is capped by what is left of the bond", async function () {
      const { runMarket, runId, runner1, runner3, governor, treasury, carol } = await loadFixture(claimedRun);
      await runMarket.connect(governor).setSettings({ feeRecipient: treasury.address, feeBps: 500, claimWindow: 600, unbondingDelay: 60, minBond: MIN_BOND, slashAmount: MIN_BOND });
      await time.increase(CLAIM_WINDOW);
      await expect(runMarket.connect(runner3).claim(runId)).to.emit(runMarket, "ClaimLapsed").withArgs(runId, runner1.address, carol.address, MIN_BOND);
      await time.increase(CLAIM_WINDOW);
      // runner3 lapses too; runner1 has no bond left and can no longer claim.
      await expect(runMarket.connect(runner1).claim(runId)).to.be.revertedWithCustomError(runMarket, "RunMarketBondTooLow").withArgs(0n, MIN_BOND);
      await runMarket.connect(governor).setSettings({ feeRecipient: treasury.address, feeBps: 500, claimWindow: 600, unbondingDelay: 60, minBond: 0n, slashAmount: 0n });
      await expect(runMarket.connect(runner1).claim(runId)).to.emit(runMarket, "ClaimLapsed").withArgs(runId, runner3.address, carol.address, 0n);
    });
  });

  describe("complete", function () {
    it("credits the pod's owner (minus the platform fee), the fee recipient and the runner; refunds the rest", async function () {
      const { runMarket, runId, runner1, carol, alice, alicePod, treasury } = await loadFixture(claimedRun);
      const fee = (RUN_PRICE * RUN_FEE_BPS) / BPS;
      const refund = MAX - RUN_PRICE - RUNNER_FEE;
      const tx = runMarket.connect(runner1).complete(runId, OUT, LOG);
      await expect(tx).to.emit(runMarket, "StageCompleted").withArgs(runId, 0, runner1.address, alicePod, OUT, LOG, alice.address, RUN_PRICE - fee, fee, treasury.address, RUNNER_FEE);
      await expect(tx).to.emit(runMarket, "RunCompleted").withArgs(runId, carol.address, runner1.address, refund);
      expect(await runMarket.creditOf(alice.address, NATIVE)).to.equal(RUN_PRICE - fee);
      expect(await runMarket.creditOf(treasury.address, NATIVE)).to.equal(fee);
      expect(await runMarket.creditOf(runner1.address, NATIVE)).to.equal(RUNNER_FEE);
      expect(await runMarket.creditOf(carol.address, NATIVE)).to.equal(refund);
      const run = await runMarket.run(runId);
      expect([run.status, run.escrow, run.podPrice, run.nextStage]).to.deep.equal([BigInt(Status.Completed), 0n, 0n, 0n]);
      expect((await runMarket.runnerInfo(runner1.address)).openClaims).to.equal(0n);
      await expect(runMarket.connect(runner1).complete(runId, OUT, LOG)).to.be.revertedWithCustomError(runMarket, "RunMarketWrongStatus").withArgs(runId, Status.Completed);
    });

    it("pays the pod's owner at completion, after a transfer; a free pod and a free runner credit nothing", async function () {
      const f = await loadFixture(deployRunMarket);
      const { runMarket, registry, alice, dave, alicePod, bobFork, carol, runner1, runner3 } = f;
      const runId = await requestAny(f);
      await runMarket.connect(runner1).claim(runId);
      await registry.connect(alice).transferFrom(alice.address, dave.address, alicePod);
      await runMarket.connect(runner1).complete(runId, OUT, LOG);
      expect(await runMarket.creditOf(dave.address, NATIVE)).to.be.greaterThan(0n);
      await runMarket.connect(carol).requestRun(bobFork, 0, INPUT, NATIVE, 0n, await deadline(), NATIVE);
      await runMarket.connect(runner3).claim(2n);
      await expect(runMarket.connect(runner3).complete(2n, OUT, LOG)).to.emit(runMarket, "RunCompleted").withArgs(2n, carol.address, runner3.address, 0n);
      expect(await runMarket.creditOf(runner3.address, NATIVE)).to.equal(0n);
    });

    it("only the claimant, before its claim lapses and before the deadline, the stage due", async function () {
      const { runMarket, runId, runner1, runner2, carol, alicePod } = await loadFixture(claimedRun);
      await expect(runMarket.connect(runner2).complete(runId, OUT, LOG)).to.be.revertedWithCustomError(runMarket, "RunMarketNotClaimant").withArgs(runId, runner2.address);
      await expect(runMarket.connect(runner1).completeStage(runId, 1, OUT, LOG)).to.be.revertedWithCustomError(runMarket, "RunMarketWrongStage").withArgs(runId, 0, 1);
      await expect(runMarket.connect(runner1).complete(77, OUT, LOG)).to.be.revertedWithCustomError(runMarket, "RunMarketWrongStatus").withArgs(77n, Status.None);
      await time.increase(CLAIM_WINDOW);
      const until = (await runMarket.run(runId)).claimedUntil;
      await expect(runMarket.connect(runner1).complete(runId, OUT, LOG)).to.be.revertedWithCustomError(runMarket, "RunMarketClaimLapsed").withArgs(runId, until);
      await expect(runMarket.connect(runner1).fail(runId, Phase.Execute, LOG)).to.be.revertedWithCustomError(runMarket, "RunMarketClaimLapsed");
      // A deadline shorter than the claim window.
      await runMarket.connect(carol).requestRun(alicePod, 0, INPUT, NATIVE, MAX, await deadline(60), NATIVE, { value: MAX });
      await runMarket.connect(runner2).claim(2n);
      await time.increase(60);
      await expect(runMarket.connect(runner2).complete(2n, OUT, LOG)).to.be.revertedWithCustomError(runMarket, "RunMarketDeadlinePassed");
    });
  });

  describe("fail", function () {
    for (const phase of [Phase.FetchPod, Phase.ResolvePayload, Phase.Provision, Phase.UploadOutput]) {
      it(`an infrastructure failure (${Phase[phase]}) refunds the requester in full`, async function () {
        const { runMarket, runId, runner1, carol } = await loadFixture(claimedRun);
        await expect(runMarket.connect(runner1).fail(runId, phase, LOG)).to.emit(runMarket, "RunFailed").withArgs(runId, carol.address, runner1.address, 0, phase, LOG, 0n, MAX);
        expect(await runMarket.creditOf(carol.address, NATIVE)).to.equal(MAX);
        expect(await runMarket.creditOf(runner1.address, NATIVE)).to.equal(0n);
        expect((await runMarket.run(runId)).status).to.equal(Status.Failed);
        expect((await runMarket.runnerInfo(runner1.address)).openClaims).to.equal(0n);
      });
    }
    for (const phase of [Phase.Execute, Phase.Timeout, Phase.OutputTooLarge]) {
      it(`a pod failure (${Phase[phase]}) pays the runner its fee and refunds the pod price`, async function () {
        const { runMarket, runId, runner1, carol, alice } = await loadFixture(claimedRun);
        await expect(runMarket.connect(runner1).fail(runId, phase, LOG)).to.emit(runMarket, "RunFailed").withArgs(runId, carol.address, runner1.address, 0, phase, LOG, RUNNER_FEE, MAX - RUNNER_FEE);
        expect(await runMarket.creditOf(runner1.address, NATIVE)).to.equal(RUNNER_FEE);
        expect(await runMarket.creditOf(alice.address, NATIVE)).to.equal(0n);
      });
    }
    it("a free runner's pod failure credits it nothing; failStage checks the stage", async function () {
      const f = await loadFixture(deployRunMarket);
      const runId = await requestAny(f);
      await f.runMarket.connect(f.runner3).claim(runId);
      await expect(f.runMarket.connect(f.runner3).failStage(runId, 1, Phase.Execute, LOG)).to.be.revertedWithCustomError(f.runMarket, "RunMarketWrongStage");
      await expect(f.runMarket.connect(f.runner3).failStage(runId, 0, Phase.Execute, LOG)).to.emit(f.runMarket, "RunFailed").withArgs(runId, f.carol.address, f.runner3.address, 0, Phase.Execute, LOG, 0n, MAX);
    });
  });

  describe("expire and cancel", function () {
    it("an unclaimed run expires at its deadline, by anyone, with a full refund", async function () {
      const f = await loadFixture(deployRunMarket);
      const runId = await requestAny(f);
      await expect(f.runMarket.connect(f.stranger).expire(runId)).to.be.revertedWithCustomError(f.runMarket, "RunMarketNotExpirable").withArgs(runId);
      await time.increase(3600);
      await expect(f.runMarket.connect(f.stranger).expire(runId)).to.emit(f.runMarket, "RunExpired").withArgs(runId, f.carol.address, NATIVE, f.stranger.address, MAX);
      expect(await f.runMarket.creditOf(f.carol.address, NATIVE)).to.equal(MAX);
      await expect(f.runMarket.expire(runId)).to.be.revertedWithCustomError(f.runMarket, "RunMarketWrongStatus").withArgs(runId, Status.Expired);
    });

    it("a claimed run expires when its claim lapses (the runner is slashed) or at the deadline (it is not)", async function () {
      const { runMarket, runId, runner1, runner2, carol, stranger, alicePod } = await loadFixture(claimedRun);
      await expect(runMarket.expire(runId)).to.be.revertedWithCustomError(runMarket, "RunMarketNotExpirable");
      await time.increase(CLAIM_WINDOW);
      const tx = runMarket.connect(stranger).expire(runId);
      await expect(tx).to.emit(runMarket, "ClaimLapsed").withArgs(runId, runner1.address, carol.address, SLASH);
      await expect(tx).to.emit(runMarket, "RunExpired").withArgs(runId, carol.address, runner1.address, stranger.address, MAX);
      expect(await runMarket.creditOf(carol.address, NATIVE)).to.equal(MAX + SLASH);
      // Deadline before the claim lapses: released without a slash.
      await runMarket.connect(carol).requestRun(alicePod, 0, INPUT, NATIVE, MAX, await deadline(60), NATIVE, { value: MAX });
      await runMarket.connect(runner2).claim(2n);
      await time.increase(60);
      const expiry = runMarket.expire(2n);
      await expect(expiry).to.emit(runMarket, "RunExpired").withArgs(2n, carol.address, runner2.address, (await ethers.getSigners())[0].address, MAX);
      await expect(expiry).not.to.emit(runMarket, "ClaimLapsed");
      expect((await runMarket.runnerInfo(runner2.address)).openClaims).to.equal(0n);
      expect((await runMarket.runnerInfo(runner2.address)).bond).to.equal(MIN_BOND);
    });

    it("the requester cancels before any claim; nobody else, and not after a claim", async function () {
      const f = await loadFixture(deployRunMarket);
      const runId = await requestAny(f);
      await expect(f.runMarket.connect(f.dave).cancel(runId)).to.be.revertedWithCustomError(f.runMarket, "RunMarketNotRequester").withArgs(runId, f.dave.address);
      await expect(f.runMarket.connect(f.carol).cancel(runId)).to.emit(f.runMarket, "RunCancelled").withArgs(runId, f.carol.address, MAX);
      expect((await f.runMarket.run(runId)).status).to.equal(Status.Cancelled);
      const second = await requestAny(f);
      await f.runMarket.connect(f.runner1).claim(second);
      await expect(f.runMarket.connect(f.carol).cancel(second)).to.be.revertedWithCustomError(f.runMarket, "RunMarketWrongStatus").withArgs(second, Status.Claimed);
    });
  });

  describe("tasks", function () {
    it("stages run in order on one runner; each is paid and announced; the last completes the run", async function () {
      const { runMarket, alicePod, bobFork, carol, runner1, alice, bob, treasury } = await loadFixture(deployRunMarket);
      const end = await deadline();
      const stages = [
        { podId: alicePod, version: 0 },
        { podId: bobFork, version: 1 },
      ];
      const tx = runMarket.connect(carol).requestTask(stages, INPUT, NATIVE, MAX, end, NATIVE, { value: MAX });
      await expect(tx).to.emit(runMarket, "StageRequested").withArgs(1n, 0, alicePod, 1n, RUN_PRICE);
      await expect(tx).to.emit(runMarket, "StageRequested").withArgs(1n, 1, bobFork, 1n, 0n);
      await expect(tx).to.emit(runMarket, "TaskRequested").withArgs(1n, carol.address, NATIVE, 2, INPUT, NATIVE, MAX, RUN_PRICE, RUN_FEE_BPS, end);
      expect(await runMarket.stageOf(1n, 1)).to.deep.equal([bobFork, 0n]);
      await runMarket.connect(runner1).claim(1n);
      // complete() reports the last stage only.
      await expect(runMarket.connect(runner1).complete(1n, OUT, LOG)).to.be.revertedWithCustomError(runMarket, "RunMarketWrongStage").withArgs(1n, 0, 1);
      const fee = (RUN_PRICE * RUN_FEE_BPS) / BPS;
      await expect(runMarket.connect(runner1).completeStage(1n, 0, ref("out0"), ref("log0"))).to.emit(runMarket, "StageCompleted").withArgs(1n, 0, runner1.address, alicePod, ref("out0"), ref("log0"), alice.address, RUN_PRICE - fee, fee, treasury.address, RUNNER_FEE);
      const mid = await runMarket.run(1n);
      expect([mid.status, mid.nextStage, mid.escrow, mid.podPrice]).to.deep.equal([BigInt(Status.Claimed), 1n, MAX - RUN_PRICE - RUNNER_FEE, 0n]);
      const tx2 = runMarket.connect(runner1).complete(1n, OUT, LOG);
      await expect(tx2).to.emit(runMarket, "StageCompleted").withArgs(1n, 1, runner1.address, bobFork, OUT, LOG, bob.address, 0n, 0n, treasury.address, RUNNER_FEE);
      await expect(tx2).to.emit(runMarket, "RunCompleted").withArgs(1n, carol.address, runner1.address, MAX - RUN_PRICE - 2n * RUNNER_FEE);
    });

    it("a failed stage ends the task and refunds the stages not run; a named runner's task escrows one fee per stage", async function () {
      const { runMarket, alicePod, bobFork, carol, runner1, dave } = await loadFixture(deployRunMarket);
      const end = await deadline();
      const stages = [
        { podId: bobFork, version: 0 },
        { podId: alicePod, version: 0 },
        { podId: alicePod, version: 0 },
      ];
      const due = 2n * RUN_PRICE + 3n * RUNNER_FEE;
      await expect(runMarket.connect(carol).requestTask(stages, INPUT, NATIVE, MAX, end, runner1.address, { value: due })).to.emit(runMarket, "TaskRequested").withArgs(1n, carol.address, runner1.address, 3, INPUT, NATIVE, due, 2n * RUN_PRICE, RUN_FEE_BPS, end);
      await runMarket.connect(runner1).claim(1n);
      await runMarket.connect(runner1).completeStage(1n, 0, OUT, LOG);
      await expect(runMarket.connect(runner1).failStage(1n, 1, Phase.Timeout, LOG)).to.emit(runMarket, "RunFailed").withArgs(1n, carol.address, runner1.address, 1, Phase.Timeout, LOG, RUNNER_FEE, 2n * RUN_PRICE + RUNNER_FEE);
      expect(await runMarket.creditOf(runner1.address, NATIVE)).to.equal(2n * RUNNER_FEE);
      await expect(runMarket.connect(carol).requestTask([], INPUT, NATIVE, MAX, end, NATIVE)).to.be.revertedWithCustomError(runMarket, "RunMarketBadStageCount").withArgs(0n);
      await expect(runMarket.connect(carol).requestTask(Array(17).fill(stages[0]), INPUT, NATIVE, MAX, end, NATIVE)).to.be.revertedWithCustomError(runMarket, "RunMarketBadStageCount").withArgs(17n);
      await expect(runMarket.connect(dave).requestTask(stages, INPUT, NATIVE, MAX, end, NATIVE, { value: MAX })).to.be.revertedWithCustomError(runMarket, "RunMarketNotLicensed").withArgs(bobFork, dave.address);
    });

    it("a lapsed task is taken over from the stage due, at the new runner's fee", async function () {
      const { runMarket, alicePod, carol, runner1, runner3 } = await loadFixture(deployRunMarket);
      const stages = [
        { podId: alicePod, version: 0 },
        { podId: alicePod, version: 0 },
      ];
      await runMarket.connect(carol).requestTask(stages, INPUT, NATIVE, MAX, await deadline(), NATIVE, { value: MAX });
      await runMarket.connect(runner1).claim(1n);
      await runMarket.connect(runner1).completeStage(1n, 0, OUT, LOG);
      await time.increase(CLAIM_WINDOW);
      await runMarket.connect(runner3).claim(1n);
      await expect(runMarket.connect(runner3).completeStage(1n, 1, OUT, LOG)).to.emit(runMarket, "RunCompleted").withArgs(1n, carol.address, runner3.address, MAX - 2n * RUN_PRICE - RUNNER_FEE);
    });
  });

  describe("withdrawals", function () {
    it("withdraw and withdrawTo pay credits in the native coin and ERC-20s; nothing to withdraw reverts", async function () {
      const { runMarket, runId, runner1, carol, dave, usd, bobFork, usdAddress, runMarketAddress } = await loadFixture(claimedRun);
      await runMarket.connect(runner1).complete(runId, OUT, LOG);
      await expect(runMarket.connect(runner1).withdrawTo(NATIVE, ethers.ZeroAddress)).to.be.revertedWithCustomError(runMarket, "RunMarketZeroAddress");
      await expect(runMarket.connect(runner1).withdrawTo(NATIVE, dave.address)).to.changeEtherBalances([dave, runMarketAddress], [RUNNER_FEE, -RUNNER_FEE]);
      await expect(runMarket.connect(runner1).withdraw(NATIVE)).to.be.revertedWithCustomError(runMarket, "RunMarketNothingToWithdraw").withArgs(runner1.address, NATIVE);
      await runMarket.connect(carol).requestRun(bobFork, 0, INPUT, usdAddress, 5000n, await deadline(), NATIVE);
      await runMarket.connect(carol).cancel(2n);
      const tx = runMarket.connect(carol).withdraw(usdAddress);
      await expect(tx).to.changeTokenBalances(usd, [carol, runMarketAddress], [5000n, -5000n]);
      await expect(tx).to.emit(runMarket, "Withdrawn").withArgs(carol.address, usdAddress, carol.address, 5000n);
    });
  });
});
