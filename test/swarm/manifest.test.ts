import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { BeeResponseError, MantarayNode, NULL_ADDRESS } from "@ethersphere/bee-js";
import { MerkleTree } from "cafe-utility";
import { SwarmRequestError } from "../../services/swarm";
import { startTestNode, tempDir, type TestNode } from "../support/swarm";

const text = (value: string) => new TextEncoder().encode(value);

/** Files with nested paths, unicode names, and extensions of known content types. */
const files: { path: string; data: Uint8Array; contentType: string }[] = [
  { path: "index.html", data: text("<h1>pod</h1>"), contentType: "text/html; charset=utf-8" },
  { path: "recipe.json", data: text('{"name":"demo"}'), contentType: "application/json" },
  { path: "script/run.sh", data: text("#!/bin/sh\necho hi\n"), contentType: "application/x-sh" },
  { path: "payload/data/ñandú-日本.txt", data: text("unicode ✓"), contentType: "text/plain" },
  { path: "payload/data/big.bin", data: new Uint8Array(3 * 4096 + 17).map((_, i) => (i * 31) % 256), contentType: "application/octet-stream" },
  { path: "payload/README", data: text("no extension"), contentType: "application/octet-stream" },
  { path: "docs/404.html", data: text("not here"), contentType: "text/html; charset=utf-8" },
];

/** The manifest reference computed offline with bee-js's MantarayNode and cafe-utility's MerkleTree. */
async function offlineReference(rootMetadata?: Record<string, string>): Promise<string> {
  const node = new MantarayNode();
  for (const file of files) {
    node.addFork(file.path, (await MerkleTree.root(file.data)).hash(), { "Content-Type": file.contentType, Filename: path.posix.basename(file.path) });
  }
  if (rootMetadata) node.addFork("/", NULL_ADDRESS, rootMetadata);
  return (await node.calculateSelfAddress()).toHex();
}

describe("swarm: directory manifests (tar collections)", function () {
  let t: TestNode;
  let dir: string;
  before(async () => {
    t = await startTestNode();
    dir = tempDir("dir");
    for (const file of files) {
      fs.mkdirSync(path.join(dir, path.dirname(file.path)), { recursive: true });
      fs.writeFileSync(path.join(dir, file.path), file.data);
    }
  });
  after(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("a collection upload equals bee-js's own hashDirectory of the same folder", async () => {
    const reference = await t.client.uploadCollection(files);
    expect(reference).to.equal((await t.bee.hashDirectory(dir)).toHex());
    expect(reference).to.equal(await offlineReference());
  });

  it("bee-js uploadFilesFromDirectory (tar over HTTP) gives the same reference", async () => {
    const { reference } = await t.bee.uploadFilesFromDirectory(t.batch, dir);
    expect(reference.toHex()).to.equal((await t.bee.hashDirectory(dir)).toHex());
  });

  it("the index document goes into the root metadata, as bee-js builds it offline", async () => {
    const reference = await t.client.uploadCollection(files, { indexDocument: "index.html" });
    expect(reference).to.equal(await offlineReference({ "website-index-document": "index.html" }));
    const index = await t.client.downloadFile(reference);
    expect(Buffer.from(index.data).toString()).to.equal("<h1>pod</h1>");
    expect(index.contentType).to.equal("text/html; charset=utf-8");
    expect(index.name).to.equal("index.html");
  });

  it("index and error documents together (metadata keys sorted, as Bee's Go maps encode)", async () => {
    const reference = await t.client.uploadCollection(files, { indexDocument: "index.html", errorDocument: "docs/404.html" });
    expect(reference).to.equal(await offlineReference({ "website-error-document": "docs/404.html", "website-index-document": "index.html" }));
    const missing = await t.client.downloadFile(reference, "no/such/file");
    expect(Buffer.from(missing.data).toString()).to.equal("not here");
  });

  it("serves nested and unicode paths with content type and file name", async () => {
    const reference = await t.client.uploadCollection(files);
    for (const file of files) {
      const got = await t.client.downloadFile(reference, file.path);
      expect(Buffer.from(got.data).equals(Buffer.from(file.data)), file.path).to.equal(true);
      expect(got.contentType, file.path).to.equal(file.contentType);
      expect(got.name, file.path).to.equal(path.posix.basename(file.path));
    }
  });

  it("downloadCollection returns every file of the manifest", async () => {
    const reference = await t.client.uploadCollection(files, { indexDocument: "index.html" });
    const back = await t.client.downloadCollection(reference);
    expect(back.map((f) => f.path).sort()).to.deep.equal(files.map((f) => f.path).sort());
    for (const file of back) {
      const original = files.find((f) => f.path === file.path)!;
      expect(Buffer.from(file.data).equals(Buffer.from(original.data)), file.path).to.equal(true);
    }
  });

  it("a path missing from the manifest is a 404 naming the path, through bee-js and Lure's client", async () => {
    const reference = await t.client.uploadCollection(files);
    try {
      await t.bee.downloadFile(reference, "payload/nope.txt");
      expect.fail("expected a 404");
    } catch (error) {
      expect(error).to.be.instanceOf(BeeResponseError);
      expect((error as BeeResponseError).status).to.equal(404);
    }
    const failure = await t.client.downloadFile(reference, "payload/nope.txt").catch((error: unknown) => error);
    expect(failure).to.be.instanceOf(SwarmRequestError);
    expect((failure as SwarmRequestError).status).to.equal(404);
    expect((failure as Error).message).to.include("payload/nope.txt").and.include(reference);
  });

  it("refuses a tar entry that climbs out of the collection", async () => {
    const header = Buffer.alloc(512);
    header.write("../escape.txt", 0);
    header.write("0000644\0", 100);
    header.write("0000000\0", 108);
    header.write("0000000\0", 116);
    header.write("00000000002\0", 124);
    header.write("00000000000\0", 136);
    header.write("        ", 148);
    header.write("0", 156);
    header.write("ustar\0" + "00", 257);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
    const archive = Buffer.concat([header, Buffer.from("hi"), Buffer.alloc(510), Buffer.alloc(1024)]);
    const response = await fetch(`${t.node.url}/bzz`, {
      method: "POST",
      body: archive,
      headers: { "swarm-postage-batch-id": t.batch, "swarm-collection": "true", "content-type": "application/x-tar" },
    });
    expect(response.status).to.equal(400);
    expect(((await response.json()) as { message: string }).message).to.include("../escape.txt");
  });
});
