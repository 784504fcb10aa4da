import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import type { ContractTransactionResponse } from "ethers";
import { accountTarget, deployGroups, groupTarget, JOIN_FEE, NATIVE, ref } from "../support/contracts";

/**
 * Properties over random sequences of joins, leaves, requests and approvals, bans and unbans,
 * messages to groups and accounts (native coin and usd, with surge pricing on group 1 and dave's
 * inbox), contact acceptances, time jumps and withdrawals of every kind:
 *  - every send charges exactly the quote taken just before it (and a send reverts exactly when its
 *    quote does), so N messages cost the sum of their quotes;
 *  - after every step, MessageBus's balance of each token = all account credits + all group credits
 *    = everything charged − everything withdrawn, and GroupRegistry's = the sum of its treasuries.
 */
type Step =
  | { kind: "join" | "leave" | "request"; actor: number; group: number }
  | { kind: "ban" | "unban" | "approve"; actor: number; group: number }
  | { kind: "send"; actor: number; target: number }
  | { kind: "accept"; recipient: number; sender: number }
  | { kind: "wait"; seconds: number }
  | { kind: "withdraw"; payee: number; erc20: boolean }
  | { kind: "withdrawGroup" | "withdrawTreasury"; group: number; erc20: boolean };

const actor = fc.nat(3);
const group = fc.integer({ min: 1, max: 3 });
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom("join" as const, "leave" as const, "request" as const), actor, group }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom("ban" as const, "unban" as const, "approve" as const), actor, group }) },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant("send" as const), actor, target: fc.nat(5) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("accept" as const), recipient: fc.nat(2), sender: actor }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("wait" as const), seconds: fc.integer({ min: 1, max: 400 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("withdraw" as const), payee: fc.nat(4), erc20: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom("withdrawGroup" as const, "withdrawTreasury" as const), group, erc20: fc.boolean() }) },
);

/** Sets up surge pricing and inboxes on top of the groups fixture. */
async function deployed() {
  const f = await deployGroups();
  const { bus, groups, governor, alice, bob, carol, dave, usdAddress, openGroup } = f;
  await bus.connect(governor).setFloor(usdAddress, 2n);
  await groups.connect(alice).setSurge(openGroup, 300, 20_000);
  await bus.connect(bob).setInbox(NATIVE, ethers.parseEther("0.001"), ethers.parseEther("0.003"), 0, 0);
  await bus.connect(carol).setInbox(usdAddress, 7n, 30n, 0, 0);
  await bus.connect(dave).setInbox(NATIVE, ethers.parseEther("0.0005"), 0, 120, 15_000);
  return f;
}

async function succeeds(sent: Promise<ContractTransactionResponse>): Promise<ContractTransactionResponse | undefined> {
  try {
    const tx = await sent;
    await tx.wait();
    return tx;
  } catch {
    return undefined;
  }
}

