import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployRegistry, nameHash, PRIVATE, PUBLIC, publishFork, publishOriginal, ref } from "../support/contracts";

describe("PodRegistry", function () {
  describe("metadata and interfaces", function () {
    it("is the 'Lure Pod' (POD) ERC-721 with ERC-2981 and exposes its caps", async function () {
      const { registry } = await loadFixture(deployRegistry);
      expect(await registry.name()).to.equal("Lure Pod");
      expect(await registry.symbol()).to.equal("POD");
      expect(await registry.MAX_ROYALTY_BPS()).to.equal(2500);
      expect(await registry.MAX_NAME_LENGTH()).to.equal(64);
      expect(await registry.supportsInterface("0x80ac58cd")).to.equal(true); // ERC-721
      expect(await registry.supportsInterface("0x5b5e139f")).to.equal(true); // ERC-721 metadata
      expect(await registry.supportsInterface("0x2a55205a")).to.equal(true); // ERC-2981
      expect(await registry.supportsInterface("0x01ffc9a7")).to.equal(true); // ERC-165
      expect(await registry.supportsInterface("0xdeadbeef")).to.equal(false);
    });
  });

  describe("publish", function () {
    it("mints ids from 1 and emits Transfer, PodPublished and VersionPublished with every field", async function () {
      const { registry, alice } = await loadFixture(deployRegistry);
      const manifest = ref("a");
      const tx = registry.connect(alice).publish("weather", manifest, PUBLIC, 0, 0, 700);
      await expect(tx).to.emit(registry, "Transfer").withArgs(ethers.ZeroAddress, alice.address, 1n);
      await expect(tx)
        .to.emit(registry, "PodPublished")
        .withArgs(1n, alice.address, 0n, "weather", manifest, PUBLIC, 0n, 0, 700);
      await expect(tx).to.emit(registry, "VersionPublished").withArgs(1n, 1n, manifest, alice.address);

      const published = await registry.pod(1n);
      expect(published.nameHash).to.equal(nameHash("weather"));
      expect(published.visibility).to.equal(PUBLIC);
      expect(published.versionCount).to.equal(1n);
      expect(published.royaltyBps).to.equal(0);
      expect(published.forkRoyaltyBps).to.equal(700);
      expect(published.parentPodId).to.equal(0n);
      expect(published.parentVersion).to.equal(0n);
      expect(published.latestRef).to.equal(manifest);
      expect(await registry.ownerOf(1n)).to.equal(alice.address);
      expect(await registry.podIdOf(alice.address, "weather")).to.equal(1n);
      expect(await registry.exists(1n)).to.equal(true);
      expect(await registry.totalPods()).to.equal(1n);

      const second = await publishOriginal(registry, alice, "second");
      expect(second).to.equal(2n);
    });

    it("records the block timestamp of version 1", async function () {
      const { registry, alice } = await loadFixture(deployRegistry);
      const at = (await time.latest()) + 100;
      await time.setNextBlockTimestamp(at);
      await publishOriginal(registry, alice, "timed");
      const first = await registry.version(1n, 1n);
      expect(first.manifestRef).to.equal(ref("timed"));
      expect(first.publishedAt).to.equal(BigInt(at));
    });

    it("ignores parentVersion for an original and stores 0", async function () {
      const { registry, alice } = await loadFixture(deployRegistry);
      await expect(registry.connect(alice).publish("orig", ref(1), PRIVATE, 0, 9, 0))
        .to.emit(registry, "PodPublished")
        .withArgs(1n, alice.address, 0n, "orig", ref(1), PRIVATE, 0n, 0, 0);
      expect((await registry.pod(1n)).parentVersion).to.equal(0n);
    });

    it("accepts names of exactly 1 and 64 bytes and counts UTF-8 bytes, not characters", async function () {
      const { registry, alice } = await loadFixture(deployRegistry);
      await publishOriginal(registry, alice, "x");
      await publishOriginal(registry, alice, "n".repeat(64));
      const accented = "é".repeat(33); // 66 bytes, 33 characters
      await expect(registry.connect(alice).publish(accented, ref(2), PUBLIC, 0, 0, 0))
        .to.be.revertedWithCustomError(registry, "NameTooLong")
        .withArgs(66n, 64n);
    });

    it("rejects an empty name, a 65-byte name, a zero reference and a royalty above the cap", async function () {
      const { registry, alice } = await loadFixture(deployRegistry);
      await expect(registry.connect(alice).publish("", ref(1), PUBLIC, 0, 0, 0)).to.be.revertedWithCustomError(registry, "EmptyName");
      await expect(registry.connect(alice).publish("n".repeat(65), ref(1), PUBLIC, 0, 0, 0))
        .to.be.revertedWithCustomError(registry, "NameTooLong")
        .withArgs(65n, 64n);
      await expect(registry.connect(alice).publish("zero", ethers.ZeroHash, PUBLIC, 0, 0, 0)).to.be.revertedWithCustomError(
        registry,
        "ZeroManifestRef",
      );
      await expect(registry.connect(alice).publish("greedy", ref(1), PUBLIC, 0, 0, 2501))
        .to.be.revertedWithCustomError(registry, "RoyaltyTooHigh")
        .withArgs(2501, 2500);
      await publishOriginal(registry, alice, "at-cap", 2500);
      expect((await registry.pod(1n)).forkRoyaltyBps).to.equal(2500);
    });

    it("keeps names unique per owner but lets two owners use the same name", async function () {
      const { registry, alice, bob } = await loadFixture(deployRegistry);
      await publishOriginal(registry, alice, "shared");
      await expect(registry.connect(alice).publish("shared", ref(2), PUBLIC, 0, 0, 0))
        .to.be.revertedWithCustomError(registry, "NameTaken")
        .withArgs(alice.address, "shared");
      await publishOriginal(registry, bob, "shared");
      expect(await registry.podIdOf(alice.address, "shared")).to.equal(1n);
      expect(await registry.podIdOf(bob.address, "shared")).to.equal(2n);
      expect(await registry.podIdOf(bob.address, "unknown")).to.equal(0n);
    });

    it("forks a public parent, snapshots the parent's fork royalty and records the lineage", async function () {
      const { registry, alice, bob } = await loadFixture(deployRegistry);
      const parent = await publishOriginal(registry, alice, "parent", 1200);
      await registry.connect(alice).publishVersion(parent, ref("parent-v2"));
      await expect(registry.connect(bob).publish("child", ref("child"), PUBLIC, parent, 2, 300))
        .to.emit(registry, "PodPublished")
        .withArgs(2n, bob.address, parent, "child", ref("child"), PUBLIC, 2n, 1200, 300);
      const child = await registry.pod(2n);
      expect(child.parentPodId).to.equal(parent);
      expect(child.parentVersion).to.equal(2n);
      expect(child.royaltyBps).to.equal(1200);
      expect(child.forkRoyaltyBps).to.equal(300);
      // A fork of the fork owes the fork's chosen rate, not the grandparent's.
      const grandchild = await publishFork(registry, alice, "grandchild", 2n);
      expect((await registry.pod(grandchild)).royaltyBps).to.equal(300);
    });

    it("rejects a missing parent, a private parent and a parent version that does not exist", async function () {
      const { registry, alice, bob } = await loadFixture(deployRegistry);
      await expect(registry.connect(bob).publish("f", ref(1), PUBLIC, 7, 1, 0))
        .to.be.revertedWithCustomError(registry, "ParentNotFound")
        .withArgs(7n);
      const hidden = await publishOriginal(registry, alice, "hidden", 0, PRIVATE);
      await expect(registry.connect(bob).publish("f", ref(1), PUBLIC, hidden, 1, 0))
        .to.be.revertedWithCustomError(registry, "ParentNotPublic")
        .withArgs(hidden);
      const open = await publishOriginal(registry, alice, "open");
      await expect(registry.connect(bob).publish("f", ref(1), PUBLIC, open, 0, 0))
        .to.be.revertedWithCustomError(registry, "ParentVersionNotFound")
        .withArgs(open, 0n);
      await expect(registry.connect(bob).publish("f", ref(1), PUBLIC, open, 2, 0))
        .to.be.revertedWithCustomError(registry, "ParentVersionNotFound")
        .withArgs(open, 2n);
    });
  });

  describe("publishVersion", function () {
    it("appends versions for the owner, updates latestRef and tokenURI, and emits VersionPublished", async function () {
      const { registry, alice } = await loadFixture(deployRegistry);
      const podId = await publishOriginal(registry, alice, "versions");
      const at = (await time.latest()) + 50;
      await time.setNextBlockTimestamp(at);
      await expect(registry.connect(alice).publishVersion(podId, ref("v2")))
        .to.emit(registry, "VersionPublished")
        .withArgs(podId, 2n, ref("v2"), alice.address);
      expect(await registry.connect(alice).publishVersion.staticCall(podId, ref("v3"))).to.equal(3n);
      const second = await registry.version(podId, 2n);
      expect(second.manifestRef).to.equal(ref("v2"));
      expect(second.publishedAt).to.equal(BigInt(at));
      const record = await registry.pod(podId);
      expect(record.versionCount).to.equal(2n);
      expect(record.latestRef).to.equal(ref("v2"));
      expect(await registry.tokenURI(podId)).to.equal(`bzz://${ref("v2").slice(2)}`);
      // History is append-only: version 1 is untouched.
      expect((await registry.version(podId, 1n)).manifestRef).to.equal(ref("versions"));
    });

    it("lets an operator (approval for all) and an approved address publish, and records who did", async function () {
      const { registry, alice, bob, carol } = await loadFixture(deployRegistry);
      const podId = await publishOriginal(registry, alice, "delegated");
      await registry.connect(alice).setApprovalForAll(bob.address, true);
      await expect(registry.connect(bob).publishVersion(podId, ref("by-bob")))
        .to.emit(registry, "VersionPublished")
        .withArgs(podId, 2n, ref("by-bob"), bob.address);
      await registry.connect(alice).approve(carol.address, podId);
      await expect(registry.connect(carol).publishVersion(podId, ref("by-carol")))
        .to.emit(registry, "VersionPublished")
        .withArgs(podId, 3n, ref("by-carol"), carol.address);
    });

    it("rejects strangers, unknown pods, a zero reference and a repeat of the latest reference", async function () {
      const { registry, alice, bob } = await loadFixture(deployRegistry);
      const podId = await publishOriginal(registry, alice, "guarded");
      await expect(registry.connect(bob).publishVersion(podId, ref(2)))
        .to.be.revertedWithCustomError(registry, "NotPodOwnerOrOperator")
        .withArgs(podId, bob.address);
      await expect(registry.connect(alice).publishVersion(42n, ref(2)))
        .to.be.revertedWithCustomError(registry, "PodNotFound")
        .withArgs(42n);
      await expect(registry.connect(alice).publishVersion(podId, ethers.ZeroHash)).to.be.revertedWithCustomError(registry, "ZeroManifestRef");
      await expect(registry.connect(alice).publishVersion(podId, ref("guarded")))
        .to.be.revertedWithCustomError(registry, "DuplicateVersion")
        .withArgs(podId, ref("guarded"));
      // Going back to an older reference is a new version, not a duplicate.
      await registry.connect(alice).publishVersion(podId, ref(2));
      await expect(registry.connect(alice).publishVersion(podId, ref("guarded"))).to.emit(registry, "VersionPublished");
    });
  });

  describe("setVisibility", function () {
    it("is for the owner or an operator, emits VisibilityChanged and controls who may fork", async function () {
      const { registry, alice, bob, carol } = await loadFixture(deployRegistry);
      const podId = await publishOriginal(registry, alice, "vis");
      await expect(registry.connect(alice).setVisibility(podId, PRIVATE)).to.emit(registry, "VisibilityChanged").withArgs(podId, PRIVATE);
      expect((await registry.pod(podId)).visibility).to.equal(PRIVATE);
      await expect(registry.connect(bob).publish("fork", ref(1), PUBLIC, podId, 1, 0)).to.be.revertedWithCustomError(registry, "ParentNotPublic");
      await registry.connect(alice).setApprovalForAll(carol.address, true);
      await expect(registry.connect(carol).setVisibility(podId, PUBLIC)).to.emit(registry, "VisibilityChanged").withArgs(podId, PUBLIC);
      await publishFork(registry, bob, "fork", podId);
      await expect(registry.connect(bob).setVisibility(podId, PRIVATE))
        .to.be.revertedWithCustomError(registry, "NotPodOwnerOrOperator")
        .withArgs(podId, bob.address);
      await expect(registry.connect(alice).setVisibility(99n, PRIVATE)).to.be.revertedWithCustomError(registry, "PodNotFound").withArgs(99n);
    });
  });

  describe("views", function () {
    it("revert with PodNotFound / VersionNotFound for what does not exist", async function () {
      const { registry, alice } = await loadFixture(deployRegistry);
      await expect(registry.pod(1n)).to.be.revertedWithCustomError(registry, "PodNotFound").withArgs(1n);
      await expect(registry.version(1n, 1n)).to.be.revertedWithCustomError(registry, "PodNotFound").withArgs(1n);
      await expect(registry.tokenURI(1n)).to.be.revertedWithCustomError(registry, "PodNotFound").withArgs(1n);
      await expect(registry.royaltyInfo(1n, 100n)).to.be.revertedWithCustomError(registry, "PodNotFound").withArgs(1n);
      expect(await registry.exists(1n)).to.equal(false);
      const podId = await publishOriginal(registry, alice, "v");
      await expect(registry.version(podId, 0n)).to.be.revertedWithCustomError(registry, "VersionNotFound").withArgs(podId, 0n);
      await expect(registry.version(podId, 2n)).to.be.revertedWithCustomError(registry, "VersionNotFound").withArgs(podId, 2n);
    });

    it("formats tokenURI as bzz:// and 64 lowercase hex digits of the latest reference", async function () {
      const { registry, alice } = await loadFixture(deployRegistry);
      const manifest = "0x00ff10ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef0a0b";
      await registry.connect(alice).publish("uri", manifest, PUBLIC, 0, 0, 0);
      const uri = await registry.tokenURI(1n);
      expect(uri).to.equal(`bzz://${manifest.slice(2).toLowerCase()}`);
      expect(uri).to.match(/^bzz:\/\/[0-9a-f]{64}$/);
    });
  });

  describe("royaltyInfo (ERC-2981)", function () {
    it("owes nothing for originals and the snapshotted rate to the parent's current owner for forks", async function () {
      const { registry, alice, bob, carol } = await loadFixture(deployRegistry);
      const parent = await publishOriginal(registry, alice, "p", 1000);
      const child = await publishFork(registry, bob, "c", parent);
      expect(await registry.royaltyInfo(parent, 10_000n)).to.deep.equal([ethers.ZeroAddress, 0n]);
      expect(await registry.royaltyInfo(child, 10_000n)).to.deep.equal([alice.address, 1000n]);
      expect(await registry.royaltyInfo(child, 19n)).to.deep.equal([alice.address, 1n]); // rounds down
      // The royalty follows the parent token when it changes hands.
      await registry.connect(alice).transferFrom(alice.address, carol.address, parent);
      expect(await registry.royaltyInfo(child, 10_000n)).to.deep.equal([carol.address, 1000n]);
      // A fork of a parent with no fork royalty owes 0 but still names the parent owner.
      const free = await publishOriginal(registry, alice, "free", 0);
      const freeChild = await publishFork(registry, bob, "free-child", free);
      expect(await registry.royaltyInfo(freeChild, 10_000n)).to.deep.equal([alice.address, 0n]);
    });
  });

  describe("transfers move the name", function () {
    it("moves the name index with the token and frees the name for the sender", async function () {
      const { registry, alice, bob } = await loadFixture(deployRegistry);
      const podId = await publishOriginal(registry, alice, "movable");
      await expect(registry.connect(alice).transferFrom(alice.address, bob.address, podId))
        .to.emit(registry, "Transfer")
        .withArgs(alice.address, bob.address, podId);
      expect(await registry.podIdOf(alice.address, "movable")).to.equal(0n);
      expect(await registry.podIdOf(bob.address, "movable")).to.equal(podId);
      // Alice can reuse the name; Bob now controls the pod and Alice no longer can.
      await publishOriginal(registry, alice, "movable");
      await registry.connect(bob).publishVersion(podId, ref("bob-v2"));
      await expect(registry.connect(alice).publishVersion(podId, ref("alice-v2"))).to.be.revertedWithCustomError(
        registry,
        "NotPodOwnerOrOperator",
      );
    });

    it("refuses a transfer that would give the recipient two pods of the same name", async function () {
      const { registry, alice, bob } = await loadFixture(deployRegistry);
      const alices = await publishOriginal(registry, alice, "same");
      const bobs = await publishOriginal(registry, bob, "same");
      await expect(registry.connect(alice).transferFrom(alice.address, bob.address, alices))
        .to.be.revertedWithCustomError(registry, "NameHashTaken")
        .withArgs(bob.address, nameHash("same"));
      await expect(
        registry.connect(alice)["safeTransferFrom(address,address,uint256)"](alice.address, bob.address, alices),
      ).to.be.revertedWithCustomError(registry, "NameHashTaken");
      expect(await registry.ownerOf(alices)).to.equal(alice.address);
      expect(await registry.podIdOf(bob.address, "same")).to.equal(bobs);
    });

    it("allows a transfer to oneself without touching the index or the transfer count", async function () {
      const { registry, alice } = await loadFixture(deployRegistry);
      const podId = await publishOriginal(registry, alice, "self");
      await registry.connect(alice).transferFrom(alice.address, alice.address, podId);
      expect(await registry.podIdOf(alice.address, "self")).to.equal(podId);
      expect(await registry.ownership(podId)).to.deep.equal([alice.address, 0n]);
    });

    it("counts changes of owner in ownership(), so a round trip is still visible", async function () {
      const { registry, alice, bob } = await loadFixture(deployRegistry);
      const podId = await publishOriginal(registry, alice, "counted");
      expect(await registry.ownership(podId)).to.deep.equal([alice.address, 0n]);
      await registry.connect(alice).transferFrom(alice.address, bob.address, podId);
      expect(await registry.ownership(podId)).to.deep.equal([bob.address, 1n]);
      await registry.connect(bob)["safeTransferFrom(address,address,uint256)"](bob.address, alice.address, podId);
      expect(await registry.ownership(podId)).to.deep.equal([alice.address, 2n]);
      await expect(registry.ownership(99n)).to.be.revertedWithCustomError(registry, "PodNotFound").withArgs(99n);
    });
  });
});
