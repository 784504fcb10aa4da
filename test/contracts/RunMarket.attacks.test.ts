import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployRunMarket, MIN_BOND, NATIVE, ref, RUNNER_FEE } from "../support/contracts";

const MAX = ethers.parseEther("0.1");

/** A contract runner that has completed one run of alice's pod for carol and holds RUNNER_FEE of native credit. */
async function attacked() {
  const f = await deployRunMarket();
  const attacker = await ethers.deployContract("ReentrantRunner", [f.runMarketAddress]);
  await attacker.register(RUNNER_FEE, { value: MIN_BOND });
  const end = (await time.latest()) + 3600;
  await f.runMarket.connect(f.carol).requestRun(f.alicePod, 0, ref("in"), NATIVE, MAX, end, NATIVE, { value: MAX });
  await attacker.claimAndComplete(1n);
  // A second run, still open, that the hook will try to cancel, claim or expire.
  await f.runMarket.connect(f.carol).requestRun(f.alicePod, 0, ref("in"), NATIVE, MAX, end, NATIVE, { value: MAX });
  const guard = f.runMarket.interface.getError("ReentrancyGuardReentrantCall")!.selector;
  return { ...f, attacker, guard };
}

describe("RunMarket: attacks", function () {
  for (const useWithdrawTo of [false, true]) {
    it(`a runner re-entering ${useWithdrawTo ? "withdrawTo" : "withdraw"} from its receive hook is paid once`, async function () {
      const { runMarket, runMarketAddress, attacker, guard } = await loadFixture(attacked);
      const attackerAddress = await attacker.getAddress();
      const payload = useWithdrawTo
        ? runMarket.interface.encodeFunctionData("withdrawTo", [NATIVE, attackerAddress])
        : runMarket.interface.encodeFunctionData("withdraw", [NATIVE]);
      await attacker.arm(payload, false, useWithdrawTo);
      expect(await runMarket.creditOf(attackerAddress, NATIVE)).to.equal(RUNNER_FEE);
      await expect(attacker.withdraw()).to.changeEtherBalances([attacker, runMarketAddress], [RUNNER_FEE, -RUNNER_FEE]);
      expect(await attacker.reentries()).to.equal(1n);
      expect((await attacker.lastReentryError()).slice(0, 10)).to.equal(guard);
      expect(await runMarket.creditOf(attackerAddress, NATIVE)).to.equal(0n);
    });
  }

  it("a bubbled re-entry fails the payment as a whole and the credit stays", async function () {
    const { runMarket, attacker } = await loadFixture(attacked);
    await attacker.arm(runMarket.interface.encodeFunctionData("withdraw", [NATIVE]), true, false);
    await expect(attacker.withdraw()).to.be.revertedWithCustomError(runMarket, "RunMarketNativeTransferFailed");
    expect(await runMarket.creditOf(await attacker.getAddress(), NATIVE)).to.equal(RUNNER_FEE);
  });

  it("from inside a withdrawal, the hook can act on runs only as any outsider could (the books stay balanced)", async function () {
    const { runMarket, runMarketAddress, attacker } = await loadFixture(attacked);
    // Claiming run 2 from the hook is an ordinary claim (no money moves); the withdrawal still pays once.
    await attacker.arm(runMarket.interface.encodeFunctionData("claim", [2n]), false, false);
    await expect(attacker.withdraw()).to.changeEtherBalance(attacker, RUNNER_FEE);
    expect((await runMarket.run(2n)).runner).to.equal(await attacker.getAddress());
    // Four bonds, run 1's credits (all but the fee just withdrawn), run 2's escrow.
    expect(await ethers.provider.getBalance(runMarketAddress)).to.equal(4n * MIN_BOND + 2n * MAX - RUNNER_FEE);
  });

  it("an ERC-20 transfer hook cannot re-enter requestRun, requestTask or withdraw while the escrow is pulled", async function () {
    const { runMarket, hookToken, bobFork, carol, runMarketAddress, guard } = await loadFixture(attacked);
    const hook = await hookToken.getAddress();
    const end = (await time.latest()) + 3600;
    for (const payload of [
      runMarket.interface.encodeFunctionData("withdraw", [hook]),
      runMarket.interface.encodeFunctionData("requestRun", [bobFork, 0, ref("x"), hook, 1n, end, NATIVE]),
      runMarket.interface.encodeFunctionData("requestTask", [[{ podId: bobFork, version: 0 }], ref("x"), hook, 1n, end, NATIVE]),
    ]) {
      await hookToken.arm(runMarketAddress, payload, true);
      await expect(runMarket.connect(carol).requestRun(bobFork, 0, ref("in"), hook, 1000n, end, NATIVE)).to.be.revertedWithCustomError(runMarket, "ReentrancyGuardReentrantCall");
      await expect(runMarket.connect(carol).requestTask([{ podId: bobFork, version: 0 }], ref("in"), hook, 1000n, end, NATIVE)).to.be.revertedWithCustomError(runMarket, "ReentrancyGuardReentrantCall");
    }
    // Unbubbled, the inner call fails on the guard and the outer request goes through with exact books.
    await hookToken.arm(runMarketAddress, runMarket.interface.encodeFunctionData("withdraw", [hook]), false);
    await expect(runMarket.connect(carol).requestRun(bobFork, 0, ref("in"), hook, 1000n, end, NATIVE)).to.changeTokenBalance(hookToken, runMarketAddress, 1000n);
    expect((await hookToken.lastHookError()).slice(0, 10)).to.equal(guard);
  });

  it("no role can move escrow, bonds or credits, and plain coin transfers are refused", async function () {
    const { runMarket, runMarketAddress, admin, governor, pauser, carol } = await loadFixture(attacked);
    for (const role of [admin, governor, pauser]) {
      await expect(runMarket.connect(role).withdraw(NATIVE)).to.be.revertedWithCustomError(runMarket, "RunMarketNothingToWithdraw");
      await expect(runMarket.connect(role).cancel(2n)).to.be.revertedWithCustomError(runMarket, "RunMarketNotRequester");
    }
    await expect(carol.sendTransaction({ to: runMarketAddress, value: 1n })).to.be.reverted;
    expect(await ethers.provider.getBalance(runMarketAddress)).to.equal(4n * MIN_BOND + 2n * MAX);
  });
});
