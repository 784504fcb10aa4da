import { expect } from "chai";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "../helpers/wait";
import { freePort, startHardhatNode, type TestHardhatNode } from "../helpers/hardhat-node";

/**
 * `npm run indexer` exactly as package.json starts it (its Node flags included), minus the
 * `preindexer` build: `npm test` builds dist/ before the tests run.
 */
function runIndexerService(env: NodeJS.ProcessEnv) {
  const words = (require("../../package.json") as { scripts: Record<string, string> }).scripts.indexer.split(/\s+/);
  const entry = words.find((word) => word.endsWith(".js"));
  if (!entry || !existsSync(entry)) throw new Error(`${entry ?? "the indexer script's entry point"} is missing: run \`npm run build:services\` first`);
  // Words before `node` are environment assignments (MALLOC_ARENA_MAX=1), those after it its arguments.
  const nodeAt = words.indexOf("node");
  const scriptEnv = Object.fromEntries(words.slice(0, nodeAt).map((word) => [word.slice(0, word.indexOf("=")), word.slice(word.indexOf("=") + 1)]));
  const child = spawn(process.execPath, words.slice(nodeAt + 1), { env: { ...process.env, ...scriptEnv, ...env, LOG_LEVEL: "warn" }, stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  child.stdout.on("data", (chunk) => (text += chunk));
  child.stderr.on("data", (chunk) => (text += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => text, exited };
}

describe("npm run indexer (the indexer and GraphQL API as a service of their own)", function () {
  this.timeout(120_000);
  let node: TestHardhatNode;
  let dir: string;

  before(async () => {
    node = await startHardhatNode();
    dir = mkdtempSync(join(tmpdir(), "lure-indexer-service-"));
    mkdirSync(join(dir, "deployments"));
    // Addresses without code: the service follows the chain and indexes nothing, which is enough here.
    const entry = (n: number) => ({ address: `0x${String(n).padStart(40, "0")}`, blockNumber: 0, txHash: `0x${"00".repeat(32)}` });
    writeFileSync(join(dir, "deployments", "localhost.json"), JSON.stringify({ chainId: 31337, contracts: { PodRegistry: entry(1), PodMarket: entry(2) } }));
  });
  after(async () => {
    await node?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves GraphQL for the configured chain, reports ready at the head, and stops cleanly on SIGTERM", async () => {
    const port = await freePort();
    const service = runIndexerService({
      NETWORK: "localhost",
      LOCAL_RPC_URL: node.url,
      DEPLOYMENTS_DIR: join(dir, "deployments"),
      PGLITE_DIR: join(dir, "pglite"),
      GRAPHQL_PORT: String(port),
      BEE_URL: `http://127.0.0.1:${await freePort()}`,
    });
    try {
      await waitFor(() => service.output().includes(`GraphQL at http://127.0.0.1:${port}/graphql`), 60_000, "the service line", service.output);
      let ready = 503;
      const deadline = Date.now() + 30_000;
      while (ready !== 200 && Date.now() < deadline) {
        ready = (await fetch(`http://127.0.0.1:${port}/ready`)).status;
        if (ready !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(ready).to.equal(200);
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: `{ _meta { chainId hasIndexingErrors } }` }),
      });
      expect(await response.json()).to.deep.equal({ data: { _meta: { chainId: 31337, hasIndexingErrors: false } } });
      service.child.kill("SIGTERM");
      expect(await service.exited).to.equal(0);
    } finally {
      if (service.child.exitCode === null) service.child.kill("SIGKILL");
    }
  });

  it("a network without a deployment, or without its RPC URL, is an error naming what is missing, and exit code 1", async () => {
    const env = { NETWORK: "amoy", AMOY_RPC_URL: "", RPC_URL: "", DEPLOYMENTS_DIR: join(dir, "deployments"), GRAPHQL_PORT: String(await freePort()) };
    const undeployed = runIndexerService(env);
    expect(await undeployed.exited).to.equal(1);
    expect(undeployed.output()).to.include(`could not start: PodRegistry is not deployed on network "amoy"`);

    const entry = (n: number) => ({ address: `0x${String(n).padStart(40, "0")}`, blockNumber: 0, txHash: `0x${"00".repeat(32)}` });
    writeFileSync(join(dir, "deployments", "amoy.json"), JSON.stringify({ chainId: 80002, contracts: { PodRegistry: entry(1), PodMarket: entry(2) } }));
    const noRpc = runIndexerService(env);
    expect(await noRpc.exited).to.equal(1);
    expect(noRpc.output()).to.match(/could not start: invalid configuration:\s+AMOY_RPC_URL: required for NETWORK=amoy/);
  });

  it("a malformed setting is refused at start-up with exit code 2", async () => {
    const service = runIndexerService({ NETWORK: "mainnet" });
    expect(await service.exited).to.equal(2);
    expect(service.output()).to.match(/NETWORK/);
  });
});
