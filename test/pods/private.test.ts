import { expect } from "chai";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { unpackArchive } from "../../services/pods/archive";
import type { PodFile } from "../../services/pods/pack";
import { contentHash, isSealedPod, KEY_BYTES, loadKey, openSealedPod, PrivatePodError, saveKey, sealPod } from "../../services/pods/private";
import { deterministicTar } from "../../services/pods/tar";
import { swarmReference } from "../../services/swarm";

const files: PodFile[] = [
  { path: "script/run.sh", data: Buffer.from("#!/bin/sh\necho secret\n"), executable: true },
  { path: "recipe.json", data: Buffer.from('{"name":"s","golem":{"exec":"sh [@]script/run.sh"}}'), executable: false },
  { path: "payload/data.txt", data: Buffer.from("the secret payload"), executable: false },
];

describe("pods: private pods", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "lure-private-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("the deterministic tar depends only on paths, bytes and execute bits", async () => {
    const a = await deterministicTar(files);
    const b = await deterministicTar([...files].reverse());
    expect(Buffer.from(a).equals(Buffer.from(b))).to.equal(true);
    const changed = await deterministicTar(files.map((file) => (file.path === "payload/data.txt" ? { ...file, data: Buffer.from("other") } : file)));
    expect(contentHash(changed)).to.not.equal(contentHash(a));
  });

  it("round trip: seal, open, unpack gives the same files", async () => {
    const archive = await deterministicTar(files);
    const sealed = sealPod(archive);
    expect(sealed.key).to.have.length(KEY_BYTES);
    expect(isSealedPod(sealed.ciphertext)).to.equal(true);
    expect(Buffer.from(sealed.ciphertext).includes(Buffer.from("the secret payload"))).to.equal(false);
    const opened = openSealedPod(sealed.ciphertext, sealed.key);
    expect(Buffer.from(opened).equals(Buffer.from(archive))).to.equal(true);
    await unpackArchive(opened, dir, "pod", { maxBytes: 1 << 20, maxEntries: 10 });
    expect(await readFile(path.join(dir, "payload/data.txt"), "utf8")).to.equal("the secret payload");
    expect((await stat(path.join(dir, "script/run.sh"))).mode & 0o111).to.not.equal(0);
  });

  it("the ciphertext's Swarm reference differs from the plaintext's, and from every other sealing", async () => {
    const archive = await deterministicTar(files);
    const one = sealPod(archive);
    const two = sealPod(archive);
    expect(swarmReference(one.ciphertext)).to.not.equal(swarmReference(archive));
    expect(swarmReference(one.ciphertext)).to.not.equal(swarmReference(two.ciphertext));
    expect(Buffer.from(one.key).equals(Buffer.from(two.key))).to.equal(false);
  });

  it("a wrong key or a flipped bit is an error, never wrong content", () => {
    const sealed = sealPod(Buffer.from("content"));
    const wrongKey = Uint8Array.from(sealed.key);
    wrongKey[0] ^= 1;
    expect(() => openSealedPod(sealed.ciphertext, wrongKey)).to.throw(PrivatePodError, "wrong key or altered ciphertext");
    const tampered = Uint8Array.from(sealed.ciphertext);
    tampered[tampered.length - 1] ^= 0x80;
    expect(() => openSealedPod(tampered, sealed.key)).to.throw(PrivatePodError, "wrong key or altered ciphertext");
    expect(() => openSealedPod(Buffer.from("plain bytes, not a sealed pod at all"), sealed.key)).to.throw(PrivatePodError, "not a sealed Lure pod");
    expect(() => openSealedPod(sealed.ciphertext, new Uint8Array(16))).to.throw(PrivatePodError, "a pod key is 32 bytes, got 16");
  });

  it("keys are stored for their owner only and found by reference", async () => {
    const ref = "ab".repeat(32);
    const keysDir = path.join(dir, "keys");
    const file = await saveKey(keysDir, { format: "lure-pod-key/1", ref, podName: "s", key: "11".repeat(32), contentSha256: "22".repeat(32), createdAt: new Date(0).toISOString() });
    expect(file).to.equal(path.join(keysDir, `${ref}.json`));
    expect((await stat(file)).mode & 0o777).to.equal(0o600);
    expect((await stat(keysDir)).mode & 0o777).to.equal(0o700);
    expect((await loadKey(keysDir, ref))?.contentSha256).to.equal("22".repeat(32));
    expect(await loadKey(keysDir, "cd".repeat(32))).to.equal(undefined);
    try {
      await loadKey(keysDir, "../../etc/passwd");
      expect.fail("a path was accepted as a reference");
    } catch (error) {
      expect((error as Error).message).to.equal('expected a 64-hex Swarm reference, got "../../etc/passwd"');
    }
  });
});
