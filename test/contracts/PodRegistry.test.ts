import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { cascade, deployRegistry, PRIVATE, PUBLIC, publishFork, publishOriginal, ref } from "../support/contracts";

interface Metadata {
  name: string;
  description: string;
  external_url?: string;
  image: string;
  attributes: { trait_type: string; value: string | number; display_type?: string }[];
}

function decodeDataUri(uri: string, mime: string): string {
  const prefix = `data:${mime};base64,`;
  expect(uri.startsWith(prefix), `${uri.slice(0, 40)} starts with ${prefix}`).to.equal(true);
  return Buffer.from(uri.slice(prefix.length), "base64").toString("utf8");
}

function metadataOf(uri: string): { json: Metadata; svg: string } {
  const json = JSON.parse(decodeDataUri(uri, "application/json")) as Metadata;
  return { json, svg: decodeDataUri(json.image, "image/svg+xml") };
}

function attribute(json: Metadata, trait: string) {
  return json.attributes.find((a) => a.trait_type === trait)?.value;
}

describe("PodRegistry", function () {
  describe("publish", function () {
    it("mints to the creator, records the pod and emits PodPublished and VersionPublished (revision 1)", async function () {
      const { registry, alice } = await loadFixture(deployRegistry);
      const tx = registry.connect(alice).publish("hello", ref(1), PUBLIC, 0, 7, 500);
      await expect(tx).to.emit(registry, "PodPublished").withArgs(1n, alice.address, 0n, "hello", ref(1), PUBLIC, 0n, 0n, 500n);
      await expect(tx).to.emit(registry, "VersionPublished").withArgs(1n, 1n, ref(1), alice.address, 1n);
      await expect(tx).to.emit(registry, "Transfer").withArgs(ethers.ZeroAddress, alice.address, 1n);
      const pod = await registry.pod(1n);
      expect(pod.name).to.equal("hello");
      expect(pod.versionCount).to.equal(1n);
      expect(pod.revision).to.equal(1n);
      expect(pod.parentVersion).to.equal(0n); // ignored for originals
      expect(pod.latestRef).to.equal(ref(1));
      expect(pod.createdAt).to.equal(BigInt(await time.latest()));
      expect(await registry.podIdOf(alice.address, "hello")).to.equal(1n);
      expect(await registry.totalPods()).to.equal(1n);
      expect(await registry.exists(1n)).to.equal(true);
      expect(await registry.exists(2n)).to.equal(false);
    });

    it("rejects bad names, references and rates", async function () {
      const { registry, alice } = await loadFixture(deployRegistry);
      await expect(registry.connect(alice).publish("", ref(1), PUBLIC, 0, 0, 0)).to.be.revertedWithCustomError(registry, "PodRegistryEmptyName");
      await expect(registry.connect(alice).publish("x".repeat(65), ref(1), PUBLIC, 0, 0, 0))
        .to.be.revertedWithCustomError(registry, "PodRegistryNameTooLong")
        .withArgs(65n, 64n);
      await expect(registry.connect(alice).publish("a", ethers.ZeroHash, PUBLIC, 0, 0, 0)).to.be.revertedWithCustomError(
        registry,
        "PodRegistryZeroManifestRef",
      );
      await expect(registry.connect(alice).publish("a", ref(1), PUBLIC, 0, 0, 2501))
        .to.be.revertedWithCustomError(registry, "PodRegistryRoyaltyTooHigh")
        .withArgs(2501n, 2500n);
      await registry.connect(alice).publish("x".repeat(64), ref(1), PUBLIC, 0, 0, 2500);
    });

    it("names are unique per creator; another creator may use the same name", async function () {
      const { registry, alice, bob } = await loadFixture(deployRegistry);
      await publishOriginal(registry, alice, "same");
      await expect(registry.connect(alice).publish("same", ref(2), PUBLIC, 0, 0, 0))
        .to.be.revertedWithCustomError(registry, "PodRegistryNameTaken")
        .withArgs(alice.address, "same");
      const bobs = await publishOriginal(registry, bob, "same");
      expect(await registry.podIdOf(bob.address, "same")).to.equal(bobs);
      expect(await registry.podIdOf(bob.address, "other")).to.equal(0n);
    });

    it("transfers never depend on names: a same-named pod can be given to anyone, the name stays with its creator", async function () {
      const { registry, alice, bob } = await loadFixture(deployRegistry);
      const a = await publishOriginal(registry, alice, "shared-name");
      const b = await publishOriginal(registry, bob, "shared-name");
      await registry.connect(alice).transferFrom(alice.address, bob.address, a);
      expect(await registry.ownerOf(a)).to.equal(bob.address);
      expect(await registry.ownerOf(b)).to.equal(bob.address);
      // The lookup is by creator and never moves.
      expect(await registry.podIdOf(alice.address, "shared-name")).to.equal(a);
      expect(await registry.podIdOf(bob.address, "shared-name")).to.equal(b);
      // A contract holding pods (a vault) can receive any number of same-named pods.
      const vault = await ethers.deployContract("ERC721ReceiverMock", ["0x150b7a02", 0]);
      await registry.connect(bob)["safeTransferFrom(address,address,uint256)"](bob.address, await vault.getAddress(), a);
      await registry.connect(bob)["safeTransferFrom(address,address,uint256)"](bob.address, await vault.getAddress(), b);
      expect(await registry.balanceOf(await vault.getAddress())).to.equal(2n);
    });

    it("forks: parent must exist, be public and have the version; the fork owes the parent's forkRoyaltyBps", async function () {
      const { registry, alice, bob } = await loadFixture(deployRegistry);
      const parent = await publishOriginal(registry, alice, "parent", 1200);
      await expect(registry.connect(bob).publish("f", ref(9), PUBLIC, 99, 1, 0))
        .to.be.revertedWithCustomError(registry, "ERC721NonexistentToken")
        .withArgs(99n);
      await expect(registry.connect(bob).publish("f", ref(9), PUBLIC, parent, 2, 1200))
        .to.be.revertedWithCustomError(registry, "PodRegistryParentVersionNotFound")
        .withArgs(parent, 2n);
      await expect(registry.connect(bob).publish("f", ref(9), PUBLIC, parent, 0, 1200))
        .to.be.revertedWithCustomError(registry, "PodRegistryParentVersionNotFound")
        .withArgs(parent, 0n);
      await expect(registry.connect(bob).publish("f", ref(9), PUBLIC, parent, 1, 1199))
        .to.be.revertedWithCustomError(registry, "PodRegistryForkRoyaltyBelowOwn")
        .withArgs(1199n, 1200n);
      await expect(registry.connect(bob).publish("f", ref(9), PUBLIC, parent, 1, 1500))
        .to.emit(registry, "PodPublished")
        .withArgs(2n, bob.address, parent, "f", ref(9), PUBLIC, 1n, 1200n, 1500n);
      const fork = await registry.pod(2n);
      expect(fork.parentPodId).to.equal(parent);
      expect(fork.royaltyBps).to.equal(1200n);
      expect(fork.forkRoyaltyBps).to.equal(1500n);
      const hidden = await publishOriginal(registry, alice, "hidden", 0, PRIVATE);
      await expect(registry.connect(bob).publish("g", ref(8), PUBLIC, hidden, 1, 0))
        .to.be.revertedWithCustomError(registry, "PodRegistryParentNotPublic")
        .withArgs(hidden);
    });
  });

  describe("versions and visibility", function () {
    it("publishVersion appends, bumps the revision, emits VersionPublished and MetadataUpdate; operators may publish", async function () {
      const { registry, alice, bob, carol } = await loadFixture(deployRegistry);
      const id = await publishOriginal(registry, alice, "p");
      const tx = registry.connect(alice).publishVersion(id, ref(2));
      await expect(tx).to.emit(registry, "VersionPublished").withArgs(id, 2n, ref(2), alice.address, 2n);
      await expect(tx).to.emit(registry, "MetadataUpdate").withArgs(id);
      await registry.connect(alice).setApprovalForAll(bob.address, true);
      await expect(registry.connect(bob).publishVersion(id, ref(3))).to.emit(registry, "VersionPublished").withArgs(id, 3n, ref(3), bob.address, 3n);
      expect(await registry.latestVersion(id)).to.deep.equal([3n, ref(3)]);
      const v2 = await registry.version(id, 2);
      expect(v2.manifestRef).to.equal(ref(2));
      const v1 = await registry.version(id, 1);
      expect(v1.manifestRef).to.equal(ref("p"));
      await expect(registry.version(id, 4)).to.be.revertedWithCustomError(registry, "PodRegistryVersionNotFound").withArgs(id, 4n);
      await expect(registry.version(id, 0)).to.be.revertedWithCustomError(registry, "PodRegistryVersionNotFound").withArgs(id, 0n);
      await expect(registry.connect(carol).publishVersion(id, ref(5)))
        .to.be.revertedWithCustomError(registry, "PodRegistryUnauthorized")
        .withArgs(id, carol.address);
      await expect(registry.connect(alice).publishVersion(id, ref(3)))
        .to.be.revertedWithCustomError(registry, "PodRegistryDuplicateVersion")
        .withArgs(id, ref(3));
      await expect(registry.connect(alice).publishVersion(id, ethers.ZeroHash)).to.be.revertedWithCustomError(registry, "PodRegistryZeroManifestRef");
    });

    it("setVisibility changes it with the actor, bumps the revision and emits MetadataUpdate; unchanged reverts", async function () {
      const { registry, alice, bob } = await loadFixture(deployRegistry);
      const id = await publishOriginal(registry, alice, "p");
      await registry.connect(alice).approve(bob.address, id);
      const tx = registry.connect(bob).setVisibility(id, PRIVATE);
      await expect(tx).to.emit(registry, "VisibilityChanged").withArgs(id, PRIVATE, bob.address, 2n);
      await expect(tx).to.emit(registry, "MetadataUpdate").withArgs(id);
      expect(await registry.visibilityOf(id)).to.equal(BigInt(PRIVATE));
      expect(await registry.revisionOf(id)).to.equal(2n);
      await expect(registry.connect(alice).setVisibility(id, PRIVATE))
        .to.be.revertedWithCustomError(registry, "PodRegistryVisibilityUnchanged")
        .withArgs(id, PRIVATE);
    });

    it("reports a missing pod with ERC721NonexistentToken everywhere", async function () {
      const { registry, alice } = await loadFixture(deployRegistry);
      const calls = [
        registry.pod(5),
        registry.version(5, 1),
        registry.latestVersion(5),
        registry.visibilityOf(5),
        registry.revisionOf(5),
        registry.saleState(5),
        registry.royaltyShares(5, 100),
        registry.tokenURI(5),
        registry.royaltyInfo(5, 100),
        registry.ownerOf(5),
        registry.connect(alice).publishVersion(5, ref(1)),
        registry.connect(alice).setVisibility(5, PRIVATE),
      ];
      for (const call of calls) await expect(call).to.be.revertedWithCustomError(registry, "ERC721NonexistentToken").withArgs(5n);
    });
  });

  describe("royalties along the lineage", function () {
    async function chain(depth: number, rates: number[]) {
      const { registry, deployer, alice, bob, carol, dave } = await deployRegistry();
      const signers = (await ethers.getSigners()).slice(5, 5 + depth + 1);
      // Pod 1 is the root; pod i+1 forks pod i. rates[i] is pod (i+1)'s forkRoyaltyBps (non-decreasing).
      let id = await publishOriginal(registry, signers[0], "gen-0", rates[0]);
      const ids = [id];
      for (let i = 1; i <= depth; i++) {
        await registry.connect(signers[i]).publish(`gen-${i}`, ref(`gen-${i}`), PUBLIC, id, 1, rates[i]);
        id = await registry.totalPods();
        ids.push(id);
      }
      return { registry, ids, signers, deployer, alice, bob, carol, dave };
    }

    it("an original owes nothing: no shares, ERC-2981 says (0, 0)", async function () {
      const { registry, alice } = await loadFixture(deployRegistry);
      const id = await publishOriginal(registry, alice, "root", 1000);
      const shares = await registry.royaltyShares(id, 10_000n);
      expect(shares.ancestors).to.deep.equal([]);
      expect(await registry.royaltyInfo(id, 10_000n)).to.deep.equal([ethers.ZeroAddress, 0n]);
    });

    it("cascades: the parent passes its own rate on, the root keeps the rest, and the shares sum to the parent's share", async function () {
      const { registry, ids, signers } = await chain(3, [1000, 1500, 2000, 2500]);
      const price = 1_000_003n;
      const sold = ids[3];
      const [ancestors, receivers, amounts] = await registry.royaltyShares(sold, price);
      expect(ancestors).to.deep.equal([ids[2], ids[1], ids[0]]);
      expect(receivers).to.deep.equal([signers[2].address, signers[1].address, signers[0].address]);
      // pod 4 owes 2000 to pod 3; pod 3 owes 1500 to pod 2; pod 2 owes 1000 to pod 1.
      const expected = cascade(price, [2000n, 1500n, 1000n]);
      expect(amounts).to.deep.equal(expected);
      const u1 = (price * 2000n) / 10_000n;
      expect(amounts.reduce((a, b) => a + b, 0n)).to.equal(u1);
      expect(await registry.royaltyInfo(sold, price)).to.deep.equal([signers[2].address, u1]);
    });

    it("stops at 8 ancestors: the 8th keeps everything it receives", async function () {
      const { registry, ids } = await chain(10, [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1100]);
      const price = ethers.parseEther("3");
      const [ancestors, , amounts] = await registry.royaltyShares(ids[10], price);
      expect(ancestors).to.deep.equal(ids.slice(2, 10).reverse());
      const rates = [1000n, 900n, 800n, 700n, 600n, 500n, 400n, 300n];
      expect(amounts).to.deep.equal(cascade(price, rates));
      expect(amounts.reduce((a, b) => a + b, 0n)).to.equal((price * 1000n) / 10_000n);
    });

    it("receivers are the ancestors' current owners", async function () {
      const { registry, ids, signers, dave } = await chain(2, [1000, 1000, 1000]);
      await registry.connect(signers[0]).transferFrom(signers[0].address, dave.address, ids[0]);
      const [, receivers] = await registry.royaltyShares(ids[2], 100n);
      expect(receivers).to.deep.equal([signers[1].address, dave.address]);
    });
  });

  describe("tokenURI", function () {
    it("is base64 JSON metadata with name, attributes, bzz:// link and an on-chain SVG image", async function () {
      const { registry, alice, bob } = await loadFixture(deployRegistry);
      const parent = await publishOriginal(registry, alice, "parent", 700);
      await registry.connect(alice).publishVersion(parent, ref("v2"));
      const { json, svg } = metadataOf(await registry.tokenURI(parent));
      expect(json.name).to.equal("parent");
      expect(json.description).to.contain("#1");
      expect(json.external_url).to.equal(`bzz://${ref("v2").slice(2)}`);
      expect(attribute(json, "Versions")).to.equal(2);
      expect(attribute(json, "Visibility")).to.equal("Public");
      expect(attribute(json, "Lineage")).to.equal("Original");
      expect(attribute(json, "Fork royalty (bps)")).to.equal(700);
      expect(svg.startsWith("<svg")).to.equal(true);
      expect(svg).to.contain("Lure pod #1");
      expect(svg).to.contain("original");

      const fork = await publishFork(registry, bob, "fork", parent);
      const forkMeta = metadataOf(await registry.tokenURI(fork));
      expect(attribute(forkMeta.json, "Lineage")).to.equal("Fork");
      expect(attribute(forkMeta.json, "Parent pod")).to.equal(Number(parent));
      expect(attribute(forkMeta.json, "Parent version")).to.equal(1);
      expect(attribute(forkMeta.json, "Royalty (bps)")).to.equal(700);
      expect(forkMeta.svg).to.contain("fork of #1 v1");
    });

    it("escapes names in JSON and SVG", async function () {
      const { registry, alice } = await loadFixture(deployRegistry);
      const name = `a"b\\c<d>&'e\nf`;
      const id = await publishOriginal(registry, alice, name);
      const { json, svg } = metadataOf(await registry.tokenURI(id));
      expect(json.name).to.equal(name);
      expect(svg).to.contain("a&quot;b\\c&lt;d&gt;&amp;&#39;e f");
    });

    it("does not show a private pod's reference", async function () {
      const { registry, alice } = await loadFixture(deployRegistry);
      const id = await publishOriginal(registry, alice, "secret", 0, PRIVATE);
      const uri = await registry.tokenURI(id);
      const { json, svg } = metadataOf(uri);
      expect(json.external_url).to.equal(undefined);
      expect(attribute(json, "Visibility")).to.equal("Private");
      const hex = ref("secret").slice(2);
      expect(JSON.stringify(json)).not.to.contain(hex);
      expect(svg).not.to.contain(hex);
      expect(svg).to.contain("private");
    });
  });

  it("supports ERC-165, ERC-721, ERC-721 metadata, ERC-2981 and ERC-4906", async function () {
    const { registry } = await loadFixture(deployRegistry);
    for (const id of ["0x01ffc9a7", "0x80ac58cd", "0x5b5e139f", "0x2a55205a", "0x49064906"]) {
      expect(await registry.supportsInterface(id)).to.equal(true);
    }
    expect(await registry.supportsInterface("0xffffffff")).to.equal(false);
    expect(await registry.name()).to.equal("Lure Pod");
    expect(await registry.symbol()).to.equal("POD");
  });

  it("counts transfers in saleState", async function () {
    const { registry, alice, bob } = await loadFixture(deployRegistry);
    const id = await publishOriginal(registry, alice, "p", 0);
    expect(await registry.saleState(id)).to.deep.equal([alice.address, 0n, 1n, 0n]);
    await registry.connect(alice).transferFrom(alice.address, bob.address, id);
    await registry.connect(bob).transferFrom(bob.address, alice.address, id);
    await registry.connect(alice).transferFrom(alice.address, alice.address, id); // to self: not counted
    expect(await registry.saleState(id)).to.deep.equal([alice.address, 2n, 1n, 0n]);
  });
});
