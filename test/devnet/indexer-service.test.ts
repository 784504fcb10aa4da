import { expect } from "chai";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "../support/wait";
import { freePort, startHardhatNode, type TestHardhatNode } from "../support/hardhat-node";
import { indexerScript } from "../../scripts/lib/indexer-script";

/**
 * `npm run indexer` exactly as package.json starts it (its Node flags and environment included),
 * minus the `preindexer` build: `npm test` builds dist/ before the tests run. `ipc` gives it the
 * channel `npm start` gives it.
 */
function runIndexerService(env: NodeJS.ProcessEnv, options: { ipc?: boolean } = {}) {
  const script = indexerScript();
  if (!existsSync(script.entry)) throw new Error(`${script.entry} is missing: run \`npm run build:services\` first`);
  const child = spawn(process.execPath, [...script.nodeFlags, script.entry], {
    env: { ...process.env, ...script.environment, ...env, LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe", ...(options.ipc ? (["ipc"] as const) : [])],
  });
  let text = "";
  child.stdout!.on("data", (chunk) => (text += chunk));
  child.stderr!.on("data", (chunk) => (text += chunk));
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
    writeFileSync(join(dir, "deployments", "localhost.json"), JSON.stringify({ chainId: 31337, contracts: { PodRegistry: entry(1), PodLicenses: entry(3), PodMarket: entry(2), RunMarket: entry(4), GroupRegistry: entry(5), MessageBus: entry(6), PodKeyGrants: entry(7) } }));
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

  it("started with an IPC channel (as npm start does), stops and frees its port when the channel closes", async () => {
    const port = await freePort();
    const service = runIndexerService(
      {
        NETWORK: "localhost",
        LOCAL_RPC_URL: node.url,
        DEPLOYMENTS_DIR: join(dir, "deployments"),
        PGLITE_DIR: join(dir, "pglite-ipc"),
        GRAPHQL_PORT: String(port),
        BEE_URL: `http://127.0.0.1:${await freePort()}`,
      },
      { ipc: true },
    );
    try {
      await waitFor(() => service.output().includes(`GraphQL at http://127.0.0.1:${port}/graphql`), 60_000, "the service line", service.output);
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).to.equal(200);
      // What a parent killed with -9 does to the channel.
      service.child.disconnect();
      expect(await service.exited).to.equal(0);
      const answered = await fetch(`http://127.0.0.1:${port}/health`).then(() => true, () => false);
      expect(answered, "the port still answers").to.equal(false);
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
    writeFileSync(join(dir, "deployments", "amoy.json"), JSON.stringify({ chainId: 80002, contracts: { PodRegistry: entry(1), PodLicenses: entry(3), PodMarket: entry(2), RunMarket: entry(4), GroupRegistry: entry(5), MessageBus: entry(6), PodKeyGrants: entry(7) } }));
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
