import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { request } from "node:http";
import { join } from "node:path";
import { expect } from "chai";
import { migrate, openDatabase, type Database } from "../../services/database";
import { loadConfig } from "../../services/config";
import { writeDeployment } from "../../services/chain/deployments";
import { startTestApi, type TestApi } from "../support/api/client";
import { freePort, startHardhatNode, type TestHardhatNode } from "../support/hardhat-node";
import { JsonRpcProvider } from "ethers";
import { MockERC20__factory } from "../../typechain-types/factories/contracts/test/MockERC20__factory";
import { startTestNode, type TestNode } from "../support/swarm";

/**
 * What the API serves for the web app (services/api/http/web.ts), without a chain or a Bee node:
 * the app and its cache headers, the page that says how to build it, /app-config.json from the
 * deployments file, /status.json when chain and Swarm are down, and the Swarm proxy's refusals.
 * The pages themselves are tested in Chromium (test/web/pages.test.ts).
 */
describe("API: serving the web app", () => {
  let db: Database;
  let dir: string;
  let built: TestApi;
  let unbuilt: TestApi;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "lure-web-serving-"));
    db = await openDatabase({});
    await migrate(db);
    const web = join(dir, "web");
    mkdirSync(join(web, "assets"), { recursive: true });
    writeFileSync(join(web, "index.html"), `<!doctype html><title>Lure</title><script type="module" src="/assets/main-ABCD1234.js"></script>`);
    writeFileSync(join(web, "assets", "main-ABCD1234.js"), "console.log('lure');");
    writeFileSync(join(web, "assets", "main-ABCD1234.js.map"), "{}");
    const deployments = join(dir, "deployments");
    writeDeployment("localhost", { chainId: 31337, contracts: { PodRegistry: { address: `0x${"11".repeat(20)}`, blockNumber: 1, txHash: `0x${"22".repeat(32)}` } } }, deployments);
    // Nothing answers on these ports: the status reports both as down.
    const closed = await freePort();
    const config = loadConfig({ DEPLOYMENTS_DIR: deployments, LOCAL_RPC_URL: `http://127.0.0.1:${closed}`, BEE_URL: `http://127.0.0.1:${closed}` });
    built = await startTestApi(db, { web: { webDir: web, config, timeoutMs: 2_000 } });
    unbuilt = await startTestApi(db, { web: { webDir: join(dir, "missing"), config, timeoutMs: 2_000 } });
  });

  after(async () => {
    await built?.close();
    await unbuilt?.close();
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves index.html as no-cache and hashed assets as immutable", async () => {
    const index = await fetch(`${built.running.url}/`);
    expect(index.status).to.equal(200);
    expect(index.headers.get("cache-control")).to.equal("no-cache");
    expect(await index.text()).to.include("/assets/main-ABCD1234.js");
    const script = await fetch(`${built.running.url}/assets/main-ABCD1234.js`);
    expect(script.status).to.equal(200);
    expect(script.headers.get("cache-control")).to.equal("public, max-age=31536000, immutable");
    expect(script.headers.get("content-type")).to.match(/javascript/);
    // A source map's name carries no hash of its own: revalidated.
    expect((await fetch(`${built.running.url}/assets/main-ABCD1234.js.map`)).headers.get("cache-control")).to.equal("no-cache");
    expect((await fetch(`${built.running.url}/assets/missing.js`)).status).to.equal(404);
  });

  it("says how to build the app when it is not built, instead of failing", async () => {
    const response = await fetch(`${unbuilt.running.url}/`);
    expect(response.status).to.equal(503);
    expect(await response.text()).to.include("npm run build:web");
    // The rest of the API is unaffected.
    expect((await fetch(`${unbuilt.running.url}/health`)).status).to.equal(200);
    expect((await fetch(`${unbuilt.running.url}/query`)).status).to.equal(200);
  });

  it("/app-config.json comes from the configuration and the deployments file", async () => {
    const response = await fetch(`${built.running.url}/app-config.json`);
    expect(response.headers.get("cache-control")).to.equal("no-cache");
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).to.include({ chainId: 31337, chainName: "Lure dev chain", nativeSymbol: "ETH", network: "localhost", graphqlUrl: `${built.running.url}/graphql`, swarmProxyUrl: `${built.running.url}/swarm` });
    expect(body.contracts).to.deep.equal({ PodRegistry: `0x${"11".repeat(20)}` });
    expect(body.rpcUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("/status.json reports an unreachable chain and Swarm with the reason, and the indexer's state", async () => {
    const status = (await (await fetch(`${built.running.url}/status.json`)).json()) as {
      chain: { ok: boolean; error?: string };
      swarm: { ok: boolean; error?: string };
      indexer: { indexedBlock: number };
      runners: unknown[];
    };
    expect(status.chain.ok).to.equal(false);
    expect(status.chain.error).to.be.a("string");
    expect(status.swarm.ok).to.equal(false);
    expect(status.swarm.error).to.be.a("string");
    expect(status.indexer.indexedBlock).to.equal(100);
    expect(status.runners).to.deep.equal([]);
  });

  it("the Swarm proxy refuses bad references and paths, naming them, and reports an unreachable node", async () => {
    for (const path of ["/swarm/bytes/xyz", `/swarm/bzz/0x${"a".repeat(63)}/recipe.json`, "/swarm/list/not-hex"]) {
      const response = await fetch(`${built.running.url}${path}`);
      expect(response.status, path).to.equal(400);
      const { error } = (await response.json()) as { error: string };
      expect(error, path).to.match(/is not a Swarm reference/);
      expect(error, path).to.include(path.split("/")[3]);
    }
    // fetch would resolve the `..` itself; a raw request keeps it.
    const traversal = await rawGet(`${built.running.url}/swarm/bzz/${"a".repeat(64)}/a/../secret`);
    expect(traversal.status).to.equal(400);
    expect((JSON.parse(traversal.body) as { error: string }).error).to.equal('"a/../secret" is not a path inside a collection');
    const unknownRoute = await fetch(`${built.running.url}/swarm/feeds/${"a".repeat(64)}`);
    expect(unknownRoute.status).to.equal(404);
    expect(((await unknownRoute.json()) as { error: string }).error).to.include("/swarm/bzz/<ref>/<path>");
    const down = await fetch(`${built.running.url}/swarm/bytes/${"a".repeat(64)}`);
    expect(down.status).to.equal(502);
  });
});

