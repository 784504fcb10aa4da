import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { BeeResponseError } from "@ethersphere/bee-js";
import { swarmReference } from "../../services/swarm";
import { HEADER_RULES } from "../../services/swarm-dev-node/unsupported";
import { startTestNode, type TestNode } from "../support/swarm";

/** The dev node refuses what it does not implement, by name, instead of silently ignoring it. */

async function beeError(promise: Promise<unknown>): Promise<{ status: number; message: string }> {
  const error = await promise.then(
    () => expect.fail("expected the node to refuse"),
    (caught: unknown) => caught,
  );
  expect(error).to.be.instanceOf(BeeResponseError);
  const body = (error as BeeResponseError).responseBody;
  // bee-js hands the JSON body parsed, or as text/bytes for other response types.
  const parsed = (body instanceof ArrayBuffer || typeof body === "string" ? JSON.parse(Buffer.from(body as ArrayBuffer).toString()) : body) as { message: string };
  return { status: (error as BeeResponseError).status!, message: parsed.message };
}

async function answer(response: Response): Promise<{ status: number; code: number; message: string; reasons?: { field: string; error: string }[] }> {
  const body = (await response.json()) as { code: number; message: string; reasons?: { field: string; error: string }[] };
  return { status: response.status, ...body };
}

describe("swarm dev node: what it does not implement is refused, never ignored", function () {
  let t: TestNode;
  before(async () => {
    t = await startTestNode();
  });
  after(async () => {
    await t?.close();
  });

  const post = (path: string, headers: Record<string, string>, body: string | Uint8Array<ArrayBuffer> = "hello") =>
    fetch(`${t.node.url}${path}`, { method: "POST", headers: { "swarm-postage-batch-id": t.batch, ...headers }, body });

  it("swarm-encrypt: true is a 501 naming the header and encryption, over HTTP, for bytes, bzz and chunks", async () => {
    for (const path of ["/bytes", "/bzz?name=a.txt", "/chunks"]) {
      const refused = await answer(await post(path, { "swarm-encrypt": "true" }, new Uint8Array(16)));
      expect(refused, path).to.include({ status: 501, code: 501 });
      expect(refused.message, path).to.include("swarm-encrypt").and.include("does not implement encryption");
    }
    const data = new Uint8Array(randomBytes(100));
    await post("/bytes", { "swarm-encrypt": "true" }, data);
    expect((await fetch(`${t.node.url}/bytes/${swarmReference(data)}`)).status, "nothing stored").to.equal(404);
  });

  it("swarm-encrypt through bee-js: refused with the message; encrypt: false uploads as usual", async () => {
    const data = new TextEncoder().encode("secret");
    const bytes = await beeError(t.bee.uploadData(t.batch, data, { encrypt: true }));
    expect(bytes.status).to.equal(501);
    expect(bytes.message).to.include("swarm-encrypt").and.include("encryption");
    const file = await beeError(t.bee.uploadFile(t.batch, data, "a.txt", { encrypt: true }));
    expect(file.status).to.equal(501);
    expect(file.message).to.include("swarm-encrypt");
    const { reference } = await t.bee.uploadData(t.batch, data, { encrypt: false });
    expect(reference.toHex()).to.equal(swarmReference(data));
  });

  it("the uploads bee-js makes by default still work (bytes, file, collection; pin and deferred either way)", async () => {
    const data = new Uint8Array(randomBytes(10_000));
    expect((await t.bee.uploadData(t.batch, data)).reference.toHex()).to.equal(swarmReference(data));
    const file = await t.bee.uploadFile(t.batch, data, "x.bin", { contentType: "application/octet-stream" });
    expect((await t.bee.downloadFile(file.reference)).data.toUint8Array()).to.deep.equal(data);
    const collection = await t.bee.uploadCollection(t.batch, [{ path: "a.txt", size: 2, file: new File(["hi"], "a.txt") }] as never, { indexDocument: "a.txt" });
    expect((await t.bee.downloadFile(collection.reference, "a.txt")).data.toUtf8()).to.equal("hi");
    for (const options of [{ pin: true }, { pin: false }, { deferred: true }, { deferred: false }, { redundancyLevel: 0 }]) {
      expect((await t.bee.uploadData(t.batch, data, options)).reference.toHex(), JSON.stringify(options)).to.equal(swarmReference(data));
    }
    // download-side tuning headers are no-ops: every chunk is local
    const downloaded = await t.bee.downloadData(swarmReference(data), { redundancyStrategy: 0, fallback: false, timeoutMs: 1000 });
    expect(downloaded.toUint8Array()).to.deep.equal(data);
  });

  it("ACT, redundancy levels above 0, tags and pre-signed stamps are 501s naming the header", async () => {
    const cases: [Record<string, string>, string, string][] = [
      [{ "swarm-act": "true" }, "swarm-act", "access control"],
      [{ "swarm-act-history-address": "ab".repeat(32) }, "swarm-act-history-address", "access control"],
      [{ "swarm-redundancy-level": "2" }, "swarm-redundancy-level", "erasure coding"],
      [{ "swarm-tag": "7" }, "swarm-tag", "tags"],
      [{ "swarm-postage-stamp": "00" }, "swarm-postage-stamp", "pre-signed"],
      [{ "swarm-feed-index": "1" }, "swarm-feed-index", "does not implement"],
    ];
    for (const [headers, name, feature] of cases) {
      const refused = await answer(await post("/bytes", headers));
      expect(refused.status, name).to.equal(501);
      expect(refused.message, name).to.include(name).and.include(feature);
    }
    const act = await beeError(t.bee.uploadData(t.batch, new Uint8Array([1]), { act: true }));
    expect(act.status).to.equal(501);
    expect(act.message).to.include("swarm-act");
    const erasure = await beeError(t.bee.uploadData(t.batch, new Uint8Array([1]), { redundancyLevel: 1 }));
    expect(erasure).to.include({ status: 501 });
    expect(erasure.message).to.include("swarm-redundancy-level");
  });

  it("malformed values of known headers are Bee's 400 invalid header params", async () => {
    const bool = await answer(await post("/bytes", { "swarm-encrypt": "maybe" }));
    expect(bool).to.include({ status: 400, message: "invalid header params" });
    expect(bool.reasons?.[0].field).to.equal("swarm-encrypt");
    const level = await answer(await post("/bytes", { "swarm-redundancy-level": "9" }));
    expect(level).to.include({ status: 400 });
    expect(level.reasons?.[0].field).to.equal("swarm-redundancy-level");
  });

  it("an endpoint the node does not serve is a 501 naming the method and path; missing content stays 404", async () => {
    for (const [method, path] of [
      ["GET", "/pins"],
      ["POST", "/pins/" + "ab".repeat(32)],
      ["GET", "/feeds/" + "ab".repeat(20) + "/" + "cd".repeat(32)],
      ["GET", "/tags"],
      ["DELETE", "/bytes/" + "ab".repeat(32)],
      ["GET", "/no/such/endpoint"],
    ]) {
      const refused = await answer(await fetch(`${t.node.url}${path}`, { method }));
      expect(refused, `${method} ${path}`).to.include({ status: 501, code: 501 });
      expect(refused.message).to.include(`${method} ${path}`).and.include("does not serve");
    }
    const pins = await beeError(t.bee.getAllPins());
    expect(pins.status).to.equal(501);
    expect(pins.message).to.include("GET /pins");
    const missing = await answer(await fetch(`${t.node.url}/bytes/${"ab".repeat(32)}`));
    expect(missing.status).to.equal(404);
  });

  it("every header rule is one of the documented kinds", () => {
    for (const [name, rule] of Object.entries(HEADER_RULES)) expect(["honoured", "no-op", "boolean-feature", "refused"], name).to.include(rule.kind);
  });
});
