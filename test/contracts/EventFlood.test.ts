import { expect } from "chai";
import { ethers } from "hardhat";
import { EventFragment, type Interface, type Log } from "ethers";
import { PodLicenses__factory } from "../../typechain-types/factories/contracts/PodLicenses__factory";
import { PodMarket__factory } from "../../typechain-types/factories/contracts/PodMarket__factory";
import { PodRegistry__factory } from "../../typechain-types/factories/contracts/PodRegistry__factory";
import type { EventFlood, PodRegistry } from "../../typechain-types";
import { NATIVE, PUBLIC, deployMarket } from "../support/contracts";

/**
 * EventFlood stands in for the v2 contracts in the indexer's tests and bench:indexer, and its bulk
 * functions emit their events from assembly (bench:indexer floods a Hardhat node with a million of
 * them, and the node's memory follows the EVM steps per event). The indexer decodes them with the
 * v2 contracts' ABIs, so every byte must be what PodRegistry, PodMarket and PodLicenses emit: the
 * bulk functions are compared with the real contracts' logs, and every event EventFlood declares
 * with the declaration of a v2 contract.
 */
describe("EventFlood (test helper)", function () {
  const ref = `0x${"ab".repeat(32)}`;

  async function deploy(): Promise<{ flood: EventFlood; owner: string }> {
    const [signer] = await ethers.getSigners();
    const flood = (await (await ethers.getContractFactory("EventFlood")).deploy()) as unknown as EventFlood;
    return { flood, owner: signer.address };
  }

  /** A log without its address (EventFlood and the real contract sit at different addresses). */
  const raw = (logs: readonly Log[]) => logs.map((log) => ({ topics: [...log.topics], data: log.data }));

  async function logsOf(tx: Promise<{ wait(): Promise<{ logs: readonly Log[] } | null> }>): Promise<ReturnType<typeof raw>> {
    const receipt = await (await tx).wait();
    return raw(receipt!.logs);
  }

  async function freshRegistry(): Promise<PodRegistry> {
    return await ethers.deployContract("PodRegistry");
  }

  it("declares every event with the signature and indexed arguments of a v2 contract", async function () {
    const { flood } = await deploy();
    const declared = new Map<string, EventFragment>();
    for (const iface of [PodRegistry__factory.createInterface(), PodMarket__factory.createInterface(), PodLicenses__factory.createInterface()] as Interface[]) {
      iface.forEachEvent((fragment) => declared.set(fragment.topicHash, fragment));
    }
    const names: string[] = [];
    flood.interface.forEachEvent((fragment) => {
      names.push(fragment.name);
      const real = declared.get(fragment.topicHash);
      expect(real, fragment.format("sighash")).to.not.equal(undefined);
      expect(fragment.inputs.map((input) => input.indexed)).to.deep.equal(real!.inputs.map((input) => input.indexed));
    });
    expect(names).to.include.members(["PodPublished", "VersionPublished", "VisibilityChanged", "Listed", "LicensePurchased", "RoyaltyPaid", "Withdrawn", "TransferSingle", "TransferBatch", "LicenseTransferabilitySet", "FeeChangeProposed"]);
  });

  it("publish emits, per pod, exactly the Transfer, PodPublished and VersionPublished of PodRegistry.publish", async function () {
    const { flood, owner } = await deploy();
    const registry = await freshRegistry();
    const real = await logsOf(registry.publish("flood pod", ref, PUBLIC, 0, 0, 1000));
    expect(real).to.have.length(3);
    expect(await logsOf(flood.publish(1, 1, owner, 0, ref))).to.deep.equal(real);
    expect(await logsOf(flood.publishNamed(1, owner, "flood pod", ref))).to.deep.equal(real);

    const bulk = await logsOf(flood.publish(41, 3, owner, 0, ref));
    const expected: ReturnType<typeof raw> = [];
    for (const id of [41, 42, 43]) expected.push(...(await logsOf(flood.publishNamed(id, owner, "flood pod", ref))));
    expect(bulk).to.have.length(9);
    expect(bulk).to.deep.equal(expected);
  });

  it("publish of forks is PodRegistry.publish of a fork of version 1 of a pod whose forks owe 1000 bps", async function () {
    const { flood, owner } = await deploy();
    const registry = await freshRegistry();
    await (await registry.publish("root", ref, PUBLIC, 0, 0, 1000)).wait();
    const real = await logsOf(registry.publish("flood pod", ref, PUBLIC, 1, 1, 1000));
    expect(await logsOf(flood.publish(2, 1, owner, 1, ref))).to.deep.equal(real);
  });

  it("buyLicenses and mintLicenses emit the LicensePurchased and TransferSingle of PodMarket.buy for an original", async function () {
    const fixture = await deployMarket();
    const { market, registry, alice, carol, treasury, alicePod, marketAddress } = fixture;
    const price = 12_000n;
    await (await market.connect(alice).list(alicePod, NATIVE, price, 0, true)).wait();
    const receipt = await (await market.connect(carol).buy(alicePod, await registry.revisionOf(alicePod), NATIVE, price, { value: price })).wait();
    const licensesAddress = fixture.licensesAddress.toLowerCase();
    const marketLogs = raw(receipt!.logs.filter((log) => log.address.toLowerCase() === marketAddress.toLowerCase()));
    const licenceLogs = raw(receipt!.logs.filter((log) => log.address.toLowerCase() === licensesAddress));
    expect(marketLogs).to.have.length(1);
    expect(licenceLogs).to.have.length(1);

    const { flood } = await deploy();
    expect(await logsOf(flood.buyLicenses(alicePod, BigInt(carol.address), 1, alice.address, NATIVE, price, treasury.address))).to.deep.equal(marketLogs);
    expect(await logsOf(flood.mintLicenses(alicePod, BigInt(carol.address), 1, marketAddress))).to.deep.equal(licenceLogs);

    // In bulk: one per buyer, each as the contract's declaration encodes it.
    const logs = await logsOf(flood.buyLicenses(9, 0x7000, 3, alice.address, NATIVE, price, treasury.address));
    const event = market.interface.getEvent("LicensePurchased");
    const fee = price / 40n;
    expect(logs).to.deep.equal(
      [0x7000, 0x7001, 0x7002].map((buyer) => market.interface.encodeEventLog(event, [9, ethers.toBeHex(buyer, 20), alice.address, NATIVE, price, fee, treasury.address, 0, price - fee, 1])),
    );
  });

  it("emits nothing for a count of 0 and reverts where the ids, buyers or holders would wrap", async function () {
    const { flood, owner } = await deploy();
    expect(await logsOf(flood.publish(1, 0, owner, 0, ref))).to.deep.equal([]);
    expect(await logsOf(flood.buyLicenses(1, 0x7000, 0, owner, owner, 100, owner))).to.deep.equal([]);
    expect(await logsOf(flood.mintLicenses(1, 0x7000, 0, owner))).to.deep.equal([]);
    expect(await logsOf(flood.publish(ethers.MaxUint256, 1, owner, 0, ref))).to.have.length(3);
    await expect(flood.publish(ethers.MaxUint256, 2, owner, 0, ref)).to.be.revertedWithPanic(0x11);
    const lastAddress = (1n << 160n) - 1n;
    expect(await logsOf(flood.buyLicenses(1, lastAddress, 1, owner, owner, 100, owner))).to.have.length(1);
    await expect(flood.buyLicenses(1, lastAddress, 2, owner, owner, 100, owner)).to.be.revertedWithPanic(0x11);
    await expect(flood.mintLicenses(1, lastAddress, 2, owner)).to.be.revertedWithPanic(0x11);
  });
});
