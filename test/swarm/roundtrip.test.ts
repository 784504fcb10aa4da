import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { MerkleTree } from "cafe-utility";
import { swarmReference } from "../../services/swarm";
import { hex, startTestNode, type TestNode } from "../support/swarm";

describe("swarm: byte round trips through the dev node", function () {
  let t: TestNode;
  before(async () => {
    t = await startTestNode();
  });
  after(async () => {
    await t?.close();
  });

  const sizes = [0, 1, 4095, 4096, 4097, 128 * 4096, 128 * 4096 + 1, 10 * 1024 * 1024];
  for (const size of sizes) {
    it(`${size} bytes: reference equals the offline one (bee-js MerkleTree up to 512 KiB), bytes come back equal`, async () => {
      const data = new Uint8Array(randomBytes(size));
      const reference = await t.client.uploadBytes(data);
      expect(reference).to.match(/^[0-9a-f]{64}$/);
      expect(swarmReference(data)).to.equal(reference);
      // bee-js's pure-JS MerkleTree takes seconds on 10 MB; bmt.test.ts pins swarmReference to it.
      if (size <= 128 * 4096 + 1) expect(reference).to.equal(hex((await MerkleTree.root(data)).hash()));
      const back = await t.client.downloadBytes(reference);
      expect(back.length).to.equal(size);
      expect(Buffer.from(back).equals(Buffer.from(data))).to.equal(true);
      // HEAD /bytes reports the length from the root chunk's span
      const probe = await t.bee.probeData(reference);
      expect(probe.contentLength).to.equal(size);
    });
  }

  it("uploading the same bytes twice gives the same reference and costs no new stamps", async () => {
    const data = new Uint8Array(randomBytes(3 * 4096));
    const before = (await t.bee.getPostageBatch(t.batch)).utilization;
    const first = await t.client.uploadBytes(data);
    const afterFirst = await t.bee.getPostageBatch(t.batch);
    const second = await t.client.uploadBytes(data);
    const afterSecond = await t.bee.getPostageBatch(t.batch);
    expect(second).to.equal(first);
    expect(afterSecond.utilization).to.equal(afterFirst.utilization);
    expect(afterFirst.utilization).to.be.at.least(before);
  });

  it("single files keep their name and content type; an unnamed file is named after its reference", async () => {
    const data = new TextEncoder().encode(JSON.stringify({ hello: "swarm" }));
    const reference = await t.client.uploadFile(data, "hello.json", "application/json");
    const file = await t.client.downloadFile(reference);
    expect(file.name).to.equal("hello.json");
    expect(file.contentType).to.equal("application/json");
    expect(Buffer.from(file.data).toString()).to.equal('{"hello":"swarm"}');

    const { reference: unnamed } = await t.bee.uploadFile(t.batch, data, undefined, { contentType: "application/json" });
    const unnamedFile = await t.bee.downloadFile(unnamed);
    expect(unnamedFile.name).to.equal(swarmReference(data));
  });
});
