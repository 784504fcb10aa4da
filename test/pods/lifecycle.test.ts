import { expect } from "chai";
import { execFile } from "node:child_process";
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import hre from "hardhat";
import { deployLure } from "../../scripts/deploy";
import { deploymentPath } from "../../services/chain/deployments";
import { unpackArchive } from "../../services/pods/archive";
import type { ForkResult } from "../../services/pods/fork";
import type { PersistResult } from "../../services/pods/persist";
import { isSealedPod, keyBytes, loadKey, openSealedPod } from "../../services/pods/private";
import type { ShareResult } from "../../services/pods/share";
import { createSwarmClient, swarmReference, type SwarmClient } from "../../services/swarm";
import { startDevSwarmNode, type DevSwarmNode } from "../../services/swarm-dev-node/server";
import type { PodMarket, PodRegistry } from "../../typechain-types";
import { makeZip, readRecipeJson, text } from "../support/pods";

const run = promisify(execFile);

/**
 * The pod life cycle through its Hardhat tasks, on the in-process Hardhat network, with the dev
 * Swarm node over HTTP: init → persist → persist again (no new version) → fork → persist the fork
 * (lineage and royalty on chain), private pods, sharing, and refusals that must send nothing.
 */
describe("pods: life cycle (tasks, Hardhat network, dev Swarm node)", function () {
  this.timeout(90_000);

  let work: string;
  let node: DevSwarmNode;
  let swarm: SwarmClient;
  let registry: PodRegistry;
  let market: PodMarket;
  let keysDir: string;
  let author: string;
  let forker: string;
  /** The pods made by the steps below, for the later steps. */
  let helloPodId = 0n;

  const quiet = { json: true };
  const persist = (dir: string, extra: Record<string, unknown> = {}) =>
    hre.run("pod:persist", { dir, keysDir, beeUrl: node.url, ...quiet, ...extra }) as Promise<PersistResult>;
  const fork = (pod: string, dir: string, extra: Record<string, unknown> = {}) =>
    hre.run("pod:fork", { pod, dir, beeUrl: node.url, ...quiet, ...extra }) as Promise<ForkResult>;
  const share = (pod: string, extra: Record<string, unknown> = {}) =>
    hre.run("pod:share", { pod, keysDir, beeUrl: node.url, ...quiet, ...extra }) as Promise<ShareResult>;
  const blockNumber = () => hre.ethers.provider.getBlockNumber();

  async function rejects(promise: Promise<unknown>, pattern: RegExp): Promise<string> {
    try {
      await promise;
    } catch (error) {
      expect((error as Error).message).to.match(pattern);
      return (error as Error).message;
    }
    throw new Error(`expected a refusal matching ${pattern}`);
  }

  let log: typeof console.log;
  before(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), "lure-pods-"));
    keysDir = path.join(work, "keys");
    node = await startDevSwarmNode({ dataDir: path.join(work, "swarm"), port: 0 });
    swarm = createSwarmClient({ url: node.url, timeoutMs: 20_000 });
    await swarm.buyStamp("1000000000", 22);
    // A fresh deployment: an earlier test file may have reverted the in-process chain under an
    // old deployments/hardhat.json, leaving other code at its addresses.
    await rm(deploymentPath(hre.network.name), { force: true });
    const deployed = await deployLure(hre, { verbose: false });
    if (!deployed) throw new Error("deployLure sent nothing on the in-process network");
    ({ registry, market } = deployed);
    const signers = await hre.ethers.getSigners();
    author = signers[0].address;
    forker = signers[1].address;
    // Task output (print) would flood the test report; the results are asserted instead.
    log = console.log;
    console.log = () => undefined;
  });

  after(async () => {
    if (log) console.log = log;
    await node?.close();
    await rm(work, { recursive: true, force: true });
  });

  describe("pod:init", () => {
    it("scaffolds a runnable hello pod", async () => {
      const dir = path.join(work, "hello");
      await hre.run("pod:init", { name: "hello", dir, json: true });
      const files = (await readdir(dir)).sort();
      expect(files).to.deep.equal([".gitignore", ".podignore", "logs", "output", "payload", "recipe.json", "script"]);
      const recipe = await readRecipeJson(dir);
      expect(recipe.name).to.equal("hello");
      expect(recipe.golem.exec).to.equal("python3 [@]script/hello.py");
      const { stdout } = await run("python3", [path.join(dir, "script/hello.py")]);
      expect(stdout.trim()).to.equal("Hello, world!");
      expect(await readFile(path.join(dir, "output/hello.txt"), "utf8")).to.equal("Hello, world!\n");
      expect(await readFile(path.join(dir, "logs/run.log"), "utf8")).to.match(/greeted world/);
    });

    it("refuses a non-empty folder and a bad name", async () => {
      await rejects(hre.run("pod:init", { name: "again", dir: path.join(work, "hello"), json: true }), /the folder is not empty/);
      await rejects(hre.run("pod:init", { name: "a/b", dir: path.join(work, "bad-name"), json: true }), /--name: expected a pod name without control characters or slashes, got "a\/b"/);
      expect(await stat(path.join(work, "bad-name")).catch(() => undefined)).to.equal(undefined);
    });
  });

  describe("persist → fork → persist", () => {
    let original: PersistResult;
    let forked: PersistResult;

    it("persists a new pod: uploads a collection, publishes it and lists it in the same step", async () => {
      const dir = path.join(work, "hello");
      original = await persist(dir, { forkRoyalty: "500", price: "1.5" });
      expect(original.created).to.equal(true);
      expect(original.version).to.equal(1);
      expect(original.reference).to.match(/^[0-9a-f]{64}$/);
      helloPodId = original.podId;
      const onChain = await registry.pod(original.podId);
      expect(onChain.latestRef).to.equal(`0x${original.reference}`);
      expect(onChain.forkRoyaltyBps).to.equal(500n);
      expect(onChain.visibility).to.equal(1n);
      expect(await registry.ownerOf(original.podId)).to.equal(author);
      const listing = await market.listing(original.podId);
      expect(listing.active).to.equal(true);
      expect(listing.transferable).to.equal(false);
      expect(listing.price).to.equal(hre.ethers.parseEther("1.5"));
      // What was uploaded: the pod without its output and logs (written by the hello run above).
      const uploaded = (await swarm.downloadCollection(original.reference)).map((file) => file.path).sort();
      expect(uploaded).to.deep.equal([".gitignore", ".podignore", "payload/name.txt", "recipe.json", "script/hello.py"]);
      expect(Buffer.from((await swarm.downloadFile(original.reference)).data).toString()).to.include('"name": "hello"');
    });

    it("persisting the same folder again publishes nothing", async () => {
      const dir = path.join(work, "hello");
      await writeFile(path.join(dir, "output/more.txt"), "results are not part of the pod");
      await writeFile(path.join(dir, "scratch.tmp"), "ignored by .podignore");
      const before = await blockNumber();
      const again = await persist(dir);
      expect(again.unchanged).to.equal(true);
      expect(again.created).to.equal(false);
      expect(again.podId).to.equal(original.podId);
      expect(again.version).to.equal(1);
      expect(again.transactions).to.deep.equal([]);
      expect(await blockNumber()).to.equal(before);
      expect((await registry.pod(original.podId)).versionCount).to.equal(1n);
    });

    it("an unchanged folder is recognised offline: Swarm is not even contacted", async () => {
      // Port 9 (discard) has no listener here: any upload attempt would fail the persist.
      const again = await hre.run("pod:persist", { dir: path.join(work, "hello"), keysDir, beeUrl: "http://127.0.0.1:9", forkRoyalty: "0", ...quiet }) as PersistResult;
      expect(again.unchanged).to.equal(true);
      expect(again.reference).to.equal(original.reference);
    });

    it("a changed folder becomes version 2 of the same pod", async () => {
      const dir = path.join(work, "hello");
      await writeFile(path.join(dir, "payload/name.txt"), "Lure\n");
      const second = await persist(dir);
      expect(second.created).to.equal(false);
      expect(second.unchanged).to.equal(false);
      expect(second.podId).to.equal(original.podId);
      expect(second.version).to.equal(2);
      expect(second.reference).to.not.equal(original.reference);
      expect((await registry.version(original.podId, 2)).manifestRef).to.equal(`0x${second.reference}`);
      original = second;
    });

    it("forks the public pod by id into a new folder, recording its lineage", async () => {
      const dir = path.join(work, "hello-fork");
      const result = await fork(original.podId.toString(), dir);
      expect(result.forkedFrom).to.deep.equal({ podId: Number(original.podId), version: 2, ref: original.reference });
      const recipe = await readRecipeJson(dir);
      expect(recipe.forkedFrom).to.deep.equal({ podId: Number(original.podId), version: 2, ref: original.reference });
      expect(await readFile(path.join(dir, "payload/name.txt"), "utf8")).to.equal("Lure\n");
      expect((await stat(path.join(dir, "output"))).isDirectory()).to.equal(true);
      expect(await readdir(path.join(dir, "output"))).to.deep.equal([]);
      const { stdout } = await run("python3", [path.join(dir, "script/hello.py")]);
      expect(stdout.trim()).to.equal("Hello, Lure!");
    });

    it("persisting the fork under another account records parent, version and royalty on chain", async () => {
      const dir = path.join(work, "hello-fork");
      await appendFile(path.join(dir, "script/hello.py"), "# forked and improved\n");
      const before = await blockNumber();
      await rejects(
        persist(dir, { account: forker, forkRoyalty: "100" }),
        new RegExp(`fork royalty: 100 bps is below the 500 bps this fork owes pod ${original.podId}; a fork may not ask its own forks for less than it owes`),
      );
      expect(await blockNumber()).to.equal(before);
      forked = await persist(dir, { account: forker });
      expect(forked.created).to.equal(true);
      expect(forked.parent).to.deep.equal({ podId: original.podId, version: 2 });
      expect(forked.podId).to.not.equal(original.podId);
      const onChain = await registry.pod(forked.podId);
      expect(onChain.parentPodId).to.equal(original.podId);
      expect(onChain.parentVersion).to.equal(2n);
      expect(onChain.royaltyBps).to.equal(500n);
      // Without --fork-royalty a fork asks its own forks for what it owes: the least it may ask.
      expect(onChain.forkRoyaltyBps).to.equal(500n);
      expect(await registry.ownerOf(forked.podId)).to.equal(forker);
      const [receiver, amount] = await registry.royaltyInfo(forked.podId, 10_000n);
      expect(receiver).to.equal(author);
      expect(amount).to.equal(500n);
      const [published] = await registry.queryFilter(registry.filters.PodPublished(forked.podId));
      expect(published.args.parentPodId).to.equal(original.podId);
      expect(published.args.parentVersion).to.equal(2n);
    });

    it("the fork's next persist is a new version with its lineage kept", async () => {
      const dir = path.join(work, "hello-fork");
      await writeFile(path.join(dir, "payload/name.txt"), "forkers\n");
      const next = await persist(dir, { account: forker });
      expect(next.version).to.equal(2);
      expect(next.podId).to.equal(forked.podId);
      expect((await registry.pod(forked.podId)).parentPodId).to.equal(original.podId);
    });

    it("forks by raw reference (no on-chain lineage) and by an older version", async () => {
      const byRef = await fork(original.reference, path.join(work, "by-ref"));
      expect(byRef.forkedFrom).to.deep.equal({ ref: original.reference });
      const v1 = await fork(original.podId.toString(), path.join(work, "v1"), { podVersion: "1", name: "hello-v1" });
      expect(v1.forkedFrom.version).to.equal(1);
      expect(v1.name).to.equal("hello-v1");
      expect(await readFile(path.join(work, "v1/payload/name.txt"), "utf8")).to.equal("world\n");
    });

    it("refuses to fork into a non-empty folder, a missing pod, or a reference that is not a pod", async () => {
      await rejects(fork(original.podId.toString(), path.join(work, "hello")), /the folder is not empty/);
      await rejects(fork("99999", path.join(work, "none")), /pod 99999 does not exist on chain/);
      const bytesRef = await swarm.uploadBytes(Buffer.from("just bytes"));
      await rejects(fork(bytesRef, path.join(work, "not-a-pod")), new RegExp(`reference ${bytesRef} is not a readable pod collection`));
      const noRecipe = await swarm.uploadCollection([{ path: "a.txt", data: Buffer.from("a") }]);
      await rejects(fork(noRecipe, path.join(work, "no-recipe")), /holds no recipe\.json; it is not a pod/);
      for (const name of ["none", "not-a-pod", "no-recipe"]) expect(await stat(path.join(work, name)).catch(() => undefined)).to.equal(undefined);
    });
  });

  describe("private pods", () => {
    let secret: PersistResult;
    const dir = () => path.join(work, "secret");

    it("are uploaded encrypted: the reference is of ciphertext, not of the pod's content", async () => {
      await hre.run("pod:init", { name: "secret", dir: dir(), json: true });
      await writeFile(path.join(dir(), "payload/name.txt"), "classified\n");
      secret = await persist(dir(), { private: true });
      expect(secret.visibility).to.equal("private");
      expect((await registry.pod(secret.podId)).visibility).to.equal(0n);
      expect(secret.keyFile).to.equal(path.join(keysDir, `${secret.reference}.json`));
      expect((await stat(secret.keyFile!)).mode & 0o077).to.equal(0);

      const sealed = await swarm.downloadBytes(secret.reference);
      expect(isSealedPod(sealed)).to.equal(true);
      expect(Buffer.from(sealed).includes(Buffer.from("classified"))).to.equal(false);
      await rejects(swarm.downloadCollection(secret.reference), /./);

      // The owner's key opens it; the content is the pod, and its plaintext refs differ from the ciphertext's.
      const key = await loadKey(keysDir, secret.reference);
      const archive = openSealedPod(sealed, keyBytes(key!));
      expect(swarmReference(archive)).to.not.equal(secret.reference);
      const opened = path.join(work, "opened");
      await mkdir(opened);
      await unpackArchive(archive, opened, "private pod", { maxBytes: 1 << 20, maxEntries: 100 });
      expect(await readFile(path.join(opened, "payload/name.txt"), "utf8")).to.equal("classified\n");
      // The same files uploaded in the clear, as a public pod would be, give another reference.
      const files = ["recipe.json", "script/hello.py", "payload/name.txt", ".podignore", ".gitignore"];
      const clear = await swarm.uploadCollection(
        await Promise.all(files.map(async (file) => ({ path: file, data: await readFile(path.join(opened, file)) }))),
        { indexDocument: "recipe.json" },
      );
      expect(Buffer.from((await swarm.downloadFile(clear, "payload/name.txt")).data).toString()).to.equal("classified\n");
      expect(clear).to.not.equal(secret.reference);
    });

    it("unchanged private pods publish nothing, although every encryption differs", async () => {
      const before = await blockNumber();
      const again = await persist(dir());
      expect(again.unchanged).to.equal(true);
      expect(again.reference).to.equal(secret.reference);
      expect(await blockNumber()).to.equal(before);
    });

    it("a changed private pod gets a new key and version", async () => {
      await writeFile(path.join(dir(), "payload/name.txt"), "still classified\n");
      const next = await persist(dir());
      expect(next.version).to.equal(2);
      expect(next.visibility).to.equal("private");
      expect(next.keyFile).to.not.equal(secret.keyFile);
      secret = next;
    });

    it("cannot be forked", async () => {
      await rejects(fork(secret.podId.toString(), path.join(work, "stolen")), new RegExp(`pod ${secret.podId} is private; only public pods can be forked`));
      await rejects(fork(secret.reference, path.join(work, "stolen")), /is not a readable pod collection/);
    });

    it("pod:share makes it public: its latest version is published in the clear, then anyone can fork it", async () => {
      const shared = await share(secret.podId.toString());
      expect(shared.changed).to.equal(true);
      expect(shared.publishedVersion?.version).to.equal(3);
      expect((await registry.pod(secret.podId)).visibility).to.equal(1n);
      const copy = await fork(secret.podId.toString(), path.join(work, "declassified"));
      expect(copy.forkedFrom.version).to.equal(3);
      expect(await readFile(path.join(work, "declassified/payload/name.txt"), "utf8")).to.equal("still classified\n");
      const again = await share(secret.podId.toString());
      expect(again.changed).to.equal(false);
      expect(again.transactions).to.deep.equal([]);
    });

    it("pod:share --private hides a pod again; its next persist is encrypted although its recipe says public", async () => {
      const hidden = await share(helloPodId.toString(), { private: true });
      expect(hidden.changed).to.equal(true);
      expect((await registry.pod(helloPodId)).visibility).to.equal(0n);
      await rejects(fork(helloPodId.toString(), path.join(work, "hidden")), /is private/);
      // Its recipe says public, but the pod is private on chain: the next version is encrypted.
      await writeFile(path.join(work, "hello", "payload/name.txt"), "hidden\n");
      const next = await persist(path.join(work, "hello"));
      expect(next.visibility).to.equal("private");
      expect(isSealedPod(await swarm.downloadBytes(next.reference))).to.equal(true);
    });

    it("only the owner can change visibility", async () => {
      const before = await blockNumber();
      await rejects(share(secret.podId.toString(), { private: true, account: forker }), /PodRegistryUnauthorized/);
      expect(await blockNumber()).to.equal(before);
    });
  });

  describe("external payloads over HTTP (pod:payloads)", () => {
    it("resolves a zip inside a persisted pod's collection and a single-file upload into payload/external/", async () => {
      const images = path.join(work, "images");
      await hre.run("pod:init", { name: "images", dir: images, json: true });
      await writeFile(path.join(images, "images.zip"), makeZip({ "images/cat.jpg": { data: text("meow") }, "images/dog.jpg": { data: text("woof") } }));
      const dataPod = await persist(images);
      const labels = await swarm.uploadFile(text("cat,dog\n"), "labels.csv", "text/csv");

      const consumer = path.join(work, "consumer");
      await hre.run("pod:init", { name: "consumer", dir: consumer, json: true });
      const recipe = await readRecipeJson(consumer);
      recipe.golem.payload = [
        { ref: dataPod.reference, data: "/images.zip" },
        { ref: labels, data: "/" },
      ];
      recipe.golem.exec = "python3 [@]script/classify.py --images [@]payload/external/images";
      await writeFile(path.join(consumer, "recipe.json"), JSON.stringify(recipe, null, 2));
      // The command's script must be in the pod (checked before publishing); payload/external is fetched at run time.
      await writeFile(path.join(consumer, "script/classify.py"), "print('classified')\n");
      const resolved = (await hre.run("pod:payloads", { dir: consumer, beeUrl: node.url, json: true })) as { kind: string; files: number }[];
      expect(resolved.map((entry) => [entry.kind, entry.files])).to.deep.equal([
        ["zip", 2],
        ["file", 1],
      ]);
      expect(await readFile(path.join(consumer, "payload/external/images/cat.jpg"), "utf8")).to.equal("meow");
      expect(await readFile(path.join(consumer, "payload/external/labels.csv"), "utf8")).to.equal("cat,dog\n");

      // Resolved payloads are not part of the pod: persisting it does not upload them.
      const persisted = await persist(consumer);
      const uploaded = (await swarm.downloadCollection(persisted.reference)).map((file) => file.path);
      expect(uploaded.some((entry) => entry.startsWith("payload/external"))).to.equal(false);
    });

    it("a hostile archive from Swarm leaves payload/external as it was", async () => {
      const consumer = path.join(work, "consumer");
      const hostile = await swarm.uploadFile(makeZip({ "ok.txt": { data: text("fine") }, "../../escape.txt": { data: text("x") } }), "evil.zip");
      const recipe = await readRecipeJson(consumer);
      recipe.golem.payload = [{ ref: hostile }];
      await writeFile(path.join(consumer, "recipe.json"), JSON.stringify(recipe, null, 2));
      await rejects(hre.run("pod:payloads", { dir: consumer, beeUrl: node.url, json: true }), /entry "\.\.\/\.\.\/escape\.txt" escapes the destination folder/);
      expect(await readFile(path.join(consumer, "payload/external/images/cat.jpg"), "utf8")).to.equal("meow");
      expect(await stat(path.join(work, "escape.txt")).catch(() => undefined)).to.equal(undefined);
    });
  });

  describe("refusals send nothing", () => {
    it("an invalid recipe: the error names the field, nothing is uploaded or sent", async () => {
      const dir = path.join(work, "broken");
      await mkdir(dir);
      await writeFile(path.join(dir, "recipe.json"), JSON.stringify({ name: "broken", golem: { exec: "x", payload: [{ ref: "xyz", data: "/a" }] } }));
      const before = await blockNumber();
      await rejects(persist(dir), /recipe\.json: golem\.payload\[0\]\.ref: expected a 64-hex Swarm reference, got "xyz"/);
      expect(await blockNumber()).to.equal(before);
    });

    it("a symbolic link in the folder", async () => {
      const dir = path.join(work, "linked");
      await hre.run("pod:init", { name: "linked", dir, json: true });
      await symlink("/etc/passwd", path.join(dir, "payload/passwd"));
      const before = await blockNumber();
      await rejects(persist(dir), /payload\/passwd: symbolic links are not allowed in a pod/);
      expect(await blockNumber()).to.equal(before);
    });

    it("a forkedFrom that does not match the chain", async () => {
      const dir = path.join(work, "liar");
      await hre.run("pod:init", { name: "liar", dir, json: true });
      const recipe = await readRecipeJson(dir);
      const publicPod = (await registry.totalPods()).toString();
      await share(publicPod); // whatever it was, make it public so that only the ref is wrong
      recipe.forkedFrom = { podId: publicPod, version: 1, ref: "ab".repeat(32) };
      await writeFile(path.join(dir, "recipe.json"), JSON.stringify(recipe));
      const before = await blockNumber();
      await rejects(persist(dir), new RegExp(`forkedFrom\\.ref: version 1 of pod ${publicPod} is [0-9a-f]{64}, not abab`));
      recipe.forkedFrom = { podId: "99999", version: 1, ref: "ab".repeat(32) };
      await writeFile(path.join(dir, "recipe.json"), JSON.stringify(recipe));
      await rejects(persist(dir), /forkedFrom\.podId: pod 99999 does not exist on chain/);
      expect(await blockNumber()).to.equal(before);
    });

    it("bad task arguments", async () => {
      const dir = path.join(work, "hello-fork");
      await rejects(persist(dir, { price: "-1" }), /--price: expected a decimal amount such as 1\.5, got "-1"/);
      await rejects(persist(dir, { forkRoyalty: "3000", account: forker }), /fork royalty: expected whole basis points from 0 to 2500, got 3000/);
      await rejects(persist(dir, { token: "native" }), /--token: only meaningful with --price/);
      await rejects(fork("not-a-pod", path.join(work, "x")), /--pod: expected a pod id \(a positive integer\) or a pod's 64-hex Swarm reference, got "not-a-pod"/);
      await rejects(persist(path.join(work, "missing")), /missing: no such folder/);
    });
  });
});
