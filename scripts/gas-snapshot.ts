/**
 * `npm run gas`: measures the gas of every PodRegistry / PodMarket function over one fixed scenario on
 * the in-process Hardhat network and writes `gas-snapshot.md` (committed). The scenario is
 * deterministic, so the figures only move when the contracts (or the scenario) change.
 *
 * Run with `hardhat run scripts/gas-snapshot.ts`; with GAS_CHECK=1 it exits non-zero when a median target is missed.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import hre from "hardhat";
import type { ContractTransactionResponse } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { PodMarket, PodRegistry } from "../typechain-types";

const NATIVE = "0x0000000000000000000000000000000000000000";
const PUBLIC = 1;
const PRIVATE = 0;

/** Median targets from issues 2, 13 and 14. */
const TARGETS: Record<string, number> = {
  "PodRegistry.publish": 160_000,
  "PodMarket.buy (native, original)": 100_000,
  "PodMarket.withdraw (native)": 40_000,
  "RunMarket.requestRun (native)": 120_000,
  "RunMarket.claim": 60_000,
  "RunMarket.complete": 90_000,
  "MessageBus.send (group, native)": 50_000,
};

type Samples = Map<string, number[]>;

function ref(seed: number): string {
  return hre.ethers.keccak256(hre.ethers.toUtf8Bytes(`manifest-${seed}`));
}

async function measure(samples: Samples, label: string, send: Promise<ContractTransactionResponse>): Promise<void> {
  const receipt = await (await send).wait();
  if (!receipt || receipt.status !== 1) throw new Error(`${label} failed`);
  const list = samples.get(label) ?? [];
  list.push(Number(receipt.gasUsed));
  samples.set(label, list);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : Math.round((sorted[middle - 1] + sorted[middle]) / 2);
}

async function deployments(samples: Samples, deployer: HardhatEthersSigner, roles: HardhatEthersSigner[]) {
  const [admin, governor, pauser, treasury] = roles;
  const record = async (label: string, contract: { deploymentTransaction(): { wait(): Promise<{ gasUsed: bigint } | null> } | null }) => {
    const receipt = await contract.deploymentTransaction()?.wait();
    samples.set(label, [Number(receipt?.gasUsed ?? 0)]);
  };
  const registry = await hre.ethers.deployContract("PodRegistry", [], deployer);
  await record("PodRegistry deployment", registry);
  const licenses = await hre.ethers.deployContract(
    "PodLicenses",
    [await registry.getAddress(), 3 * 86_400, admin.address, hre.ethers.ZeroAddress],
    deployer,
  );
  await record("PodLicenses deployment", licenses);
  const market = await hre.ethers.deployContract(
    "PodMarket",
    [await registry.getAddress(), await licenses.getAddress(), 3 * 86_400, admin.address, governor.address, pauser.address, treasury.address, 250, 86_400],
    deployer,
  );
  await record("PodMarket deployment", market);
  await measure(samples, "PodLicenses.grantRole (minter)", licenses.connect(admin).grantRole(await licenses.MINTER_ROLE(), await market.getAddress()));
  const token = await hre.ethers.deployContract("MockERC20", ["Test USD", "TUSD"], deployer);
  await token.waitForDeployment();
  return { registry, licenses, market, token, governor, pauser, admin, treasury };
}

