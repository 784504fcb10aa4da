import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { appendFile, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { PodContracts } from "../../services/chain/contracts";
import { NATIVE_TOKEN } from "../../services/chain/tokens";
import { listPod, setPrices } from "../../services/market/listings";
import { approvePodForSale } from "../../services/market/pod-approval";
import { persistPod } from "../../services/pods/persist";
import { scaffoldPod } from "../../services/pods/scaffold";
import { deployMarket, publishOriginal, type MarketFixture } from "../support/contracts";
import { MemoryStorage } from "../support/pods";

function actingAs(fixture: MarketFixture, signer: HardhatEthersSigner): PodContracts {
  return { registry: fixture.registry.connect(signer), licenses: fixture.licenses.connect(signer), market: fixture.market.connect(signer), account: signer.address };
}

/** The names of the registry events a transaction emitted. */
async function registryEvents(fixture: MarketFixture, hash: string): Promise<string[]> {
  const receipt = await ethers.provider.getTransactionReceipt(hash);
  return (receipt?.logs ?? []).flatMap((log) => {
    const parsed = fixture.registry.interface.parseLog(log);
    return parsed ? [parsed.name] : [];
  });
}

describe("services/market: approving the market to sell a pod", function () {
  let work: string;

  before(async function () {
    work = await mkdtemp(path.join(os.tmpdir(), "lure-market-"));
  });

  after(async function () {
    await rm(work, { recursive: true, force: true });
  });

  it("approves the market for one pod once; listing or repricing again sends no second approval", async function () {
    const fixture = await loadFixture(deployMarket);
    const { carol, marketAddress, registry } = fixture;
    // Carol, unlike alice and bob in the fixture, has not made the market an operator of her pods.
    const podId = await publishOriginal(registry, carol, "carol-original");
    const seller = actingAs(fixture, carol);
    const listed = await listPod(seller, podId, { token: NATIVE_TOKEN, price: ethers.parseEther("1"), podPrice: ethers.parseEther("4") });
    expect(listed.approvalTx).to.match(/^0x[0-9a-f]{64}$/);
    expect(await registryEvents(fixture, listed.approvalTx!)).to.deep.equal(["Approval"]);
    expect(await registry.getApproved(podId)).to.equal(marketAddress);

    expect((await setPrices(seller, podId, { price: ethers.parseEther("2"), podPrice: ethers.parseEther("5") })).approvalTx).to.equal(undefined);
    expect(await approvePodForSale(seller, podId)).to.equal(undefined);
  });

  it("sends no approval for a licence-only listing, nor when the market already operates the seller's pods", async function () {
    const fixture = await loadFixture(deployMarket);
    const { alice, carol, registry } = fixture;
    const podId = await publishOriginal(registry, carol, "carol-licence-only");
    expect((await listPod(actingAs(fixture, carol), podId, { token: NATIVE_TOKEN, price: 1n, podPrice: 0n })).approvalTx).to.equal(undefined);
    expect(await registry.getApproved(podId)).to.equal(ethers.ZeroAddress);
    // alice made the market an operator for all her pods in the fixture.
    expect(await approvePodForSale(actingAs(fixture, alice), fixture.alicePod)).to.equal(undefined);
  });

  it("persist lists through the same path: one approval when the pod is first offered, none on the next version", async function () {
    const fixture = await loadFixture(deployMarket);
    const { carol, marketAddress, registry } = fixture;
    const dir = path.join(work, "for-sale");
    await scaffoldPod("for-sale", dir);
    const options = {
      dir,
      storage: new MemoryStorage(),
      contracts: actingAs(fixture, carol),
      keysDir: path.join(work, "keys"),
      listing: { token: NATIVE_TOKEN, price: ethers.parseEther("1"), podPrice: ethers.parseEther("10") },
    };

    const first = await persistPod(options);
    expect(first.created).to.equal(true);
    expect(first.listed).to.equal(true);
    expect(first.transactions).to.have.length(3);
    expect(await registryEvents(fixture, first.transactions[0])).to.include("PodPublished");
    expect(await registryEvents(fixture, first.transactions[1])).to.deep.equal(["Approval"]);
    expect(await registry.getApproved(first.podId)).to.equal(marketAddress);

    await appendFile(path.join(dir, "payload", "more.txt"), "a second version\n");
    const second = await persistPod(options);
    expect(second.version).to.equal(2);
    expect(second.transactions).to.have.length(2);
    expect(await registryEvents(fixture, second.transactions[0])).to.include("VersionPublished");
    const listing = await fixture.market.listing(first.podId);
    expect(listing.active).to.equal(true);
    expect(listing.podPrice).to.equal(ethers.parseEther("10"));
  });
});
