import { expect } from "chai";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";
import { deployLure } from "../../scripts/deploy";
import { deploymentPath } from "../../services/chain/deployments";
import type { PersistResult } from "../../services/pods/persist";
import { createSwarmClient, type SwarmClient } from "../../services/swarm";
import { startDevSwarmNode, type DevSwarmNode } from "../../services/swarm-dev-node/server";
import { makeZip, readRecipeJson, text } from "../support/pods";

/**
 * Issue 12 §3, checks before anything is published, through the real tasks (pod:persist,
 * pod:payloads, pod:fork) on the in-process Hardhat network and the dev Swarm node over HTTP. The
 * node is reached through a counting proxy, so "nothing uploaded" is measured, not assumed: every
 * refusal names the bad value, and neither a POST reaches the node nor a block is mined.
 */
describe("pods: checks before publishing (tasks, Hardhat network, dev Swarm node)", function () {
  this.timeout(90_000);

  let work: string;
  let node: DevSwarmNode;
  let swarm: SwarmClient;
  let proxy: Server;
  let beeUrl: string;
  let keysDir: string;
  /** Requests that reached the node through the proxy, as "METHOD /path". */
  const requests: string[] = [];
  const uploads = () => requests.filter((line) => line.startsWith("POST ")).length;

  const persist = (dir: string, extra: Record<string, unknown> = {}) =>
    hre.run("pod:persist", { dir, keysDir, beeUrl, json: true, ...extra }) as Promise<PersistResult>;
  const blockNumber = () => hre.ethers.provider.getBlockNumber();

  async function failure(promise: Promise<unknown>): Promise<string> {
    try {
      await promise;
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error("expected a refusal");
  }

  /** The task is refused with every expected text in its message; nothing was uploaded or sent. */
  async function refusedWithNothingSent(dir: string, expected: readonly string[], extra: Record<string, unknown> = {}): Promise<string> {
    const blocks = await blockNumber();
    const posted = uploads();
    const message = await failure(persist(dir, extra));
    for (const part of expected) expect(message).to.contain(part);
    expect(uploads(), "uploads to the Bee node").to.equal(posted);
    expect(await blockNumber(), "blocks mined").to.equal(blocks);
    return message;
  }

  /** A new pod folder from pod:init, with its recipe changed by `edit`. */
  async function podFolder(name: string, edit: (recipe: Record<string, unknown> & { golem: Record<string, unknown> }) => void = () => undefined): Promise<string> {
    const dir = path.join(work, name);
    await hre.run("pod:init", { name, dir, json: true });
    const recipe = (await readRecipeJson(dir)) as unknown as Record<string, unknown> & { golem: Record<string, unknown> };
    edit(recipe);
    await writeFile(path.join(dir, "recipe.json"), JSON.stringify(recipe, null, 2));
    return dir;
  }

  async function writeRecipe(name: string, recipe: unknown): Promise<string> {
    const dir = path.join(work, name);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, "recipe.json"), JSON.stringify(recipe, null, 2));
    return dir;
  }

  let log: typeof console.log;
  before(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), "lure-prepublish-"));
    keysDir = path.join(work, "keys");
    node = await startDevSwarmNode({ dataDir: path.join(work, "swarm"), port: 0 });
    swarm = createSwarmClient({ url: node.url, timeoutMs: 20_000 });
    await swarm.buyStamp("1000000000", 22);
    const target = new URL(node.url);
    proxy = createServer((incoming, outgoing) => {
      requests.push(`${incoming.method} ${incoming.url}`);
      const forwarded = request(
        { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forwarded.on("error", () => outgoing.destroy());
      incoming.pipe(forwarded);
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    beeUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    await rm(deploymentPath(hre.network.name), { force: true });
    await deployLure(hre, { verbose: false });
    log = console.log;
    console.log = () => undefined;
  });

  after(async () => {
    if (log) console.log = log;
    await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
    await node?.close();
    await rm(work, { recursive: true, force: true });
  });

  describe("recipe fields: near misses are errors, other unknown fields warnings", () => {
    for (const [label, edit, expected] of [
      ["golme (the golem section)", (recipe: Record<string, unknown>) => ((recipe.golme = recipe.golem), delete recipe.golem), 'golme: unknown field; did you mean "golem"?'],
      ["exce inside golem", (recipe: { golem: Record<string, unknown> }) => ((recipe.golem.exce = recipe.golem.exec), delete recipe.golem.exec), 'golem.exce: unknown field; did you mean "exec" (golem.exec)?'],
      ["paylod inside golem", (recipe: { golem: Record<string, unknown> }) => ((recipe.golem.paylod = recipe.golem.payload), delete recipe.golem.payload), 'golem.paylod: unknown field; did you mean "payload" (golem.payload)?'],
      ["minMemGb inside golem.resources", (recipe: { golem: Record<string, unknown> }) => (recipe.golem.resources = { minMemGb: 2 }), 'golem.resources.minMemGb: unknown field; did you mean "minMemGib" (golem.resources.minMemGib)?'],
      ["publc: false (a private pod must never go out as public)", (recipe: Record<string, unknown>) => ((recipe.publc = false), delete recipe.public), 'publc: unknown field; did you mean "public"?'],
      ["private: true", (recipe: Record<string, unknown>) => ((recipe.private = true), delete recipe.public), 'private: unknown field; did you mean "public": false?'],
    ] as const) {
      it(`${label}: refused, naming the field's path, nothing uploaded or sent`, async () => {
        const dir = await podFolder(`near-${label.split(" ")[0]}`, edit);
        await refusedWithNothingSent(dir, [expected]);
      });
    }

    it("a near miss inside an external payload entry (rfe → ref) is named by its path", async () => {
      const dir = await podFolder("near-ref", (recipe) => (recipe.golem.payload = [{ rfe: "ab".repeat(32) }]));
      await refusedWithNothingSent(dir, ['golem.payload[0].rfe: unknown field; did you mean "ref" (golem.payload[0].ref)?']);
    });

    it("a task recipe with a near miss of pods hears about pods, not about a golem section", async () => {
      const dir = await writeRecipe("near-task", { name: "near-task", pod: ["ab".repeat(32)] });
      const message = await refusedWithNothingSent(dir, ['pod: unknown field; did you mean "pods"?']);
      expect(message).to.not.contain("golem");
      const neither = await writeRecipe("neither", { name: "neither", description: "nothing to run" });
      expect(await refusedWithNothingSent(neither, ['a recipe needs a "golem" section (a pod) or a "pods" list (a task); it has neither'])).to.not.contain("golem: required");
    });

    it("an unknown field that is no near miss is published with a warning", async () => {
      const dir = await podFolder("unknown-field", (recipe) => {
        recipe.license = "MIT";
        recipe.golem.gpu = true;
      });
      const result = await persist(dir);
      expect(result.created).to.equal(true);
      expect(result.warnings).to.have.members(["license: unknown field, ignored", "golem.gpu: unknown field, ignored"]);
    });
  });

  describe("pod:persist refuses, or with --force warns, before uploading anything", () => {
    it("a script folder that does not exist; --force publishes with the warning", async () => {
      const dir = await podFolder("no-script");
      await rm(path.join(dir, "script"), { recursive: true });
      await writeFile(path.join(dir, "run.sh"), "echo hi\n");
      await writeFile(path.join(dir, "recipe.json"), JSON.stringify({ ...(await readRecipeJson(dir)), golem: { ...(await readRecipeJson(dir)).golem, exec: "sh [@]run.sh" } }));
      const expected = `golem.script: folder "script" does not exist in ${dir}`;
      const message = await refusedWithNothingSent(dir, [expected, "pass --force"]);
      expect(message).to.contain("nothing was uploaded or sent");
      const forced = await persist(dir, { force: true });
      expect(forced.created).to.equal(true);
      expect(forced.warnings).to.deep.equal([expected]);
    });

    it("a payload folder that is missing, a file, or emptied by .podignore", async () => {
      const missing = await podFolder("no-payload", (recipe) => (recipe.golem.payload = "inputs"));
      await refusedWithNothingSent(missing, [`golem.payload: folder "inputs" does not exist in ${missing}`]);
      const file = await podFolder("payload-file");
      await rm(path.join(file, "payload"), { recursive: true });
      await writeFile(path.join(file, "payload"), "not a folder");
      await refusedWithNothingSent(file, ['golem.payload: "payload" is a file, not a folder']);
      const ignored = await podFolder("payload-ignored");
      await writeFile(path.join(ignored, ".podignore"), "payload/\n");
      await refusedWithNothingSent(ignored, ['golem.payload: folder "payload" holds no file that would be uploaded']);
    });

    it("an output or log folder that would swallow the script (they are never uploaded)", async () => {
      const dir = await podFolder("output-is-script", (recipe) => (recipe.golem.output = "script"));
      await refusedWithNothingSent(dir, ['golem.output: "script" overlaps golem.script "script"; output and log folders are never uploaded, so the pod would be published without its script']);
      const logs = await podFolder("log-is-payload", (recipe) => (recipe.golem.log = "payload/logs"));
      await refusedWithNothingSent(logs, ['golem.log: "payload/logs" overlaps golem.payload "payload"']);
    });

    it("a file the command runs ([@]script/helo.py) that is not in the pod", async () => {
      const dir = await podFolder("typo-exec", (recipe) => (recipe.golem.exec = "python3 [@]script/helo.py --out [@]output/x.txt"));
      const message = await refusedWithNothingSent(dir, ['golem.exec: "[@]script/helo.py" is not in the pod']);
      // What the run writes (output/) is not expected in the pod.
      expect(message).to.not.contain("output/x.txt");
    });

    it("external payloads that are not on the Bee node, named by index and reference; those that are pass", async () => {
      const holder = await swarm.uploadCollection([{ path: "images.zip", data: makeZip({ "a.txt": { data: text("a") } }) }], { indexDocument: "images.zip" });
      const raw = await swarm.uploadBytes(text("raw bytes"));
      const absent = "cd".repeat(32);
      const dir = await podFolder("payload-refs", (recipe) => {
        recipe.golem.payload = [{ ref: holder, data: "/images.zip" }, { ref: raw }, { ref: absent }, { ref: holder, data: "/missing.zip" }];
      });
      const message = await refusedWithNothingSent(dir, [
        `golem.payload[2]: ${absent} is not on the Bee node at ${beeUrl}`,
        `golem.payload[3]: "missing.zip" of ${holder} is not on the Bee node at ${beeUrl}`,
      ]);
      expect(message).to.not.contain("golem.payload[0]");
      expect(message).to.not.contain("golem.payload[1]");
      expect(requests.some((line) => line === `HEAD /bzz/${holder}/images.zip`)).to.equal(true);

      const fixed = await podFolder("payload-refs-ok", (recipe) => (recipe.golem.payload = [{ ref: holder, data: "/images.zip" }, { ref: raw }]));
      expect((await persist(fixed)).warnings).to.deep.equal([]);
    });

    it("a Bee node that does not answer: the payload could not be checked, nothing is sent", async () => {
      const dir = await podFolder("payload-unreachable", (recipe) => (recipe.golem.payload = [{ ref: "ef".repeat(32) }]));
      const blocks = await blockNumber();
      // Port 9 (discard) has no listener here.
      const message = await failure(persist(dir, { beeUrl: "http://127.0.0.1:9" }));
      expect(message).to.contain(`golem.payload[0]: could not check ${"ef".repeat(32)} on the Bee node: cannot reach http://127.0.0.1:9`);
      expect(await blockNumber()).to.equal(blocks);
    });

    it("a task's pods: a reference not on the Bee node and an id not on chain; present ones pass", async () => {
      const published = await persist(await podFolder("task-stage"));
      const absent = "be".repeat(32);
      const dir = await writeRecipe("task-missing", { name: "task-missing", pods: [published.reference, absent, Number(published.podId), 4242] });
      const message = await refusedWithNothingSent(dir, [
        `pods[1]: ${absent} is not a pod on the Bee node at ${beeUrl} (no recipe.json there)`,
        "pods[3]: pod 4242 does not exist on chain",
      ]);
      expect(message).to.not.match(/pods\[[02]\]/);
      const ok = await writeRecipe("task-ok", { name: "task-ok", pods: [published.reference, Number(published.podId)] });
      expect((await persist(ok)).created).to.equal(true);
    });

    it("--token that is no ERC-20: refused naming the address, before anything is uploaded", async () => {
      const dir = await podFolder("erc20-listing");
      const signers = await hre.ethers.getSigners();
      await refusedWithNothingSent(dir, [`token ${signers[7].address} is not a contract (no code at this address on this chain)`], { price: "1", token: signers[7].address.toLowerCase() });
    });
  });

  describe("nothing sent when nothing changes", () => {
    it("re-persisting an unchanged pod at the same price sends no listing; the pod is reported listed", async () => {
      const dir = await podFolder("relist");
      const first = await persist(dir, { price: "2" });
      expect(first.listed).to.equal(true);
      const blocks = await blockNumber();
      const again = await persist(dir, { price: "2" });
      expect(again).to.include({ unchanged: true, listed: true });
      expect(again.transactions).to.deep.equal([]);
      expect(await blockNumber()).to.equal(blocks);
      // Another price is a change: one listing transaction.
      const repriced = await persist(dir, { price: "3" });
      expect(repriced.transactions).to.have.length(1);
    });
  });

  describe("pod:payloads and pod:fork messages", () => {
    it("a missing folder gets the same message from pod:persist and pod:payloads", async () => {
      const missing = path.join(work, "nowhere");
      expect(await failure(persist(missing))).to.equal(`${missing}: no such folder`);
      expect(await failure(hre.run("pod:payloads", { dir: missing, beeUrl, json: true }))).to.equal(`${missing}: no such folder`);
      expect(await stat(missing).catch(() => undefined)).to.equal(undefined);
    });

    it("a task recipe hears about its own payload field, not golem.payload", async () => {
      const dir = await writeRecipe("task-no-payload", { name: "task-no-payload", pods: [1] });
      expect(await failure(hre.run("pod:payloads", { dir, beeUrl, json: true }))).to.equal(`${dir}: the task recipe has no external payloads (payload is not set)`);
      const folder = await writeRecipe("task-folder-payload", { name: "task-folder-payload", pods: [1], payload: "inputs" });
      expect(await failure(hre.run("pod:payloads", { dir: folder, beeUrl, json: true }))).to.equal(`${folder}: the task recipe has no external payloads (payload is the folder "inputs")`);
      const pod = await podFolder("pod-folder-payload");
      expect(await failure(hre.run("pod:payloads", { dir: pod, beeUrl, json: true }))).to.equal(`${pod}: the pod recipe has no external payloads (golem.payload is the folder "payload")`);
    });

    it("a failed pod:payloads leaves no empty folder behind", async () => {
      const absent = "fa".repeat(32);
      const dir = await writeRecipe("payloads-fail", { name: "payloads-fail", golem: { exec: "true", payload: [{ ref: absent }] } });
      const message = await failure(hre.run("pod:payloads", { dir, beeUrl, json: true }));
      expect(message).to.contain(absent);
      expect(await readdir(dir)).to.deep.equal(["recipe.json"]);
    });

    it("pod:fork --pod names both forms it accepts", async () => {
      expect(await failure(hre.run("pod:fork", { pod: "abc", dir: path.join(work, "fork-x"), beeUrl, json: true }))).to.equal(
        '--pod: expected a pod id (a positive integer) or a pod\'s 64-hex Swarm reference, got "abc"',
      );
    });
  });
});
