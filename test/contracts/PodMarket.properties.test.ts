import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { BPS, NATIVE, PUBLIC, ref } from "../support/contracts";

/**
 * Property: whatever the prices, the fee, the royalties and the sequence of purchases and
 * withdrawals, the market's books balance to the wei:
 *  - each account's credit equals what a plain model of the split says it should be;
 *  - everything paid in == everything still credited + everything withdrawn, per token;
 *  - the market's balance of each token == the sum of all withdrawable credits in that token.
 */

const NUM_RUNS = 30;
const NATIVE_MAX = 10n ** 20n; // 100 coins: the dev accounts hold 10,000 each
const ERC20_MAX = (1n << 96n) - 1n; // the largest price a listing can hold

type Step =
  | { kind: "buy"; pod: number; actor: number }
  | { kind: "buyPod"; pod: number; actor: number }
  | { kind: "relist"; pod: number; erc20: boolean; price: bigint; podPrice: bigint }
  | { kind: "withdraw"; actor: number; erc20: boolean }
  | { kind: "setFee"; bps: number }
  | { kind: "pause"; paused: boolean };

interface PodSetup {
  erc20: boolean;
  price: bigint;
  podPrice: bigint;
}

interface Scenario {
  feeBps: number;
  forkRoyalties: [number, number, number];
  pods: [PodSetup, PodSetup, PodSetup];
  steps: Step[];
}

const ACTORS = 6;
const POD_NAMES = ["root", "fork", "fork-of-fork"];

async function baseMarket() {
  const signers = await ethers.getSigners();
  const [admin, treasury] = signers;
  const actors = signers.slice(2, 2 + ACTORS);
  const registry = await ethers.deployContract("PodRegistry");
  const market = await ethers.deployContract("PodMarket", [await registry.getAddress(), admin.address, treasury.address, 0]);
  const usd = await ethers.deployContract("MockERC20", ["Test USD", "TUSD"]);
  const marketAddress = await market.getAddress();
  await market.setTokenAllowed(await usd.getAddress(), true);
  for (const actor of actors) {
    await usd.mint(actor.address, 1n << 120n);
    await usd.connect(actor).approve(marketAddress, ethers.MaxUint256);
    await registry.connect(actor).setApprovalForAll(marketAddress, true);
  }
  return { registry, market, usd, admin, treasury, actors, marketAddress, usdAddress: await usd.getAddress() };
}

const podSetup = fc.record({
  erc20: fc.boolean(),
  price: fc.bigInt({ min: 1n, max: NATIVE_MAX }),
  podPrice: fc.bigInt({ min: 1n, max: NATIVE_MAX }),
});

function scaled(setup: PodSetup): PodSetup {
  // ERC-20 prices range up to uint96 max; native ones stay within what the dev accounts hold.
  if (!setup.erc20) return setup;
  return { ...setup, price: (setup.price * ERC20_MAX) / NATIVE_MAX || 1n, podPrice: (setup.podPrice * ERC20_MAX) / NATIVE_MAX || 1n };
}

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("buy" as const), pod: fc.nat(2), actor: fc.nat(ACTORS - 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("buyPod" as const), pod: fc.nat(2), actor: fc.nat(ACTORS - 1) }) },
  {
    weight: 1,
    arbitrary: fc
      .record({ kind: fc.constant("relist" as const), pod: fc.nat(2), erc20: fc.boolean(), price: fc.bigInt({ min: 1n, max: NATIVE_MAX }), podPrice: fc.bigInt({ min: 1n, max: NATIVE_MAX }) })
      .map((relist) => ({ ...relist, ...scaled(relist) })),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("withdraw" as const), actor: fc.nat(ACTORS), erc20: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("setFee" as const), bps: fc.nat(1000) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("pause" as const), paused: fc.boolean() }) },
);

const scenario: fc.Arbitrary<Scenario> = fc.record({
  feeBps: fc.nat(1000),
  forkRoyalties: fc.tuple(fc.nat(2500), fc.nat(2500), fc.nat(2500)),
  pods: fc.tuple(podSetup.map(scaled), podSetup.map(scaled), podSetup.map(scaled)),
  steps: fc.array(step, { minLength: 1, maxLength: 12 }),
});

/** The books as the test expects them to be. */
class Model {
  readonly credits = new Map<string, bigint>();
  readonly paidIn = new Map<string, bigint>();
  readonly withdrawn = new Map<string, bigint>();
  readonly owners: string[] = [];
  readonly royaltyBps: bigint[] = [];
  readonly listings: (({ token: string } & PodSetup) | undefined)[] = [];
  readonly licences = new Set<string>();
  feeBps = 0n;
  paused = false;