/** The fixed scenario: 4 publishers, originals and forks, versions, listings, licences, pod sales, withdrawals. */
async function runScenario(samples: Samples): Promise<void> {
  const signers = await hre.ethers.getSigners();
  const [deployer, ...rest] = signers;
  const publishers = rest.slice(0, 4);
  const buyers = rest.slice(4, 12);
  const deployed = await deployments(samples, deployer, rest.slice(12, 16));
  const { registry, market, token, governor, pauser } = deployed;
  const marketAddress = await market.getAddress();
  const tokenAddress = await token.getAddress();

  await measure(samples, "PodMarket.setTokenAllowed", market.connect(governor).setTokenAllowed(tokenAddress, true));
  await measure(samples, "PodMarket.proposeFeeChange", market.connect(governor).proposeFeeChange(300));
  await measure(samples, "PodMarket.cancelFeeChange", market.connect(governor).cancelFeeChange());
  await measure(samples, "PodMarket.proposeFeeChange", market.connect(governor).proposeFeeChange(250));
  await hre.network.provider.send("evm_increaseTime", [86_400]);
  await measure(samples, "PodMarket.executeFeeChange", market.executeFeeChange());
  await measure(samples, "PodMarket.setFeeRecipient", market.connect(governor).setFeeRecipient(rest[15].address));
  await measure(samples, "PodMarket.pause", market.connect(pauser).pause());
  await measure(samples, "PodMarket.unpause", market.connect(pauser).unpause());

  // Each publisher: three originals, then two forks of other publishers' pods (royalties 0..20%).
  const podsOf = new Map<string, bigint[]>();
  let seed = 0;
  for (const [index, publisher] of publishers.entries()) {
    const ids: bigint[] = [];
    for (let n = 0; n < 3; n++) {
      await measure(
        samples,
        "PodRegistry.publish",
        registry.connect(publisher).publish(`pod-${index}-${n}`, ref(seed++), PUBLIC, 0, 0, 500 * n),
      );
      ids.push(await registry.totalPods());
    }
    podsOf.set(publisher.address, ids);
  }
  for (const [index, publisher] of publishers.entries()) {
    const upstream = podsOf.get(publishers[(index + 1) % publishers.length].address) ?? [];
    for (let n = 0; n < 2; n++) {
      await measure(
        samples,
        "PodRegistry.publish",
        registry.connect(publisher).publish(`fork-${index}-${n}`, ref(seed++), n === 0 ? PUBLIC : PRIVATE, upstream[n + 1], 1, 1000 + 500 * n),
      );
      podsOf.get(publisher.address)?.push(await registry.totalPods());
    }
  }
  for (const publisher of publishers) {
    const [first] = podsOf.get(publisher.address) ?? [];
    await measure(samples, "PodRegistry.publishVersion", registry.connect(publisher).publishVersion(first, ref(seed++)));
    await measure(samples, "PodRegistry.publishVersion", registry.connect(publisher).publishVersion(first, ref(seed++)));
    await measure(samples, "PodRegistry.setVisibility", registry.connect(publisher).setVisibility(first, PRIVATE));
    await measure(samples, "PodRegistry.setVisibility", registry.connect(publisher).setVisibility(first, PUBLIC));
    await measure(samples, "PodRegistry.setApprovalForAll", registry.connect(publisher).setApprovalForAll(marketAddress, true));
  }

  // Listings: every pod in native coin, with the whole pod for sale; then price changes and pauses.
  const price = hre.ethers.parseEther("0.01");
  const podPrice = hre.ethers.parseEther("1");
  for (const publisher of publishers) {
    for (const podId of podsOf.get(publisher.address) ?? []) {
      await measure(samples, "PodMarket.list", market.connect(publisher).list(podId, NATIVE, price, podPrice, false));
    }
    const [first, second] = podsOf.get(publisher.address) ?? [];
    await measure(samples, "PodMarket.setPrice", market.connect(publisher).setPrice(first, price, podPrice));
    await measure(samples, "PodMarket.setPaused", market.connect(publisher).setPaused(second, true));
    await measure(samples, "PodMarket.setPaused", market.connect(publisher).setPaused(second, false));
  }

  // Licences in native coin: every buyer buys the original #1 and the fork #3 of every publisher
  // (original #0 has versions and visibility changes: its revision is 5).
  for (const buyer of buyers) {
    for (const publisher of publishers) {
      const ids = podsOf.get(publisher.address) ?? [];
      await measure(samples, "PodMarket.buy (native, original)", market.connect(buyer).buy(ids[1], 1, NATIVE, price, { value: price }));
      await measure(samples, "PodMarket.buy (native, fork)", market.connect(buyer).buy(ids[3], 1, NATIVE, price, { value: price }));
    }
  }

  // Licences in an ERC-20: the last publisher relists pod #2 in the token.
  const erc20Seller = publishers[3];
  const erc20Pod = (podsOf.get(erc20Seller.address) ?? [])[2];
  await measure(samples, "PodMarket.list", market.connect(erc20Seller).list(erc20Pod, tokenAddress, 5_000_000n, 0, false));
  for (const buyer of buyers) {
    await token.mint(buyer.address, 100_000_000n);
    await token.connect(buyer).approve(marketAddress, 100_000_000n);
    await measure(samples, "PodMarket.buy (ERC-20)", market.connect(buyer).buy(erc20Pod, 1, tokenAddress, 5_000_000n));
  }

  // Whole-pod sales: buyers 0..3 each buy the fork #4 of one publisher.
  for (const [index, publisher] of publishers.entries()) {
    const podId = (podsOf.get(publisher.address) ?? [])[4];
    await measure(samples, "PodMarket.buyPod (native)", market.connect(buyers[index]).buyPod(podId, 1, NATIVE, podPrice, { value: podPrice }));
  }
  await measure(samples, "PodMarket.delist", market.connect(publishers[0]).delist((podsOf.get(publishers[0].address) ?? [])[1]));
  await measure(samples, "PodRegistry.transferFrom", registry.connect(publishers[1]).transferFrom(publishers[1].address, buyers[7].address, (podsOf.get(publishers[1].address) ?? [])[1]));

  await lineage(samples, registry, market, buyers, [...publishers, ...buyers].slice(0, 10));
  await runs(samples, deployed, deployer, publishers, buyers, rest.slice(16, 19), podsOf);
  await groupsAndMessages(samples, deployed, deployer, publishers, buyers, podsOf);

  // Withdrawals: every publisher and the fee recipient, native then ERC-20.
  for (const account of [...publishers, rest[15]]) {
    await measure(samples, "PodMarket.withdraw (native)", market.connect(account).withdraw(NATIVE));
  }
  await measure(samples, "PodMarket.withdrawTo (native)", market.connect(buyers[0]).withdrawTo(NATIVE, rest[14].address));
  for (const account of [erc20Seller, rest[15]]) {
    await measure(samples, "PodMarket.withdraw (ERC-20)", market.connect(account).withdraw(tokenAddress));
  }
}

