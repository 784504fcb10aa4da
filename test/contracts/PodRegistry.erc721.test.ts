import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { PodRegistry } from "../../typechain-types";
import { PUBLIC, ref } from "../support/contracts";

/**
 * An ERC-721 behaviour suite, written for Lure and covering what OpenZeppelin's ERC721.behavior.js
 * covers: balances and owners with their errors, transfers by owner / approved / operator, safe
 * transfers to receivers that accept, return the wrong value, revert with or without a reason, panic
 * or are not receivers, approvals and operators with their events and errors, zero-address cases and
 * ERC-165. It is parameterised on how a token comes to exist (`mint`), here PodRegistry.publish.
 */

const RECEIVER_MAGIC = "0x150b7a02";
enum Failure {
  None,
  RevertWithoutMessage,
  RevertWithMessage,
  RevertWithCustomError,
  Panic,
}

interface Subject {
  token: PodRegistry;
  /** Makes a new token owned by `to` and returns its id. */
  mint(to: HardhatEthersSigner): Promise<bigint>;
}

function shouldBehaveLikeERC721(label: string, deploy: () => Promise<Subject>) {
  describe(`${label}: ERC-721 behaviour`, function () {
    async function fixture() {
      const subject = await deploy();
      const [owner, approved, operator, other, recipient] = (await ethers.getSigners()).slice(10, 15);
      const first = await subject.mint(owner);
      const second = await subject.mint(owner);
      return { ...subject, owner, approved, operator, other, recipient, first, second, nonexistent: 999n };
    }
    type F = Awaited<ReturnType<typeof fixture>>;

    describe("balanceOf", function () {
      it("counts the tokens of an owner, 0 for others", async function () {
        const { token, owner, other } = await loadFixture(fixture);
        expect(await token.balanceOf(owner.address)).to.equal(2n);
        expect(await token.balanceOf(other.address)).to.equal(0n);
      });
      it("reverts for the zero address", async function () {
        const { token } = await loadFixture(fixture);
        await expect(token.balanceOf(ethers.ZeroAddress)).to.be.revertedWithCustomError(token, "ERC721InvalidOwner").withArgs(ethers.ZeroAddress);
      });
    });

    describe("ownerOf", function () {
      it("returns the owner", async function () {
        const { token, owner, first } = await loadFixture(fixture);
        expect(await token.ownerOf(first)).to.equal(owner.address);
      });
      it("reverts for a token that does not exist", async function () {
        const { token, nonexistent } = await loadFixture(fixture);
        await expect(token.ownerOf(nonexistent)).to.be.revertedWithCustomError(token, "ERC721NonexistentToken").withArgs(nonexistent);
      });
    });

    type TransferFn = (f: F, caller: HardhatEthersSigner, from: string, to: string, id: bigint) => Promise<unknown>;
    const transferFunctions: [string, TransferFn][] = [
      ["transferFrom", (f, caller, from, to, id) => f.token.connect(caller).transferFrom(from, to, id)],
      ["safeTransferFrom", (f, caller, from, to, id) => f.token.connect(caller)["safeTransferFrom(address,address,uint256)"](from, to, id)],
      ["safeTransferFrom with data", (f, caller, from, to, id) => f.token.connect(caller)["safeTransferFrom(address,address,uint256,bytes)"](from, to, id, "0x42")],
    ];

    for (const [name, transfer] of transferFunctions) {
      describe(name, function () {
        for (const [who, caller] of [
          ["the owner", (f: F) => f.owner],
          ["the approved account", (f: F) => f.approved],
          ["an operator", (f: F) => f.operator],
        ] as const) {
          it(`by ${who}: moves the token, clears the approval, updates balances and emits Transfer`, async function () {
            const f = await loadFixture(fixture);
            await f.token.connect(f.owner).approve(f.approved.address, f.first);
            await f.token.connect(f.owner).setApprovalForAll(f.operator.address, true);
            const tx = transfer(f, caller(f), f.owner.address, f.recipient.address, f.first);
            await expect(tx).to.emit(f.token, "Transfer").withArgs(f.owner.address, f.recipient.address, f.first);
            expect(await f.token.ownerOf(f.first)).to.equal(f.recipient.address);
            expect(await f.token.getApproved(f.first)).to.equal(ethers.ZeroAddress);
            expect(await f.token.balanceOf(f.owner.address)).to.equal(1n);
            expect(await f.token.balanceOf(f.recipient.address)).to.equal(1n);
          });
        }

        it("to the owner itself: keeps ownership and balance, clears the approval", async function () {
          const f = await loadFixture(fixture);
          await f.token.connect(f.owner).approve(f.approved.address, f.first);
          await expect(transfer(f, f.owner, f.owner.address, f.owner.address, f.first))
            .to.emit(f.token, "Transfer")
            .withArgs(f.owner.address, f.owner.address, f.first);
          expect(await f.token.ownerOf(f.first)).to.equal(f.owner.address);
          expect(await f.token.balanceOf(f.owner.address)).to.equal(2n);
          expect(await f.token.getApproved(f.first)).to.equal(ethers.ZeroAddress);
        });

        it("reverts when `from` is not the owner", async function () {
          const f = await loadFixture(fixture);
          await expect(transfer(f, f.owner, f.other.address, f.recipient.address, f.first))
            .to.be.revertedWithCustomError(f.token, "ERC721IncorrectOwner")
            .withArgs(f.other.address, f.first, f.owner.address);
        });

        it("reverts when the caller is not authorised", async function () {
          const f = await loadFixture(fixture);
          await expect(transfer(f, f.other, f.owner.address, f.other.address, f.first))
            .to.be.revertedWithCustomError(f.token, "ERC721InsufficientApproval")
            .withArgs(f.other.address, f.first);
        });

        it("reverts for a token that does not exist", async function () {
          const f = await loadFixture(fixture);
          await expect(transfer(f, f.owner, f.owner.address, f.recipient.address, f.nonexistent))
            .to.be.revertedWithCustomError(f.token, "ERC721NonexistentToken")
            .withArgs(f.nonexistent);
        });

        it("reverts when sent to the zero address", async function () {
          const f = await loadFixture(fixture);
          await expect(transfer(f, f.owner, f.owner.address, ethers.ZeroAddress, f.first))
            .to.be.revertedWithCustomError(f.token, "ERC721InvalidReceiver")
            .withArgs(ethers.ZeroAddress);
        });
      });
    }

    describe("safe transfers to contracts", function () {
      async function receiver(retval: string, failure: Failure) {
        return ethers.deployContract("ERC721ReceiverMock", [retval, failure]);
      }

      for (const data of ["0x", "0x42"]) {
        it(`calls onERC721Received with operator, from, id and data (${data})`, async function () {
          const f = await loadFixture(fixture);
          const mock = await receiver(RECEIVER_MAGIC, Failure.None);
          await f.token.connect(f.owner).setApprovalForAll(f.operator.address, true);
          await expect(f.token.connect(f.operator)["safeTransferFrom(address,address,uint256,bytes)"](f.owner.address, await mock.getAddress(), f.first, data))
            .to.emit(mock, "Received")
            .withArgs(f.operator.address, f.owner.address, f.first, data);
          expect(await f.token.ownerOf(f.first)).to.equal(await mock.getAddress());
        });
      }

      it("reverts when the receiver returns the wrong value", async function () {
        const f = await loadFixture(fixture);
        const mock = await receiver("0x00c0ffee", Failure.None);
        const to = await mock.getAddress();
        await expect(f.token.connect(f.owner)["safeTransferFrom(address,address,uint256)"](f.owner.address, to, f.first))
          .to.be.revertedWithCustomError(f.token, "ERC721InvalidReceiver")
          .withArgs(to);
      });

      it("reverts when the receiver reverts without a message", async function () {
        const f = await loadFixture(fixture);
        const mock = await receiver(RECEIVER_MAGIC, Failure.RevertWithoutMessage);
        const to = await mock.getAddress();
        await expect(f.token.connect(f.owner)["safeTransferFrom(address,address,uint256)"](f.owner.address, to, f.first))
          .to.be.revertedWithCustomError(f.token, "ERC721InvalidReceiver")
          .withArgs(to);
      });

      it("bubbles up a receiver's revert message and custom error", async function () {
        const f = await loadFixture(fixture);
        const withMessage = await receiver(RECEIVER_MAGIC, Failure.RevertWithMessage);
        await expect(
          f.token.connect(f.owner)["safeTransferFrom(address,address,uint256)"](f.owner.address, await withMessage.getAddress(), f.first),
        ).to.be.revertedWith("ERC721ReceiverMock: reverting");
        const withError = await receiver(RECEIVER_MAGIC, Failure.RevertWithCustomError);
        await expect(f.token.connect(f.owner)["safeTransferFrom(address,address,uint256)"](f.owner.address, await withError.getAddress(), f.first))
          .to.be.revertedWithCustomError(withError, "CustomError")
          .withArgs(RECEIVER_MAGIC);
      });

      it("bubbles up a receiver's panic", async function () {
        const f = await loadFixture(fixture);
        const mock = await receiver(RECEIVER_MAGIC, Failure.Panic);
        await expect(
          f.token.connect(f.owner)["safeTransferFrom(address,address,uint256)"](f.owner.address, await mock.getAddress(), f.first),
        ).to.be.revertedWithPanic(0x12);
      });

      it("reverts for a contract that is not a receiver; transferFrom does not check", async function () {
        const f = await loadFixture(fixture);
        const notReceiver = await ethers.deployContract("MockERC20", ["x", "x"]);
        const to = await notReceiver.getAddress();
        await expect(f.token.connect(f.owner)["safeTransferFrom(address,address,uint256)"](f.owner.address, to, f.first))
          .to.be.revertedWithCustomError(f.token, "ERC721InvalidReceiver")
          .withArgs(to);
        await f.token.connect(f.owner).transferFrom(f.owner.address, to, f.first);
        expect(await f.token.ownerOf(f.first)).to.equal(to);
      });
    });

    describe("approve", function () {
      it("sets and clears the approval and emits Approval", async function () {
        const f = await loadFixture(fixture);
        await expect(f.token.connect(f.owner).approve(f.approved.address, f.first))
          .to.emit(f.token, "Approval")
          .withArgs(f.owner.address, f.approved.address, f.first);
        expect(await f.token.getApproved(f.first)).to.equal(f.approved.address);
        await expect(f.token.connect(f.owner).approve(ethers.ZeroAddress, f.first))
          .to.emit(f.token, "Approval")
          .withArgs(f.owner.address, ethers.ZeroAddress, f.first);
        expect(await f.token.getApproved(f.first)).to.equal(ethers.ZeroAddress);
      });

      it("an operator may approve; the approved account may not", async function () {
        const f = await loadFixture(fixture);
        await f.token.connect(f.owner).setApprovalForAll(f.operator.address, true);
        await expect(f.token.connect(f.operator).approve(f.other.address, f.first))
          .to.emit(f.token, "Approval")
          .withArgs(f.owner.address, f.other.address, f.first);
        await f.token.connect(f.owner).approve(f.approved.address, f.second);
        await expect(f.token.connect(f.approved).approve(f.other.address, f.second))
          .to.be.revertedWithCustomError(f.token, "ERC721InvalidApprover")
          .withArgs(f.approved.address);
      });

      it("reverts for a stranger and for a token that does not exist", async function () {
        const f = await loadFixture(fixture);
        await expect(f.token.connect(f.other).approve(f.other.address, f.first))
          .to.be.revertedWithCustomError(f.token, "ERC721InvalidApprover")
          .withArgs(f.other.address);
        await expect(f.token.connect(f.owner).approve(f.other.address, f.nonexistent))
          .to.be.revertedWithCustomError(f.token, "ERC721NonexistentToken")
          .withArgs(f.nonexistent);
        await expect(f.token.getApproved(f.nonexistent)).to.be.revertedWithCustomError(f.token, "ERC721NonexistentToken").withArgs(f.nonexistent);
      });
    });

    describe("setApprovalForAll", function () {
      it("sets and revokes an operator and emits ApprovalForAll", async function () {
        const f = await loadFixture(fixture);
        await expect(f.token.connect(f.owner).setApprovalForAll(f.operator.address, true))
          .to.emit(f.token, "ApprovalForAll")
          .withArgs(f.owner.address, f.operator.address, true);
        expect(await f.token.isApprovedForAll(f.owner.address, f.operator.address)).to.equal(true);
        await expect(f.token.connect(f.owner).setApprovalForAll(f.operator.address, false))
          .to.emit(f.token, "ApprovalForAll")
          .withArgs(f.owner.address, f.operator.address, false);
        expect(await f.token.isApprovedForAll(f.owner.address, f.operator.address)).to.equal(false);
      });

      it("reverts for the zero address as operator", async function () {
        const f = await loadFixture(fixture);
        await expect(f.token.connect(f.owner).setApprovalForAll(ethers.ZeroAddress, true))
          .to.be.revertedWithCustomError(f.token, "ERC721InvalidOperator")
          .withArgs(ethers.ZeroAddress);
      });

      it("an operator moves every token of the owner, and loses that power when revoked", async function () {
        const f = await loadFixture(fixture);
        await f.token.connect(f.owner).setApprovalForAll(f.operator.address, true);
        await f.token.connect(f.operator).transferFrom(f.owner.address, f.recipient.address, f.first);
        await f.token.connect(f.owner).setApprovalForAll(f.operator.address, false);
        await expect(f.token.connect(f.operator).transferFrom(f.owner.address, f.recipient.address, f.second))
          .to.be.revertedWithCustomError(f.token, "ERC721InsufficientApproval")
          .withArgs(f.operator.address, f.second);
      });
    });

    it("mints emit Transfer from the zero address", async function () {
      const f = await loadFixture(fixture);
      const next = (await f.token.totalPods()) + 1n;
      expect(await f.mint(f.other)).to.equal(next);
      expect(await f.token.ownerOf(next)).to.equal(f.other.address);
    });

    it("ERC-165: ERC-165, ERC-721 and metadata supported; 0xffffffff not", async function () {
      const { token } = await loadFixture(fixture);
      expect(await token.supportsInterface("0x01ffc9a7")).to.equal(true);
      expect(await token.supportsInterface("0x80ac58cd")).to.equal(true);
      expect(await token.supportsInterface("0x5b5e139f")).to.equal(true);
      expect(await token.supportsInterface("0xffffffff")).to.equal(false);
    });
  });
}

let minted = 0;
shouldBehaveLikeERC721("PodRegistry (minted by publish)", async () => {
  const token = await ethers.deployContract("PodRegistry");
  return {
    token,
    async mint(to) {
      const name = `pod-${minted++}`;
      await (await token.connect(to).publish(name, ref(name), PUBLIC, 0, 0, 0)).wait();
      return token.totalPods();
    },
  };
});
