import { expect } from "chai";
import fs from "node:fs";
import { encodeSpan, swarmReference } from "../../services/swarm/bmt";
import { sequentialBytes, startTestNode, type TestNode } from "../support/swarm";

interface Vector {
  kind: "bytes" | "chunk" | "bzz-file" | "sequential";
  text?: string;
  name?: string;
  contentType?: string;
  length?: number;
  reference: string;
}

const vectorsFile = require.resolve("../fixtures/swarm-vectors.json");
const { vectors } = JSON.parse(fs.readFileSync(vectorsFile, "utf8")) as { vectors: Vector[] };

describe("swarm: known Bee references (fixtures/swarm-vectors.json) through bee-js over HTTP", function () {
  let t: TestNode;
  before(async () => {
    t = await startTestNode();
  });
  after(async () => {
    await t?.close();
  });

  it("has vectors of every kind", () => {
    expect(new Set(vectors.map((v) => v.kind))).to.have.keys("bytes", "chunk", "bzz-file", "sequential");
  });

  for (const vector of vectors) {
    const label = `${vector.kind} ${vector.text !== undefined ? JSON.stringify(vector.text) : `of length ${vector.length}`}`;
    it(`${label} → ${vector.reference.slice(0, 12)}…`, async () => {
      const data = vector.kind === "sequential" ? sequentialBytes(vector.length!) : new TextEncoder().encode(vector.text);
      switch (vector.kind) {
        case "bytes":
        case "sequential": {
          const { reference } = await t.bee.uploadData(t.batch, data);
          expect(reference.toHex()).to.equal(vector.reference);
          expect(swarmReference(data)).to.equal(vector.reference);
          expect(Buffer.from((await t.bee.downloadData(reference)).toUint8Array()).equals(Buffer.from(data))).to.equal(true);
          break;
        }
        case "chunk": {
          const chunk = new Uint8Array([...encodeSpan(data.length), ...data]);
          const { reference } = await t.bee.uploadChunk(t.batch, chunk);
          expect(reference.toHex()).to.equal(vector.reference);
          expect(swarmReference(data)).to.equal(vector.reference);
          expect(Buffer.from(await t.bee.downloadChunk(reference)).equals(Buffer.from(chunk))).to.equal(true);
          break;
        }
        case "bzz-file": {
          const { reference } = await t.bee.uploadFile(t.batch, data, vector.name, { contentType: vector.contentType });
          expect(reference.toHex()).to.equal(vector.reference);
          const file = await t.bee.downloadFile(reference);
          expect(file.data.toUtf8()).to.equal(vector.text);
          expect(file.contentType).to.equal(vector.contentType);
          expect(file.name).to.equal(vector.name);
          // and through Lure's client, by name
          const named = await t.client.downloadFile(vector.reference, vector.name);
          expect(Buffer.from(named.data).toString("utf8")).to.equal(vector.text);
          break;
        }
      }
    });
  }
});
