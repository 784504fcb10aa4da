import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import type { ContractTransactionReceipt } from "ethers";
import { deployMarket, NATIVE, PUBLIC, ref } from "../support/contracts";

/**
 * Properties over random sequences of purchases, whole-pod sales, relistings and withdrawals on a
 * lineage of four pods with random rates:
 *  - after every step, the market's balance of each token equals the sum of all credits in it;
 *  - every sale's fee + the ancestors' shares + the seller's proceeds equal its price, and the
 *    shares are exactly the parent's share floor(price * royaltyBps / 10000).
 */
const NUM_RUNS = 20;
const ACTORS = 6;

type Step =
  | { kind: "buy"; pod: number; actor: number }
  | { kind: "buyPod"; pod: number; actor: number }
  | { kind: "relist"; pod: number; erc20: boolean; price: bigint; podPrice: bigint }
  | { kind: "withdraw"; actor: number; erc20: boolean; to: number | null };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("buy" as const), pod: fc.nat(3), actor: fc.nat(ACTORS - 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("buyPod" as const), pod: fc.nat(3), actor: fc.nat(ACTORS - 1) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("relist" as const),
      pod: fc.nat(3),
      erc20: fc.boolean(),
      price: fc.bigInt({ min: 1n, max: 10n ** 19n }),
      podPrice: fc.bigInt({ min: 0n, max: 10n ** 19n }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("withdraw" as const), actor: fc.nat(ACTORS), erc20: fc.boolean(), to: fc.option(fc.nat(ACTORS - 1)) }) },
);

async function lineageMarket() {
  const f = await deployMarket();
  const actors = f.signers.slice(11, 11 + ACTORS);
  const usdAddress = await f.usd.getAddress();
  for (const actor of actors) {
    await f.usd.mint(actor.address, 1n << 100n);
    await f.usd.connect(actor).approve(f.marketAddress, ethers.MaxUint256);
    await f.registry.connect(actor).setApprovalForAll(f.marketAddress, true);
  }
  return { ...f, actors, usdAddress };
}

describe("PodMarket: properties", function () {
  it("books balance and every sale's shares sum to its price, over random sequences", async function () {
    this.timeout(600_000);
    let sales = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 2500 }), { minLength: 4, maxLength: 4 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.array(step, { minLength: 5, maxLength: 20 }),
        async (rawRates, feeBps, steps) => {
          const f = await loadFixture(lineageMarket);
          const { registry, market, usd, actors, treasury, marketAddress, usdAddress, governor } = f;
          if (feeBps !== 250) {
            await market.connect(governor).proposeFeeChange(feeBps);
            await ethers.provider.send("evm_increaseTime", [86_400]);
            await market.executeFeeChange();
          }
          // forkRoyaltyBps must not decrease down the lineage.
          const rates = [...rawRates].sort((a, b) => a - b);
          const pods: bigint[] = [];
          for (let i = 0; i < 4; i++) {
            const parent = i === 0 ? 0n : pods[i - 1];
            await registry.connect(actors[i]).publish(`p${i}`, ref(`p${i}`), PUBLIC, parent, parent === 0n ? 0 : 1, rates[i]);
            pods.push(await registry.totalPods());
            await market.connect(actors[i]).list(pods[i], NATIVE, 10n ** 18n, 10n ** 18n, false);
          }
          const payees = [...actors, treasury];
          const checkBooks = async () => {
            for (const token of [NATIVE, usdAddress]) {
              const credits = await Promise.all(payees.map((p) => market.creditOf(p.address, token)));
              const held = token === NATIVE ? await ethers.provider.getBalance(marketAddress) : await usd.balanceOf(marketAddress);
              expect(credits.reduce((a, b) => a + b, 0n)).to.equal(held);
            }
          };
          const checkSale = async (receipt: ContractTransactionReceipt | null, podId: bigint) => {
            let royalties = 0n;
            let sale: { price: bigint; fee: bigint; royalty: bigint; sellerProceeds: bigint } | undefined;
            for (const log of receipt!.logs) {
              if (log.address !== marketAddress) continue;
              const event = market.interface.parseLog(log);
              if (event?.name === "RoyaltyPaid") royalties += event.args.amount as bigint;
              if (event?.name === "LicensePurchased" || event?.name === "PodSold") sale = event.args as unknown as typeof sale;
            }
            expect(sale).not.to.equal(undefined);
            sales += 1;
            expect(sale!.fee + royalties + sale!.sellerProceeds).to.equal(sale!.price);
            expect(royalties).to.equal(sale!.royalty);
            const { royaltyBps } = await registry.pod(podId);
            expect(royalties).to.equal((sale!.price * royaltyBps) / 10_000n);
          };

          for (const s of steps) {
            if (s.kind === "buy" || s.kind === "buyPod") {
              const podId = pods[s.pod];
              const listing = await market.listing(podId);
              if (!listing.active) continue;
              const price = s.kind === "buy" ? listing.price : listing.podPrice;
              const value = listing.token === NATIVE ? price : 0n;
              const buyer = actors[s.actor];
              const call = s.kind === "buy" ? market.connect(buyer).buy : market.connect(buyer).buyPod;
              try {
                await call.staticCall(podId, 1, listing.token, price, { value });
              } catch {
                continue; // own pod, already licensed, not for sale...
              }
              await checkSale(await (await call(podId, 1, listing.token, price, { value })).wait(), podId);
            } else if (s.kind === "relist") {
              const podId = pods[s.pod];
              const current = await registry.ownerOf(podId);
              const seller = actors.find((a) => a.address === current);
              if (!seller) continue;
              const price = s.erc20 ? s.price * 1000n : s.price;
              await market.connect(seller).list(podId, s.erc20 ? usdAddress : NATIVE, price, s.podPrice, false);
            } else {
              const payee = payees[s.actor];
              const token = s.erc20 ? usdAddress : NATIVE;
              if ((await market.creditOf(payee.address, token)) === 0n) continue;
              if (s.to === null) await market.connect(payee).withdraw(token);
              else await market.connect(payee).withdrawTo(token, actors[s.to].address);
            }
            await checkBooks();
          }
        },
      ),
      { numRuns: NUM_RUNS },
    );
    expect(sales).to.be.greaterThan(NUM_RUNS);
  });
});
