import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { PodLicenses } from "../../typechain-types";
import { deployMarket, NATIVE, publishOriginal } from "../support/contracts";

/**
 * An ERC-1155 behaviour suite, written for Lure and covering what OpenZeppelin's ERC1155.behavior.js
 * covers: balanceOf / balanceOfBatch with their errors, operators, safeTransferFrom and
 * safeBatchTransferFrom by holder and operator with their events, to receivers that accept, return
 * the wrong value, revert with or without a reason, panic or are not receivers, zero-address cases
 * and ERC-165. It is parameterised on how a token comes to exist (`mint`): here a licence bought on
 * the market, for pods whose listing made licences transferable.
 */

const SINGLE = "0xf23a6e61";
const BATCH = "0xbc197c81";
enum Failure {
  None,
  RevertWithoutMessage,
  RevertWithMessage,
  RevertWithCustomError,
  Panic,
}

interface Subject {
  token: PodLicenses;
  /** Gives `to` one token of a new id and returns the id. */
  mint(to: HardhatEthersSigner): Promise<bigint>;
}

function shouldBehaveLikeERC1155(label: string, deploy: () => Promise<Subject>) {
  describe(`${label}: ERC-1155 behaviour`, function () {
    async function fixture() {
      const subject = await deploy();
      const [holder, operator, other, recipient] = (await ethers.getSigners()).slice(15, 19);
      const first = await subject.mint(holder);
      const second = await subject.mint(holder);
      return { ...subject, holder, operator, other, recipient, first, second };
    }

    describe("balances", function () {
      it("balanceOf counts per account and id", async function () {
        const { token, holder, other, first } = await loadFixture(fixture);
        expect(await token.balanceOf(holder.address, first)).to.equal(1n);
        expect(await token.balanceOf(other.address, first)).to.equal(0n);
        expect(await token.balanceOf(holder.address, 12345n)).to.equal(0n);
      });
      it("balanceOfBatch answers per pair and checks lengths", async function () {
        const { token, holder, other, first, second } = await loadFixture(fixture);
        expect(await token.balanceOfBatch([holder.address, other.address, holder.address], [first, first, second])).to.deep.equal([1n, 0n, 1n]);
        await expect(token.balanceOfBatch([holder.address], [first, second]))
          .to.be.revertedWithCustomError(token, "ERC1155InvalidArrayLength")
          .withArgs(2n, 1n);
        expect(await token.balanceOfBatch([ethers.ZeroAddress], [first])).to.deep.equal([0n]);
      });
    });

    describe("setApprovalForAll", function () {
      it("sets and revokes an operator with ApprovalForAll", async function () {
        const { token, holder, operator } = await loadFixture(fixture);
        await expect(token.connect(holder).setApprovalForAll(operator.address, true)).to.emit(token, "ApprovalForAll").withArgs(holder.address, operator.address, true);
        expect(await token.isApprovedForAll(holder.address, operator.address)).to.equal(true);
        await expect(token.connect(holder).setApprovalForAll(operator.address, false)).to.emit(token, "ApprovalForAll").withArgs(holder.address, operator.address, false);
        expect(await token.isApprovedForAll(holder.address, operator.address)).to.equal(false);
      });
      it("reverts for the zero address as operator", async function () {
        const { token, holder } = await loadFixture(fixture);
        await expect(token.connect(holder).setApprovalForAll(ethers.ZeroAddress, true)).to.be.revertedWithCustomError(token, "ERC1155InvalidOperator").withArgs(ethers.ZeroAddress);
      });
    });

    describe("safeTransferFrom", function () {
      it("by the holder and by an operator: moves the token and emits TransferSingle", async function () {
        const { token, holder, operator, recipient, first, second } = await loadFixture(fixture);
        await expect(token.connect(holder).safeTransferFrom(holder.address, recipient.address, first, 1, "0x"))
          .to.emit(token, "TransferSingle")
          .withArgs(holder.address, holder.address, recipient.address, first, 1n);
        await token.connect(holder).setApprovalForAll(operator.address, true);
        await expect(token.connect(operator).safeTransferFrom(holder.address, recipient.address, second, 1, "0x"))
          .to.emit(token, "TransferSingle")
          .withArgs(operator.address, holder.address, recipient.address, second, 1n);
        expect(await token.balanceOf(recipient.address, first)).to.equal(1n);
        expect(await token.balanceOf(holder.address, second)).to.equal(0n);
      });
      it("reverts for an unapproved caller, an insufficient balance and the zero addresses", async function () {
        const { token, holder, other, recipient, first } = await loadFixture(fixture);
        await expect(token.connect(other).safeTransferFrom(holder.address, recipient.address, first, 1, "0x"))
          .to.be.revertedWithCustomError(token, "ERC1155MissingApprovalForAll")
          .withArgs(other.address, holder.address);
        await expect(token.connect(holder).safeTransferFrom(holder.address, recipient.address, first, 2, "0x"))
          .to.be.revertedWithCustomError(token, "ERC1155InsufficientBalance")
          .withArgs(holder.address, 1n, 2n, first);
        await expect(token.connect(holder).safeTransferFrom(holder.address, ethers.ZeroAddress, first, 1, "0x"))
          .to.be.revertedWithCustomError(token, "ERC1155InvalidReceiver")
          .withArgs(ethers.ZeroAddress);
        await expect(token.connect(holder).safeTransferFrom(ethers.ZeroAddress, recipient.address, first, 1, "0x")).to.be.revertedWithCustomError(
          token,
          "ERC1155MissingApprovalForAll",
        );
      });
      it("a zero-value transfer emits TransferSingle and changes nothing", async function () {
        const { token, holder, recipient, first } = await loadFixture(fixture);
        await expect(token.connect(holder).safeTransferFrom(holder.address, recipient.address, first, 0, "0x"))
          .to.emit(token, "TransferSingle")
          .withArgs(holder.address, holder.address, recipient.address, first, 0n);
        expect(await token.balanceOf(holder.address, first)).to.equal(1n);
      });
    });

    describe("safeBatchTransferFrom", function () {
      it("moves several ids and emits TransferBatch; checks lengths and balances", async function () {
        const { token, holder, recipient, first, second } = await loadFixture(fixture);
        await expect(token.connect(holder).safeBatchTransferFrom(holder.address, recipient.address, [first, second], [1, 1], "0x"))
          .to.emit(token, "TransferBatch")
          .withArgs(holder.address, holder.address, recipient.address, [first, second], [1n, 1n]);
        expect(await token.balanceOfBatch([recipient.address, recipient.address], [first, second])).to.deep.equal([1n, 1n]);
        await expect(token.connect(recipient).safeBatchTransferFrom(recipient.address, holder.address, [first, second], [1], "0x"))
          .to.be.revertedWithCustomError(token, "ERC1155InvalidArrayLength")
          .withArgs(2n, 1n);
        await expect(token.connect(holder).safeBatchTransferFrom(holder.address, recipient.address, [first], [1], "0x"))
          .to.be.revertedWithCustomError(token, "ERC1155InsufficientBalance")
          .withArgs(holder.address, 0n, 1n, first);
      });
    });

    describe("to contracts", function () {
      const receiver = (single: string, batch: string, failure: Failure) => ethers.deployContract("ERC1155ReceiverMock", [single, batch, failure]);

      it("calls onERC1155Received / onERC1155BatchReceived with operator, from, ids, values and data", async function () {
        const { token, holder, first, second } = await loadFixture(fixture);
        const mock = await receiver(SINGLE, BATCH, Failure.None);
        const to = await mock.getAddress();
        await expect(token.connect(holder).safeTransferFrom(holder.address, to, first, 1, "0x42")).to.emit(mock, "Received").withArgs(holder.address, holder.address, first, 1n, "0x42");
        await expect(token.connect(holder).safeBatchTransferFrom(holder.address, to, [second], [1], "0x43"))
          .to.emit(mock, "BatchReceived")
          .withArgs(holder.address, holder.address, [second], [1n], "0x43");
      });

      it("reverts when the receiver returns the wrong value or reverts without a reason", async function () {
        const { token, holder, first } = await loadFixture(fixture);
        for (const mock of [await receiver("0x00c0ffee", BATCH, Failure.None), await receiver(SINGLE, BATCH, Failure.RevertWithoutMessage)]) {
          const to = await mock.getAddress();
          await expect(token.connect(holder).safeTransferFrom(holder.address, to, first, 1, "0x")).to.be.revertedWithCustomError(token, "ERC1155InvalidReceiver").withArgs(to);
        }
        const wrongBatch = await receiver(SINGLE, "0x00c0ffee", Failure.None);
        const to = await wrongBatch.getAddress();
        await expect(token.connect(holder).safeBatchTransferFrom(holder.address, to, [first], [1], "0x")).to.be.revertedWithCustomError(token, "ERC1155InvalidReceiver").withArgs(to);
      });

      it("bubbles up reasons, custom errors and panics", async function () {
        const { token, holder, first } = await loadFixture(fixture);
        const withMessage = await receiver(SINGLE, BATCH, Failure.RevertWithMessage);
        await expect(token.connect(holder).safeTransferFrom(holder.address, await withMessage.getAddress(), first, 1, "0x")).to.be.revertedWith("ERC1155ReceiverMock: reverting");
        const withError = await receiver(SINGLE, BATCH, Failure.RevertWithCustomError);
        await expect(token.connect(holder).safeTransferFrom(holder.address, await withError.getAddress(), first, 1, "0x"))
          .to.be.revertedWithCustomError(withError, "CustomError")
          .withArgs(SINGLE);
        const panics = await receiver(SINGLE, BATCH, Failure.Panic);
        await expect(token.connect(holder).safeTransferFrom(holder.address, await panics.getAddress(), first, 1, "0x")).to.be.revertedWithPanic(0x12);
      });

      it("reverts for a contract that is not a receiver", async function () {
        const { token, holder, first } = await loadFixture(fixture);
        const notReceiver = await ethers.deployContract("MockERC20", ["x", "x"]);
        const to = await notReceiver.getAddress();
        await expect(token.connect(holder).safeTransferFrom(holder.address, to, first, 1, "0x")).to.be.revertedWithCustomError(token, "ERC1155InvalidReceiver").withArgs(to);
      });
    });

    it("ERC-165: ERC-165, ERC-1155 and its metadata URI extension; 0xffffffff not", async function () {
      const { token } = await loadFixture(fixture);
      for (const id of ["0x01ffc9a7", "0xd9b67a26", "0x0e89341c"]) expect(await token.supportsInterface(id)).to.equal(true);
      expect(await token.supportsInterface("0xffffffff")).to.equal(false);
    });
  });
}