describe("MessageBus: properties", function () {
  it("every send charges its quote, and the books balance, over random sequences", async function () {
    this.timeout(600_000);
    let sends = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 20, maxLength: 45 }), async (steps) => {
        const f = await loadFixture(deployed);
        const { bus, busAddress, groups, groupsAddress, usd, usdAddress, alice, bob, carol, dave, erin, treasury } = f;
        const actors = [bob, carol, dave, erin];
        const targets = [groupTarget(1n), groupTarget(2n), groupTarget(3n), accountTarget(bob.address), accountTarget(carol.address), accountTarget(dave.address)];
        const payees = [alice, bob, carol, dave, erin, treasury];
        const charged = new Map<string, bigint>([[NATIVE, 0n], [usdAddress, 0n]]);
        const withdrawn = new Map<string, bigint>([[NATIVE, 0n], [usdAddress, 0n]]);
        const out = (token: string, amount: bigint) => withdrawn.set(token, withdrawn.get(token)! + amount);

        for (const s of steps) {
          switch (s.kind) {
            case "join": {
              const value = s.group === 2 ? JOIN_FEE : 0n;
              await succeeds(groups.connect(actors[s.actor]).join(s.group, { value }));
              break;
            }
            case "leave":
              await succeeds(groups.connect(actors[s.actor]).leave(s.group));
              break;
            case "request":
              await succeeds(groups.connect(actors[s.actor]).requestToJoin(s.group));
              break;
            case "ban":
            case "unban":
            case "approve":
              await succeeds(groups.connect(alice)[s.kind](s.group, actors[s.actor].address));
              break;
            case "accept":
              await succeeds(bus.connect([bob, carol, dave][s.recipient]).accept(actors[s.sender].address));
              break;
            case "wait":
              await time.increase(s.seconds);
              break;
            case "send": {
              const sender = actors[s.actor];
              const target = targets[s.target];
              // Quote on the pending block, whose timestamp is the one the send will see.
              await time.setNextBlockTimestamp((await time.latest()) + 1);
              let quoted: Awaited<ReturnType<typeof bus.quote>> | undefined;
              try {
                quoted = await bus.quote(sender.address, target, { blockTag: "pending" });
              } catch {
                quoted = undefined;
              }
              const before = await Promise.all([ethers.provider.getBalance(busAddress), usd.balanceOf(busAddress)]);
              const value = quoted?.token === NATIVE ? quoted.fee : 0n;
              const tx = await succeeds(bus.connect(sender).send(target, ref(sends), 0, { contentType: 0, size: 1, replyTo: 0 }, { value }));
              expect(tx !== undefined).to.equal(quoted !== undefined, "send reverts exactly when its quote does");
              if (!tx || !quoted) break;
              sends += 1;
              const after = await Promise.all([ethers.provider.getBalance(busAddress), usd.balanceOf(busAddress)]);
              const received = quoted.token === NATIVE ? after[0] - before[0] : after[1] - before[1];
              expect(received).to.equal(quoted.fee, "charged = quoted");
              await expect(tx).to.emit(bus, "MessageSent").withArgs(await bus.messageCount(), target, sender.address, ref(sends - 1), 0n, 0, 1, 0n, quoted.token, quoted.fee, quoted.protocolFee);
              charged.set(quoted.token, charged.get(quoted.token)! + quoted.fee);
              break;
            }
            case "withdraw": {
              const payee = payees[s.payee];
              const token = s.erc20 ? usdAddress : NATIVE;
              const credit = await bus.creditOf(payee.address, token);
              const tx = await succeeds(bus.connect(payee).withdraw(token));
              expect(tx !== undefined).to.equal(credit !== 0n);
              if (tx) out(token, credit);
              break;
            }
            case "withdrawGroup": {
              const token = s.erc20 ? usdAddress : NATIVE;
              const credit = await bus.groupCreditOf(s.group, token);
              if (await succeeds(bus.connect(alice).withdrawGroup(s.group, token))) out(token, credit);
              break;
            }
            case "withdrawTreasury":
              await succeeds(groups.connect(alice).withdrawTreasury(s.group, s.erc20 ? usdAddress : NATIVE));
              break;
          }

          for (const token of [NATIVE, usdAddress]) {
            let credits = 0n;
            for (const payee of payees) credits += await bus.creditOf(payee.address, token);
            let treasuries = 0n;
            for (const g of [1n, 2n, 3n]) {
              credits += await bus.groupCreditOf(g, token);
              treasuries += await groups.treasuryOf(g, token);
            }
            const busBalance = token === NATIVE ? await ethers.provider.getBalance(busAddress) : await usd.balanceOf(busAddress);
            const groupsBalance = token === NATIVE ? await ethers.provider.getBalance(groupsAddress) : await usd.balanceOf(groupsAddress);
            expect(busBalance).to.equal(credits, "MessageBus balance = credits");
            expect(busBalance).to.equal(charged.get(token)! - withdrawn.get(token)!, "MessageBus balance = sum of quotes - withdrawals");
            expect(groupsBalance).to.equal(treasuries, "GroupRegistry balance = treasuries");
          }
        }
      }),
      { numRuns: 20 },
    );
    expect(sends).to.be.greaterThan(50);
  });
});