/**
 * The gas of a licence purchase per lineage level: a chain root <- fork 1 <- ... <- fork 9 by ten
 * accounts (royalty rates 5%, 6%, ...), each pod listed; each level is bought by two buyers and the
 * second purchase is recorded (every payee already holds a credit, as in steady trading).
 */
async function lineage(samples: Samples, registry: PodRegistry, market: PodMarket, buyers: HardhatEthersSigner[], owners: HardhatEthersSigner[]) {
  const price = hre.ethers.parseEther("0.01");
  let parent = 0n;
  const ids: bigint[] = [];
  for (let depth = 0; depth <= 9; depth++) {
    const owner = owners[depth];
    await (await registry.connect(owner).publish(`lineage-${depth}`, ref(10_000 + depth), PUBLIC, parent, parent === 0n ? 0 : 1, 500 + 100 * depth)).wait();
    parent = await registry.totalPods();
    ids.push(parent);
    await (await market.connect(owner).list(parent, NATIVE, price, 0, false)).wait();
  }
  for (const [depth, podId] of ids.entries()) {
    const [first, second] = buyers.filter((buyer) => buyer.address !== owners[depth].address).slice(-2);
    await (await market.connect(first).buy(podId, 1, NATIVE, price, { value: price })).wait();
    const label = `PodMarket.buy (native) lineage depth ${depth}${depth === 0 ? " (original)" : depth > 8 ? " (8 ancestors paid)" : ""}`;
    await measure(samples, label, market.connect(second).buy(podId, 1, NATIVE, price, { value: price }));
  }
}

/**
 * RunMarket (issue 14): three runners; every buyer requests runs of the licensed pods #1 (priced
 * 0.001 per run) and #3 (free) of every publisher, for any runner or a named one, in rounds; runners
 * claim round robin and complete most runs, some fail, some are cancelled or expire after a lapsed
 * claim; a few two-stage tasks; ERC-20 runs; withdrawals. Steady state: from the second round on,
 * every payee already holds credit, as in steady trading.
 */