let minted = 0;
shouldBehaveLikeERC1155("PodLicenses (minted by a market purchase)", async () => {
  const f = await deployMarket();
  return {
    token: f.licenses,
    async mint(to) {
      const id = await publishOriginal(f.registry, f.alice, `licensed-${minted++}`);
      await f.market.connect(f.alice).list(id, NATIVE, 1000n, 0, true);
      await f.market.connect(to).buy(id, 1, NATIVE, 1000n, { value: 1000n });
      return id;
    },
  };
});

describe("PodLicenses", function () {
  async function licensed() {
    const f = await deployMarket();
    await f.market.connect(f.alice).list(f.alicePod, NATIVE, 1000n, 0, false);
    await f.market.connect(f.carol).buy(f.alicePod, 1, NATIVE, 1000n, { value: 1000n });
    return f;
  }

  it("a licence of a pod listed as non-transferable cannot move, but can be burnt by its holder", async function () {
    const { licenses, carol, dave, alicePod } = await loadFixture(licensed);
    expect(await licenses.isTransferable(alicePod)).to.equal(false);
    await expect(licenses.connect(carol).safeTransferFrom(carol.address, dave.address, alicePod, 1, "0x"))
      .to.be.revertedWithCustomError(licenses, "PodLicensesNotTransferable")
      .withArgs(alicePod);
    await expect(licenses.connect(carol).safeBatchTransferFrom(carol.address, dave.address, [alicePod], [1], "0x")).to.be.revertedWithCustomError(
      licenses,
      "PodLicensesNotTransferable",
    );
    await expect(licenses.connect(carol).burn(carol.address, alicePod, 1))
      .to.emit(licenses, "TransferSingle")
      .withArgs(carol.address, carol.address, ethers.ZeroAddress, alicePod, 1n);
    expect(await licenses.hasLicense(carol.address, alicePod)).to.equal(false);
  });

  it("hasLicense: holders and the pod's current owner; never for a pod that does not exist", async function () {
    const { licenses, registry, alice, alicePod, carol, dave } = await loadFixture(licensed);
    expect(await licenses.hasLicense(alice.address, alicePod)).to.equal(true);
    expect(await licenses.hasLicense(carol.address, alicePod)).to.equal(true);
    expect(await licenses.hasLicense(dave.address, alicePod)).to.equal(false);
    await registry.connect(alice).transferFrom(alice.address, dave.address, alicePod);
    expect(await licenses.hasLicense(dave.address, alicePod)).to.equal(true);
    expect(await licenses.hasLicense(alice.address, alicePod)).to.equal(false);
    expect(await licenses.hasLicense(dave.address, 999n)).to.equal(false);
  });

  it("only minters mint and set transferability; the admin grants MINTER_ROLE to a new market", async function () {
    const { licenses, admin, stranger, carol, alicePod } = await loadFixture(licensed);
    const MINTER = await licenses.MINTER_ROLE();
    await expect(licenses.connect(stranger).mint(stranger.address, alicePod)).to.be.revertedWithCustomError(licenses, "AccessControlUnauthorizedAccount").withArgs(stranger.address, MINTER);
    await expect(licenses.connect(stranger).setTransferable(alicePod, true)).to.be.revertedWithCustomError(licenses, "AccessControlUnauthorizedAccount").withArgs(stranger.address, MINTER);
    await expect(licenses.connect(admin).mint(admin.address, alicePod)).to.be.revertedWithCustomError(licenses, "AccessControlUnauthorizedAccount");
    // A second market version: old licences stay valid, the new one mints into the same contract.
    await licenses.connect(admin).grantRole(MINTER, stranger.address);
    await expect(licenses.connect(stranger).mint(stranger.address, alicePod)).to.emit(licenses, "TransferSingle");
    await expect(licenses.connect(stranger).setTransferable(alicePod, true)).to.emit(licenses, "LicenseTransferabilitySet").withArgs(alicePod, true, stranger.address);
    expect(await licenses.balanceOf(carol.address, alicePod)).to.equal(1n);
    // No role moves a holder's licence.
    await expect(licenses.connect(admin).safeTransferFrom(carol.address, admin.address, alicePod, 1, "0x")).to.be.revertedWithCustomError(licenses, "ERC1155MissingApprovalForAll");
    await expect(licenses.connect(stranger).burn(carol.address, alicePod, 1)).to.be.revertedWithCustomError(licenses, "ERC1155MissingApprovalForAll");
  });

  it("a constructor minter can mint from the start; uri is the pod's metadata", async function () {
    const { registry, registryAddress, alicePod, admin, stranger } = await loadFixture(deployMarket);
    const licenses = await ethers.deployContract("PodLicenses", [registryAddress, 0, admin.address, stranger.address]);
    await licenses.connect(stranger).mint(stranger.address, alicePod);
    expect(await licenses.uri(alicePod)).to.equal(await registry.tokenURI(alicePod));
    expect(await licenses.registry()).to.equal(registryAddress);
    await expect(licenses.uri(999n)).to.be.revertedWithCustomError(registry, "ERC721NonexistentToken");
  });
});
