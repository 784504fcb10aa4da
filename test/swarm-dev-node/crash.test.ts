import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { BeeResponseError } from "@ethersphere/bee-js";
import { createSwarmClient, swarmReference } from "../../services/swarm";
import { startDevSwarmNode } from "../../services/swarm-dev-node/server";
import { tempDir } from "../support/swarm";

const repoRoot = path.resolve(__dirname, "..", "..");

/** `npm run swarm` as a child process (without npm in between, so the kill hits the node). */
function spawnDevNode(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/swarm.ts", "--port", "0", "--data", dataDir, "--min-stamp-depth", "16"], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout.on("data", (part: Buffer) => {
      output += part.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve({ child, url: match[1] });
    });
    child.once("exit", (code) => reject(new Error(`dev node exited early with code ${code}: ${output}`)));
  });
}

describe("swarm: a crash halfway through an upload", function () {
  this.timeout(90_000);
  let dataDir: string;
  let child: ChildProcess | undefined;
  before(() => {
    dataDir = tempDir("crash");
  });
  after(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("kill -9 while the upload is being written leaves no reachable root; earlier data survives", async () => {
    const started = await spawnDevNode(dataDir);
    child = started.child;
    
    // Depth 16 (below Bee's 17, allowed by --min-stamp-depth) uses one bucket, so the batch's
    // utilization is its exact chunk count.
    const bought = await fetch(`${started.url}/stamps/1000000000/16`, { method: "POST" });
    const { batchID: batch } = (await bought.json()) as { batchID: string };
    const before = new Uint8Array(randomBytes(5 * 4096 + 3));
    const beforeReference = await createSwarmClient({ url: started.url, postageBatchId: batch }).uploadBytes(before);

    // A big upload; once its staging file has data on disk, the node is killed outright.
    const big = new Uint8Array(randomBytes(32 * 1024 * 1024));
    const bigReference = swarmReference(big);
    const stagingDir = path.join(dataDir, "staging");
    const upload = fetch(`${started.url}/bytes`, {
      method: "POST",
      body: big,
      headers: { "swarm-postage-batch-id": batch, "content-type": "application/octet-stream" },
    }).then(
      (response) => `answered ${response.status}`,
      () => "connection lost",
    );
    const deadline = Date.now() + 60_000;
    let killedWhileStaging = false;
    while (Date.now() < deadline) {
      const staged = fs.readdirSync(stagingDir).filter((name) => fs.statSync(path.join(stagingDir, name)).size > 0);
      if (staged.length > 0) {
        child.kill("SIGKILL");
        killedWhileStaging = true;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(killedWhileStaging, "the upload reached the staging area").to.equal(true);
    expect(await upload).to.equal("connection lost");
    await new Promise<void>((resolve) => (child!.exitCode !== null || child!.signalCode !== null ? resolve() : child!.once("exit", () => resolve())));

    // The same data directory, served again.
    const restarted = await startDevSwarmNode({ dataDir, port: 0 });
    try {
      const again = createSwarmClient({ url: restarted.url, postageBatchId: batch });
      const error = await again.bee.downloadData(bigReference).catch((caught: unknown) => caught);
      expect(error).to.be.instanceOf(BeeResponseError);
      expect((error as BeeResponseError).status).to.equal(404);
      expect(fs.readdirSync(stagingDir)).to.deep.equal([]);
      expect(Buffer.from(await again.downloadBytes(beforeReference)).equals(Buffer.from(before))).to.equal(true);
      // The batch only counts what was committed before the crash (6 leaves + 1 root), and still works.
      expect((await again.bee.getPostageBatch(batch)).utilization).to.equal(7);
      const small = new Uint8Array([7, 7, 7]);
      expect(await again.uploadBytes(small)).to.equal(swarmReference(small));
    } finally {
      await restarted.close();
    }
  });
});
