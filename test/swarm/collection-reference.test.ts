import { expect } from "chai";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { collectionReference, createSwarmClient } from "../../services/swarm";
import { startDevSwarmNode } from "../../services/swarm-dev-node/server";

describe("collectionReference (offline)", function () {
  let node: Awaited<ReturnType<typeof startDevSwarmNode>>;
  let client: ReturnType<typeof createSwarmClient>;

  before(async function () {
    node = await startDevSwarmNode({ dataDir: mkdtempSync(join(tmpdir(), "lure-collref-")), port: 0 });
    client = createSwarmClient({ url: node.url, timeoutMs: 30_000 });
    await client.buyStamp(1_000_000_000n, 20);
  });

  after(async function () {
    await node.close();
  });

  const cases: [string, { path: string; data: Uint8Array }[], { indexDocument?: string; errorDocument?: string }][] = [
    ["one small file", [{ path: "recipe.json", data: Buffer.from('{"name":"x"}') }], { indexDocument: "recipe.json" }],
    [
      "nested paths, unicode names and a multi-chunk file",
      [
        { path: "recipe.json", data: Buffer.from("{}") },
        { path: "script/hello.py", data: Buffer.from("print('hi')\n") },
        { path: "payload/données/ünï.txt", data: Buffer.from("x".repeat(10)) },
        { path: "payload/big.bin", data: new Uint8Array(3 * 4096 + 17).map((_v, i) => i % 251) },
      ],
      { indexDocument: "recipe.json", errorDocument: "script/hello.py" },
    ],
    ["no documents", [{ path: "a.html", data: Buffer.from("<p>a</p>") }, { path: "b.css", data: Buffer.from("p{}") }], {}],
  ];

  for (const [label, entries, documents] of cases) {
    it(`equals the node's reference for ${label}`, async function () {
      const offline = await collectionReference(entries, documents);
      const uploaded = await client.uploadCollection(entries, documents);
      expect(offline).to.match(/^[0-9a-f]{64}$/);
      expect(offline).to.equal(uploaded);
    });
  }

  it("changes when one byte changes", async function () {
    const a = await collectionReference([{ path: "f.txt", data: Buffer.from("a") }]);
    const b = await collectionReference([{ path: "f.txt", data: Buffer.from("b") }]);
    expect(a).to.not.equal(b);
  });
});
