import { expect } from "chai";
import { existsSync, writeFileSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { DEV_RUNNER_ACCOUNT, type RunnerEvent } from "../../services/runner";
import { LOG_FILES } from "../../services/runner/pipeline";
import { makeZip } from "../support/pods";
import { PHASE, RUN_PRICE, RUNNER_FEE, RunnerWorld, STATUS } from "../support/runner";

/**
 * Hostile pods through the whole runner: each is requested on chain, claimed, executed in the
 * sandbox, and ends in the on-chain failure (and refund) its behaviour deserves, while the runner
 * goes on serving: a well-behaved run after all of them completes on the same runner.
 * The sandbox's own tests (sandbox.test.ts) look at each limit in detail; these check that what the
 * executor reports reaches the chain and the requester correctly.
 */
describe("runner service: hostile pods end in the right on-chain failure, and the runner stays healthy", function () {
  this.timeout(300_000);
  let world: RunnerWorld;
  let server: net.Server;
  let connections = 0;
  const events: RunnerEvent[] = [];
  const runs: Record<string, bigint> = {};

  before(async function () {
    if (!existsSync("/usr/bin/bwrap")) this.skip();
    world = await RunnerWorld.start({
      RUNNER_WALL_CLOCK_SECONDS: "4",
      RUNNER_CPU_SECONDS: "4",
      RUNNER_MEMORY_MB: "96",
      RUNNER_MAX_PROCESSES: "32",
      RUNNER_OUTPUT_MB: "4",
      RUNNER_LOG_KB: "64",
      RUNNER_CONCURRENCY: "2",
    });
    server = net.createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    // World-readable on purpose: only the sandbox keeps it out of reach.
    const secret = join(world.work, "runner-secret.txt");
    writeFileSync(secret, "RUNNER-SECRET", { mode: 0o644 });
    const slip = await world.swarm.client.uploadCollection([{ path: "slip.zip", data: makeZip({ "../../escaped.txt": { data: Buffer.from("out") } }) }]);

    const hostile: Record<string, Record<string, unknown>> = {
      network: { exec: `bash -c 'exec 3<>/dev/tcp/127.0.0.1/${port}' && echo connected > /golem/output/net.txt` },
      hostFiles: { exec: `for f in /etc/shadow /root/.ssh ${secret} /home; do if cat "$f" 2>/dev/null || ls "$f" 2>/dev/null; then echo "READ $f"; exit 0; fi; done; exit 1` },
      forkBomb: { exec: "bomb() { bomb | bomb & }; bomb; exec sleep 100" },
      memoryHog: { exec: "tail /dev/zero" },
      infiniteLoop: { exec: "while :; do :; done", timeout: 2 },
      tenGigabytes: { exec: "dd if=/dev/zero of=/golem/output/big bs=1M count=10240" },
      symlinks: { exec: "ln -s /etc/passwd /golem/output/passwd && ln -s / /golem/output/root && echo kept > /golem/output/real.txt" },
      zipSlip: { exec: "ls -R /golem/work", payload: [{ ref: slip, data: "/slip.zip" }] },
      workWrites: { exec: "echo planted > /golem/work/planted.txt && echo fine > /golem/output/fine.txt" },
      chatty: { exec: "head -c 3000000 /dev/zero | tr '\\0' x; echo; echo THE-END" },
    };
    for (const [name, golem] of Object.entries(hostile)) runs[name] = await world.requestRun(await world.publish(name, {}, golem));
    await world.runner(DEV_RUNNER_ACCOUNT, events);
    for (const runId of Object.values(runs)) await world.ended(runId, 120_000);
  });

  after(async function () {
    server?.close();
    await world?.close();
  });

  async function expectPodFailure(name: string, phases: bigint[]) {
    expect((await world.alice.runMarket.run(runs[name])).status, name).to.equal(STATUS.Failed);
    const failed = await world.failure(runs[name]);
    expect(phases, `${name} failed in phase ${failed.args.phase}`).to.include(failed.args.phase);
    // The pod's fault: the runner is paid its fee, the pod price comes back.
    expect(failed.args.runnerPaid).to.equal(RUNNER_FEE);
    expect(failed.args.refund).to.equal(RUN_PRICE);
    return failed;
  }

  it("network access (loopback too) fails as Execute, and nothing reached the listener", async function () {
    await expectPodFailure("network", [PHASE.Execute]);
    expect(connections).to.equal(0);
  });

  it("reading host files (/etc/shadow, ~/.ssh, the runner's files, /home) fails as Execute with nothing read", async function () {
    const failed = await expectPodFailure("hostFiles", [PHASE.Execute]);
    const logs = await world.collection(failed.args.logRef as string);
    expect(logs[LOG_FILES.stdout]).to.equal("");
  });

  it("a fork bomb ends at the wall clock as Timeout", async function () {
    await expectPodFailure("forkBomb", [PHASE.Timeout]);
  });

  it("a memory hog is killed at the memory limit: Execute", async function () {
    await expectPodFailure("memoryHog", [PHASE.Execute]);
  });

  it("an infinite loop ends at its own timeout: Timeout", async function () {
    await expectPodFailure("infiniteLoop", [PHASE.Timeout]);
  });

  it("10 GB of output stops at the output limit: OutputTooLarge", async function () {
    await expectPodFailure("tenGigabytes", [PHASE.OutputTooLarge]);
  });

  it("output symlinks pointing outside are left out; the plain file is delivered and the run completes", async function () {
    expect((await world.alice.runMarket.run(runs.symlinks)).status).to.equal(STATUS.Completed);
    const completed = (await world.events(runs.symlinks)).find((event) => event.name === "StageCompleted")!;
    const files = await world.collection(completed.args.outputRef as string);
    expect(Object.keys(files).filter((path) => path.startsWith("output/"))).to.deep.equal(["output/real.txt"]);
    expect(files[LOG_FILES.run]).to.match(/left out passwd/);
  });

  it("a payload with zip-slip entries fails as ResolvePayload: the requester gets everything back", async function () {
    expect((await world.alice.runMarket.run(runs.zipSlip)).status).to.equal(STATUS.Failed);
    const failed = await world.failure(runs.zipSlip);
    expect(failed.args.phase).to.equal(PHASE.ResolvePayload);
    expect(failed.args.runnerPaid).to.equal(0n);
    expect(failed.args.refund).to.equal(RUN_PRICE + RUNNER_FEE);
    expect((await world.collection(failed.args.logRef as string))[LOG_FILES.run]).to.match(/escapes/);
    expect(existsSync(join(world.work, "escaped.txt"))).to.equal(false);
  });

  it("writes to /golem/work outside output are not delivered", async function () {
    expect((await world.alice.runMarket.run(runs.workWrites)).status).to.equal(STATUS.Completed);
    const completed = (await world.events(runs.workWrites)).find((event) => event.name === "StageCompleted")!;
    const files = await world.collection(completed.args.outputRef as string);
    expect(Object.keys(files).filter((path) => path.startsWith("output/"))).to.deep.equal(["output/fine.txt"]);
  });

  it("megabytes printed to the log are truncated, not lost: the run completes with the beginning and the end", async function () {
    expect((await world.alice.runMarket.run(runs.chatty)).status).to.equal(STATUS.Completed);
    const completed = (await world.events(runs.chatty)).find((event) => event.name === "StageCompleted")!;
    const stdout = (await world.collection(completed.args.logRef as string))[LOG_FILES.stdout];
    expect(stdout.length).to.be.below(200 * 1024);
    expect(stdout).to.match(/^x{1000}/);
    expect(stdout.trimEnd().endsWith("THE-END")).to.equal(true);
  });

  it("after all of them, the same runner still completes a well-behaved run", async function () {
    const podId = await world.publish("well-behaved", {}, { exec: "echo ok > /golem/output/ok.txt" });
    const runId = await world.requestRun(podId);
    expect(await world.ended(runId)).to.equal(STATUS.Completed);
    expect(events.filter((event) => event.type === "dropped")).to.deep.equal([]);
  });
});
