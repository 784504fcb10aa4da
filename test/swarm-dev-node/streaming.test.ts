import { expect } from "chai";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { chunkAddress, swarmReference, toHex } from "../../services/swarm/bmt";
import { startTestNode, type TestNode } from "../support/swarm";

/**
 * POST /bytes and single-file POST /bzz are hashed and staged while the body arrives: the
 * staging file grows before the client has finished sending, limits and batch capacity are
 * enforced mid-body, and an abandoned or refused body leaves nothing behind.
 */

interface OpenUpload {
  request: http.ClientRequest;
  /** Status and JSON body of the answer; rejects if the connection breaks first. */
  answer: Promise<{ status: number; body: { reference?: string; message?: string } }>;
}

function openUpload(base: string, pathAndQuery: string, headers: Record<string, string | number>): OpenUpload {
  const url = new URL(pathAndQuery, base);
  const request = http.request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method: "POST", headers });
  const answer = new Promise<{ status: number; body: { reference?: string; message?: string } }>((resolve, reject) => {
    request.on("response", (response) => {
      let text = "";
      response.on("data", (part: Buffer) => (text += part.toString()));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as { reference?: string } }));
    });
    request.on("error", reject);
  });
  return { request, answer };
}

function write(request: http.ClientRequest, data: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => request.write(data, (error) => (error ? reject(error) : resolve())));
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) expect.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function stagedBytes(dataDir: string): number {
  const dir = path.join(dataDir, "staging");
  return fs.readdirSync(dir).reduce((sum, name) => sum + fs.statSync(path.join(dir, name)).size, 0);
}

describe("swarm: streaming uploads of the dev node", function () {
  this.timeout(60_000);
  let t: TestNode;
  before(async () => {
    t = await startTestNode({ maxBodyBytes: 16 * 1024 * 1024 });
  });
  after(async () => {
    await t?.close();
  });

  for (const [label, target] of [
    ["POST /bytes", "/bytes"],
    ["single-file POST /bzz", "/bzz?name=big.bin"],
  ] as const) {
    it(`${label}: the staging file grows while the body is still arriving; the reference is Bee's`, async () => {
      const data = new Uint8Array(randomBytes(8 * 1024 * 1024));
      const upload = openUpload(t.node.url, target, { "content-type": "application/octet-stream", "content-length": data.length, "swarm-postage-batch-id": t.batch });
      await write(upload.request, data.subarray(0, data.length / 2));
      await waitFor(() => stagedBytes(t.dataDir) >= 2 * 1024 * 1024, "half of the body is staged");
      upload.request.end(data.subarray(data.length / 2));
      const { status, body } = await upload.answer;
      expect(status).to.equal(201);
      if (target === "/bytes") expect(body.reference).to.equal(swarmReference(data));
      else expect(Buffer.from((await t.client.downloadFile(body.reference!)).data).equals(Buffer.from(data))).to.equal(true);
      expect(fs.readdirSync(path.join(t.dataDir, "staging"))).to.deep.equal([]);
    });

    it(`${label}: a chunked body that passes the limit gets 413 mid-body; nothing staged or stored`, async () => {
      const upload = openUpload(t.node.url, target, { "content-type": "application/octet-stream", "swarm-postage-batch-id": t.batch });
      const part = new Uint8Array(randomBytes(1024 * 1024));
      // Keep sending until the node answers; it must answer before the client stops.
      let sent = 0;
      let answered = false;
      void upload.answer.then(() => (answered = true), () => (answered = true));
      while (!answered && sent < 64 * 1024 * 1024) {
        await write(upload.request, part).catch(() => undefined);
        sent += part.length;
      }
      upload.request.destroy();
      const { status, body } = await upload.answer;
      expect(status).to.equal(413);
      expect(body.message).to.include("Request Entity Too Large");
      expect(sent).to.be.below(64 * 1024 * 1024);
      await waitFor(() => fs.readdirSync(path.join(t.dataDir, "staging")).length === 0, "the staging area is empty");
      const firstLeaf = toHex(chunkAddress(4096, part.subarray(0, 4096)));
      const probe = await fetch(`${t.node.url}/chunks/${firstLeaf}`);
      expect(probe.status).to.equal(404);
    });
  }

  it("a body that overfills a bucket is refused (402) as soon as the chunk arrives, before the body ends", async () => {
    // Two leaves of one bucket (0x264d) fill it at depth 17; a third in the body is refused at once.
    const leaf = (n: number) => {
      const payload = new Uint8Array(4096);
      new DataView(payload.buffer).setUint32(0, n, true);
      return payload;
    };
    const bought = await fetch(`${t.node.url}/stamps/1000000000/17`, { method: "POST" });
    const { batchID } = (await bought.json()) as { batchID: string };
    const filled = await fetch(`${t.node.url}/bytes`, { method: "POST", body: Buffer.concat([leaf(285), leaf(9028)]), headers: { "swarm-postage-batch-id": batchID } });
    expect(filled.status).to.equal(201);

    const total = 12 * 1024 * 1024;
    const upload = openUpload(t.node.url, "/bytes", { "content-type": "application/octet-stream", "content-length": total, "swarm-postage-batch-id": batchID });
    await write(upload.request, Buffer.concat([leaf(19312), randomBytes(64 * 1024)]));
    // answered with 12 MB still unsent (a node that waits for the whole body never answers here)
    const { status, body } = await Promise.race([
      upload.answer,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no answer while the body was still open")), 10_000)),
    ]);
    upload.request.destroy();
    expect(status).to.equal(402);
    expect(body.message).to.match(/^batch is overissued/).and.include("bucket 9805");
    await waitFor(() => fs.readdirSync(path.join(t.dataDir, "staging")).length === 0, "the staging area is empty");
    expect((await fetch(`${t.node.url}/chunks/${toHex(chunkAddress(4096, leaf(19312)))}`)).status).to.equal(404);
    const view = (await (await fetch(`${t.node.url}/stamps/${batchID}`)).json()) as { utilization: number };
    expect(view.utilization).to.equal(2);
    expect(await t.client.isReachable()).to.equal(true);
  });
});
