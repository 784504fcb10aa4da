import { expect } from "chai";
import hre from "hardhat";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { BrowserProvider, encryptKeystoreJson, parseEther, Wallet } from "ethers";
import { connectLure } from "../../services/chain/contracts";
import { ChainError } from "../../services/chain/errors";
import { refToBytes32, VISIBILITY_PUBLIC } from "../../services/chain/refs";
import { signerFromKeystore, signerFromKeystoreFile, signerFromPrivateKey } from "../../services/chain/signers";
import { transact } from "../../services/chain/transact";
import { deployToOwnFolder } from "../support/deployment";

const REF = "680bb26ce329867d9063251135dea6f02b58d0ef3d4eb9076c3d5fc03fe54cf6";

describe("services/chain: signers outside Hardhat", function () {
  let deploymentsDir: string;
  let provider: BrowserProvider;
  let work: string;

  before(async function () {
    ({ deploymentsDir } = await deployToOwnFolder());
    // A plain ethers provider over the node's EIP-1193 interface: no hardhat-ethers in the path.
    provider = new BrowserProvider(hre.network.provider);
    work = await mkdtemp(path.join(tmpdir(), "lure-keystore-"));
  });

  after(async function () {
    await rm(work, { recursive: true, force: true });
  });

  async function fund(address: string): Promise<void> {
    await hre.network.provider.send("hardhat_setBalance", [address, `0x${parseEther("10").toString(16)}`]);
  }

  it("signs from a private key, with or without 0x, and refuses a malformed one", function () {
    const key = Wallet.createRandom().privateKey;
    const wallet = signerFromPrivateKey(key.slice(2), provider);
    expect(wallet.address).to.equal(new Wallet(key).address);
    expect(wallet.provider).to.equal(provider);
    expect(() => signerFromPrivateKey("0x12")).to.throw(ChainError, "a private key must be 32 bytes of hex");
  });

  it("opens an encrypted JSON keystore and transacts with it", async function () {
    const owner = Wallet.createRandom();
    // A light scrypt cost keeps the test fast; real keystores use ethers' default.
    const json = await encryptKeystoreJson({ address: owner.address, privateKey: owner.privateKey }, "correct horse", { scrypt: { N: 1 << 10 } });
    const file = path.join(work, "owner.json");
    await writeFile(file, json);

    const signer = await signerFromKeystoreFile(file, "correct horse", provider);
    expect(signer.address).to.equal(owner.address);
    await fund(signer.address);
    const lure = await connectLure(signer, { network: hre.network.name, deploymentsDir });
    const receipt = await transact(lure.registry.publish, ["keystore-pod", refToBytes32(REF), VISIBILITY_PUBLIC, 0n, 0n, 0]);
    expect(receipt.from).to.equal(owner.address);
    const podId = await lure.registry.podIdOf(owner.address, "keystore-pod");
    expect(await lure.registry.ownerOf(podId)).to.equal(owner.address);
  });

  it("names a wrong password and a missing keystore file", async function () {
    const owner = Wallet.createRandom();
    const json = await encryptKeystoreJson({ address: owner.address, privateKey: owner.privateKey }, "right", { scrypt: { N: 1 << 10 } });
    try {
      await signerFromKeystore(json, "wrong");
      throw new Error("expected a wrong password to be refused");
    } catch (error) {
      expect(error).to.be.instanceOf(ChainError);
      expect((error as Error).message).to.match(/^cannot open the keystore: .*password/);
    }
    try {
      await signerFromKeystoreFile(path.join(work, "missing.json"), "right");
      throw new Error("expected a missing file to be refused");
    } catch (error) {
      expect((error as Error).message).to.contain(`cannot read the keystore ${path.join(work, "missing.json")}`);
    }
  });
});