async function runs(
  samples: Samples,
  deployed: Awaited<ReturnType<typeof deployments>>,
  deployer: HardhatEthersSigner,
  publishers: HardhatEthersSigner[],
  buyers: HardhatEthersSigner[],
  runners: HardhatEthersSigner[],
  podsOf: Map<string, bigint[]>,
) {
  const { registry, licenses, token, governor, admin, treasury } = deployed;
  const lib = await hre.ethers.deployContract("RunMarketLib", [], deployer);
  const libReceipt = await lib.deploymentTransaction()?.wait();
  samples.set("RunMarketLib deployment", [Number(libReceipt?.gasUsed ?? 0)]);
  const keyGrants = await hre.ethers.deployContract("PodKeyGrants", [await registry.getAddress()], deployer);
  const keyGrantsReceipt = await keyGrants.deploymentTransaction()?.wait();
  samples.set("PodKeyGrants deployment", [Number(keyGrantsReceipt?.gasUsed ?? 0)]);
  const settings = { feeRecipient: treasury.address, feeBps: 500, claimWindow: 600, unbondingDelay: 86_400, minBond: hre.ethers.parseEther("1"), slashAmount: hre.ethers.parseEther("0.1") };
  const runMarket = await hre.ethers.deployContract(
    "RunMarket",
    [await registry.getAddress(), await licenses.getAddress(), await keyGrants.getAddress(), 3 * 86_400, admin.address, governor.address, deployed.pauser.address, settings],
    { signer: deployer, libraries: { RunMarketLib: await lib.getAddress() } },
  );
  const receipt = await runMarket.deploymentTransaction()?.wait();
  samples.set("RunMarket deployment", [Number(receipt?.gasUsed ?? 0)]);
  const runMarketAddress = await runMarket.getAddress();
  const tokenAddress = await token.getAddress();
  await measure(samples, "RunMarket.setTokenAllowed", runMarket.connect(governor).setTokenAllowed(tokenAddress, true));
  const key = hre.ethers.keccak256(hre.ethers.toUtf8Bytes("runner key"));
  const fee = hre.ethers.parseEther("0.0002");
  for (const [index, runner] of runners.entries()) {
    await measure(samples, "RunMarket.registerRunner", runMarket.connect(runner).registerRunner(key, [NATIVE, tokenAddress], [fee * BigInt(index + 1), 1000n], { value: settings.minBond }));
  }
  await measure(samples, "RunMarket.setRunnerFee", runMarket.connect(runners[0]).setRunnerFee(NATIVE, fee, true));
  await measure(samples, "RunMarket.setRunnerPaused", runMarket.connect(runners[2]).setRunnerPaused(true));
  await measure(samples, "RunMarket.setRunnerPaused", runMarket.connect(runners[2]).setRunnerPaused(false));
  const runPrice = hre.ethers.parseEther("0.001");
  for (const publisher of publishers) {
    const ids = podsOf.get(publisher.address) ?? [];
    // Pod #1 of the second publisher was transferred to a buyer earlier: its current owner prices it.
    const owner = await registry.ownerOf(ids[1]);
    const signer = [...publishers, ...buyers].find((account) => account.address === owner) ?? publisher;
    await measure(samples, "RunMarket.setRunPrice", runMarket.connect(signer).setRunPrice(ids[1], NATIVE, runPrice));
  }
  const max = hre.ethers.parseEther("0.01");
  const deadline = async () => (await hre.ethers.provider.getBlock("latest"))!.timestamp + 3600;
  let runId = 0n;
  let turn = 0;
  for (let round = 0; round < 3; round++) {
    for (const buyer of buyers) {
      for (const publisher of publishers) {
        const ids = podsOf.get(publisher.address) ?? [];
        for (const podId of [ids[1], ids[3]]) {
          turn += 1;
          const runner = runners[turn % runners.length];
          const named = turn % 2 === 0;
          const price = podId === ids[1] ? runPrice : 0n;
          const value = named ? price + fee * BigInt((turn % runners.length) + 1) : max;
          await measure(samples, "RunMarket.requestRun (native)", runMarket.connect(buyer).requestRun(podId, 0, key, NATIVE, max, await deadline(), named ? runner.address : NATIVE, { value }));
          // The same transaction again under its kind, to show both halves of the median.
          const all = samples.get("RunMarket.requestRun (native)") ?? [];
          const kind = `RunMarket.requestRun (native, ${named ? "named runner" : "any runner"})`;
          samples.set(kind, [...(samples.get(kind) ?? []), all[all.length - 1]]);
          runId += 1n;
          if (turn % 23 === 0) {
            await measure(samples, "RunMarket.cancel", runMarket.connect(buyer).cancel(runId));
            continue;
          }
          await measure(samples, "RunMarket.claim", runMarket.connect(runner).claim(runId));
          if (turn % 11 === 0) {
            await measure(samples, "RunMarket.fail (pod phase)", runMarket.connect(runner).fail(runId, 3, key));
          } else if (turn % 13 === 0) {
            await measure(samples, "RunMarket.fail (infrastructure phase)", runMarket.connect(runner).fail(runId, 0, key));
          } else if (turn % 17 === 0) {
            await hre.network.provider.send("evm_increaseTime", [601]);
            await measure(samples, "RunMarket.expire (lapsed claim)", runMarket.connect(buyer).expire(runId));
            // The slash took the runner below the minimum bond: it tops up.
            await measure(samples, "RunMarket.addBond", runMarket.connect(runner).addBond({ value: settings.slashAmount }));
          } else {
            await measure(samples, "RunMarket.complete", runMarket.connect(runner).complete(runId, key, key));
          }
        }
      }
    }
  }
  // Two-stage tasks (the priced and the free pod of one publisher), then ERC-20 runs of a free pod.
  for (const [index, buyer] of buyers.entries()) {
    const ids = podsOf.get(publishers[index % publishers.length].address) ?? [];
    const stages = [{ podId: ids[1], version: 0 }, { podId: ids[3], version: 0 }];
    await measure(samples, "RunMarket.requestTask (2 stages)", runMarket.connect(buyer).requestTask(stages, key, NATIVE, max, await deadline(), NATIVE, { value: max }));
    runId += 1n;
    await measure(samples, "RunMarket.claim", runMarket.connect(runners[0]).claim(runId));
    await measure(samples, "RunMarket.completeStage", runMarket.connect(runners[0]).completeStage(runId, 0, key, key));
    await measure(samples, "RunMarket.completeStage", runMarket.connect(runners[0]).completeStage(runId, 1, key, key));
    await token.mint(buyer.address, 100_000n);
    await token.connect(buyer).approve(runMarketAddress, 100_000n);
    await measure(samples, "RunMarket.requestRun (ERC-20)", runMarket.connect(buyer).requestRun(ids[3], 0, key, tokenAddress, 5000n, await deadline(), NATIVE));
    runId += 1n;
    await measure(samples, "RunMarket.claim", runMarket.connect(runners[1]).claim(runId));
    await measure(samples, "RunMarket.complete", runMarket.connect(runners[1]).complete(runId, key, key));
  }
  // Private pods (issue 15 §2): each publisher publishes a private pod and grants its key to runner 0,
  // which then runs it for its owner; a grant revoked at the end.
  for (const [index, publisher] of publishers.entries()) {
    const name = `private-${index}`;
    await measure(samples, "PodRegistry.publish (private)", registry.connect(publisher).publish(name, key, 0, 0, 0, 0));
    const podId = await registry.podIdOf(publisher.address, name);
    await measure(samples, "PodKeyGrants.grantKey", keyGrants.connect(publisher).grantKey(podId, 1, runners[0].address, key));
    await measure(samples, "RunMarket.requestRun (native, private pod)", runMarket.connect(publisher).requestRun(podId, 0, key, NATIVE, max, await deadline(), runners[0].address, { value: fee }));
    runId += 1n;
    await measure(samples, "RunMarket.claim (private pod)", runMarket.connect(runners[0]).claim(runId));
    await measure(samples, "RunMarket.complete", runMarket.connect(runners[0]).complete(runId, key, key));
    if (index === 0) await measure(samples, "PodKeyGrants.revokeKey", keyGrants.connect(publisher).revokeKey(podId, 1, runners[0].address));
  }
  for (const account of [...runners, ...publishers, treasury, ...buyers.slice(0, 2)]) {
    if ((await runMarket.creditOf(account.address, NATIVE)) === 0n) continue; // e.g. a publisher whose priced pod was sold
    await measure(samples, "RunMarket.withdraw (native)", runMarket.connect(account).withdraw(NATIVE));
  }
  await measure(samples, "RunMarket.requestUnregister", runMarket.connect(runners[2]).requestUnregister());
  await hre.network.provider.send("evm_increaseTime", [86_400]);
  await measure(samples, "RunMarket.withdrawBond", runMarket.connect(runners[2]).withdrawBond());
}

