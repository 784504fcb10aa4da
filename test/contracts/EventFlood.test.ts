import { expect } from "chai";
import { ethers } from "hardhat";
import type { Log } from "ethers";

/**
 * EventFlood's bulk functions emit their events from assembly (bench:indexer floods a Hardhat node
 * with a million of them, and the node's memory follows the EVM steps per event). The indexer
 * decodes them as IPodRegistry / IPodMarket events, so every byte must be what Solidity's `emit`
 * would produce: `publish` is compared with `publishNamed` (a plain Solidity emit) and
 * `buyLicenses` with ethers' ABI encoding of the same arguments.
 */
describe("EventFlood (test helper)", function () {
  const ref = `0x${"ab".repeat(32)}`;

  async function deploy() {
    const [signer] = await ethers.getSigners();
    const flood = await (await ethers.getContractFactory("EventFlood")).deploy();
    return { flood, owner: signer.address };
  }

  const raw = (logs: readonly Log[]) => logs.map((log) => ({ address: log.address, topics: [...log.topics], data: log.data }));

  async function logsOf(tx: Promise<{ wait(): Promise<{ logs: readonly Log[] } | null> }>): Promise<ReturnType<typeof raw>> {
    const receipt = await (await tx).wait();
    return raw(receipt!.logs);
  }

  it("publish emits, per pod, exactly the Transfer, PodPublished and VersionPublished that publishNamed emits for 'flood pod'", async function () {
    const { flood, owner } = await deploy();
    const bulk = await logsOf(flood.publish(41, 3, owner, 0, ref));
    const expected: ReturnType<typeof raw> = [];
    for (const id of [41, 42, 43]) expected.push(...(await logsOf(flood.publishNamed(id, owner, "flood pod", ref))));
    expect(bulk).to.have.length(9);
    expect(bulk).to.deep.equal(expected);
  });

  it("publish of forks carries parentVersion 1 and royaltyBps 500, as the Solidity loop did", async function () {
    const { flood, owner } = await deploy();
    const logs = await logsOf(flood.publish(7, 2, owner, 5, ref));
    const published = logs.filter((_, index) => index % 3 === 1).map((log) => flood.interface.parseLog(log)!);
    expect(published.map((event) => event.name)).to.deep.equal(["PodPublished", "PodPublished"]);
    expect(published.map((event) => event.args.toArray())).to.deep.equal([
      [7n, owner, 5n, "flood pod", ref, 1n, 1n, 500n, 1000n],
      [8n, owner, 5n, "flood pod", ref, 1n, 1n, 500n, 1000n],
    ]);
  });

  it("buyLicenses emits one LicensePurchased per buyer, byte for byte the ABI encoding of its arguments", async function () {
    const { flood, owner } = await deploy();
    const token = "0x4444444444444444444444444444444444444444";
    const price = 12_345n;
    const logs = await logsOf(flood.buyLicenses(9, 0x7000, 3, owner, token, price));
    const fee = price / 40n;
    const royalty = price / 20n;
    // The v1 declaration the indexer decodes with until it follows the v2 contracts (EventFlood declares it for its ABI).
    const market = flood.interface;
    const event = market.getEvent("LicensePurchased")!;
    const expected = [0x7000, 0x7001, 0x7002].map((buyer) => {
      const encoded = market.encodeEventLog(event, [9, ethers.toBeHex(buyer, 20), owner, token, price, fee, "0x0000000000000000000000000000000000000FEE", royalty, "0x00000000000000000000000000000000000A11CE", price - fee - royalty]);
      return { address: logs[0].address, topics: encoded.topics, data: encoded.data };
    });
    expect(logs).to.deep.equal(expected);
  });

  it("emits nothing for a count of 0 and reverts where the ids or buyers would wrap", async function () {
    const { flood, owner } = await deploy();
    expect(await logsOf(flood.publish(1, 0, owner, 0, ref))).to.deep.equal([]);
    expect(await logsOf(flood.buyLicenses(1, 0x7000, 0, owner, owner, 100))).to.deep.equal([]);
    expect(await logsOf(flood.publish(ethers.MaxUint256, 1, owner, 0, ref))).to.have.length(3);
    await expect(flood.publish(ethers.MaxUint256, 2, owner, 0, ref)).to.be.revertedWithPanic(0x11);
    const lastAddress = (1n << 160n) - 1n;
    expect(await logsOf(flood.buyLicenses(1, lastAddress, 1, owner, owner, 100))).to.have.length(1);
    await expect(flood.buyLicenses(1, lastAddress, 2, owner, owner, 100)).to.be.revertedWithPanic(0x11);
  });
});
