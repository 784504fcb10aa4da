import { expect } from "chai";
import hre from "hardhat";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { inspect } from "node:util";
import { HardhatError } from "hardhat/internal/core/errors";
import { ERRORS } from "hardhat/internal/core/errors-list";
import { deployLure } from "../../scripts/deploy";
import { formatText } from "../../tasks/lib/output";
import { podStorage } from "../../services/pods/swarm-storage";
import { humanBytes, storageWithProgress, withTransferProgress } from "../../tasks/lib/progress";
import { runTask, taskError } from "../support/capture";
import { freePort, startHardhatNode, type TestHardhatNode } from "../support/hardhat-node";
import { sequentialBytes, startTestNode } from "../support/swarm";

const hardhatCli = join(require.resolve("hardhat/package.json"), "..", "internal", "cli", "bootstrap.js");
const REF_A = "92672a471f4419b255d7cb0cf313474a6f5856fb347c5ece85fb706d644b630f";

/** The real command line, in a folder of deployments of its own (none), with the given environment. */
function hardhat(args: string[], env: Record<string, string>) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(HARDHAT_NETWORK|LOCAL_RPC_URL)$/.test(name)));
  const result = spawnSync(process.execPath, [hardhatCli, ...args], {
    env: { ...clean, DEPLOYMENTS_DIR: mkdtempSync(join(tmpdir(), "lure-cli-none-")), ...env },
    encoding: "utf8",
    timeout: 90_000,
  });
  // Colours (Hardhat turns them on when CI is set) are not part of the text a person reads.
  const plain = (text: string) => text.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g"), "");
  return { status: result.status, stdout: plain(result.stdout), stderr: plain(result.stderr) };
}

const STACK_FRAME = /\n\s+at /;

