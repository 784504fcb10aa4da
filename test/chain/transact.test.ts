import { expect } from "chai";
import hre from "hardhat";
import { connectLure, type LureConnection } from "../../services/chain/contracts";
import { ChainError } from "../../services/chain/errors";
import { describeRevert } from "../../services/chain/revert";
import { refToBytes32, VISIBILITY_PUBLIC } from "../../services/chain/refs";
import { read, simulate, transact } from "../../services/chain/transact";
import { deployToOwnFolder } from "../support/deployment";

const REF = "92672a471f4419b255d7cb0cf313474a6f5856fb347c5ece85fb706d644b630f";

async function chainError(work: () => Promise<unknown>): Promise<ChainError> {
  try {
    await work();
  } catch (error) {
    expect(error).to.be.instanceOf(ChainError);
    return error as ChainError;
  }
  throw new Error("expected a ChainError");
}

describe("services/chain: transact, simulate, read", function () {
  let lure: LureConnection;
  const nonce = () => hre.ethers.provider.getTransactionCount(lure.account);
  const publishArgs = (name: string) => [name, refToBytes32(REF), VISIBILITY_PUBLIC, 0n, 0n, 0] as [string, string, number, bigint, bigint, number];

  before(async function () {
    const { deploymentsDir } = await deployToOwnFolder();
    const [signer] = await hre.ethers.getSigners();
    lure = await connectLure(signer, { network: hre.network.name, deploymentsDir });
  });

  it("sends, waits and returns the receipt", async function () {
    const receipt = await transact(lure.registry.publish, publishArgs("transact-ok"), { action: 'publish "transact-ok"' });
    expect(receipt.status).to.equal(1);
    expect(await lure.registry.podIdOf(lure.account, "transact-ok")).to.not.equal(0n);
  });

  it("decodes a revert into Contract: Error(arg=value) before anything is sent", async function () {
    const before = await nonce();
    const error = await chainError(() => transact(lure.registry.publish, publishArgs("transact-ok"), { action: 'publish "transact-ok"' }));
    expect(error.kind).to.equal("refused");
    expect(error.reason).to.equal(`PodRegistry: PodRegistryNameTaken(creator=${lure.account}, name=transact-ok)`);
    expect(error.message).to.equal(`publish "transact-ok" refused: PodRegistry: PodRegistryNameTaken(creator=${lure.account}, name=transact-ok)`);
    expect(error.messageWithoutAction).to.equal(`refused: PodRegistry: PodRegistryNameTaken(creator=${lure.account}, name=transact-ok)`);
    expect(await nonce()).to.equal(before);
  });

  it("simulates alone, sending nothing either way", async function () {
    const before = await nonce();
    await simulate(lure.registry.publish, publishArgs("transact-simulated"));
    expect(await lure.registry.podIdOf(lure.account, "transact-simulated")).to.equal(0n);
    const error = await chainError(() => simulate(lure.market.withdraw, ["0x0000000000000000000000000000000000000000"]));
    expect(error.message).to.equal(`refused: PodMarket: PodMarketNothingToWithdraw(account=${lure.account}, token=0x0000000000000000000000000000000000000000)`);
    expect(await nonce()).to.equal(before);
  });

  it("reports a transaction that passed its simulation but failed once mined, with its hash", async function () {
    // Two publishes of one name in one block: both simulate against the same state and pass, the
    // second reverts when mined. A fixed gas limit keeps the node from estimating (and refusing) it.
    const name = "transact-race";
    const args = [...publishArgs(name), { gasLimit: 1_000_000n }] as const;
    await hre.network.provider.send("evm_setAutomine", [false]);
    let first: Promise<unknown>;
    let second: Promise<ChainError>;
    try {
      first = transact(lure.registry.publish, [...args]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      second = chainError(() => transact(lure.registry.publish, [...args], { action: `publish "${name}"` }));
      await new Promise((resolve) => setTimeout(resolve, 200));
      await hre.network.provider.send("evm_mine", []);
    } finally {
      await hre.network.provider.send("evm_setAutomine", [true]);
    }
    await first;
    const error = await second;
    expect(error.kind).to.equal("failed");
    expect(error.hash).to.match(/^0x[0-9a-f]{64}$/);
    expect(error.message).to.match(new RegExp(`^publish "${name}": transaction ${error.hash} failed: `));
    const receipt = await hre.ethers.provider.getTransactionReceipt(error.hash!);
    expect(receipt?.status).to.equal(0);
  });

  it("reads views, turning a custom error into one line", async function () {
    expect(await read(() => lure.registry.totalPods())).to.be.a("bigint");
    const error = await chainError(() => read(() => lure.registry.pod(9999n), { action: "pod 9999" }));
    expect(error.kind).to.equal("read");
    expect(error.message).to.equal("pod 9999: PodRegistry: ERC721NonexistentToken(tokenId=9999) — pod 9999 does not exist");
    expect(error.messageWithoutAction).to.equal("PodRegistry: ERC721NonexistentToken(tokenId=9999) — pod 9999 does not exist");
  });

  it("names the missing role and decodes PodLicenses' errors too", async function () {
    const governor = hre.ethers.id("GOVERNOR_ROLE");
    const error = await chainError(() => simulate(lure.market.proposeFeeChange, [100]));
    expect(error.reason).to.equal(
      `PodMarket: AccessControlUnauthorizedAccount(account=${lure.account}, neededRole=${governor}) — ${lure.account} does not hold GOVERNOR_ROLE`,
    );
    const minter = await chainError(() => simulate(lure.licenses.mint, [lure.account, 1n]));
    expect(minter.reason).to.match(/^PodLicenses: AccessControlUnauthorizedAccount\(.*\) — 0x[0-9a-fA-F]{40} does not hold MINTER_ROLE$/);
    const data = lure.licenses.interface.encodeErrorResult("PodLicensesNotTransferable", [7n]);
    expect(describeRevert({ data })).to.equal("PodLicenses: PodLicensesNotTransferable(podId=7) — the licences of pod 7 are not transferable (the seller listed them so)");
  });

  it("keeps ethers' short message for an error that is no custom error", function () {
    expect(describeRevert(Object.assign(new Error("long"), { shortMessage: "could not coalesce error" }))).to.equal("could not coalesce error");
    // Revert data no Lure contract declares: the selector is unknown, the node's words are kept.
    expect(describeRevert(Object.assign(new Error("execution reverted"), { data: "0xdeadbeef" }))).to.equal("execution reverted");
  });
});
