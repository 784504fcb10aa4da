import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  accountTarget,
  ADMIN_DELAY,
  deployGroups,
  groupTarget,
  JOIN_FEE,
  MEMBER_FEE,
  MEMBERSHIP_PERIOD,
  MSG_FLOOR,
  NATIVE,
  PUBLIC_FEE,
  ref,
  type GroupsFixture,
} from "../support/contracts";

enum Contact {
  None,
  Requested,
  Allowed,
  Denied,
}

const CONTENT = ref("hello");
const META = { contentType: 1, size: 120, replyTo: 0 };

/** Sends a plain message from `signer` to `target`, paying what `quote` says. */
async function sendQuoted(f: GroupsFixture, signer: GroupsFixture["alice"], target: bigint) {
  const q = await f.bus.quote(signer.address, target);
  const value = q.token === NATIVE ? q.fee : 0n;
  return { q, tx: f.bus.connect(signer).send(target, CONTENT, 0, META, { value }) };
}

describe("MessageBus", function () {
  describe("deployment and targets", function () {
    it("rejects zero addresses, sets the native floor and the fee recipient", async function () {
      const { registry, groupsAddress, admin, governor, treasury, bus } = await loadFixture(deployGroups);
      const factory = await ethers.getContractFactory("MessageBus");
      const registryAddress = await registry.getAddress();
      const args = [registryAddress, groupsAddress, ADMIN_DELAY, admin.address, governor.address, treasury.address, MSG_FLOOR] as const;
      for (const index of [0, 1, 4, 5]) {
        const bad = [...args] as unknown[];
        bad[index] = NATIVE;
        await expect(factory.deploy(...(bad as unknown as typeof args))).to.be.revertedWithCustomError(bus, "MessageBusZeroAddress");
      }
      expect(await bus.floorOf(NATIVE)).to.equal(MSG_FLOOR);
      expect(await bus.feeRecipient()).to.equal(treasury.address);
      expect(await bus.groups()).to.equal(groupsAddress);
      expect(await bus.podRegistry()).to.equal(registryAddress);
      const fresh = await factory.deploy(...args);
      await expect(fresh.deploymentTransaction()).to.emit(fresh, "FloorSet").withArgs(NATIVE, MSG_FLOOR);
      await expect(fresh.deploymentTransaction()).to.emit(fresh, "FeeRecipientChanged").withArgs(NATIVE, treasury.address);
    });

    it("encodes targets as kind (top byte) and id, and rejects anything else", async function () {
      const { bus, bob } = await loadFixture(deployGroups);
      expect(await bus.groupTarget(7n)).to.equal(groupTarget(7n));
      expect(await bus.accountTarget(bob.address)).to.equal(accountTarget(bob.address));
      await expect(bus.groupTarget(1n << 248n)).to.be.revertedWithCustomError(bus, "MessageBusBadTarget");
      const bad = [0n, 7n, BigInt(bob.address), 3n << 248n, groupTarget(0n), accountTarget(NATIVE), (1n << 248n) | (1n << 160n)];
      for (const target of bad) {
        await expect(bus.quote(bob.address, target)).to.be.revertedWithCustomError(bus, "MessageBusBadTarget").withArgs(target);
        await expect(bus.connect(bob).send(target, CONTENT, 0, META)).to.be.revertedWithCustomError(bus, "MessageBusBadTarget");
      }
    });
  });

  describe("messages to groups", function () {
    it("members pay the member fee, others the public fee, both plus the floor; the event carries it all", async function () {
      const f = await loadFixture(deployGroups);
      const { bus, busAddress, groups, bob, carol, treasury, clubGroup } = f;
      await groups.connect(bob).join(clubGroup, { value: JOIN_FEE });
      const target = groupTarget(clubGroup);
      const member = await sendQuoted(f, bob, target);
      expect([member.q.token, member.q.fee, member.q.protocolFee, member.q.request]).to.deep.equal([NATIVE, MSG_FLOOR + MEMBER_FEE, MSG_FLOOR, false]);
      await expect(member.tx)
        .to.emit(bus, "MessageSent")
        .withArgs(1n, target, bob.address, CONTENT, 0n, 1, 120, 0n, NATIVE, MSG_FLOOR + MEMBER_FEE, MSG_FLOOR);
      const outsider = await sendQuoted(f, carol, target);
      expect(outsider.q.fee).to.equal(MSG_FLOOR + PUBLIC_FEE);
      await expect(outsider.tx).to.changeEtherBalances([carol, busAddress], [-(MSG_FLOOR + PUBLIC_FEE), MSG_FLOOR + PUBLIC_FEE]);
      expect(await bus.messageCount()).to.equal(2n);
      expect(await bus.groupCreditOf(clubGroup, NATIVE)).to.equal(MEMBER_FEE + PUBLIC_FEE);
      expect(await bus.creditOf(treasury.address, NATIVE)).to.equal(2n * MSG_FLOOR);
      // Expired members pay the public fee.
      await time.increase(MEMBERSHIP_PERIOD);
      expect((await bus.quote(bob.address, target)).fee).to.equal(MSG_FLOOR + PUBLIC_FEE);
    });

    it("banned senders and missing groups are refused by quote and send alike", async function () {
      const { bus, groups, alice, bob, openGroup } = await loadFixture(deployGroups);
      await groups.connect(alice).ban(openGroup, bob.address);
      await expect(bus.quote(bob.address, groupTarget(openGroup))).to.be.revertedWithCustomError(groups, "GroupRegistryBanned").withArgs(openGroup, bob.address);
      await expect(bus.connect(bob).send(groupTarget(openGroup), CONTENT, 0, META, { value: MSG_FLOOR + PUBLIC_FEE })).to.be.revertedWithCustomError(groups, "GroupRegistryBanned");
      await expect(bus.connect(bob).send(groupTarget(42n), CONTENT, 0, META)).to.be.revertedWithCustomError(groups, "GroupRegistryNotFound").withArgs(42n);
    });

    it("checks content, replies, decoder pods and the payment", async function () {
      const { bus, registry, bob, publicPod, privatePod, openGroup } = await loadFixture(deployGroups);
      const target = groupTarget(openGroup);
      const fee = MSG_FLOOR + PUBLIC_FEE;
      await expect(bus.connect(bob).send(target, ethers.ZeroHash, 0, META, { value: fee })).to.be.revertedWithCustomError(bus, "MessageBusEmptyContent");
      await expect(bus.connect(bob).send(target, CONTENT, 0, { ...META, replyTo: 1 }, { value: fee })).to.be.revertedWithCustomError(bus, "MessageBusUnknownReply").withArgs(1n);
      await expect(bus.connect(bob).send(target, CONTENT, privatePod, META, { value: fee })).to.be.revertedWithCustomError(bus, "MessageBusDecoderNotPublic").withArgs(privatePod);
      await expect(bus.connect(bob).send(target, CONTENT, 99n, META, { value: fee })).to.be.revertedWithCustomError(registry, "ERC721NonexistentToken").withArgs(99n);
      await expect(bus.connect(bob).send(target, CONTENT, 0, META, { value: fee - 1n })).to.be.revertedWithCustomError(bus, "MessageBusWrongPayment").withArgs(fee, fee - 1n);
      await expect(bus.connect(bob).send(target, CONTENT, 0, META, { value: fee + 1n })).to.be.revertedWithCustomError(bus, "MessageBusWrongPayment");
      await expect(bus.connect(bob).send(target, CONTENT, publicPod, META, { value: fee }))
        .to.emit(bus, "MessageSent")
        .withArgs(1n, target, bob.address, CONTENT, publicPod, 1, 120, 0n, NATIVE, fee, MSG_FLOOR);
      await expect(bus.connect(bob).send(target, CONTENT, 0, { contentType: 2, size: 5, replyTo: 1 }, { value: fee }))
        .to.emit(bus, "MessageSent")
        .withArgs(2n, target, bob.address, CONTENT, 0n, 2, 5, 1n, NATIVE, fee, MSG_FLOOR);
    });

    it("ERC-20 groups: the token's floor, exact transferFrom, no coin, fee-on-transfer and de-listed tokens refused", async function () {
      const { bus, busAddress, groups, alice, bob, governor, treasury, usd, usdAddress, feeToken, guildGroup } = await loadFixture(deployGroups);
      await bus.connect(governor).setFloor(usdAddress, 3n);
      const target = groupTarget(guildGroup);
      const q = await bus.quote(bob.address, target);
      expect([q.token, q.fee, q.protocolFee]).to.deep.equal([usdAddress, 53n, 3n]);
      await expect(bus.connect(bob).send(target, CONTENT, 0, META, { value: 1n })).to.be.revertedWithCustomError(bus, "MessageBusUnexpectedNativePayment").withArgs(1n);
      await expect(bus.connect(bob).send(target, CONTENT, 0, META)).to.changeTokenBalances(usd, [bob, busAddress], [-53n, 53n]);
      expect(await bus.groupCreditOf(guildGroup, usdAddress)).to.equal(50n);
      expect(await bus.creditOf(treasury.address, usdAddress)).to.equal(3n);
      const feeAddress = await feeToken.getAddress();
      await groups.connect(alice).setFees(guildGroup, feeAddress, 0, 10n, 1000n);
      await expect(bus.connect(bob).send(target, CONTENT, 0, META)).to.be.revertedWithCustomError(bus, "MessageBusFeeOnTransferToken").withArgs(feeAddress, 1000n, 990n);
      await groups.connect(alice).setFees(guildGroup, usdAddress, 0, 10n, 50n);
      await groups.connect(governor).setTokenAllowed(usdAddress, false);
      await expect(bus.connect(bob).send(target, CONTENT, 0, META)).to.be.revertedWithCustomError(bus, "MessageBusTokenNotAllowed").withArgs(usdAddress);
      // Credits in a de-listed token stay withdrawable.
      await expect(bus.connect(alice).withdrawGroup(guildGroup, usdAddress)).to.changeTokenBalance(usd, alice, 50n);
      await expect(bus.connect(treasury).withdraw(usdAddress)).to.changeTokenBalance(usd, treasury, 3n);
    });

    it("a free group with a zero floor costs nothing", async function () {
      const { bus, groups, governor, bob } = await loadFixture(deployGroups);
      await groups.connect(bob).createGroup("free", ref(0), 0, NATIVE, 0, 0, 0, 0);
      await bus.connect(governor).setFloor(NATIVE, 0);
      const target = groupTarget(4n);
      expect((await bus.quote(bob.address, target)).fee).to.equal(0n);
      await expect(bus.connect(bob).send(target, CONTENT, 0, META)).to.emit(bus, "MessageSent").withArgs(1n, target, bob.address, CONTENT, 0n, 1, 120, 0n, NATIVE, 0n, 0n);
      expect(await bus.groupCreditOf(4n, NATIVE)).to.equal(0n);
    });
  });

  describe("messages to accounts", function () {
    it("unknown sender: a request at the request price; pending: the inbox price; accepted: the floor only", async function () {
      const f = await loadFixture(deployGroups);
      const { bus, bob, carol, dave } = f;
      const price = ethers.parseEther("0.002");
      const requestPrice = ethers.parseEther("0.01");
      await expect(bus.connect(bob).setInbox(NATIVE, price, requestPrice, 0, 0)).to.emit(bus, "InboxSet").withArgs(bob.address, NATIVE, price, requestPrice, 0, 0);
      const target = accountTarget(bob.address);
      const first = await sendQuoted(f, carol, target);
      expect([first.q.fee, first.q.protocolFee, first.q.request]).to.deep.equal([MSG_FLOOR + requestPrice, MSG_FLOOR, true]);
      await expect(first.tx).to.emit(bus, "ContactRequested").withArgs(bob.address, carol.address, 1n);
      expect(await bus.contactOf(bob.address, carol.address)).to.equal(BigInt(Contact.Requested));
      expect(await bus.creditOf(bob.address, NATIVE)).to.equal(requestPrice);
      const pending = await sendQuoted(f, carol, target);
      expect([pending.q.fee, pending.q.request]).to.deep.equal([MSG_FLOOR + price, false]);
      await expect(pending.tx).to.emit(bus, "MessageSent").and.not.to.emit(bus, "ContactRequested");
      await expect(bus.connect(bob).accept(dave.address)).to.be.revertedWithCustomError(bus, "MessageBusNoRequest").withArgs(bob.address, dave.address);
      await expect(bus.connect(bob).accept(carol.address)).to.emit(bus, "ContactSet").withArgs(bob.address, carol.address, Contact.Allowed);
      const allowed = await sendQuoted(f, carol, target);
      expect([allowed.q.fee, allowed.q.protocolFee]).to.deep.equal([MSG_FLOOR, MSG_FLOOR]);
      await allowed.tx;
      expect(await bus.creditOf(bob.address, NATIVE)).to.equal(requestPrice + price);
      await expect(bus.connect(bob).accept(carol.address)).to.be.revertedWithCustomError(bus, "MessageBusNoRequest");
    });

    it("denied senders are refused; forgetting a sender makes its next message a request again", async function () {
      const { bus, bob, carol } = await loadFixture(deployGroups);
      const target = accountTarget(bob.address);
      await expect(bus.connect(bob).setContact(carol.address, Contact.Requested)).to.be.revertedWithCustomError(bus, "MessageBusBadContact");
      await expect(bus.connect(bob).setContact(carol.address, Contact.Denied)).to.emit(bus, "ContactSet").withArgs(bob.address, carol.address, Contact.Denied);
      await expect(bus.quote(carol.address, target)).to.be.revertedWithCustomError(bus, "MessageBusDenied").withArgs(bob.address, carol.address);
      await expect(bus.connect(carol).send(target, CONTENT, 0, META, { value: MSG_FLOOR })).to.be.revertedWithCustomError(bus, "MessageBusDenied");
      await bus.connect(bob).setContact(carol.address, Contact.None);
      expect((await bus.quote(carol.address, target)).request).to.equal(true);
      await bus.connect(bob).setContact(carol.address, Contact.Allowed);
      expect((await bus.quote(carol.address, target)).fee).to.equal(MSG_FLOOR);
    });

    it("ERC-20 inboxes, and their settings checks", async function () {
      const { bus, busAddress, governor, bob, carol, stranger, usd, usdAddress, treasury } = await loadFixture(deployGroups);
      const big = 2n ** 96n;
      await expect(bus.connect(bob).setInbox(stranger.address, 0, 0, 0, 0)).to.be.revertedWithCustomError(bus, "MessageBusTokenNotAllowed").withArgs(stranger.address);
      await expect(bus.connect(bob).setInbox(NATIVE, big, 0, 0, 0)).to.be.revertedWithCustomError(bus, "MessageBusAmountTooLarge").withArgs(big);
      await expect(bus.connect(bob).setInbox(NATIVE, 0, big, 0, 0)).to.be.revertedWithCustomError(bus, "MessageBusAmountTooLarge").withArgs(big);
      for (const [window, bps] of [[0, 20_000], [60, 0], [60, 10_000], [60, 50_001]]) {
        await expect(bus.connect(bob).setInbox(NATIVE, 0, 0, window, bps)).to.be.revertedWithCustomError(bus, "MessageBusBadSurge").withArgs(window, bps);
      }
      await bus.connect(governor).setFloor(usdAddress, 2n);
      await bus.connect(bob).setInbox(usdAddress, 5n, 40n, 60, 20_000);
      const inbox = await bus.inbox(bob.address);
      expect([inbox.token, inbox.price, inbox.requestPrice, inbox.surgeWindow, inbox.surgeBps]).to.deep.equal([usdAddress, 5n, 40n, 60n, 20_000n]);
      await expect(bus.connect(carol).send(accountTarget(bob.address), CONTENT, 0, META)).to.changeTokenBalances(usd, [carol, busAddress], [-42n, 42n]);
      expect(await bus.creditOf(bob.address, usdAddress)).to.equal(40n);
      expect(await bus.creditOf(treasury.address, usdAddress)).to.equal(2n);
      await bus.connect(bob).accept(carol.address);
      expect((await bus.quote(carol.address, accountTarget(bob.address))).fee).to.equal(2n);
    });
  });

  describe("surge pricing", function () {
    it("each further message of a sender within the window costs the multiplier more; quote always equals the charge", async function () {
      const f = await loadFixture(deployGroups);
      const { bus, groups, alice, bob, carol, openGroup } = f;
      await groups.connect(alice).setSurge(openGroup, 600, 20_000);
      const target = groupTarget(openGroup);
      const base = MSG_FLOOR + PUBLIC_FEE;
      for (const expected of [base, 2n * base, 4n * base, 8n * base]) {
        const { q, tx } = await sendQuoted(f, bob, target);
        expect(q.fee).to.equal(expected);
        await expect(tx).to.emit(bus, "MessageSent").withArgs(anyId(), target, bob.address, CONTENT, 0n, 1, 120, 0n, NATIVE, expected, MSG_FLOOR);
      }
      // Another sender has its own window.
      expect((await bus.quote(carol.address, target)).fee).to.equal(base);
      // The window passes: back to the base price.
      await time.increase(600);
      expect((await bus.quote(bob.address, target)).fee).to.equal(base);
      await (await sendQuoted(f, bob, target)).tx;
      expect((await bus.quote(bob.address, target)).fee).to.equal(2n * base);
      // The protocol always takes the floor; the surge goes to the group.
      expect(await bus.groupCreditOf(openGroup, NATIVE)).to.equal(16n * base - 5n * MSG_FLOOR);
    });

    it("the window ends exactly `window` seconds after its first message", async function () {
      const f = await loadFixture(deployGroups);
      const { bus, groups, alice, bob, openGroup } = f;
      await groups.connect(alice).setSurge(openGroup, 600, 20_000);
      const target = groupTarget(openGroup);
      const base = MSG_FLOOR + PUBLIC_FEE;
      await (await sendQuoted(f, bob, target)).tx;
      const start = await time.latest();
      await time.setNextBlockTimestamp(start + 599);
      expect((await bus.quote(bob.address, target, { blockTag: "pending" })).fee).to.equal(2n * base);
      await time.setNextBlockTimestamp(start + 600);
      expect((await bus.quote(bob.address, target, { blockTag: "pending" })).fee).to.equal(base);
      await expect(bus.connect(bob).send(target, CONTENT, 0, META, { value: base })).to.emit(bus, "MessageSent");
    });

    it("the number of counted messages is capped", async function () {
      const f = await loadFixture(deployGroups);
      const { bus, governor, bob, carol } = f;
      await bus.connect(governor).setFloor(NATIVE, 0);
      await bus.connect(bob).setInbox(NATIVE, 1n, 1n, 3600, 10_001);
      const target = accountTarget(bob.address);
      const steps = Number(await bus.MAX_SURGE_STEPS());
      for (let i = 0; i < steps + 3; i++) await (await sendQuoted(f, carol, target)).tx;
      // 1 wei grows by 0.01% per step and rounds down: it never moves, and the count stops at the cap.
      expect((await bus.quote(carol.address, target)).fee).to.equal(1n);
    });

    it("allowed senders pay the floor only, without surge", async function () {
      const f = await loadFixture(deployGroups);
      const { bus, bob, carol } = f;
      await bus.connect(bob).setInbox(NATIVE, 100n, 100n, 600, 50_000);
      await bus.connect(bob).setContact(carol.address, Contact.Allowed);
      for (let i = 0; i < 3; i++) {
        const { q, tx } = await sendQuoted(f, carol, accountTarget(bob.address));
        expect(q.fee).to.equal(MSG_FLOOR);
        await tx;
      }
    });
  });

  describe("withdrawals and governance", function () {
    it("payees, group owners and the fee recipient withdraw their own credits only", async function () {
      const f = await loadFixture(deployGroups);
      const { bus, busAddress, groups, admin, governor, alice, bob, carol, treasury, openGroup } = f;
      await bus.connect(bob).setInbox(NATIVE, 0, 1000n, 0, 0);
      await (await sendQuoted(f, carol, accountTarget(bob.address))).tx;
      await (await sendQuoted(f, carol, groupTarget(openGroup))).tx;
      await expect(bus.connect(bob).withdraw(NATIVE)).to.emit(bus, "Withdrawn").withArgs(bob.address, NATIVE, 1000n);
      await expect(bus.connect(bob).withdraw(NATIVE)).to.be.revertedWithCustomError(bus, "MessageBusNothingToWithdraw").withArgs(bob.address, NATIVE);
      for (const role of [admin, governor, bob]) {
        await expect(bus.connect(role).withdrawGroup(openGroup, NATIVE)).to.be.revertedWithCustomError(bus, "MessageBusNotGroupOwner").withArgs(openGroup, role.address);
        if (role !== bob) await expect(bus.connect(role).withdraw(NATIVE)).to.be.revertedWithCustomError(bus, "MessageBusNothingToWithdraw");
      }
      await expect(bus.connect(alice).withdrawGroup(openGroup, NATIVE)).to.emit(bus, "GroupWithdrawn").withArgs(openGroup, alice.address, NATIVE, PUBLIC_FEE);
      await expect(bus.connect(alice).withdrawGroup(openGroup, NATIVE)).to.be.revertedWithCustomError(bus, "MessageBusNothingToWithdraw");
      await expect(bus.connect(treasury).withdraw(NATIVE)).to.changeEtherBalances([treasury, busAddress], [2n * MSG_FLOOR, -2n * MSG_FLOOR]);
      expect(await bus.creditOf(treasury.address, NATIVE)).to.equal(0n);
      expect(await ethers.provider.getBalance(busAddress)).to.equal(0n);
      // A new group owner withdraws what the group earned before the transfer.
      await (await sendQuoted(f, carol, groupTarget(openGroup))).tx;
      await groups.connect(alice).transferOwnership(openGroup, bob.address);
      await groups.connect(bob).acceptOwnership(openGroup);
      await expect(bus.connect(bob).withdrawGroup(openGroup, NATIVE)).to.changeEtherBalance(bob, PUBLIC_FEE);
      await expect(carol.sendTransaction({ to: busAddress, value: 1n })).to.be.reverted;
    });

    it("the governor sets floors and the fee recipient; the previous recipient keeps what it earned", async function () {
      const f = await loadFixture(deployGroups);
      const { bus, admin, governor, carol, treasury, stranger, openGroup } = f;
      await (await sendQuoted(f, carol, groupTarget(openGroup))).tx;
      await expect(bus.connect(admin).setFloor(NATIVE, 1n)).to.be.revertedWithCustomError(bus, "AccessControlUnauthorizedAccount");
      await expect(bus.connect(admin).setFeeRecipient(stranger.address)).to.be.revertedWithCustomError(bus, "AccessControlUnauthorizedAccount");
      await expect(bus.connect(governor).setFloor(NATIVE, 2n ** 96n)).to.be.revertedWithCustomError(bus, "MessageBusAmountTooLarge");
      await expect(bus.connect(governor).setFeeRecipient(NATIVE)).to.be.revertedWithCustomError(bus, "MessageBusZeroAddress");
      await expect(bus.connect(governor).setFloor(NATIVE, 7n)).to.emit(bus, "FloorSet").withArgs(NATIVE, 7n);
      await expect(bus.connect(governor).setFeeRecipient(stranger.address)).to.emit(bus, "FeeRecipientChanged").withArgs(treasury.address, stranger.address);
      expect(await bus.creditOf(treasury.address, NATIVE)).to.equal(MSG_FLOOR);
      expect(await bus.creditOf(stranger.address, NATIVE)).to.equal(0n);
      await (await sendQuoted(f, carol, groupTarget(openGroup))).tx;
      expect(await bus.creditOf(stranger.address, NATIVE)).to.equal(7n);
      await expect(bus.connect(treasury).withdraw(NATIVE)).to.changeEtherBalance(treasury, MSG_FLOOR);
      await expect(bus.connect(stranger).withdraw(NATIVE)).to.changeEtherBalance(stranger, 7n);
      // A change with nothing accrued moves nothing.
      await bus.connect(governor).setFeeRecipient(treasury.address);
      expect(await bus.creditOf(stranger.address, NATIVE)).to.equal(0n);
    });
  });
});

/** Any message id (the surge test does not track them). */
function anyId() {
  return (value: bigint) => value > 0n;
}