/**
 * GroupRegistry and MessageBus (issue 16): every publisher creates an open, a fee and an approval
 * group (native coin) and sets an inbox; buyers join, request and are approved; then rounds of
 * messages: every buyer to every open group (half of them members, so both fees), to a group with
 * surge pricing, with a decoder pod and a reply, to an ERC-20 group, and to publishers' inboxes (a
 * request, then pending, then allowed); moderation and catalogue calls; withdrawals of every kind.
 * Steady state: from the second round on the group credits and the message counter hold value.
 */
async function groupsAndMessages(
  samples: Samples,
  deployed: Awaited<ReturnType<typeof deployments>>,
  deployer: HardhatEthersSigner,
  publishers: HardhatEthersSigner[],
  buyers: HardhatEthersSigner[],
  podsOf: Map<string, bigint[]>,
) {
  const { registry, token, governor, admin, treasury } = deployed;
  const floor = hre.ethers.parseEther("0.00001");
  const groups = await hre.ethers.deployContract("GroupRegistry", [await registry.getAddress(), 3 * 86_400, admin.address, governor.address], deployer);
  samples.set("GroupRegistry deployment", [Number((await groups.deploymentTransaction()?.wait())?.gasUsed ?? 0)]);
  const groupsAddress = await groups.getAddress();
  const bus = await hre.ethers.deployContract("MessageBus", [await registry.getAddress(), groupsAddress, 3 * 86_400, admin.address, governor.address, treasury.address, floor], deployer);
  samples.set("MessageBus deployment", [Number((await bus.deploymentTransaction()?.wait())?.gasUsed ?? 0)]);
  const busAddress = await bus.getAddress();
  const tokenAddress = await token.getAddress();
  await measure(samples, "GroupRegistry.setTokenAllowed", groups.connect(governor).setTokenAllowed(tokenAddress, true));
  await measure(samples, "MessageBus.setFloor", bus.connect(governor).setFloor(tokenAddress, 10n));

  const memberFee = hre.ethers.parseEther("0.0001");
  const publicFee = hre.ethers.parseEther("0.0005");
  const joinFee = hre.ethers.parseEther("0.001");
  const meta = { contentType: 1, size: 280, replyTo: 0 };
  const target = (groupId: bigint) => (2n << 248n) | groupId;
  const inbox = (account: string) => (1n << 248n) | BigInt(account);
  const openGroups: bigint[] = [];
  for (const [index, publisher] of publishers.entries()) {
    await measure(samples, "GroupRegistry.createGroup", groups.connect(publisher).createGroup(`open-${index}`, ref(20_000 + index), 0, NATIVE, 0, 0, memberFee, publicFee));
    openGroups.push(await groups.groupCount());
    await measure(samples, "GroupRegistry.createGroup", groups.connect(publisher).createGroup(`club-${index}`, ref(20_100 + index), 1, NATIVE, joinFee, 30 * 86_400, memberFee, publicFee));
    await measure(samples, "GroupRegistry.createGroup", groups.connect(publisher).createGroup(`guild-${index}`, ref(20_200 + index), 2, NATIVE, 0, 0, memberFee, publicFee));
    await measure(samples, "MessageBus.setInbox", bus.connect(publisher).setInbox(NATIVE, hre.ethers.parseEther("0.0002"), hre.ethers.parseEther("0.001"), 0, 0));
    const [first] = podsOf.get(publisher.address) ?? [];
    await measure(samples, "GroupRegistry.postPod", groups.connect(publisher).postPod(openGroups[index], first));
  }
  // Buyers with an even index join every open group and every club; odd ones ask to join the guilds.
  for (const [b, buyer] of buyers.entries()) {
    for (const [index, publisher] of publishers.entries()) {
      const open = openGroups[index];
      if (b % 2 === 0) {
        await measure(samples, "GroupRegistry.join (open)", groups.connect(buyer).join(open));
        await measure(samples, "GroupRegistry.join (fee, native)", groups.connect(buyer).join(open + 1n, { value: joinFee }));
      } else {
        await measure(samples, "GroupRegistry.requestToJoin", groups.connect(buyer).requestToJoin(open + 2n));
        await measure(samples, "GroupRegistry.approve", groups.connect(publisher).approve(open + 2n, buyer.address));
      }
    }
  }
  await measure(samples, "GroupRegistry.join (fee, native) renewal", groups.connect(buyers[0]).join(openGroups[0] + 1n, { value: joinFee }));
  await measure(samples, "GroupRegistry.setAdmin", groups.connect(publishers[0]).setAdmin(openGroups[0], buyers[0].address, true));
  await measure(samples, "GroupRegistry.ban", groups.connect(buyers[0]).ban(openGroups[0], buyers[3].address));
  await measure(samples, "GroupRegistry.unban", groups.connect(buyers[0]).unban(openGroups[0], buyers[3].address));
  await measure(samples, "GroupRegistry.leave", groups.connect(buyers[2]).leave(openGroups[1]));
  await measure(samples, "GroupRegistry.setSurge", groups.connect(publishers[1]).setSurge(openGroups[1] + 2n, 3600, 20_000));

  for (let round = 0; round < 3; round++) {
    for (const buyer of buyers) {
      for (const open of openGroups) {
        const { fee } = await bus.quote(buyer.address, target(open));
        await measure(samples, "MessageBus.send (group, native)", bus.connect(buyer).send(target(open), ref(30_000 + round), 0, meta, { value: fee }));
      }
      const surged = target(openGroups[1] + 2n);
      const { fee } = await bus.quote(buyer.address, surged);
      await measure(samples, "MessageBus.send (group, native, surge)", bus.connect(buyer).send(surged, ref(30_100 + round), 0, meta, { value: fee }));
      const decoded = target(openGroups[2]);
      const quoted = await bus.quote(buyer.address, decoded);
      const reply = { ...meta, replyTo: Number(await bus.messageCount()) };
      const decoder = (podsOf.get(publishers[2].address) ?? [])[0];
      await measure(samples, "MessageBus.send (group, native, decoder pod, reply)", bus.connect(buyer).send(decoded, ref(30_200 + round), decoder, reply, { value: quoted.fee }));
    }
  }
  // An ERC-20 group: the first publisher's guild switches to the token.
  const erc20Group = openGroups[0] + 2n;
  await measure(samples, "GroupRegistry.setFees", groups.connect(publishers[0]).setFees(erc20Group, tokenAddress, 0, 100n, 500n));
  for (const buyer of buyers) {
    await token.mint(buyer.address, 100_000n);
    await token.connect(buyer).approve(busAddress, 100_000n);
    await measure(samples, "MessageBus.send (group, ERC-20)", bus.connect(buyer).send(target(erc20Group), ref(30_300), 0, meta));
  }
  // Inboxes: a request, then a pending message, then (accepted) the floor only.
  for (const [b, buyer] of buyers.entries()) {
    const publisher = publishers[b % publishers.length];
    const to = inbox(publisher.address);
    for (const label of ["request", "pending"]) {
      const { fee } = await bus.quote(buyer.address, to);
      await measure(samples, `MessageBus.send (account, ${label})`, bus.connect(buyer).send(to, ref(30_400), 0, meta, { value: fee }));
    }
    await measure(samples, "MessageBus.accept", bus.connect(publisher).accept(buyer.address));
    const { fee } = await bus.quote(buyer.address, to);
    await measure(samples, "MessageBus.send (account, allowed)", bus.connect(buyer).send(to, ref(30_500), 0, meta, { value: fee }));
  }
  await measure(samples, "MessageBus.setContact", bus.connect(publishers[0]).setContact(buyers[1].address, 3));
  for (const [index, publisher] of publishers.entries()) {
    await measure(samples, "MessageBus.withdraw (native)", bus.connect(publisher).withdraw(NATIVE));
    await measure(samples, "MessageBus.withdrawGroup (native)", bus.connect(publisher).withdrawGroup(openGroups[index], NATIVE));
    await measure(samples, "GroupRegistry.withdrawTreasury (native)", groups.connect(publisher).withdrawTreasury(openGroups[index] + 1n, NATIVE));
  }
  await measure(samples, "MessageBus.withdrawGroup (ERC-20)", bus.connect(publishers[0]).withdrawGroup(erc20Group, tokenAddress));
  await measure(samples, "MessageBus.withdraw (native)", bus.connect(treasury).withdraw(NATIVE));
}

