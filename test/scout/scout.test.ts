import { expect } from "chai";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ethers } from "ethers";
import { loadConfig } from "../../services/config";
import { connectLure, type LureConnection } from "../../services/chain/contracts";
import { createGroup, setCatalogue } from "../../services/market/groups";
import { readGroupMessages } from "../../services/market/messages";
import { persistPod } from "../../services/pods/persist";
import { DEV_RUNNER_ACCOUNT } from "../../services/runner";
import { createScout, DEV_SCOUT_ACCOUNT, parseReport, REPORT_FILE, type ScoutEvent, type ScoutReport, type ScoutService } from "../../services/scout";
import { NATIVE, RunnerWorld, until } from "../support/runner";

/**
 * The scout end to end: a Hardhat node over HTTP with Lure deployed by the deploy script, the dev
 * Swarm node over HTTP, a runner in this process. Pods are published on chain as their authors
 * would; the scout (Hardhat account #14, the dev default) follows PodRegistry, runs its test pod and
 * reports to a group; the assertions read the group's messages back from the chain and Swarm.
 */
describe("scout: follow new public pods, test them, report to a group", function () {
  this.timeout(240_000);
  let world: RunnerWorld;
  let scoutAccount: LureConnection;
  let groupId: bigint;
  const scouts: ScoutService[] = [];

  const junkRef = async (text: string) => `0x${await world.swarm.client.uploadBytes(Buffer.from(text))}`;

  /** Publishes a pod record straight on the registry, as alice (public unless said otherwise); its id. */
  async function publishRecord(name: string, options: { visibility?: number; parentPodId?: bigint; as?: LureConnection } = {}): Promise<bigint> {
    const contracts = options.as ?? world.alice;
    await (await contracts.registry.publish(name, await junkRef(name), options.visibility ?? 1, options.parentPodId ?? 0n, options.parentPodId ? 1 : 0, 0)).wait();
    return contracts.registry.podIdOf(contracts.account, name);
  }

  async function startScout(name: string, settings: Record<string, string>, events: ScoutEvent[]): Promise<ScoutService> {
    const scout = await createScout({
      config: loadConfig({ ...world.env, SCOUT_REPORT_GROUP: groupId.toString(), SCOUT_POLL_MS: "100", ...settings }),
      dataDir: join(world.work, `scout-${name}`),
      onEvent: (event) => events.push(event),
    });
    scouts.push(scout);
    await scout.start();
    return scout;
  }

  const reportedFor = (events: ScoutEvent[], podId: bigint) =>
    until(`a report of pod ${podId}`, () => Promise.resolve(events.find((event): event is Extract<ScoutEvent, { type: "reported" }> => event.type === "reported" && event.report.pod.podId === podId.toString())), 120_000);

  /** The scout's reports in the group, from the chain and Swarm, oldest first. */
  async function groupReports(): Promise<ScoutReport[]> {
    const messages = await readGroupMessages(world.alice, groupId, { storage: world.swarm.client, limit: 1_000 });
    return messages
      .filter((message) => message.sender === scoutAccount.account)
      .reverse()
      .map((message) => {
        expect(message.contentType).to.equal("json");
        expect(message.body?.name).to.equal(REPORT_FILE);
        return parseReport(message.body?.text)!;
      });
  }

  before(async function () {
    world = await RunnerWorld.start();
    scoutAccount = await connectLure(world.wallet(DEV_SCOUT_ACCOUNT), { network: "localhost", deploymentsDir: world.config.DEPLOYMENTS_DIR });
    const group = await createGroup(world.alice, world.swarm.client, {
      name: "scout reports",
      banner: { title: "Scout reports", objectives: ["New pods, tested"], howToJoin: "Read with msg:read", rules: [], links: [] },
      policy: "open",
      membershipPeriod: 0,
      token: NATIVE,
      joinFee: 0n,
      memberMessageFee: 0n,
      publicMessageFee: ethers.parseEther("0.001"),
    });
    groupId = group.groupId;
  });

  afterEach(async function () {
    for (const scout of scouts.splice(0)) await scout.stop();
    await world?.stopRunners();
  });

  after(async function () {
    await world?.close();
  });

  it("reports a matching public pod with its details; a pod of another name, another author or private is not reported", async function () {
    const events: ScoutEvent[] = [];
    const bob = await connectLure(world.wallet(6), { network: "localhost", deploymentsDir: world.config.DEPLOYMENTS_DIR });
    await startScout("match", { SCOUT_NAME_PATTERN: "^match-", SCOUT_AUTHOR: world.alice.account }, events);
    const otherName = await publishRecord("other-pod");
    const otherAuthor = await publishRecord("match-by-bob", { as: bob });
    const hidden = await publishRecord("match-private", { visibility: 0 });
    const podId = await publishRecord("match-alpha");
    const pod = await world.alice.registry.pod(podId);

    const reported = await reportedFor(events, podId);
    expect(reported.messageId).to.be.a("bigint");
    const reports = await groupReports();
    const report = reports.find((entry) => entry.pod.podId === podId.toString())!;
    expect(report.event).to.equal("pod");
    expect(report.pod).to.deep.equal({ podId: podId.toString(), name: "match-alpha", creator: world.alice.account, version: "1", manifestRef: pod.latestRef.slice(2), parentPodId: "0" });
    expect(report.summary).to.contain("match-alpha");
    expect(report.test).to.equal(undefined);
    const reportedIds = reports.map((entry) => entry.pod.podId);
    for (const skipped of [otherName, otherAuthor, hidden]) expect(reportedIds).to.not.include(skipped.toString());
    expect(events.filter((event) => event.type === "found").length).to.equal(1);

    // A later version of the pod is reported as such; a fork filter only takes forks of its pod.
    await (await world.alice.registry.publishVersion(podId, await junkRef("match-alpha v2"))).wait();
    const version = await until("the new version's report", () => Promise.resolve(events.find((event): event is Extract<ScoutEvent, { type: "reported" }> => event.type === "reported" && event.report.event === "version")), 60_000);
    expect(version.report.pod).to.include({ podId: podId.toString(), version: "2", creator: world.alice.account });
  });

  it("only forks of SCOUT_FORKS_OF are reported", async function () {
    const events: ScoutEvent[] = [];
    const parent = await publishRecord("fork-parent");
    await startScout("forks", { SCOUT_FORKS_OF: parent.toString() }, events);
    const unrelated = await publishRecord("fork-unrelated");
    const fork = await publishRecord("fork-child", { parentPodId: parent });
    const reported = await reportedFor(events, fork);
    expect(reported.report.pod.parentPodId).to.equal(parent.toString());
    expect(reported.report.summary).to.contain(`a fork of pod ${parent}`);
    expect(events.filter((event) => event.type === "found").map((event) => event.type === "found" && event.finding.podId)).to.deep.equal([fork.toString()]);
    expect((await groupReports()).map((entry) => entry.pod.podId)).to.not.include(unrelated.toString());
  });

  it("with SCOUT_GROUP, a pod is found when it enters the group's catalogue; a pod left out is not", async function () {
    const events: ScoutEvent[] = [];
    await startScout("catalogue", { SCOUT_GROUP: groupId.toString() }, events);
    const left = await publishRecord("cat-left-out");
    const posted = await publishRecord("cat-posted");
    await setCatalogue(world.alice, groupId, posted, true);
    const reported = await reportedFor(events, posted);
    expect(reported.report.event).to.equal("catalogue");
    expect(reported.report.pod).to.include({ name: "cat-posted", creator: world.alice.account, version: "1" });
    expect(events.filter((event) => event.type === "found").map((event) => event.type === "found" && event.finding.podId)).to.deep.equal([posted.toString()]);
    expect((await groupReports()).map((entry) => entry.pod.podId)).to.not.include(left.toString());
  });

  it("with a test pod: runs it on the new pod's manifest and reports the completed run's output reference", async function () {
    if (!existsSync("/usr/bin/bwrap")) {
      console.warn("\n  !!! SKIPPED: bubblewrap is not installed, so the runner cannot execute pods (apt-get install bubblewrap) !!!\n");
      this.skip();
    }
    // The test pod belongs to the scout's account (an owner runs its pod without a licence); free to run.
    const dir = join(world.work, "pods", "tester");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "recipe.json"), JSON.stringify({ name: "tester", golem: { exec: "sh [@]test.sh" } }));
    await writeFile(join(dir, "test.sh"), "#!/bin/sh\nls payload/input > /golem/output/listing.txt\necho tested >> /golem/output/listing.txt\n");
    const { podId: testPod } = await persistPod({ dir, storage: world.swarm.client, contracts: scoutAccount, keysDir: join(world.work, "keys") });

    const events: ScoutEvent[] = [];
    await world.runner(DEV_RUNNER_ACCOUNT, []);
    await startScout("tested", { SCOUT_NAME_PATTERN: "^probe-", SCOUT_TEST_POD: testPod.toString(), SCOUT_MAX_PAY: "0.01" }, events);
    const podId = await world.publish("probe-one", { "run.sh": "#!/bin/sh\necho probe\n" }, { exec: "sh [@]run.sh" });

    const reported = await reportedFor(events, podId);
    const test = reported.report.test!;
    expect(test.podId).to.equal(testPod.toString());
    expect(test.status).to.equal("completed");
    const run = await world.alice.runMarket.run(BigInt(test.runId!));
    expect(run.requester).to.equal(scoutAccount.account);
    const completed = (await world.events(BigInt(test.runId!))).find((event) => event.name === "StageCompleted")!;
    expect(test.outputRef).to.equal((completed.args.outputRef as string).slice(2));
    const output = await world.collection(test.outputRef!);
    expect(output["output/listing.txt"]).to.match(/recipe\.json[\s\S]*tested\n$/);
    const inGroup = (await groupReports()).find((entry) => entry.pod.podId === podId.toString())!;
    expect(inGroup.test).to.deep.include({ status: "completed", outputRef: test.outputRef, runId: test.runId });
  });

  it("restarted, it neither repeats a report nor misses a pod published while it was stopped", async function () {
    const first: ScoutEvent[] = [];
    const scout = await startScout("restart", { SCOUT_NAME_PATTERN: "^restart-" }, first);
    const before = await publishRecord("restart-before");
    await reportedFor(first, before);
    await scout.stop();

    const during = await publishRecord("restart-during");
    const second: ScoutEvent[] = [];
    const restarted = await startScout("restart", { SCOUT_NAME_PATTERN: "^restart-" }, second);
    await reportedFor(second, during);
    const after = await publishRecord("restart-after");
    await reportedFor(second, after);
    expect(second.filter((event) => event.type === "found").map((event) => event.type === "found" && event.finding.podId)).to.deep.equal([during.toString(), after.toString()]);
    await restarted.stop();

    // Killed between the send and saving its state: the report is found in the group, not sent again.
    const file = join(world.work, "scout-restart", "scout.json");
    const state = JSON.parse(readFileSync(file, "utf8")) as { pending: unknown[] };
    const lost = first.find((event) => event.type === "found")!;
    const sendingFrom = (await world.provider.getBlockNumber()) - 20;
    writeFileSync(file, JSON.stringify({ ...state, pending: [{ ...(lost.type === "found" ? lost.finding : {}), sendingFrom: Math.max(0, sendingFrom) }] }));
    const third: ScoutEvent[] = [];
    await startScout("restart", { SCOUT_NAME_PATTERN: "^restart-" }, third);
    const again = await reportedFor(third, before);
    expect(again.messageId).to.equal(undefined);

    const counts = new Map<string, number>();
    for (const report of await groupReports()) counts.set(report.pod.podId, (counts.get(report.pod.podId) ?? 0) + 1);
    for (const podId of [before, during, after]) expect(counts.get(podId.toString()), `reports of pod ${podId}`).to.equal(1);
  });
});
