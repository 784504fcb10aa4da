import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { parseRecipe, type PodRecipe } from "../../services/pods/recipe";
import { ExecutorUnavailableError, type ExecutionLimits, type ExecutionResult, type PayloadMount } from "../../services/runner/executor";
import { DEFAULT_UID_BASE, SandboxExecutor, UID_RANGE } from "../../services/runner/sandbox/executor";

/**
 * The local sandbox with real bubblewrap and real processes: a pod that behaves, and hostile pods,
 * each ending in the phase that decides who is paid, with the host healthy afterwards (no process
 * of the run left, no cgroup left, the pod folder untouched).
 */

const BWRAP = "/usr/bin/bwrap";
const MIB = 1024 * 1024;

const LIMITS: ExecutionLimits = {
  wallClockSeconds: 10,
  cpuSeconds: 10,
  memoryBytes: 256 * MIB,
  maxProcesses: 64,
  cpuCores: 1,
  outputBytes: 4 * MIB,
  logBytes: 64 * 1024,
  workBytes: 16 * MIB,
  provisionSeconds: 20,
};

function recipe(golem: Record<string, unknown>): PodRecipe {
  const parsed = parseRecipe({ name: "test-pod", golem });
  if (parsed.kind !== "pod") throw new Error("not a pod recipe");
  return parsed.recipe;
}

/** Processes of any sandbox run (their uids come from one range), other than zombies being reaped. */
function sandboxProcesses(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    let status: string;
    try {
      status = readFileSync(`/proc/${pid}/status`, "utf8");
    } catch {
      continue;
    }
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
    const state = /^State:\s+(\S)/m.exec(status)?.[1];
    if (uid >= DEFAULT_UID_BASE && uid < DEFAULT_UID_BASE + UID_RANGE && state !== "Z") found.push(`${pid} ${/^Name:\s+(.*)$/m.exec(status)?.[1]}`);
  }
  return found;
}

/** Per-run cgroups left behind, in any hierarchy. */
function leftoverCgroups(): string[] {
  const found = spawnSync("find", ["/sys/fs/cgroup", "-maxdepth", "5", "-type", "d", "-name", "lure-run-*"], { encoding: "utf8" });
  return found.stdout.split("\n").filter(Boolean);
}

