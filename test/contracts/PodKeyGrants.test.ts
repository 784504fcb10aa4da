import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployRunMarket, NATIVE, PRIVATE, PUBLIC, publishOriginal, ref, RUNNER_FEE } from "../support/contracts";

const SEALED = ref("sealed key for runner1");
const MAX = ethers.parseEther("0.1");

/**
 * The run market fixture plus alice's private pod "secret" with two versions, licensed to carol
 * (alice lists it and carol buys a licence).
 */
async function deployPrivate() {
  const f = await deployRunMarket();
  const { registry, market, alice, carol } = f;
  const secret = await publishOriginal(registry, alice, "secret", 0, PRIVATE);
  await (await registry.connect(alice).publishVersion(secret, ref("secret v2"))).wait();
  await (await market.connect(alice).list(secret, NATIVE, ethers.parseEther("1"), 0, false)).wait();
  await (await market.connect(carol).buy(secret, await registry.revisionOf(secret), NATIVE, ethers.parseEther("1"), { value: ethers.parseEther("1") })).wait();
  return { ...f, secret };
}

describe("PodKeyGrants", function () {
  it("refuses a zero registry at deployment", async function () {
    const factory = await ethers.getContractFactory("PodKeyGrants");
    await expect(factory.deploy(ethers.ZeroAddress)).to.be.revertedWithCustomError(factory, "PodKeyGrantsZeroAddress");
  });

  it("the owner grants a version's sealed key to a runner and revokes it, with an event each", async function () {
    const { keyGrants, alice, runner1, runner2, secret } = await loadFixture(deployPrivate);
    expect(await keyGrants.isGranted(secret, 1, runner1.address)).to.equal(false);
    await expect(keyGrants.connect(alice).grantKey(secret, 1, runner1.address, SEALED))
      .to.emit(keyGrants, "KeyGranted")
      .withArgs(secret, 1, runner1.address, SEALED, alice.address);
    expect(await keyGrants.sealedKeyOf(secret, 1, runner1.address)).to.equal(SEALED);
    expect(await keyGrants.isGranted(secret, 1, runner1.address)).to.equal(true);
    // Per version and per runner.
    expect(await keyGrants.isGranted(secret, 2, runner1.address)).to.equal(false);
    expect(await keyGrants.isGranted(secret, 1, runner2.address)).to.equal(false);
    // Granting again replaces the sealed key.
    const other = ref("resealed");
    await expect(keyGrants.connect(alice).grantKey(secret, 1, runner1.address, other)).to.emit(keyGrants, "KeyGranted").withArgs(secret, 1, runner1.address, other, alice.address);
    expect(await keyGrants.sealedKeyOf(secret, 1, runner1.address)).to.equal(other);
    await expect(keyGrants.connect(alice).revokeKey(secret, 1, runner1.address)).to.emit(keyGrants, "KeyRevoked").withArgs(secret, 1, runner1.address, other, alice.address);
    expect(await keyGrants.sealedKeyOf(secret, 1, runner1.address)).to.equal(ethers.ZeroHash);
    expect(await keyGrants.isGranted(secret, 1, runner1.address)).to.equal(false);
    await expect(keyGrants.connect(alice).revokeKey(secret, 1, runner1.address))
      .to.be.revertedWithCustomError(keyGrants, "PodKeyGrantsNotGranted")
      .withArgs(secret, 1, runner1.address);
  });

  it("only the owner or an approved operator may grant or revoke", async function () {
    const { keyGrants, registry, alice, bob, carol, dave, runner1, secret } = await loadFixture(deployPrivate);
    await expect(keyGrants.connect(carol).grantKey(secret, 1, runner1.address, SEALED))
      .to.be.revertedWithCustomError(keyGrants, "PodKeyGrantsNotPodOwnerOrOperator")
      .withArgs(secret, carol.address);
    await (await registry.connect(alice).approve(bob.address, secret)).wait();
    await expect(keyGrants.connect(bob).grantKey(secret, 1, runner1.address, SEALED)).to.emit(keyGrants, "KeyGranted").withArgs(secret, 1, runner1.address, SEALED, bob.address);
    await (await registry.connect(alice).setApprovalForAll(dave.address, true)).wait();
    await expect(keyGrants.connect(dave).revokeKey(secret, 1, runner1.address)).to.emit(keyGrants, "KeyRevoked").withArgs(secret, 1, runner1.address, SEALED, dave.address);
    await (await keyGrants.connect(alice).grantKey(secret, 1, runner1.address, SEALED)).wait();
    await expect(keyGrants.connect(carol).revokeKey(secret, 1, runner1.address))
      .to.be.revertedWithCustomError(keyGrants, "PodKeyGrantsNotPodOwnerOrOperator")
      .withArgs(secret, carol.address);
    // A pod that does not exist is the registry's error.
    await expect(keyGrants.connect(alice).grantKey(999, 1, runner1.address, SEALED)).to.be.revertedWithCustomError(registry, "ERC721NonexistentToken");
  });

  it("refuses public pods, missing versions, a zero runner and a zero sealed key", async function () {
    const { keyGrants, registry, alice, runner1, secret, alicePod } = await loadFixture(deployPrivate);
    expect(await registry.visibilityOf(alicePod)).to.equal(PUBLIC);
    await expect(keyGrants.connect(alice).grantKey(alicePod, 1, runner1.address, SEALED)).to.be.revertedWithCustomError(keyGrants, "PodKeyGrantsPodNotPrivate").withArgs(alicePod);
    await expect(keyGrants.connect(alice).grantKey(secret, 0, runner1.address, SEALED)).to.be.revertedWithCustomError(keyGrants, "PodKeyGrantsVersionNotFound").withArgs(secret, 0, 2);
    await expect(keyGrants.connect(alice).grantKey(secret, 3, runner1.address, SEALED)).to.be.revertedWithCustomError(keyGrants, "PodKeyGrantsVersionNotFound").withArgs(secret, 3, 2);
    await expect(keyGrants.connect(alice).grantKey(secret, 1, ethers.ZeroAddress, SEALED)).to.be.revertedWithCustomError(keyGrants, "PodKeyGrantsZeroRunner").withArgs(secret);
    await expect(keyGrants.connect(alice).grantKey(secret, 1, runner1.address, ethers.ZeroHash))
      .to.be.revertedWithCustomError(keyGrants, "PodKeyGrantsZeroSealedKey")
      .withArgs(secret, runner1.address);
  });

  it("a new owner inherits the grants and may revoke them; the old owner no longer may", async function () {
    const { keyGrants, registry, alice, erin, runner1, secret } = await loadFixture(deployPrivate);
    await (await keyGrants.connect(alice).grantKey(secret, 2, runner1.address, SEALED)).wait();
    await (await registry.connect(alice).transferFrom(alice.address, erin.address, secret)).wait();
    expect(await keyGrants.isGranted(secret, 2, runner1.address)).to.equal(true);
    await expect(keyGrants.connect(alice).revokeKey(secret, 2, runner1.address)).to.be.revertedWithCustomError(keyGrants, "PodKeyGrantsNotPodOwnerOrOperator");
    await expect(keyGrants.connect(erin).revokeKey(secret, 2, runner1.address)).to.emit(keyGrants, "KeyRevoked");
  });
});

