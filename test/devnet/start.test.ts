import { expect } from "chai";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rpcChainId } from "../../services/devnet/hardhat-node";
import { waitFor } from "../support/wait";
import { indexerScript } from "../../scripts/lib/indexer-script";
import { freeStackPorts, stackEnvironment, startLure, type StartedStack } from "../support/lure-stack";

function runnerPid(output: string): number {
  const match = /runner pid (\d+)/.exec(output);
  if (!match) throw new Error(`npm start printed no runner pid:\n${output}`);
  return Number(match[1]);
}

const hardhatCli = join(require.resolve("hardhat/package.json"), "..", "internal", "cli", "bootstrap.js");

/** One task against the started stack, as a user types it; its JSON output. */
function lureTask(env: NodeJS.ProcessEnv, task: string, args: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [hardhatCli, "--network", "localhost", task, ...args, "--json"], { env: { ...process.env, ...env, LOG_LEVEL: "warn" }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (err += chunk));
    child.once("exit", (code) => (code === 0 ? resolve(JSON.parse(out.slice(out.indexOf("{"))) as Record<string, unknown>) : reject(new Error(`${task} exited ${code}: ${err}${out}`))));
  });
}

function indexerPid(output: string): number {
  const match = /indexer service pid (\d+)/.exec(output);
  if (!match) throw new Error(`npm start printed no indexer service pid:\n${output}`);
  return Number(match[1]);
}