describe("API: the web app's message uploads (POST /swarm/messages) to a dev Swarm node over HTTP", () => {
  let db: Database;
  let dir: string;
  let swarm: TestNode;
  let api: TestApi;
  let closedApi: TestApi;
  const LIMIT = 1024;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "lure-web-upload-"));
    db = await openDatabase({});
    await migrate(db);
    swarm = await startTestNode();
    const config = loadConfig({ DEPLOYMENTS_DIR: join(dir, "deployments"), BEE_URL: swarm.node.url, WEB_UPLOAD_MAX_BYTES: String(LIMIT) });
    api = await startTestApi(db, { web: { webDir: join(dir, "missing"), config, timeoutMs: 5_000 } });
    closedApi = await startTestApi(db, { web: { webDir: join(dir, "missing"), config: loadConfig({ BEE_URL: swarm.node.url, WEB_UPLOAD_MAX_BYTES: "0" }), timeoutMs: 5_000 } });
  });

  after(async () => {
    await api?.close();
    await closedApi?.close();
    await swarm?.close();
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("uploads a body as the command line does (the same reference), readable back through the proxy, and names it in the app's configuration", async () => {
    const text = new TextEncoder().encode("hello from the browser");
    const response = await fetch(`${api.running.url}/swarm/messages?name=message.txt`, { method: "POST", headers: { "content-type": "application/octet-stream" }, body: text });
    expect(response.status).to.equal(201);
    const { reference, bytes } = (await response.json()) as { reference: string; bytes: number };
    expect(bytes).to.equal(text.length);
    // The command line's path (services/market/messages.ts): the same one-file collection.
    expect(reference).to.equal(await swarm.client.uploadCollection([{ path: "message.txt", data: text }], { indexDocument: "message.txt" }));
    const back = await fetch(`${api.running.url}/swarm/bzz/${reference}/message.txt`);
    expect(await back.text()).to.equal("hello from the browser");
    const config = (await (await fetch(`${api.running.url}/app-config.json`)).json()) as { uploadUrl: string | null };
    expect(config.uploadUrl).to.equal(`${api.running.url}/swarm/messages`);
    const closedConfig = (await (await fetch(`${closedApi.running.url}/app-config.json`)).json()) as { uploadUrl: string | null };
    expect(closedConfig.uploadUrl).to.equal(null);
  });

  it("refuses a bad name, an empty body and a body above WEB_UPLOAD_MAX_BYTES, naming the problem, with nothing uploaded", async () => {
    const before = (await swarm.bee.getAllPostageBatch())[0]?.utilization;
    const badName = await fetch(`${api.running.url}/swarm/messages?name=${encodeURIComponent("../etc/passwd")}`, { method: "POST", body: "x" });
    expect(badName.status).to.equal(400);
    expect(((await badName.json()) as { error: string }).error).to.include('"../etc/passwd" is not a file name');
    const empty = await fetch(`${api.running.url}/swarm/messages`, { method: "POST", body: "" });
    expect(empty.status).to.equal(400);
    expect(((await empty.json()) as { error: string }).error).to.include("the message body is empty");
    const large = await fetch(`${api.running.url}/swarm/messages`, { method: "POST", body: new Uint8Array(LIMIT + 1) });
    expect(large.status).to.equal(413);
    expect(((await large.json()) as { error: string }).error).to.include(`above the ${LIMIT} bytes`);
    expect((await swarm.bee.getAllPostageBatch())[0]?.utilization).to.equal(before);
    const closed = await fetch(`${closedApi.running.url}/swarm/messages`, { method: "POST", body: "x" });
    expect(closed.status).to.equal(404);
    expect(((await closed.json()) as { error: string }).error).to.include("WEB_UPLOAD_MAX_BYTES=0");
  });
});