  constructor(readonly treasury: string) {}

  credit(account: string, token: string, amount: bigint) {
    if (amount === 0n) return;
    const key = `${account}:${token}`;
    this.credits.set(key, (this.credits.get(key) ?? 0n) + amount);
  }

  creditOf(account: string, token: string): bigint {
    return this.credits.get(`${account}:${token}`) ?? 0n;
  }

  add(book: Map<string, bigint>, token: string, amount: bigint) {
    book.set(token, (book.get(token) ?? 0n) + amount);
  }

  /** Credits a sale of pod `index` at `price`; mirrors the contract's split (royalty on the full price). */
  sell(index: number, token: string, price: bigint) {
    const seller = this.owners[index];
    const fee = (price * this.feeBps) / BPS;
    let royalty = 0n;
    if (index > 0) {
      const receiver = this.owners[index - 1];
      const owed = (price * this.royaltyBps[index]) / BPS;
      if (receiver !== seller) {
        royalty = owed;
        this.credit(receiver, token, royalty);
      }
    }
    this.credit(this.treasury, token, fee);
    this.credit(seller, token, price - fee - royalty);
    this.add(this.paidIn, token, price);
  }
}

describe("PodMarket: accounting properties (fast-check)", function () {
  this.timeout(180_000);

  it("credits + withdrawals == payments, and the market holds exactly the credits, for any prices, fees and royalties", async function () {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ feeBps, forkRoyalties, pods, steps }) => {
        const { registry, market, usd, treasury, actors, marketAddress, usdAddress } = await loadFixture(baseMarket);
        const tokenOf = (erc20: boolean) => (erc20 ? usdAddress : NATIVE);
        const model = new Model(treasury.address);
        const accounts = [...actors.map((actor) => actor.address), treasury.address];

        await market.setFee(feeBps);
        model.feeBps = BigInt(feeBps);
        // pod 1 is an original by actor 0; pod 2 forks it (actor 1); pod 3 forks pod 2 (actor 2).
        for (let index = 0; index < 3; index++) {
          const publisher = actors[index];
          const parent = index === 0 ? 0n : BigInt(index);
          await registry.connect(publisher).publish(POD_NAMES[index], ref(POD_NAMES[index]), PUBLIC, parent, index === 0 ? 0 : 1, forkRoyalties[index]);
          model.owners.push(publisher.address);
          model.royaltyBps.push(index === 0 ? 0n : BigInt(forkRoyalties[index - 1]));
          const setup = pods[index];
          await market.connect(publisher).list(index + 1, tokenOf(setup.erc20), setup.price, setup.podPrice);
          model.listings.push({ ...setup, token: tokenOf(setup.erc20) });
        }

        const signerOf = (address: string): HardhatEthersSigner => {
          const found = actors.find((actor) => actor.address === address) ?? (address === treasury.address ? treasury : undefined);
          if (!found) throw new Error(`no signer for ${address}`);
          return found;
        };

        async function checkBooks(after: string) {
          for (const token of [NATIVE, usdAddress]) {
            let credited = 0n;
            for (const account of accounts) {
              const onChain = await market.balanceOf(account, token);
              expect(onChain, `${after}: credit of ${account} in ${token}`).to.equal(model.creditOf(account, token));
              credited += onChain;
            }
            const held = token === NATIVE ? await ethers.provider.getBalance(marketAddress) : await usd.balanceOf(marketAddress);
            expect(held, `${after}: market balance of ${token} vs credits`).to.equal(credited);
            expect(credited + (model.withdrawn.get(token) ?? 0n), `${after}: paid in vs credited + withdrawn`).to.equal(model.paidIn.get(token) ?? 0n);
          }
        }

        for (const [position, current] of steps.entries()) {
          const label = `step ${position} ${current.kind}`;
          switch (current.kind) {
            case "buy": {
              const buyer = actors[current.actor];
              const listing = model.listings[current.pod];
              const licence = `${current.pod}:${buyer.address}`;
              const podId = current.pod + 1;
              const succeeds =
                !model.paused && listing !== undefined && model.owners[current.pod] !== buyer.address && !model.licences.has(licence);
              const value = listing && listing.token === NATIVE ? listing.price : 0n;
              const tx = market.connect(buyer).buy(podId, listing?.token ?? NATIVE, listing?.price ?? 0n, { value });
              if (!succeeds || !listing) {
                await expect(tx, label).to.be.reverted;
                break;
              }
              await expect(tx, label).to.emit(market, "LicensePurchased");
              model.licences.add(licence);
              model.sell(current.pod, listing.token, listing.price);
              break;
            }
            case "buyPod": {
              const buyer = actors[current.actor];
              const listing = model.listings[current.pod];
              const podId = current.pod + 1;
              const succeeds = !model.paused && listing !== undefined && model.owners[current.pod] !== buyer.address;
              const value = listing && listing.token === NATIVE ? listing.podPrice : 0n;
              const tx = market.connect(buyer).buyPod(podId, listing?.token ?? NATIVE, listing?.podPrice ?? 0n, { value });
              if (!succeeds || !listing) {
                await expect(tx, label).to.be.reverted;
                break;
              }
              await expect(tx, label).to.emit(market, "PodSold");
              model.sell(current.pod, listing.token, listing.podPrice);
              model.owners[current.pod] = buyer.address;
              model.listings[current.pod] = undefined;
              break;
            }
            case "relist": {
              const owner = signerOf(model.owners[current.pod]);
              const token = tokenOf(current.erc20);
              const tx = market.connect(owner).list(current.pod + 1, token, current.price, current.podPrice);
              if (model.paused) {
                await expect(tx, label).to.be.revertedWithCustomError(market, "EnforcedPause");
                break;
              }
              await expect(tx, label).to.emit(market, "Listed");
              model.listings[current.pod] = { erc20: current.erc20, price: current.price, podPrice: current.podPrice, token };
              break;
            }
            case "withdraw": {
              const account = accounts[current.actor];
              const token = tokenOf(current.erc20);
              const owed = model.creditOf(account, token);
              const tx = market.connect(signerOf(account)).withdraw(token);
              if (owed === 0n) {
                await expect(tx, label).to.be.revertedWithCustomError(market, "NothingToWithdraw");
                break;
              }
              await expect(tx, label).to.emit(market, "Withdrawn").withArgs(account, token, owed);
              model.credits.delete(`${account}:${token}`);
              model.add(model.withdrawn, token, owed);
              break;
            }
            case "pause": {
              // Withdrawals must keep working while paused; the books must not move.
              if (current.paused !== model.paused) await (current.paused ? market.pause() : market.unpause());
              model.paused = current.paused;
              break;
            }
            case "setFee": {
              await market.setFee(current.bps);
              model.feeBps = BigInt(current.bps);
              break;
            }
          }
          await checkBooks(label);
        }

        // Finally everyone withdraws everything: the market ends empty in every token.
        for (const account of accounts) {
          for (const token of [NATIVE, usdAddress]) {
            const owed = model.creditOf(account, token);
            if (owed === 0n) continue;
            await market.connect(signerOf(account)).withdraw(token);
            model.credits.delete(`${account}:${token}`);
            model.add(model.withdrawn, token, owed);
          }
        }
        await checkBooks("final withdrawals");
        expect(await ethers.provider.getBalance(marketAddress)).to.equal(0n);
        expect(await usd.balanceOf(marketAddress)).to.equal(0n);
        expect(model.withdrawn.get(NATIVE) ?? 0n).to.equal(model.paidIn.get(NATIVE) ?? 0n);
        expect(model.withdrawn.get(usdAddress) ?? 0n).to.equal(model.paidIn.get(usdAddress) ?? 0n);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("fee + royalty + seller share == price for every price, fee and royalty (the emitted split)", async function () {
    const { registry, market, actors } = await loadFixture(baseMarket);
    const [alice, bob, carol] = actors;
    await registry.connect(alice).publish("root", ref("root"), PUBLIC, 0, 0, 2500);
    await registry.connect(bob).publish("fork", ref("fork"), PUBLIC, 1, 1, 0);
    let buyers = 0;
    await fc.assert(
      fc.asyncProperty(fc.bigInt({ min: 1n, max: NATIVE_MAX }), fc.nat(1000), async (price, feeBps) => {
        await market.setFee(feeBps);
        await market.connect(bob).list(2, NATIVE, price, 0);
        // A fresh buyer each time, so that AlreadyLicensed never applies.
        const buyer = ethers.Wallet.createRandom().connect(ethers.provider);
        await carol.sendTransaction({ to: buyer.address, value: price + ethers.parseEther("1") });
        buyers += 1;
        const receipt = await (await market.connect(buyer).buy(2, NATIVE, price, { value: price })).wait();
        const parsed = receipt?.logs.map((log) => market.interface.parseLog(log)).find((log) => log?.name === "LicensePurchased");
        if (!parsed) throw new Error("no LicensePurchased event");
        const { fee, royalty, sellerProceeds } = parsed.args;
        expect(fee + royalty + sellerProceeds).to.equal(price);
        expect(fee).to.equal((price * BigInt(feeBps)) / BPS);
        expect(royalty).to.equal((price * 2500n) / BPS);
      }),
      { numRuns: 25 },
    );
    expect(buyers).to.equal(25);
  });
});
