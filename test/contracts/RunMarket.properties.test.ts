import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import type { ContractTransactionResponse } from "ethers";
import { CLAIM_WINDOW, deployRunMarket, NATIVE, ref } from "../support/contracts";

/**
 * Properties over random sequences of requests (runs and tasks, any or named runner, native coin or
 * usd), claims, completions, failures in every phase, expiries, cancellations, time jumps and
 * withdrawals:
 *  - every ended run: escrowed in = paid out (pod owners, fees, runners) + refunded, to the wei;
 *  - slashed in total = what the runners' bonds lost;
 *  - after every step, the contract's balance of each token = the escrow left in open runs + all
 *    credits (+ all bonds, for the native coin).
 */
const NUM_RUNS = 15;

type Step =
  | { kind: "request"; task: boolean; erc20: boolean; runner: number; max: bigint; ttl: number }
  | { kind: "claim"; run: number; runner: number }
  | { kind: "complete"; run: number; fail: number }
  | { kind: "expire"; run: number }
  | { kind: "cancel"; run: number }
  | { kind: "wait"; seconds: number }
  | { kind: "withdraw"; payee: number; erc20: boolean };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("request" as const),
      task: fc.boolean(),
      erc20: fc.boolean(),
      runner: fc.nat(3),
      max: fc.bigInt({ min: 0n, max: 10n ** 17n }),
      ttl: fc.integer({ min: 60, max: 3 * CLAIM_WINDOW }),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("claim" as const), run: fc.nat(9), runner: fc.nat(2) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("complete" as const), run: fc.nat(9), fail: fc.integer({ min: -3, max: 6 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("expire" as const), run: fc.nat(9) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("cancel" as const), run: fc.nat(9) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("wait" as const), seconds: fc.integer({ min: 1, max: 2 * CLAIM_WINDOW }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("withdraw" as const), payee: fc.nat(7), erc20: fc.boolean() }) },
);