describe("API: the web app's tokens (/app-config.json) from the market's allow-list and the chain", () => {
  let db: Database;
  let dir: string;
  let node: TestHardhatNode;
  let api: TestApi;
  let token: string;

  before(async function () {
    this.timeout(120_000);
    dir = mkdtempSync(join(tmpdir(), "lure-web-tokens-"));
    db = await openDatabase({});
    await migrate(db);
    node = await startHardhatNode();
    const provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true });
    const deployed = await new MockERC20__factory(await provider.getSigner(0)).deploy("Test Dollar", "TUSD");
    await deployed.waitForDeployment();
    token = (await deployed.getAddress()).toLowerCase();
    provider.destroy();
    const row = (address: string, allowed: boolean) =>
      db.query(`INSERT INTO market_tokens (token, allowed, block_number, block_hash, tx_hash, log_index) VALUES ($1, $2, 1, $3, $3, 0)`, [address, allowed, `0x${"00".repeat(32)}`]);
    await row(token, true);
    // An allowed address with no code (not an ERC-20), and a token allowed once and then disallowed.
    await row(`0x${"12".repeat(20)}`, true);
    await row(`0x${"34".repeat(20)}`, false);
    const config = loadConfig({ DEPLOYMENTS_DIR: join(dir, "deployments"), LOCAL_RPC_URL: node.url });
    api = await startTestApi(db, { web: { webDir: join(dir, "missing"), config, timeoutMs: 5_000 } });
  });

  after(async () => {
    await api?.close();
    await node?.stop();
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("names each allowed ERC-20 by its symbol and decimals, read from the chain; a token that does not answer and a disallowed one are left out", async () => {
    const config = (await (await fetch(`${api.running.url}/app-config.json`)).json()) as { tokens: Record<string, { symbol: string; decimals: number }> };
    expect(config.tokens).to.deep.equal({
      "0x0000000000000000000000000000000000000000": { symbol: "ETH", decimals: 18 },
      [token]: { symbol: "TUSD", decimals: 18 },
    });
  });
});

/** GET without URL normalisation. */
function rawGet(url: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  const path = url.slice(url.indexOf("/", "http://".length));
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method: "GET" }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}