/** Why a figure sits where it does; printed under the table. */
const NOTES = [
  "`publish` writes five fresh storage slots (ERC-721 owner, the packed pod record, the name (one slot up to 31 bytes), the first manifest reference, the per-creator name index) and bumps the owner's ERC-721 balance and the id counter; a fork also reads its parent's record. An account's first pod also creates its ERC-721 balance slot (~+17k), and the very first pod of the registry creates the id counter slot: that is the `max`. Names of 32-64 bytes cost one or two more slots.",
  "`buy (native, original)` reads the listing (two slots) and the registry's `saleState` (one call), checks and mints the licence in PodLicenses (a fresh balance slot, ~22k, and `TransferSingle`), and credits the seller and the fee recipient. A payee's first credit creates its slot (~+17k each), which is what `max` shows.",
  "`buy (native, fork)` and the lineage rows add the registry's `royaltyShares` call (one record and one owner read per ancestor) and, per ancestor, a credit and a `RoyaltyPaid` event: about 14k per level once every payee holds credit (a cold record, a cold owner, a credit update and a 3-topic event). Depth 9 pays 8 ancestors, as depth 8 does.",
  "`buy (ERC-20)` also reads the market's token balance before and after `transferFrom`, to reject fee-on-transfer tokens.",
  "`withdraw (native)` zeroes the credit (refund) and sends the coin: the 9k value-transfer cost of CALL dominates.",
  "`RunMarket.requestRun (native)` (any runner and named runners alternate) writes three fresh slots (the run: requester and times; escrow, pod price, pod id and token id; runner fee, runner id, fee and stage counters), bumps the run counter (in the slot that holds the fee it snapshots), calls PodLicenses.hasLicense, PodRegistry.latestVersion (the pinned version) and PodRegistry.visibilityOf (~1.6k: a private pod's run must name a runner granted its key) and reads the pod's run price; a named runner adds its record and its fee; a private pod adds the PodKeyGrants check through RunMarketLib (~14k), and its claim checks the grant again (~10k). `claim` rewrites two of the run's slots and the runner's record; `complete` credits the pod's owner (PodRegistry.ownerOf), the fee recipient, the runner and the requester's refund (about 5k each once they hold credit, ~22k the first time). The rarer operations (registration, prices, settings, expire, cancel, fail, withdraw, the grant checks of private pods, views) run in RunMarketLib through DELEGATECALL (~3k more each), which keeps RunMarket under the 24 KiB limit.",
  "`MessageBus.send (group, native)` (members and non-members alternate) reads and writes one MessageBus slot (message counter, native floor and the protocol's native fees together), calls GroupRegistry.messageTerms (a cold account and two cold slots: the group's message terms and the sender's membership), adds the group's share to its credit (one cold slot, ~22k more the first time: the `max`) and emits one 4-topic event; no per-message storage. Surge pricing adds the sender's window slot (~22k the first time, ~5k after); a decoder pod adds PodRegistry.visibilityOf (a cold call and slot); an ERC-20 adds the allow-list check and `transferFrom` with the balance checks; an account's inbox reads the contact and the inbox and credits the recipient, a request also writes the contact.",
  "`list` also calls PodLicenses.setTransferable (a cold call and an event). `buyPod` also moves the ERC-721 token (owner, balances, approval clear, transfer count) and deletes the listing. Names no longer move with the token.",
];