describe("npm start (the whole dev stack)", function () {
  this.timeout(240_000);
  let lure: StartedStack | undefined;
  let env: NodeJS.ProcessEnv;
  let ports: { chain: number; swarm: number; graphql: number };

  let dir: string;
  let coldMs = 0;
  let podIdBeforeRestart: string | undefined;

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), "lure-devnet-"));
    ports = await freeStackPorts();
    env = stackEnvironment(dir, ports);
    const started = Date.now();
    lure = startLure(env);
    await waitFor(() => lure!.output().includes("Lure devnet ready"), 180_000, "the ready line", lure.output);
    coldMs = Date.now() - started;
  });

  after(async function () {
    if (lure && lure.child.exitCode === null) {
      lure.child.kill("SIGKILL");
      await lure.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("prints the contracts, the dev accounts and the endpoints, says the chain is new, and ends with what to try", function () {
    const output = lure!.output();
    expect(output).to.contain("a new chain (recorded in DEV_CHAIN_DIR");
    expect(output).to.contain("npm run demo");
    // Progress per step, then the URLs with the web app first, and three things to try.
    for (const index of [1, 2, 3, 4]) expect(output).to.match(new RegExp(`\\[${index}/4\\] [^\\n]+: done in \\d+\\.\\d s`));
    expect(output.indexOf(`Web app   http://127.0.0.1:${ports.graphql}/`)).to.be.greaterThan(-1).and.lessThan(output.indexOf("GraphQL   "));
    expect(output).to.contain("Three things to try");
    expect(output).to.contain("--network localhost");
    // No JSON log lines and no compiler notices between the banner's lines.
    const banner = output.slice(output.indexOf("Chain "));
    expect(banner).not.to.match(/^\{"level"/m);
    expect(banner).not.to.match(/Warning|transient storage/i);
    expect(output).to.match(/PodRegistry\s+0x[0-9a-fA-F]{40}/);
    expect(output).to.match(/PodMarket\s+0x[0-9a-fA-F]{40}/);
    expect(output).to.match(/PodLicenses\s+0x[0-9a-fA-F]{40}/);
    expect(output).to.contain("governor #17");
    // The deploy script's plan is for `hardhat run scripts/deploy.ts`: npm start stays quiet.
    expect(output).not.to.contain("deployment plan");
    expect(output).to.contain("#0 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    expect(output).to.contain(`http://127.0.0.1:${ports.graphql}/graphql`);
  });

  it("serves every part: chain, Swarm, GraphQL at the head", async function () {
    expect(await rpcChainId(`http://127.0.0.1:${ports.chain}`)).to.equal(31337);
    const health = await fetch(`http://127.0.0.1:${ports.swarm}/health`);
    expect(health.status).to.equal(200);
    let ready: Response | undefined;
    for (let attempt = 0; attempt < 50; attempt++) {
      ready = await fetch(`http://127.0.0.1:${ports.graphql}/ready`);
      if (ready.status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(ready?.status).to.equal(200);
    const response = await fetch(`http://127.0.0.1:${ports.graphql}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ _meta { chainId block { number } hasIndexingErrors } }" }),
    });
    const body = (await response.json()) as { data: { _meta: { chainId: number; block: { number: number }; hasIndexingErrors: boolean } } };
    expect(body.data._meta.chainId).to.equal(31337);
    expect(body.data._meta.block.number).to.be.greaterThanOrEqual(2);
    expect(body.data._meta.hasIndexingErrors).to.equal(false);
  });

  it("runs the indexer and API as npm run indexer does: a child process with the script's Node flags and environment", function () {
    const pid = indexerPid(lure!.output());
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    const script = indexerScript();
    expect(commandLine).to.include.members([...script.nodeFlags, script.entry]);
    const environment = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
    for (const [name, value] of Object.entries(script.environment)) expect(environment).to.include(`${name}=${value}`);
  });

  it("runs one registered runner with the local sandbox: a scaffolded pod persisted and run with pod:run --wait comes back with its output", async function () {
    if (!existsSync("/usr/bin/bwrap")) this.skip();
    expect(lure!.output()).to.match(/Runner {4}0x[0-9a-fA-F]{40} \(account #15, local sandbox/);
    await lureTask(env, "pod:init", ["--name", "hello-run", "--dir", join(dir, "hello")]);
    const persisted = await lureTask(env, "pod:persist", ["--dir", join(dir, "hello"), "--account", "0"]);
    podIdBeforeRestart = String(persisted.podId);
    const run = await lureTask(env, "pod:run", ["--pod", String(persisted.podId), "--max-pay", "0.01", "--wait", "--poll-ms", "200", "--out", join(dir, "hello-output"), "--account", "0"]);
    expect(run.status).to.equal("completed");
    expect(readFileSync(join(dir, "hello-output", "hello.txt"), "utf8")).to.equal("Hello, world!\n");
  });

  it("refuses to start a second stack on a port that is taken, and exits non-zero", async function () {
    const second = startLure(env);
    const code = await second.exited;
    expect(code).to.equal(1);
    expect(second.output()).to.contain("already answers JSON-RPC");
    // the first stack is untouched
    expect(await rpcChainId(`http://127.0.0.1:${ports.chain}`)).to.equal(31337);
  });

  it("stops everything on Ctrl-C, exits 0 and leaves no process behind", async function () {
    lure!.child.kill("SIGINT");
    expect(await lure!.exited).to.equal(0);
    expect(existsSync(`/proc/${indexerPid(lure!.output())}`), "the indexer service outlived npm start").to.equal(false);
    if (/runner pid/.test(lure!.output())) expect(existsSync(`/proc/${runnerPid(lure!.output())}`), "the runner outlived npm start").to.equal(false);
    expect(await rpcChainId(`http://127.0.0.1:${ports.chain}`)).to.equal(undefined);
    for (const port of [ports.swarm, ports.graphql]) {
      const answered = await fetch(`http://127.0.0.1:${port}/health`).then(() => true, () => false);
      expect(answered, `port ${port} still answers`).to.equal(false);
    }
  });

  it("a restart brings the same chain back (blocks replayed), and the indexer and pods agree with it", async function () {
    const started = Date.now();
    lure = startLure(env);
    await waitFor(() => lure!.output().includes("Lure devnet ready"), 180_000, "the ready line", lure.output);
    const warmMs = Date.now() - started;
    console.log(`      npm start: cold ${(coldMs / 1000).toFixed(1)} s, warm (restored chain) ${(warmMs / 1000).toFixed(1)} s to ready`);
    expect(lure.output()).to.match(/restored: \d+ blocks replayed/);
    if (podIdBeforeRestart !== undefined) {
      const shown = await lureTask(env, "pod:show", ["--pod", podIdBeforeRestart]);
      expect(shown.name).to.equal("hello-run");
    }
  });

  it("kill -9 of npm start ends the chain, the indexer and the runner with it: the next start is not refused", async function () {
    const pids = [indexerPid(lure!.output()), ...(/runner pid/.test(lure!.output()) ? [runnerPid(lure!.output())] : [])];
    lure!.child.kill("SIGKILL");
    await lure!.exited;
    const deadline = Date.now() + 15_000;
    while ((await rpcChainId(`http://127.0.0.1:${ports.chain}`)) !== undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await rpcChainId(`http://127.0.0.1:${ports.chain}`), "the chain outlived npm start").to.equal(undefined);
    await waitFor(() => pids.every((pid) => !existsSync(`/proc/${pid}`)), 15_000, "the indexer and the runner to stop", () => pids.join(", "));
  });

  it("npm start -- --fresh wipes the chain, the database, Swarm's data and the runner's journal together", async function () {
    lure = startLure(env, ["--fresh"]);
    await waitFor(() => lure!.output().includes("Lure devnet ready"), 180_000, "the ready line", lure.output);
    expect(lure.output()).to.contain("a new chain");
    if (podIdBeforeRestart !== undefined) {
      const error = await lureTask(env, "pod:show", ["--pod", podIdBeforeRestart]).then(() => "", (failure: Error) => failure.message);
      expect(error).to.match(/does not exist|not found|no pod/i);
    }
    lure.child.kill("SIGINT");
    expect(await lure.exited).to.equal(0);
  });
});
