import { expect } from "chai";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { BeeResponseError } from "@ethersphere/bee-js";
import { chunkAddress, encodeSpan, toHex } from "../../services/swarm/bmt";
import { createSwarmClient, NoPostageBatchError, swarmReference, SwarmRequestError } from "../../services/swarm";
import { startDevSwarmNode } from "../../services/swarm-dev-node/server";
import { startTestNode, tempDir, type TestNode } from "../support/swarm";

async function expectBeeStatus(promise: Promise<unknown>, status: number): Promise<BeeResponseError> {
  const error = await promise.then(
    () => expect.fail(`expected HTTP ${status}`),
    (caught: unknown) => caught,
  );
  expect(error).to.be.instanceOf(BeeResponseError);
  expect((error as BeeResponseError).status).to.equal(status);
  return error as BeeResponseError;
}

function responseMessage(error: BeeResponseError): string {
  const body = error.responseBody;
  const text =
    body instanceof ArrayBuffer
      ? Buffer.from(body).toString()
      : ArrayBuffer.isView(body)
        ? Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString()
        : typeof body === "string"
          ? body
          : JSON.stringify(body);
  return (JSON.parse(text) as { message: string }).message;
}

function packFiles(dataDir: string): string[] {
  const dir = path.join(dataDir, "packs");
  return fs.readdirSync(dir).map((name) => path.join(dir, name));
}