describe("RunMarket: runs of private pods", function () {
  async function deadline(seconds = 3600): Promise<number> {
    return (await time.latest()) + seconds;
  }

  it("a licence holder cannot request a private pod's run without naming a granted runner; nothing is escrowed", async function () {
    const { runMarket, keyGrants, alice, carol, runner1, runner2, secret } = await loadFixture(deployPrivate);
    const before = await ethers.provider.getBalance(await runMarket.getAddress());
    // Any runner: refused (a private pod's run names its runner).
    await expect(runMarket.connect(carol).requestRun(secret, 0, ethers.ZeroHash, NATIVE, MAX, await deadline(), NATIVE, { value: MAX }))
      .to.be.revertedWithCustomError(runMarket, "RunMarketRunnerNotGranted")
      .withArgs(secret, 2, ethers.ZeroAddress);
    // A named runner without a grant: refused, with the pinned version named.
    await expect(runMarket.connect(carol).requestRun(secret, 0, ethers.ZeroHash, NATIVE, MAX, await deadline(), runner1.address, { value: RUNNER_FEE }))
      .to.be.revertedWithCustomError(runMarket, "RunMarketRunnerNotGranted")
      .withArgs(secret, 2, runner1.address);
    // A grant for version 1 does not cover version 2, nor another runner.
    await (await keyGrants.connect(alice).grantKey(secret, 1, runner1.address, SEALED)).wait();
    await expect(runMarket.connect(carol).requestRun(secret, 2, ethers.ZeroHash, NATIVE, MAX, await deadline(), runner1.address, { value: RUNNER_FEE }))
      .to.be.revertedWithCustomError(runMarket, "RunMarketRunnerNotGranted")
      .withArgs(secret, 2, runner1.address);
    await expect(runMarket.connect(carol).requestRun(secret, 1, ethers.ZeroHash, NATIVE, MAX, await deadline(), runner2.address, { value: 2n * RUNNER_FEE }))
      .to.be.revertedWithCustomError(runMarket, "RunMarketRunnerNotGranted")
      .withArgs(secret, 1, runner2.address);
    expect(await ethers.provider.getBalance(await runMarket.getAddress())).to.equal(before);
    expect(await runMarket.runCount()).to.equal(0n);
    // Granted: requested, claimed and completed by that runner.
    await expect(runMarket.connect(carol).requestRun(secret, 1, ethers.ZeroHash, NATIVE, MAX, await deadline(), runner1.address, { value: RUNNER_FEE })).to.emit(runMarket, "RunRequested");
    await expect(runMarket.connect(runner1).claim(1)).to.emit(runMarket, "RunClaimed");
    await expect(runMarket.connect(runner1).complete(1, ref("out"), ref("log"))).to.emit(runMarket, "RunCompleted");
  });

  it("a revoked runner cannot claim a run requested before the revocation, nor be named later", async function () {
    const { runMarket, keyGrants, alice, carol, runner1, secret } = await loadFixture(deployPrivate);
    await (await keyGrants.connect(alice).grantKey(secret, 2, runner1.address, SEALED)).wait();
    await (await runMarket.connect(carol).requestRun(secret, 0, ethers.ZeroHash, NATIVE, MAX, await deadline(), runner1.address, { value: RUNNER_FEE })).wait();
    await (await keyGrants.connect(alice).revokeKey(secret, 2, runner1.address)).wait();
    await expect(runMarket.connect(runner1).claim(1)).to.be.revertedWithCustomError(runMarket, "RunMarketRunnerNotGranted").withArgs(secret, 2, runner1.address);
    await expect(runMarket.connect(carol).requestRun(secret, 0, ethers.ZeroHash, NATIVE, MAX, await deadline(), runner1.address, { value: RUNNER_FEE }))
      .to.be.revertedWithCustomError(runMarket, "RunMarketRunnerNotGranted")
      .withArgs(secret, 2, runner1.address);
    // The requester is not stuck: cancelled, everything back.
    await expect(runMarket.connect(carol).cancel(1)).to.emit(runMarket, "RunCancelled").withArgs(1, carol.address, RUNNER_FEE);
  });

  it("tasks: every private stage needs the named runner's grant, at request and at claim; public stages need none", async function () {
    const { runMarket, keyGrants, alice, carol, runner1, secret, alicePod, bobFork } = await loadFixture(deployPrivate);
    const stages = [
      { podId: alicePod, version: 0 },
      { podId: secret, version: 1 },
      { podId: bobFork, version: 0 },
    ];
    const value = ethers.parseEther("0.01") + 3n * RUNNER_FEE;
    await expect(runMarket.connect(carol).requestTask(stages, ethers.ZeroHash, NATIVE, MAX, await deadline(), runner1.address, { value }))
      .to.be.revertedWithCustomError(runMarket, "RunMarketRunnerNotGranted")
      .withArgs(secret, 1, runner1.address);
    await (await keyGrants.connect(alice).grantKey(secret, 1, runner1.address, SEALED)).wait();
    await (await runMarket.connect(carol).requestTask(stages, ethers.ZeroHash, NATIVE, MAX, await deadline(), runner1.address, { value })).wait();
    await (await runMarket.connect(carol).requestTask(stages, ethers.ZeroHash, NATIVE, MAX, await deadline(), runner1.address, { value })).wait();
    // Run 1 is claimed while granted; run 2 after the revocation is refused.
    await (await runMarket.connect(runner1).claim(1)).wait();
    await (await keyGrants.connect(alice).revokeKey(secret, 1, runner1.address)).wait();
    await expect(runMarket.connect(runner1).claim(2)).to.be.revertedWithCustomError(runMarket, "RunMarketRunnerNotGranted").withArgs(secret, 1, runner1.address);
    // A public task needs no grant and no named runner.
    await expect(runMarket.connect(carol).requestTask([stages[0], stages[2]], ethers.ZeroHash, NATIVE, MAX, await deadline(), NATIVE, { value: MAX })).to.emit(runMarket, "TaskRequested");
  });

  it("a pod made private after the request: the claim still succeeds (the check is of the request's private stages)", async function () {
    const { runMarket, registry, alice, carol, runner1, alicePod } = await loadFixture(deployPrivate);
    await (await runMarket.connect(carol).requestRun(alicePod, 0, ethers.ZeroHash, NATIVE, MAX, await deadline(), runner1.address, { value: ethers.parseEther("0.01") + RUNNER_FEE })).wait();
    await (await registry.connect(alice).setVisibility(alicePod, PRIVATE)).wait();
    await expect(runMarket.connect(runner1).claim(1)).to.emit(runMarket, "RunClaimed");
  });
});