describe("runner: the local sandbox (bubblewrap)", function () {
  this.timeout(30_000);
  let base: string;
  let executor: SandboxExecutor;
  let runs = 0;

  before(async function () {
    if (!existsSync(BWRAP)) {
      console.warn(`\n  !!! SKIPPED: ${BWRAP} is not installed, so the sandbox tests cannot run (apt-get install bubblewrap) !!!\n`);
      this.skip();
    }
    executor = new SandboxExecutor({ limits: LIMITS });
    await executor.check();
    base = await mkdtemp(path.join(os.tmpdir(), "lure-sandbox-"));
    // The sandbox's user must be able to reach read-only payload folders; the pod itself is streamed in.
    await chmod(base, 0o755);
  });

  after(async () => {
    if (base) await rm(base, { recursive: true, force: true });
  });

  afterEach(function () {
    if (this.currentTest?.state === undefined) return;
    expect(sandboxProcesses(), "sandbox processes left after the run").to.deep.equal([]);
    expect(leftoverCgroups(), "per-run cgroups left after the run").to.deep.equal([]);
  });

  interface Run {
    result: ExecutionResult;
    podDir: string;
    outputDir: string;
    logDir: string;
    elapsedMs: number;
  }

  async function runPod(options: {
    golem: Record<string, unknown>;
    files?: Record<string, string>;
    payloads?: Record<string, Record<string, string>>;
    limits?: Partial<ExecutionLimits>;
    executor?: SandboxExecutor;
    signal?: AbortSignal;
  }): Promise<Run> {
    runs += 1;
    const dir = path.join(base, `run-${runs}`);
    const podDir = path.join(dir, "pod");
    await mkdir(podDir, { recursive: true, mode: 0o755 });
    for (const [name, text] of Object.entries(options.files ?? {})) {
      await mkdir(path.dirname(path.join(podDir, name)), { recursive: true });
      await writeFile(path.join(podDir, name), text);
    }
    const payloads: PayloadMount[] = [];
    for (const [podPath, files] of Object.entries(options.payloads ?? {})) {
      const hostDir = path.join(podDir, podPath);
      for (const [name, text] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(hostDir, name)), { recursive: true });
        await writeFile(path.join(hostDir, name), text);
      }
      payloads.push({ hostDir, podPath });
    }
    const parsed = recipe(options.golem);
    const admission = (options.executor ?? executor).admit(parsed);
    if (!admission.admitted) throw new Error(admission.reason);
    const started = Date.now();
    const result = await (options.executor ?? executor).run(
      {
        runId: `test-${runs}`,
        podDir,
        recipe: parsed,
        payloads,
        outputDir: path.join(dir, "out"),
        logDir: path.join(dir, "logs"),
        limits: { ...admission.limits, ...options.limits },
      },
      options.signal ?? new AbortController().signal,
    );
    return { result, podDir, outputDir: path.join(dir, "out"), logDir: path.join(dir, "logs"), elapsedMs: Date.now() - started };
  }

  const read = (file: string) => readFile(file, "utf8");

  describe("a pod that behaves", () => {
    it("runs the hello pod: output, its own log folder, captured streams, payloads at /golem/work and /golem/input", async () => {
      const run = await runPod({
        golem: { exec: "sh [@]script/hello.sh [@]payload/external/name.txt", script: "script" },
        files: {
          "script/hello.sh": [
            'name=$(cat "$1")',
            'echo "hello $name" > /golem/work/output/hello.txt',
            'echo "ran as $(id -u) in $(pwd)" > logs/run.log',
            "cat /golem/input/payload/external/name.txt > /golem/output/from-input.txt",
            "mkdir -p output/nested && echo deep > output/nested/deep.txt",
            'echo "to stdout"; echo "to stderr" >&2',
          ].join("\n"),
        },
        payloads: { "payload/external": { "name.txt": "Lure" } },
      });
      expect(run.result.ok, run.result.reason).to.equal(true);
      expect(run.result.exitCode).to.equal(0);
      expect(await read(path.join(run.outputDir, "hello.txt"))).to.equal("hello Lure\n");
      expect(await read(path.join(run.outputDir, "from-input.txt"))).to.equal("Lure");
      expect(await read(path.join(run.outputDir, "nested", "deep.txt"))).to.equal("deep\n");
      expect(await read(path.join(run.logDir, "files", "run.log"))).to.equal("ran as 1000 in /golem/work\n");
      expect(await read(path.join(run.logDir, "stdout.log"))).to.equal("to stdout\n");
      expect(await read(path.join(run.logDir, "stderr.log"))).to.equal("to stderr\n");
      expect(run.result.output).to.include({ files: 3 });
      const sandboxLog = await read(path.join(run.logDir, "sandbox.log"));
      expect(sandboxLog).to.include("runs the pod on the host's read-only system folders (/usr) in place of the recipe's image golem/python:3.11-slim");
      expect(run.result.timings.totalMs).to.be.below(5000);
    });

    it("gives the pod the recipe's environment and nothing of the runner's", async () => {
      process.env.LURE_TEST_SECRET = "runner-secret-value";
      try {
        const run = await runPod({ golem: { exec: "env > /golem/output/env.txt", env: { GREETING: "hi there", EMPTY: "" } } });
        expect(run.result.ok, run.result.reason).to.equal(true);
        const lines = (await read(path.join(run.outputDir, "env.txt"))).trim().split("\n");
        const env = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]));
        expect(env).to.include({ GREETING: "hi there", EMPTY: "" });
        // What the shell itself sets is all there is beyond the recipe's variables.
        expect(Object.keys(env).filter((name) => !["GREETING", "EMPTY", "PWD", "OLDPWD", "SHLVL", "_"].includes(name))).to.deep.equal([]);
        expect(lines.join("\n")).not.to.include("runner-secret-value");
      } finally {
        delete process.env.LURE_TEST_SECRET;
      }
    });

    it("expands [@] to /golem/work/", async () => {
      const run = await runPod({ golem: { exec: "echo [@] > [@]output/root.txt; pwd >> /golem/output/root.txt" } });
      expect(run.result.ok, run.result.reason).to.equal(true);
      expect(await read(path.join(run.outputDir, "root.txt"))).to.equal("/golem/work/\n/golem/work\n");
    });
  });

  describe("hostile pods", () => {
    it("network: a connection to a listener on the host's 127.0.0.1 fails (no network at all)", async () => {
      let connections = 0;
      const server = net.createServer((socket) => {
        connections += 1;
        socket.destroy();
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const port = (server.address() as net.AddressInfo).port;
      try {
        const run = await runPod({ golem: { exec: `bash -c 'exec 3<>/dev/tcp/127.0.0.1/${port}' && echo connected > /golem/output/net.txt` } });
        expect(run.result.phase).to.equal("Execute");
        expect(run.result.exitCode).to.not.equal(0);
        expect(existsSync(path.join(run.outputDir, "net.txt"))).to.equal(false);
        expect(await read(path.join(run.logDir, "stderr.log"))).to.match(/Connection refused|Network is unreachable/);
        expect(connections).to.equal(0);
      } finally {
        server.close();
      }
    });

    it("host files: /etc/shadow, /root, /home and the runner's data folder are not there", async () => {
      const data = path.join(base, "runner-data");
      await mkdir(data, { recursive: true, mode: 0o755 });
      // World-readable on purpose: only the sandbox's mounts keep it out of reach.
      await writeFile(path.join(data, "runner-key.json"), '{"key":"RUNNER-SECRET-KEY"}', { mode: 0o644 });
      const run = await runPod({
        golem: {
          exec: `for f in /etc/shadow /root/.ssh/id_ed25519 /root ${data}/runner-key.json /home; do if cat "$f" >> /golem/output/stolen.txt 2>/dev/null || ls "$f" >> /golem/output/stolen.txt 2>/dev/null; then echo "READ $f"; exit 0; fi; done; exit 1`,
        },
      });
      expect(run.result.phase).to.equal("Execute");
      expect(run.result.exitCode).to.equal(1);
      expect(await read(path.join(run.logDir, "stdout.log"))).to.equal("");
      const stolen = existsSync(path.join(run.outputDir, "stolen.txt")) ? await read(path.join(run.outputDir, "stolen.txt")) : "";
      expect(stolen).to.equal("");
    });

    it("a fork bomb is held by the process limit and ends at the wall clock", async () => {
      const run = await runPod({
        // `exec sleep`: the pod's own shell waits without forking, so the run ends at the wall clock
        // whether or not the bomb has used up every process slot by then (a `sleep` in a loop
        // could fail to fork and end the run early as Execute).
        golem: { exec: "bomb() { bomb | bomb & }; bomb; exec sleep 100" },
        limits: { maxProcesses: 32, wallClockSeconds: 3 },
      });
      expect(run.result.phase).to.equal("Timeout");
      expect(run.result.exceeded).to.include.members(["wallClock", "processes"]);
      if (run.result.usage.peakProcesses !== undefined) expect(run.result.usage.peakProcesses).to.be.at.most(32 + 3);
      expect(run.elapsedMs).to.be.below(10_000);
      // The host still forks.
      expect(spawnSync("/bin/true").status).to.equal(0);
    });

    it("a memory hog is killed at the memory limit", async () => {
      const run = await runPod({ golem: { exec: "tail /dev/zero" }, limits: { memoryBytes: 64 * MIB } });
      expect(run.result.phase).to.equal("Execute");
      expect(run.result.exitCode).to.equal(128 + 9);
      expect(run.result.exceeded).to.include("memory");
      if (run.result.usage.peakMemoryBytes !== undefined) expect(run.result.usage.peakMemoryBytes).to.be.at.most(64 * MIB);
    });

    it("an infinite loop ends at the CPU time limit", async () => {
      const run = await runPod({ golem: { exec: "while :; do :; done" }, limits: { cpuSeconds: 1, wallClockSeconds: 20 } });
      expect(run.result.phase).to.equal("Timeout");
      expect(run.result.exceeded).to.include("cpuTime");
      expect(run.result.exceeded).not.to.include("wallClock");
      expect(run.elapsedMs).to.be.below(6000);
    });

    it("CPU spread over several processes is held in total, not per process", async () => {
      const run = await runPod({
        golem: { exec: "for i in 1 2 3 4; do (while :; do :; done) & done; wait" },
        limits: { cpuSeconds: 2, cpuCores: 2, wallClockSeconds: 20 },
      });
      expect(run.result.phase).to.equal("Timeout");
      expect(run.result.exceeded).to.include("cpuTime");
      expect(run.elapsedMs).to.be.below(6000);
    });

    it("the wall clock kills the whole tree, background processes included", async () => {
      const run = await runPod({
        golem: { exec: "sleep 1000 & (while :; do sleep 1; done) & setsid sleep 1000 & sleep 1000" },
        limits: { wallClockSeconds: 1 },
      });
      expect(run.result.phase).to.equal("Timeout");
      expect(run.result.exceeded).to.deep.equal(["wallClock"]);
      expect(run.elapsedMs).to.be.below(5000);
      // afterEach checks that no process of the run is left.
    });

    it("an abort (the run's deadline) kills the pod and ends the run as Timeout", async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error("deadline")), 300);
      const run = await runPod({ golem: { exec: "sleep 1000" }, signal: controller.signal });
      expect(run.result.phase).to.equal("Timeout");
      expect(run.result.reason).to.include("deadline");
      expect(run.elapsedMs).to.be.below(5000);
    });

    it("10 GB of output stops at the output limit: OutputTooLarge", async () => {
      const run = await runPod({ golem: { exec: "dd if=/dev/zero of=/golem/output/big bs=1M count=10240" } });
      expect(run.result.phase).to.equal("OutputTooLarge");
      expect(run.result.exceeded).to.include("output");
      expect(run.result.output.bytes).to.be.at.most(LIMITS.outputBytes);
      expect((await lstat(path.join(run.outputDir, "big"))).size).to.be.at.most(LIMITS.outputBytes);
      expect(run.elapsedMs).to.be.below(5000);
    });

    it("output holding symlinks, hard links and a FIFO: only plain files come out, nothing is followed", async () => {
      const run = await runPod({
        golem: {
          exec: [
            "cd /golem/output",
            "echo real > real.txt",
            "ln -s /etc/passwd passwd",
            "ln -s ../../../../../../ up",
            "mkdir sub && ln -s /golem/work sub/work && ln real.txt sub/hard",
            "mkfifo fifo",
          ].join(" && "),
        },
      });
      expect(run.result.ok, run.result.reason).to.equal(true);
      const skipped = Object.fromEntries(run.result.output.skipped.map((entry) => [entry.path, entry.reason]));
      expect(skipped.passwd).to.match(/symbolic link to "\/etc\/passwd" \(not followed\)/);
      expect(skipped.up).to.match(/symbolic link/);
      expect(skipped["sub/work"]).to.match(/symbolic link/);
      expect(skipped.fifo).to.match(/special file/);
      expect(Object.values(skipped).some((reason) => /hard link/.test(reason))).to.equal(true);
      const walk = async (dir: string): Promise<string[]> => {
        const found: string[] = [];
        for (const name of await readdir(dir)) {
          const info = await lstat(path.join(dir, name));
          expect(info.isFile() || info.isDirectory(), `${name} is a plain file or folder`).to.equal(true);
          found.push(name, ...(info.isDirectory() ? (await walk(path.join(dir, name))).map((child) => `${name}/${child}`) : []));
        }
        return found;
      };
      const files = await walk(run.outputDir);
      // tar stores the first of two hard-linked names as the file and the second as a link, in folder order.
      expect(files).to.include("sub");
      expect(files.filter((name) => name === "real.txt" || name === "sub/hard")).to.have.length(1);
      expect(files).to.not.include.members(["passwd", "up", "fifo", "sub/work"]);
    });

    it("writes to /golem/work outside output, to /usr and to payloads never reach the host", async () => {
      const files = { "script/run.sh": "echo original", "data.txt": "keep me" };
      const run = await runPod({
        golem: {
          exec: [
            "echo evil > /golem/work/evil.txt",
            "echo changed > /golem/work/script/run.sh",
            "rm /golem/work/data.txt",
            "if touch /usr/evil 2>/dev/null; then exit 9; fi",
            "if touch /golem/work/payload/external/evil 2>/dev/null; then exit 10; fi",
            "if touch /golem/input/payload/external/evil 2>/dev/null; then exit 11; fi",
            "echo done > output/done.txt",
          ].join("; "),
        },
        files,
        payloads: { "payload/external": { "x.txt": "payload" } },
      });
      expect(run.result.ok, run.result.reason).to.equal(true);
      expect(await read(path.join(run.podDir, "script/run.sh"))).to.equal("echo original");
      expect(await read(path.join(run.podDir, "data.txt"))).to.equal("keep me");
      expect(existsSync(path.join(run.podDir, "evil.txt"))).to.equal(false);
      expect(await readdir(path.join(run.podDir, "payload/external"))).to.deep.equal(["x.txt"]);
      expect(existsSync("/usr/evil")).to.equal(false);
      expect(await readdir(run.outputDir)).to.deep.equal(["done.txt"]);
    });

    it("megabytes printed to the log are truncated, not lost: the beginning, the end, and a count of what was dropped", async () => {
      const run = await runPod({
        golem: { exec: "echo FIRST-LINE; head -c 5000000 /dev/zero | tr '\\0' x; echo; echo LAST-LINE; head -c 3000000 /dev/zero >&2" },
      });
      expect(run.result.ok, run.result.reason).to.equal(true);
      const stdout = run.result.logs.stdout;
      expect(stdout.totalBytes).to.equal(11 + 5_000_000 + 1 + 10);
      expect(stdout.truncated).to.equal(true);
      expect(stdout.keptBytes).to.be.at.most(LIMITS.logBytes + 16 * 1024);
      expect(stdout.droppedBytes).to.equal(stdout.totalBytes - stdout.keptBytes);
      const text = await read(path.join(run.logDir, "stdout.log"));
      expect(text.startsWith("FIRST-LINE\nxxx")).to.equal(true);
      expect(text.endsWith("x\nLAST-LINE\n")).to.equal(true);
      expect(text).to.include(`[lure: log truncated at ${LIMITS.logBytes} bytes: ${stdout.droppedBytes} bytes dropped`);
      expect(text.length).to.be.below(LIMITS.logBytes + 16 * 1024 + 200);
      expect(run.result.logs.stderr.totalBytes).to.equal(3_000_000);
      expect(run.result.exceeded).to.include("log");
    });
  });

  describe("a sandbox that cannot start is an infrastructure failure, never an unsandboxed run", () => {
    it("bwrap missing: check() throws and run() ends as Provision without running the pod", async () => {
      const broken = new SandboxExecutor({ limits: LIMITS, bwrap: "/nonexistent/bwrap" });
      let error: unknown;
      await broken.check().catch((caught: unknown) => (error = caught));
      expect(error).to.be.instanceOf(ExecutorUnavailableError);
      expect((error as Error).message).to.include("/nonexistent/bwrap is missing");
      const marker = path.join(base, "ran-unsandboxed");
      const run = await runPod({ golem: { exec: `touch ${marker}` }, executor: broken });
      expect(run.result.phase).to.equal("Provision");
      expect(existsSync(marker)).to.equal(false);
    });

    it("namespaces refused: bwrap's error is the reason, and the pod does not run", async () => {
      const fake = path.join(base, "fake-bwrap");
      await writeFile(fake, "#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n", { mode: 0o755 });
      const broken = new SandboxExecutor({ limits: LIMITS, bwrap: fake });
      let error: unknown;
      await broken.check().catch((caught: unknown) => (error = caught));
      expect(error).to.be.instanceOf(ExecutorUnavailableError);
      const marker = path.join(base, "ran-unsandboxed-2");
      const run = await runPod({ golem: { exec: `touch ${marker}` }, executor: broken });
      expect(run.result.phase).to.equal("Provision");
      expect(run.result.reason).to.include("No permissions to create new namespace");
      expect(existsSync(marker)).to.equal(false);
    });
  });

  describe("admission", () => {
    it("refuses recipes above the runner's limits and caps the timeout", () => {
      const big = executor.admit(recipe({ exec: "true", resources: { minMemGib: 64, minCpuCores: 8 } }));
      expect(big.admitted).to.equal(false);
      if (!big.admitted) expect(big.reason).to.match(/needs 8 CPU cores.*needs 64 GiB of memory/);
      const short = executor.admit(recipe({ exec: "true", timeout: 5 }));
      expect(short.admitted && short.limits.wallClockSeconds).to.equal(5);
      const long = executor.admit(recipe({ exec: "true", timeout: 3600 }));
      expect(long.admitted && long.limits.wallClockSeconds).to.equal(LIMITS.wallClockSeconds);
      if (long.admitted) expect(long.notes.join("\n")).to.include("in place of the recipe's image");
    });
  });
});
