import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import type { Indexer } from "../../services/indexer";
import { createSwarmClient, type SwarmClient } from "../../services/swarm";
import { startDevSwarmNode, type DevSwarmNode } from "../../services/swarm-dev-node/server";
import { startHardhatNode, type TestHardhatNode } from "../support/hardhat-node";
import { deployFloods, type FloodChain } from "../support/indexer/flood";
import { backends, startTestIndexer, waitFor, waitForHead, type Backend, latestBlock } from "../support/indexer/harness";

describe("indexer: pod descriptions from the recipe on Swarm", function () {
  this.timeout(120_000);
  let node: TestHardhatNode;
  let swarmNode: DevSwarmNode;
  let swarm: SwarmClient;
  let chain: FloodChain;
  let dataDir: string;
  const used: Backend[] = [];
  const running: Indexer[] = [];

  const head = () => latestBlock(chain.provider);

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "lure-describe-"));
    swarmNode = await startDevSwarmNode({ dataDir, host: "127.0.0.1", port: 0 });
    swarm = createSwarmClient({ url: swarmNode.url, timeoutMs: 5_000 });
    await swarm.buyStamp(1_000_000_000n, 22);
    node = await startHardhatNode();
    chain = await deployFloods(node.url);
  });

  after(async () => {
    await Promise.all(running.map((indexer) => indexer.stop().catch(() => undefined)));
    for (const backend of used) await backend.cleanup();
    await node?.stop();
    await swarmNode?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("fills the description outside ingest, leaves it empty when the recipe is missing or broken, and makes it searchable", async () => {
    const recipe = { name: "keras", description: "Keras applications as compute pods, each pod is a model", public: true };
    const good = await swarm.uploadCollection([{ path: "recipe.json", data: Buffer.from(JSON.stringify(recipe)) }]);
    const broken = await swarm.uploadCollection([{ path: "recipe.json", data: Buffer.from("{ not json") }]);
    const owner = await chain.signer.getAddress();
    await (await chain.registry.publishNamed(1, owner, "keras", `0x${good}`)).wait();
    await (await chain.registry.publishNamed(2, owner, "broken", `0x${broken}`)).wait();
    await (await chain.registry.publishNamed(3, owner, "absent", `0x${"77".repeat(32)}`)).wait();

    for (const backend of backends()) {
      used.push(backend);
      const indexer = await startTestIndexer({ rpcUrl: node.url, deployment: chain.deployment, db: await backend.open(), swarm });
      running.push(indexer);
      await waitForHead(indexer, head);
      await waitFor(`${backend.label}: the description of pod 1`, async () => {
        const [pod] = await indexer.db.query<{ description: string | null }>(`SELECT description FROM pods WHERE id = 1`);
        return pod?.description === recipe.description;
      });
      const pods = await indexer.db.query<{ id: string; description: string | null }>(`SELECT id, description FROM pods ORDER BY id`);
      expect(pods).to.deep.equal([
        { id: "1", description: recipe.description },
        { id: "2", description: null },
        { id: "3", description: null },
      ]);
      const found = await indexer.db.query<{ id: string }>(`SELECT id FROM pods WHERE search @@ plainto_tsquery('english', $1)`, ["compute model"]);
      expect(found.map((row) => row.id)).to.deep.equal(["1"]);
      expect(indexer.status().hasIndexingErrors).to.equal(false);
    }
  });
});