describe("RunMarket: properties", function () {
  it("escrow in = paid out + refunded, slashes come from bonds, and the books balance, over random sequences", async function () {
    this.timeout(600_000);
    let ended = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 20, maxLength: 40 }), async (steps) => {
        const f = await loadFixture(deployRunMarket);
        const { runMarket, runMarketAddress, usd, usdAddress, carol, alice, bob, treasury, alicePod, bobFork, runner1, runner2, runner3 } = f;
        const runners = [runner1, runner2, runner3];
        const payees = [carol, alice, bob, treasury, runner1, runner2, runner3];
        const bondsAtStart = await Promise.all(runners.map(async (r) => (await runMarket.runnerInfo(r.address)).bond));
        const escrowIn = new Map<bigint, bigint>();
        const paidOut = new Map<bigint, bigint>();
        let slashed = 0n;
        const add = (runId: bigint, amount: bigint) => paidOut.set(runId, (paidOut.get(runId) ?? 0n) + amount);

        const record = async (sent: Promise<ContractTransactionResponse>) => {
          const receipt = await (await sent).wait();
          for (const log of receipt!.logs) {
            if (log.address !== runMarketAddress) continue;
            const event = runMarket.interface.parseLog(log);
            if (!event) continue;
            const a = event.args;
            switch (event.name) {
              case "RunRequested":
              case "TaskRequested":
                escrowIn.set(a.runId as bigint, a.escrow as bigint);
                break;
              case "StageCompleted":
                add(a.runId as bigint, (a.podProceeds as bigint) + (a.fee as bigint) + (a.runnerFee as bigint));
                break;
              case "RunCompleted":
              case "RunExpired":
              case "RunCancelled":
                add(a.runId as bigint, a.refund as bigint);
                ended += 1;
                break;
              case "RunFailed":
                add(a.runId as bigint, (a.runnerPaid as bigint) + (a.refund as bigint));
                ended += 1;
                break;
              case "ClaimLapsed":
                slashed += a.slashed as bigint;
                break;
            }
          }
        };
        const tryTx = async (send: () => Promise<ContractTransactionResponse>, probe: () => Promise<unknown>) => {
          try {
            await probe();
          } catch {
            return; // not allowed in this state: the property is about what the contract accepts
          }
          await record(send());
        };

        const checkBooks = async () => {
          const count = await runMarket.runCount();
          const left = { native: 0n, usd: 0n };
          for (let id = 1n; id <= count; id++) {
            const run = await runMarket.run(id);
            if (run.token === NATIVE) left.native += run.escrow;
            else left.usd += run.escrow;
            if (run.status >= 3n) expect(paidOut.get(id) ?? 0n, `run ${id}`).to.equal(escrowIn.get(id));
          }
          const bonds = await Promise.all(runners.map(async (r) => (await runMarket.runnerInfo(r.address)).bond));
          const bondSum = bonds.reduce((x, y) => x + y, 0n);
          expect(bondsAtStart.reduce((x, y) => x + y, 0n) - bondSum).to.equal(slashed);
          const nativeCredits = (await Promise.all(payees.map((p) => runMarket.creditOf(p.address, NATIVE)))).reduce((x, y) => x + y, 0n);
          const usdCredits = (await Promise.all(payees.map((p) => runMarket.creditOf(p.address, usdAddress)))).reduce((x, y) => x + y, 0n);
          expect(await ethers.provider.getBalance(runMarketAddress)).to.equal(left.native + nativeCredits + bondSum);
          expect(await usd.balanceOf(runMarketAddress)).to.equal(left.usd + usdCredits);
        };

        for (const s of steps) {
          const count = await runMarket.runCount();
          const runId = count === 0n ? 0n : (BigInt(s.kind === "request" || s.kind === "wait" || s.kind === "withdraw" ? 0 : s.run) % count) + 1n;
          if (s.kind === "request") {
            const named = s.runner < 3 ? runners[s.runner].address : NATIVE;
            const token = s.erc20 ? usdAddress : NATIVE;
            const podId = s.erc20 ? bobFork : alicePod; // alice's pod is priced in the native coin, bob's fork is free
            const stages = s.task ? [{ podId, version: 0 }, { podId: bobFork, version: 0 }] : [{ podId, version: 0 }];
            // Mine first: under coverage blocks are slow, and the next block's time follows the clock.
            await ethers.provider.send("evm_mine", []);
            const end = (await time.latest()) + s.ttl;
            let value = s.erc20 ? 0n : s.max;
            if (named !== NATIVE) {
              const [fee] = await runMarket.runnerFee(named, token);
              const price = s.erc20 ? 0n : (await runMarket.runPrice(alicePod)).price;
              const due = price + fee * BigInt(stages.length);
              value = s.erc20 ? 0n : due;
            }
            const send = () =>
              s.task
                ? runMarket.connect(carol).requestTask(stages, ref("in"), token, s.max, end, named, { value })
                : runMarket.connect(carol).requestRun(podId, 0, ref("in"), token, s.max, end, named, { value });
            const probe = () =>
              s.task
                ? runMarket.connect(carol).requestTask.staticCall(stages, ref("in"), token, s.max, end, named, { value })
                : runMarket.connect(carol).requestRun.staticCall(podId, 0, ref("in"), token, s.max, end, named, { value });
            await tryTx(send, probe);
          } else if (s.kind === "claim" && runId !== 0n) {
            const r = runners[s.runner];
            await tryTx(() => runMarket.connect(r).claim(runId), () => runMarket.connect(r).claim.staticCall(runId));
          } else if (s.kind === "complete" && runId !== 0n) {
            const run = await runMarket.run(runId);
            const holder = runners.find((r) => r.address === run.runner);
            if (!holder) continue;
            const m = runMarket.connect(holder);
            if (s.fail < 0) {
              await tryTx(() => m.completeStage(runId, run.nextStage, ref("o"), ref("l")), () => m.completeStage.staticCall(runId, run.nextStage, ref("o"), ref("l")));
            } else {
              await tryTx(() => m.fail(runId, s.fail, ref("l")), () => m.fail.staticCall(runId, s.fail, ref("l")));
            }
          } else if (s.kind === "expire" && runId !== 0n) {
            await tryTx(() => runMarket.expire(runId), () => runMarket.expire.staticCall(runId));
          } else if (s.kind === "cancel" && runId !== 0n) {
            await tryTx(() => runMarket.connect(carol).cancel(runId), () => runMarket.connect(carol).cancel.staticCall(runId));
          } else if (s.kind === "wait") {
            await time.increase(s.seconds);
          } else if (s.kind === "withdraw") {
            const payee = payees[s.payee % payees.length];
            const token = s.erc20 ? usdAddress : NATIVE;
            await tryTx(() => runMarket.connect(payee).withdraw(token), () => runMarket.connect(payee).withdraw.staticCall(token));
          }
          await checkBooks();
        }
      }),
      { numRuns: NUM_RUNS },
    );
    // The sequences must end runs for the books to mean anything; random sequences end about one or
    // two runs each, and one in 15 ending none is common, so the guard asks for half of NUM_RUNS.
    expect(ended).to.be.greaterThanOrEqual(Math.ceil(NUM_RUNS / 2));
  });
});
