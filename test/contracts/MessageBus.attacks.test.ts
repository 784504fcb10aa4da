import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { accountTarget, deployGroups, groupTarget, JOIN_FEE, JoinPolicy, MEMBER_FEE, MSG_FLOOR, NATIVE, PUBLIC_FEE, ref } from "../support/contracts";

const META = { contentType: 0, size: 1, replyTo: 0 };
const REQUEST_PRICE = 1000n;

/**
 * A contract (ReentrantGroupOwner) owns group 4 (Fee policy, native) and has an inbox: bob joined
 * (JOIN_FEE in GroupRegistry's treasury), carol messaged the group (PUBLIC_FEE in MessageBus's group
 * credit) and the contract (REQUEST_PRICE in its MessageBus credit).
 */
async function attacked() {
  const f = await deployGroups();
  const { groups, groupsAddress, bus, busAddress, bob, carol } = f;
  const attacker = await ethers.deployContract("ReentrantGroupOwner");
  const attackerAddress = await attacker.getAddress();
  await attacker.exec(groupsAddress, groups.interface.encodeFunctionData("createGroup", ["evil", ref("e"), JoinPolicy.Fee, NATIVE, JOIN_FEE, 0, MEMBER_FEE, PUBLIC_FEE]));
  await attacker.exec(busAddress, bus.interface.encodeFunctionData("setInbox", [NATIVE, 0, REQUEST_PRICE, 0, 0]));
  await groups.connect(bob).join(4n, { value: JOIN_FEE });
  await bus.connect(carol).send(groupTarget(4n), ref("m"), 0, META, { value: MSG_FLOOR + PUBLIC_FEE });
  await bus.connect(carol).send(accountTarget(attackerAddress), ref("m"), 0, META, { value: MSG_FLOOR + REQUEST_PRICE });
  const guard = bus.interface.getError("ReentrancyGuardReentrantCall")!.selector;
  return { ...f, attacker, attackerAddress, guard };
}

type Attacked = Awaited<ReturnType<typeof attacked>>;

/** Each withdrawal the attacker may make: where, the call, what it pays, and the error of a failed payment. */
function withdrawals(f: Attacked) {
  return [
    { name: "MessageBus.withdraw", victim: f.busAddress, data: f.bus.interface.encodeFunctionData("withdraw", [NATIVE]), amount: REQUEST_PRICE, contract: f.bus, failure: "MessageBusNativeTransferFailed" },
    { name: "MessageBus.withdrawGroup", victim: f.busAddress, data: f.bus.interface.encodeFunctionData("withdrawGroup", [4n, NATIVE]), amount: PUBLIC_FEE, contract: f.bus, failure: "MessageBusNativeTransferFailed" },
    { name: "GroupRegistry.withdrawTreasury", victim: f.groupsAddress, data: f.groups.interface.encodeFunctionData("withdrawTreasury", [4n, NATIVE]), amount: JOIN_FEE, contract: f.groups, failure: "GroupRegistryNativeTransferFailed" },
  ] as const;
}

