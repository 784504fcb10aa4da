import { expect } from "chai";
import hre from "hardhat";
import { createSwarmClient } from "../../services/swarm";
import { startDevSwarmNode, type DevSwarmNode } from "../../services/swarm-dev-node/server";
import { tempDir } from "../support/swarm";
import fs from "node:fs";

/** Runs a task with BEE_URL pointing at the test node, capturing what it prints. */
async function runTask(name: string, args: Record<string, unknown>, beeUrl: string): Promise<string> {
  const previousUrl = process.env.BEE_URL;
  const originalLog = console.log;
  const lines: string[] = [];
  process.env.BEE_URL = beeUrl;
  console.log = (...parts: unknown[]) => lines.push(parts.join(" "));
  try {
    await hre.run(name, args);
  } finally {
    console.log = originalLog;
    if (previousUrl === undefined) delete process.env.BEE_URL;
    else process.env.BEE_URL = previousUrl;
  }
  return lines.join("\n");
}

describe("swarm: swarm:buy-stamp and swarm:stamps tasks", function () {
  let node: DevSwarmNode;
  let dataDir: string;
  before(async () => {
    dataDir = tempDir("tasks");
    node = await startDevSwarmNode({ dataDir, port: 0 });
  });
  after(async () => {
    await node?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("buys a usable batch that the client then picks up, and lists it", async () => {
    const output = await runTask("swarm:buy-stamp", { amount: "1000000000", depth: "18", json: true }, node.url);
    const { batchId, depth } = JSON.parse(output) as { batchId: string; depth: number };
    expect(batchId).to.match(/^[0-9a-f]{64}$/);
    expect(depth).to.equal(18);
    expect(await createSwarmClient({ url: node.url }).postageBatch()).to.equal(batchId);
    const listed = JSON.parse(await runTask("swarm:stamps", { json: true }, node.url)) as { batches: { batchId: string; usable: boolean }[] };
    expect(listed.batches).to.deep.include({ ...listed.batches.find((b) => b.batchId === batchId)!, usable: true });
  });

  it("refuses a bad depth or amount, naming the value", async () => {
    await runTask("swarm:buy-stamp", { amount: "1000000000", depth: "3", json: false }, node.url).then(
      () => expect.fail("expected a refusal"),
      (error: Error) => expect(error.message).to.include("--depth").and.include('"3"'),
    );
    await runTask("swarm:buy-stamp", { amount: "5", depth: "20", json: false }, node.url).then(
      () => expect.fail("expected a refusal"),
      (error: Error) => expect(error.message).to.include("414720001"),
    );
  });
});
