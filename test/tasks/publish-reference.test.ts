import { expect } from "chai";
import hre from "hardhat";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deployLure } from "../../scripts/deploy";
import { runTask, taskError } from "../support/capture";
import { startTestNode, type TestNode } from "../support/swarm";

/**
 * Issue 12 §3: `pod:publish` and `pod:version` register a bare reference only when the Bee node has
 * it; a reference the node lacks is refused by name with nothing sent, unless `--force`.
 */
describe("Hardhat tasks: pod:publish and pod:version check the reference on the Bee node", function () {
  this.timeout(120_000);
  const previousDir = process.env.DEPLOYMENTS_DIR;
  let swarm: TestNode;
  let onNode: string;
  const missing = "ab".repeat(32);

  before(async function () {
    process.env.DEPLOYMENTS_DIR = mkdtempSync(join(tmpdir(), "lure-deployments-"));
    if (!(await deployLure(hre, { verbose: false }))) throw new Error("nothing deployed");
    swarm = await startTestNode();
    onNode = await swarm.client.uploadCollection([{ path: "recipe.json", data: Buffer.from('{"name":"x","golem":{"exec":"true"}}') }], { indexDocument: "recipe.json" });
  });

  after(async function () {
    await swarm?.close();
    if (previousDir === undefined) delete process.env.DEPLOYMENTS_DIR;
    else process.env.DEPLOYMENTS_DIR = previousDir;
  });

  const nonce = async () => (await hre.ethers.getSigners())[0].getNonce();

  it("registers a reference the node has, with no warning", async function () {
    const published = await runTask<{ podId: string; warnings: string[] }>("pod:publish", { name: "on-the-node", ref: onNode, beeUrl: swarm.node.url });
    expect(published.warnings).to.deep.equal([]);
  });

  it("refuses a reference the node lacks, naming it, and sends nothing; --force registers it with the warning", async function () {
    const before = await nonce();
    const error = await taskError("pod:publish", { name: "not-on-the-node", ref: missing, beeUrl: swarm.node.url });
    expect(error).to.contain(`reference ${missing} is not on the Bee node`).and.contain("--force");
    expect(await nonce()).to.equal(before);
    const forced = await runTask<{ podId: string; warnings: string[] }>("pod:publish", { name: "not-on-the-node", ref: missing, beeUrl: swarm.node.url, force: true });
    expect(forced.warnings).to.have.length(1);
    const versionError = await taskError("pod:version", { pod: forced.podId, ref: missing, beeUrl: swarm.node.url });
    expect(versionError).to.contain("is not on the Bee node");
    const versioned = await runTask<{ version: number }>("pod:version", { pod: forced.podId, ref: onNode, beeUrl: swarm.node.url });
    expect(Number(versioned.version)).to.equal(2);
  });

  it("when the node cannot be reached, warns and registers (nothing says the reference is missing)", async function () {
    const published = await runTask<{ warnings: string[] }>("pod:publish", { name: "node-away", ref: "cd".repeat(32), beeUrl: "http://127.0.0.1:9" });
    expect(published.warnings[0]).to.match(/could not check reference/);
  });
});