describe("GroupRegistry and MessageBus: attacks", function () {
  for (const name of ["MessageBus.withdraw", "MessageBus.withdrawGroup", "GroupRegistry.withdrawTreasury"]) {
    it(`${name}: re-entering from the receive hook is refused and the payee is paid once`, async function () {
      const f = await loadFixture(attacked);
      const w = withdrawals(f).find((entry) => entry.name === name)!;
      await f.attacker.arm(w.victim, w.data, false);
      await expect(f.attacker.exec(w.victim, w.data)).to.changeEtherBalances([f.attacker, w.victim], [w.amount, -w.amount]);
      expect(await f.attacker.reentries()).to.equal(1n);
      expect((await f.attacker.lastReentryError()).slice(0, 10)).to.equal(f.guard);
    });

    it(`${name}: a bubbled re-entry fails the payment as a whole and the balance stays`, async function () {
      const f = await loadFixture(attacked);
      const w = withdrawals(f).find((entry) => entry.name === name)!;
      await f.attacker.arm(w.victim, w.data, true);
      await expect(f.attacker.exec(w.victim, w.data)).to.be.revertedWithCustomError(w.contract, w.failure).withArgs(f.attackerAddress, w.amount);
      expect(await f.bus.creditOf(f.attackerAddress, NATIVE)).to.equal(REQUEST_PRICE);
      expect(await f.bus.groupCreditOf(4n, NATIVE)).to.equal(PUBLIC_FEE);
      expect(await f.groups.treasuryOf(4n, NATIVE)).to.equal(JOIN_FEE);
    });
  }

  it("from inside a withdrawal, the hook cannot send a message either (one guard per contract)", async function () {
    const { bus, busAddress, attacker, guard } = await loadFixture(attacked);
    await attacker.arm(busAddress, bus.interface.encodeFunctionData("send", [groupTarget(1n), ref("x"), 0, META]), false);
    await expect(attacker.exec(busAddress, bus.interface.encodeFunctionData("withdraw", [NATIVE]))).to.changeEtherBalance(attacker, REQUEST_PRICE);
    expect((await attacker.lastReentryError()).slice(0, 10)).to.equal(guard);
    expect(await bus.messageCount()).to.equal(2n);
  });

  it("an ERC-20 transfer hook cannot re-enter send, withdraw, join or withdrawTreasury while a fee is pulled", async function () {
    const { bus, busAddress, groups, groupsAddress, alice, bob, hookToken } = await loadFixture(attacked);
    const hook = await hookToken.getAddress();
    await groups.connect(alice).createGroup("hooked", ref("h"), JoinPolicy.Fee, hook, 10n, 0, 5n, 5n);
    const target = groupTarget(5n);
    for (const [victim, payload] of [
      [busAddress, bus.interface.encodeFunctionData("withdraw", [hook])],
      [busAddress, bus.interface.encodeFunctionData("send", [target, ref("x"), 0, META])],
    ] as const) {
      await hookToken.arm(victim, payload, true);
      await expect(bus.connect(bob).send(target, ref("m"), 0, META)).to.be.revertedWithCustomError(bus, "ReentrancyGuardReentrantCall");
    }
    await hookToken.arm(groupsAddress, groups.interface.encodeFunctionData("withdrawTreasury", [5n, hook]), true);
    await expect(groups.connect(bob).join(5n)).to.be.revertedWithCustomError(groups, "ReentrancyGuardReentrantCall");
    // Unbubbled, the inner call fails on the guard and the outer payment goes through with exact books.
    await hookToken.arm(busAddress, bus.interface.encodeFunctionData("withdraw", [hook]), false);
    await expect(bus.connect(bob).send(target, ref("m"), 0, META)).to.changeTokenBalance(hookToken, busAddress, 5n);
    expect(await bus.groupCreditOf(5n, hook)).to.equal(5n);
  });

  it("no role can move credits or treasuries", async function () {
    const { bus, groups, admin, governor, treasury, attackerAddress } = await loadFixture(attacked);
    for (const role of [admin, governor]) {
      await expect(bus.connect(role).withdraw(NATIVE)).to.be.revertedWithCustomError(bus, "MessageBusNothingToWithdraw");
      await expect(bus.connect(role).withdrawGroup(4n, NATIVE)).to.be.revertedWithCustomError(bus, "MessageBusNotGroupOwner");
      await expect(groups.connect(role).withdrawTreasury(4n, NATIVE)).to.be.revertedWithCustomError(groups, "GroupRegistryNotOwner");
    }
    // The fee recipient gets the floors only.
    await expect(bus.connect(treasury).withdraw(NATIVE)).to.changeEtherBalance(treasury, 2n * MSG_FLOOR);
    expect(await bus.creditOf(attackerAddress, NATIVE)).to.equal(REQUEST_PRICE);
  });
});