describe("the command line, for people", function () {
  this.timeout(180_000);

  describe("the network and expected errors (spawned CLI)", function () {
    let node: TestHardhatNode;

    before(async function () {
      node = await startHardhatNode();
    });

    after(async function () {
      await node.stop();
    });

    it("without --network while a dev chain answers: one line saying to add --network localhost, no stack trace", function () {
      const run = hardhat(["pod:show", "--pod", "1"], { LOCAL_RPC_URL: node.url });
      expect(run.status).to.equal(1);
      expect(run.stderr.trim()).to.equal(
        `Error: no Lure contracts on the in-process "hardhat" network (the default without --network; it starts empty with every command): a dev chain answers at ${node.url}, add --network localhost`,
      );
      expect(`${run.stdout}${run.stderr}`).to.not.match(STACK_FRAME);
      expect(`${run.stdout}${run.stderr}`).to.not.contain("scripts/deploy.ts --network hardhat");
    });

    it("without --network and no dev chain: says to start one, in one line", async function () {
      const closed = `http://127.0.0.1:${await freePort()}`;
      const run = hardhat(["market:balance"], { LOCAL_RPC_URL: closed });
      expect(run.status).to.equal(1);
      expect(run.stderr.trim()).to.equal(
        'Error: no Lure contracts on the in-process "hardhat" network (the default without --network; it starts empty with every command): start the dev chain with `npm start` and add --network localhost',
      );
    });

    it("--network localhost with no deployment there: one line naming the deploy step, no stack trace", function () {
      const run = hardhat(["--network", "localhost", "pod:show", "--pod", "1"], { LOCAL_RPC_URL: node.url });
      expect(run.status).to.equal(1);
      expect(run.stderr.trim()).to.equal('Error: PodRegistry is not deployed on network "localhost": run `npx hardhat run scripts/deploy.ts --network localhost`');
      expect(run.stderr).to.not.match(STACK_FRAME);
    });

    it("a node that does not answer is one line too (Hardhat's HH108), code NETWORK with --json", async function () {
      const closed = `http://127.0.0.1:${await freePort()}`;
      const run = hardhat(["--network", "localhost", "pod:show", "--pod", "1", "--json"], { LOCAL_RPC_URL: closed });
      expect(run.status).to.equal(1);
      const parsed = JSON.parse(run.stdout) as { error: { code: string; message: string; hardhatError: string } };
      expect(parsed.error.code).to.equal("NETWORK");
      expect(parsed.error.hardhatError).to.equal("HH108");
      expect(parsed.error.message).to.contain("Cannot connect to the network localhost");
      expect(run.stderr).to.not.match(STACK_FRAME);
    });

    it("a bad argument: `Error: …` on stderr and exit code 2; with --json the error is one JSON object on stdout", function () {
      const text = hardhat(["pod:show", "--pod", "abc"], {});
      expect(text.status).to.equal(2);
      expect(text.stderr.trim()).to.equal('Error: --pod: expected a pod id (a positive integer), got "abc"');
      expect(text.stdout.trim()).to.equal("");

      const json = hardhat(["market:list", "--pod", "1", "--price", "-1", "--json"], {});
      expect(json.status).to.equal(2);
      expect(JSON.parse(json.stdout)).to.deep.equal({
        error: { code: "INVALID_ARGUMENT", message: '--price: expected a decimal amount such as 1.5, got "-1"', task: "market:list", network: "hardhat" },
      });
      expect(json.stderr).to.not.match(STACK_FRAME);
    });

    it("Hardhat's own argument errors (a missing or unknown flag) are one line too, without a stack trace", function () {
      const missing = hardhat(["pod:show"], {});
      expect(missing.status).to.equal(1);
      expect(missing.stderr).to.contain("HH306: The '--pod' parameter of task 'pod:show' expects a value, but none was passed.");
      expect(missing.stderr).to.not.match(STACK_FRAME);
      const unknown = hardhat(["pod:show", "--pod", "1", "--bogus"], {});
      expect(unknown.stderr).to.contain("HH305: Unrecognized param --bogus");
      expect(unknown.stderr).to.not.match(STACK_FRAME);
    });

    it("with --json Hardhat's own argument errors are the same JSON document on stdout", function () {
      const unknown = hardhat(["pod:show", "--pod", "1", "--bogus", "--json"], {});
      expect(unknown.status).to.equal(1);
      expect(JSON.parse(unknown.stdout)).to.deep.equal({
        error: { code: "INVALID_ARGUMENT", message: "Unrecognized param --bogus", task: "pod:show", network: "hardhat", hardhatError: "HH305" },
      });
      expect(unknown.stderr).to.contain("HH305");
      const missing = hardhat(["--network", "localhost", "pod:show", "--json"], {});
      const parsed = JSON.parse(missing.stdout) as { error: { code: string; message: string; network: string; hardhatError: string } };
      expect(parsed.error).to.include({ code: "INVALID_ARGUMENT", network: "localhost", hardhatError: "HH306" });
      expect(parsed.error.message).to.contain("'--pod' parameter of task 'pod:show' expects a value");
    });

    it("with --json a refusal by the network is code NETWORK on stdout", function () {
      const run = hardhat(["pod:show", "--pod", "1", "--json"], { LOCAL_RPC_URL: node.url });
      expect(run.status).to.equal(1);
      const parsed = JSON.parse(run.stdout) as { error: { code: string; message: string } };
      expect(parsed.error.code).to.equal("NETWORK");
      expect(parsed.error.message).to.contain("add --network localhost");
    });
  });

  describe("Hardhat's errors in this process (tests, scripts)", function () {
    it("render with their stack, without recursing: a HardhatError thrown in a mocha hook is reported, not a hang", function () {
      // HH17 is what hardhat-chai-matchers throws for expect(1n).to.equal(undefined).
      const error = new HardhatError(ERRORS.GENERAL.INVALID_BIG_NUMBER, { message: "Unsupported type undefined" });
      expect(error.stack).to.match(/^HardhatError: HH\d+: /);
      expect(inspect(error)).to.match(/^HardhatError: HH\d+: /);
      // A command-line argument error still prints as nothing (its one line is printed by Hardhat).
      const argument = new HardhatError(ERRORS.ARGUMENTS.UNRECOGNIZED_COMMAND_LINE_ARG, { argument: "--bogus" });
      expect(inspect(argument)).to.equal("");
    });
  });

  describe("text and JSON output", function () {
    it("lays nested values out as indented key: value lines and arrays as lists", function () {
      const text = formatText(
        {
          podId: 3n,
          owner: "0x8ba1f109551bd432803012645ac136ddd64dba72",
          parent: { podId: "1", version: "2" },
          listing: null,
          paused: false,
          history: [
            { version: 1, ref: "aa" },
            { version: 2, ref: "bb" },
          ],
          tags: ["x", "y"],
          none: [],
        },
        "Pod 3",
      );
      expect(text).to.equal(
        [
          "Pod 3",
          "  podId:   3",
          "  owner:   0x8ba1f109551bD432803012645Ac136ddd64DBA72",
          "  parent:",
          "    podId:   1",
          "    version: 2",
          "  listing: none",
          "  paused:  no",
          "  history:",
          "    - version: 1",
          "      ref:     aa",
          "    - version: 2",
          "      ref:     bb",
          "  tags:",
          "    - x",
          "    - y",
          "  none:    none",
        ].join("\n"),
      );
    });

    it("sizes read in human units", function () {
      expect([humanBytes(512), humanBytes(1500), humanBytes(12_345_678), humanBytes(1_020_000_000)]).to.deep.equal(["512 B", "1.50 kB", "12.3 MB", "1.02 GB"]);
    });
  });

  describe("progress of a transfer on a terminal", function () {
    let server: Server;
    let url: string;

    before(async function () {
      // A slow download: 2 MB in 16 pieces over about 1.6 s.
      server = createServer((_request, response) => {
        response.writeHead(200, { "content-type": "application/octet-stream" });
        let sent = 0;
        const timer = setInterval(() => {
          response.write(Buffer.alloc(128 * 1024, 1));
          sent += 1;
          if (sent === 16) {
            clearInterval(timer);
            response.end();
          }
        }, 100);
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const address = server.address() as { port: number };
      url = `http://127.0.0.1:${address.port}`;
    });

    after(function () {
      server.close();
    });

    /** A stream that says it is a terminal, keeping what is drawn on it. */
    function terminal(isTTY: boolean) {
      const stream = new PassThrough() as unknown as NodeJS.WriteStream & { drawn: string };
      stream.drawn = "";
      Object.assign(stream, { isTTY, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
      (stream as unknown as PassThrough).on("data", (chunk: Buffer) => (stream.drawn += chunk.toString()));
      return stream;
    }

    const download = () =>
      new Promise<number>((resolve, reject) => {
        void import("node:http").then(({ get }) =>
          get(url, (response) => {
            let bytes = 0;
            response.on("data", (chunk: Buffer) => (bytes += chunk.length));
            response.on("end", () => resolve(bytes));
          }).on("error", reject),
        );
      });

    it("draws bytes, MB/s and the time left once a transfer lasts a second, counting the bytes from the sockets", async function () {
      const stream = terminal(true);
      const bytes = await withTransferProgress({ label: "downloading", url, direction: "down", totalBytes: 2 * 1024 * 1024, stream }, download);
      expect(bytes).to.equal(2 * 1024 * 1024);
      expect(stream.drawn).to.match(/↓ downloading \[.*\] \d+% \| [\d.]+ [kM]B of 2\.10 MB \| [\d.]+ MB\/s \| \S+ left/);
      expect(stream.drawn).to.contain("100% | 2.10 MB of 2.10 MB");
    });

    it("a pod's upload to and download from a Swarm node go through the bar, counted on the node's sockets", async function () {
      const swarm = await startTestNode();
      try {
        const stream = terminal(true);
        const storage = storageWithProgress(podStorage({ url: swarm.node.url, timeoutMs: 60_000 }), { url: swarm.node.url, json: false, label: " the pod", stream, delayMs: 0 });
        const entries = [
          { path: "recipe.json", data: new TextEncoder().encode("{}") },
          { path: "payload/big.bin", data: sequentialBytes(12_000_000) },
        ];
        const ref = await storage.uploadCollection(entries, { indexDocument: "recipe.json" });
        expect(stream.drawn).to.match(/↑ uploading the pod \[.*\] \d+% \| [\d.]+ [kM]?B of 12\.0 MB \| [\d.]+ MB\/s/);
        const downloaded = terminal(true);
        const reader = storageWithProgress(podStorage({ url: swarm.node.url, timeoutMs: 60_000 }), { url: swarm.node.url, json: false, stream: downloaded, delayMs: 0 });
        const files = await reader.downloadCollection(ref);
        expect(files.find((file) => file.path === "payload/big.bin")?.data.length).to.equal(12_000_000);
        expect(downloaded.drawn).to.match(/↓ downloading 12\.\d MB \| [\d.]+ MB\/s/);
        // With --json the storage is the service's own: nothing drawn anywhere.
        const plain = podStorage({ url: swarm.node.url });
        expect(storageWithProgress(plain, { url: swarm.node.url, json: true })).to.equal(plain);
      } finally {
        await swarm.close();
      }
    });

    it("draws nothing when stderr is not a terminal, or before a second has passed", async function () {
      const piped = terminal(false);
      await withTransferProgress({ label: "downloading", url, direction: "down", stream: piped }, download);
      expect(piped.drawn).to.equal("");
      const quick = terminal(true);
      await withTransferProgress({ label: "downloading", url, direction: "down", stream: quick }, () => Promise.resolve(0));
      expect(quick.drawn).to.equal("");
    });
  });

  describe("consistency and nothing sent when nothing changes (tasks in-process)", function () {
    const previousDir = process.env.DEPLOYMENTS_DIR;

    before(async function () {
      process.env.DEPLOYMENTS_DIR = mkdtempSync(join(tmpdir(), "lure-cli-deployments-"));
      await deployLure(hre, { verbose: false });
    });

    after(function () {
      if (previousDir === undefined) delete process.env.DEPLOYMENTS_DIR;
      else process.env.DEPLOYMENTS_DIR = previousDir;
    });

    async function nonce(index = 0): Promise<number> {
      const signers = await hre.ethers.getSigners();
      return hre.ethers.provider.getTransactionCount(signers[index].address);
    }

    it("market:list / market:price / market:pause send nothing when the listing already has those values", async function () {
      const podId = (await runTask<{ podId: string }>("pod:publish", { name: "cli-unchanged", ref: REF_A, account: "7" })).podId;
      const listed = await runTask<{ unchanged: boolean; tx: string | null; podPrice: string | null; approvalTx: string | null }>("market:list", { pod: podId, price: "1", podPrice: "2", account: "7" });
      expect(listed.unchanged).to.equal(false);
      expect(listed.tx).to.match(/^0x[0-9a-f]{64}$/);

      const before = await nonce(7);
      expect(await runTask("market:list", { pod: podId, price: "1", podPrice: "2", account: "7" })).to.deep.include({ unchanged: true, tx: null, approvalTx: null });
      expect(await runTask("market:price", { pod: podId, price: "1", podPrice: "2", account: "7" })).to.deep.include({ unchanged: true, tx: null });
      expect(await runTask("market:pause", { pod: podId, resume: true, account: "7" })).to.deep.include({ unchanged: true, paused: false, tx: null });
      expect(await nonce(7)).to.equal(before);

      // A change is sent; the same change again is not.
      expect(await runTask("market:pause", { pod: podId, account: "7" })).to.deep.include({ unchanged: false, paused: true });
      expect(await runTask("market:pause", { pod: podId, account: "7" })).to.deep.include({ unchanged: true, tx: null });
      const repriced = await runTask<{ unchanged: boolean; podPrice: string | null }>("market:price", { pod: podId, price: "1", account: "7" });
      expect(repriced).to.deep.include({ unchanged: false, podPrice: null });
      expect(await nonce(7)).to.equal(before + 2);
      // Listing a paused listing again on the same terms resumes it: that is a change.
      expect(await runTask("market:list", { pod: podId, price: "1", account: "7" })).to.deep.include({ unchanged: false });
      expect(await taskError("market:pause", { pod: "9999", account: "7" })).to.contain("pod 9999 is not listed");
    });

    it("--json holds values: null, not prose", async function () {
      const podId = (await runTask<{ podId: string }>("pod:publish", { name: "cli-values", ref: REF_A })).podId;
      const shown = await runTask<Record<string, unknown>>("pod:show", { pod: podId });
      expect(shown).to.deep.include({ parent: null, listing: null });
      const listed = await runTask<Record<string, unknown>>("market:list", { pod: podId, price: "1" });
      expect(listed).to.deep.include({ podPrice: null, approvalTx: null, transferable: false });
      expect(Object.values(listed)).to.not.include("not for sale");
      const fee = await runTask<Record<string, unknown>>("market:fee", {});
      expect(fee.pending).to.equal(null);
    });

    it("one range and one message for --fork-royalty (0-2500, the registry's MAX_ROYALTY_BPS) in every task", async function () {
      const message = 'fork royalty: expected whole basis points from 0 to 2500, got 2501';
      expect(await taskError("pod:publish", { name: "cli-royalty", ref: REF_A, forkRoyalty: "2501" })).to.equal(message);
      expect(await taskError("pod:persist", { dir: tmpdir(), forkRoyalty: "2501" })).to.equal(message);
      const published = await runTask<{ podId: string }>("pod:publish", { name: "cli-royalty", ref: REF_A, forkRoyalty: "2500" });
      expect((await runTask<{ forkRoyaltyBps: string }>("pod:show", { pod: published.podId })).forkRoyaltyBps).to.equal("2500");
    });

    it("parent is shown the same way by pod:publish and pod:show: { podId, version }", async function () {
      const parent = (await runTask<{ podId: string; parent: unknown }>("pod:publish", { name: "cli-parent", ref: REF_A })).podId;
      const child = await runTask<{ podId: string; parent: unknown }>("pod:publish", { name: "cli-child", ref: REF_A, parent, parentVersion: "1" });
      expect(child.parent).to.deep.equal({ podId: parent, version: "1" });
      expect((await runTask<{ parent: unknown }>("pod:show", { pod: child.podId })).parent).to.deep.equal({ podId: parent, version: "1" });
    });

    it("--account on the tasks that rejected it (pod:fork, market:balance) and on the reads; addresses checksummed", async function () {
      const signers = await hre.ethers.getSigners();
      const balance = await runTask<{ account: string }>("market:balance", { account: "3" });
      expect(balance.account).to.equal(signers[3].address);
      const lower = await runTask<{ account: string }>("market:balance", { address: signers[4].address.toLowerCase() });
      expect(lower.account).to.equal(signers[4].address);
      expect(await taskError("market:balance", { account: "99" })).to.contain("--account: index 99 is out of range");
      expect(await taskError("pod:fork", { pod: "9999", dir: join(tmpdir(), "cli-fork-none"), account: "99" })).to.contain("--account: index 99 is out of range");
      expect(await taskError("pod:show", { pod: "1", account: "99" })).to.contain("--account: index 99 is out of range");
      expect(await taskError("market:royalties", { pod: "1", price: "1", account: "99" })).to.contain("--account: index 99 is out of range");
      expect(await taskError("run:status", { run: "1", account: "99" })).to.contain("--account: index 99 is out of range");
    });
  });
});