function render(samples: Samples): string {
  const lines = [
    "# Gas snapshot",
    "",
    "Written by `npm run gas` (scripts/gas-snapshot.ts): one fixed scenario on the in-process Hardhat network,",
    "solc 0.8.28, optimizer 10,000 runs, evmVersion cancun. Regenerate whenever the contracts change.",
    "",
    "| Function | Calls | Min | Median | Max | Median target |",
    "|---|---:|---:|---:|---:|---|",
  ];
  for (const [label, values] of [...samples.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const target = TARGETS[label];
    const med = median(values);
    const status = target === undefined ? "" : `≤ ${target.toLocaleString("en-US")} ${med <= target ? "✅ met" : "❌ over"}`;
    lines.push(
      `| ${label} | ${values.length} | ${Math.min(...values).toLocaleString("en-US")} | ${med.toLocaleString("en-US")} | ${Math.max(...values).toLocaleString("en-US")} | ${status} |`,
    );
  }
  lines.push("", "## Notes", "", ...NOTES.map((note) => `- ${note}`), "");
  return lines.join("\n");
}

async function main(): Promise<void> {
  if (hre.network.name !== "hardhat") throw new Error(`run the gas snapshot on the in-process hardhat network, not ${hre.network.name}`);
  const samples: Samples = new Map();
  await runScenario(samples);
  const output = join(__dirname, "..", "gas-snapshot.md");
  const text = render(samples);
  writeFileSync(output, text);
  console.log(text);
  console.log(`wrote ${output}`);
  const missed = Object.entries(TARGETS).filter(([label, target]) => median(samples.get(label) ?? [Infinity]) > target);
  if (missed.length > 0 && process.env.GAS_CHECK === "1") {
    throw new Error(`gas targets missed: ${missed.map(([label]) => label).join(", ")}`);
  }
}

main().catch((error: Error) => {
  console.error(`gas snapshot failed: ${error.message}`);
  process.exitCode = 1;
});