describe("swarm: integrity, stamps and limits of the dev node", function () {
  let t: TestNode;
  before(async () => {
    t = await startTestNode({ minStampDepth: 2, maxBodyBytes: 16 * 1024 * 1024 });
  });
  after(async () => {
    await t?.close();
  });

  it("a corrupted chunk on disk is an error naming its address, never wrong bytes", async () => {
    const data = new Uint8Array(randomBytes(3 * 4096));
    const reference = await t.client.uploadBytes(data);
    const leaf = data.subarray(4096, 8192);
    const leafAddress = toHex(chunkAddress(4096, leaf));
    let corrupted = false;
    for (const file of packFiles(t.dataDir)) {
      const content = fs.readFileSync(file);
      const at = content.indexOf(Buffer.from(leaf));
      if (at >= 0) {
        content[at + 100] ^= 0xff;
        fs.writeFileSync(file, content);
        corrupted = true;
      }
    }
    expect(corrupted, "leaf found in a pack file").to.equal(true);

    const error = await expectBeeStatus(t.bee.downloadData(reference), 500);
    expect(responseMessage(error)).to.include(leafAddress);
    const chunkError = await expectBeeStatus(t.bee.downloadChunk(leafAddress), 500);
    expect(responseMessage(chunkError)).to.include(leafAddress).and.include("corrupt");
    const clientError = await t.client.downloadBytes(reference).catch((caught: unknown) => caught);
    expect(clientError).to.be.instanceOf(SwarmRequestError);
    expect((clientError as Error).message).to.include(reference).and.include(leafAddress);
  });

  it("a tree whose child chunk is missing is a 404 naming the missing chunk", async () => {
    const missingChildren = [randomBytes(32), randomBytes(32)];
    const payload = Buffer.concat(missingChildren);
    const chunk = new Uint8Array([...encodeSpan(8192), ...payload]);
    const { reference } = await t.bee.uploadChunk(t.batch, chunk);
    const error = await expectBeeStatus(t.bee.downloadData(reference), 404);
    expect(responseMessage(error)).to.include(missingChildren[0].toString("hex"));
  });

  it("an unknown reference is a 404 through bee-js (bytes, chunks, bzz)", async () => {
    const unknown = randomBytes(32).toString("hex");
    await expectBeeStatus(t.bee.downloadData(unknown), 404);
    await expectBeeStatus(t.bee.downloadChunk(unknown), 404);
    await expectBeeStatus(t.bee.downloadFile(unknown), 404);
    const error = await t.client.downloadBytes(unknown).catch((caught: unknown) => caught);
    expect((error as SwarmRequestError).status).to.equal(404);
    expect((error as Error).message).to.include(unknown);
  });

  it("a malformed reference is a 400", async () => {
    const response = await fetch(`${t.node.url}/bytes/not-a-reference`);
    expect(response.status).to.equal(400);
    expect(await response.json()).to.include({ code: 400, message: "invalid path params" });
  });

  it("an exhausted stamp fails uploads with Bee's 402, and the refused upload leaves nothing behind", async () => {
    // depth 3: 8 chunks. Bee's minimum depth is 17; this node was started with a lower one.
    const created = await fetch(`${t.node.url}/stamps/1000000000/3`, { method: "POST" });
    expect(created.status).to.equal(201);
    const { batchID } = (await created.json()) as { batchID: string };

    const first = new Uint8Array(randomBytes(4 * 4096)); // 4 leaves + 1 root = 5 chunks
    await t.bee.uploadData(batchID, first);
    expect((await t.bee.getPostageBatch(batchID)).utilization).to.equal(5);

    const tooBig = new Uint8Array(randomBytes(3 * 4096)); // 4 chunks > 3 left
    const error = await expectBeeStatus(t.bee.uploadData(batchID, tooBig), 402);
    expect(responseMessage(error)).to.include("overissued").and.include(batchID);
    await expectBeeStatus(t.bee.downloadData(swarmReference(tooBig)), 404);
    expect((await t.bee.getPostageBatch(batchID)).utilization).to.equal(5);

    const fits = new Uint8Array(randomBytes(2 * 4096)); // exactly the 3 left
    const { reference } = await t.bee.uploadData(batchID, fits);
    expect(reference.toHex()).to.equal(swarmReference(fits));
    await expectBeeStatus(t.bee.uploadData(batchID, new Uint8Array([1])), 402);
    // content already stamped by this batch costs nothing
    await t.bee.uploadData(batchID, first);
  });

  it("two concurrent uploads cannot both take a batch's last slots", async () => {
    const created = await fetch(`${t.node.url}/stamps/1000000000/3`, { method: "POST" });
    const { batchID } = (await created.json()) as { batchID: string };
    const uploads = [new Uint8Array(randomBytes(4 * 4096)), new Uint8Array(randomBytes(4 * 4096))]; // 5 chunks each, 8 in the batch
    const results = await Promise.allSettled(uploads.map((data) => t.bee.uploadData(batchID, data)));
    expect(results.filter((result) => result.status === "fulfilled")).to.have.length(1);
    const refused = results.find((result): result is PromiseRejectedResult => result.status === "rejected")!;
    expect((refused.reason as BeeResponseError).status).to.equal(402);
    expect((await t.bee.getPostageBatch(batchID)).utilization).to.equal(5);
  });

  it("uploads need a known postage batch (400 without the header, 404 for an unknown batch)", async () => {
    const missing = await fetch(`${t.node.url}/bytes`, { method: "POST", body: "x" });
    expect(missing.status).to.equal(400);
    expect(((await missing.json()) as { reasons: { field: string }[] }).reasons[0].field).to.equal("swarm-postage-batch-id");
    await expectBeeStatus(t.bee.uploadData(randomBytes(32).toString("hex"), new Uint8Array([1])), 404);
    const depthTooSmall = await fetch(`${t.node.url}/stamps/1000/1`, { method: "POST" });
    expect(depthTooSmall.status).to.equal(400);
  });

  it("a node without batches tells to buy one; a configured batch is used as given", async () => {
    const emptyDir = tempDir("empty");
    const empty = await startDevSwarmNode({ dataDir: emptyDir, port: 0 });
    try {
      const client = createSwarmClient({ url: empty.url });
      const error = await client.postageBatch().catch((caught: unknown) => caught);
      expect(error).to.be.instanceOf(NoPostageBatchError);
      expect((error as Error).message).to.include("swarm:buy-stamp");
      const configured = createSwarmClient({ url: empty.url, postageBatchId: t.batch.toUpperCase() });
      expect(await configured.postageBatch()).to.equal(t.batch);
    } finally {
      await empty.close();
      fs.rmSync(emptyDir, { recursive: true, force: true });
    }
  });

  it("request bodies over the limit get 413, with or without Content-Length", async () => {
    const limited = await startTestNode({ maxBodyBytes: 64 * 1024 });
    try {
      await expectBeeStatus(limited.bee.uploadData(limited.batch, new Uint8Array(100 * 1024)), 413);
      const error = await limited.client
        .uploadCollection([{ path: "big.bin", data: new Uint8Array(randomBytes(200 * 1024)) }])
        .catch((caught: unknown) => caught);
      expect(error).to.be.instanceOf(SwarmRequestError);
      expect((error as SwarmRequestError).status).to.equal(413);
      // still serving, and the limit allows smaller bodies
      const reference = await limited.client.uploadBytes(new Uint8Array(1000));
      expect(reference).to.equal(swarmReference(new Uint8Array(1000)));
    } finally {
      await limited.close();
    }
  });

  it("an upload abandoned halfway by the client stores nothing and stages nothing", async () => {
    const data = new Uint8Array(randomBytes(2 * 1024 * 1024));
    const url = new URL(`${t.node.url}/bytes`);
    await new Promise<void>((resolve) => {
      const request = http.request({
        host: url.hostname,
        port: url.port,
        path: "/bytes",
        method: "POST",
        headers: { "content-type": "application/octet-stream", "content-length": data.length, "swarm-postage-batch-id": t.batch },
      });
      request.on("error", () => resolve());
      request.write(data.subarray(0, data.length / 2), () => {
        setTimeout(() => {
          request.destroy();
          resolve();
        }, 50);
      });
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await expectBeeStatus(t.bee.downloadData(swarmReference(data)), 404);
    expect(fs.readdirSync(path.join(t.dataDir, "staging"))).to.deep.equal([]);
    expect(await t.client.isReachable()).to.equal(true);
  });

  it("every call carries a timeout: a node that never answers fails fast, naming the node", async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const client = createSwarmClient({ url: `http://127.0.0.1:${port}`, timeoutMs: 300, postageBatchId: t.batch });
      const started = Date.now();
      const error = await client.downloadBytes(swarmReference(new Uint8Array([1]))).catch((caught: unknown) => caught);
      expect(Date.now() - started).to.be.below(5_000);
      expect(error).to.be.instanceOf(SwarmRequestError);
      expect((error as Error).message).to.include(`127.0.0.1:${port}`);
      expect(await client.isReachable()).to.equal(false);
    } finally {
      silent.close();
    }
  });
});
