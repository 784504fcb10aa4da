import { expect } from "chai";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ethers } from "ethers";
import pino from "pino";
import { loadConfig } from "../../services/config";
import { connectLure, type LureConnection } from "../../services/chain/contracts";
import { grantPodKey, revokePodKey } from "../../services/market/key-grants";
import { loadOrCreateRunnerKey } from "../../services/market/runners";
import { quoteRun } from "../../services/market/runs";
import { openSealedKey } from "../../services/pods/key-seal";
import { persistPod } from "../../services/pods/persist";
import { loadKey, type PodKeyRecord } from "../../services/pods/private";
import { createRunner, DEV_RUNNER_ACCOUNT, type RunnerEvent } from "../../services/runner";
import { readRunnerPrivateKey } from "../../services/runner/private-pod";
import { LOG_FILES } from "../../services/runner/pipeline";
import { countingStorage } from "../support/groups";
import { NATIVE, PHASE, RUN_PRICE, RUNNER_FEE, RunnerWorld, SECOND_RUNNER, STATUS, until } from "../support/runner";

/**
 * Private pods end to end: a Hardhat node over HTTP with Lure deployed by the deploy script, the dev
 * Swarm node over HTTP, bubblewrap. alice persists private pods (sealed on Swarm, keys in her keys
 * folder), bob buys a licence; alice grants the pod's key to a runner (sealed to its registered
 * X25519 key), the runner opens it in memory and runs it. Everything is read back from the chain,
 * Swarm, the runner's folders and its logs.
 */
describe("runner service: private pods, run only by the runners their owner chose", function () {
  this.timeout(300_000);
  let world: RunnerWorld;
  let bob: LureConnection;
  let keysDir: string;
  const runnerKeyDir: Record<number, string> = {};
  const pods: Record<string, { podId: bigint; refs: string[] }> = {};
  const MARKER = `lure-private-marker-${Date.now()}-do-not-leak`;
  const SECRET_TEXT = `${MARKER}\nthe owner's secret sauce\n`;

  async function publishPrivate(name: string, files: Record<string, string>): Promise<{ podId: bigint; reference: string }> {
    const dir = join(world.work, "pods", name);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "recipe.json"), JSON.stringify({ name, public: false, golem: { exec: "sh [@]run.sh" } }));
    for (const [file, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, file)), { recursive: true });
      await writeFile(join(dir, file), text);
    }
    const result = await persistPod({ dir, storage: world.swarm.client, contracts: world.alice, keysDir });
    expect(result.visibility).to.equal("private");
    return { podId: result.podId, reference: result.reference };
  }

  /** A runner in this process, with its own key folder and its logs captured as JSON lines. */
  async function startRunner(index: number, events: RunnerEvent[], logs: string[]) {
    const log = pino({ level: "debug", base: undefined }, { write: (line: string) => void logs.push(line) });
    const runner = await createRunner({
      config: loadConfig(world.env),
      signer: world.wallet(index),
      dataDir: join(world.work, `runner-${index}`),
      keyDir: runnerKeyDir[index],
      log,
      onEvent: (event) => events.push(event),
    });
    world.runners.push(runner);
    await runner.start();
    return runner;
  }

  async function requestAs(who: LureConnection, podId: bigint, runner: string, version = 0n): Promise<bigint> {
    const block = await world.provider.getBlock("latest");
    const value = RUN_PRICE + RUNNER_FEE;
    const receipt = await (await who.runMarket.requestRun(podId, version, ethers.ZeroHash, NATIVE, value, block!.timestamp + 3600, runner, { value })).wait();
    for (const entry of receipt!.logs) {
      const parsed = who.runMarket.interface.parseLog(entry);
      if (parsed?.name === "RunRequested") return parsed.args.runId as bigint;
    }
    throw new Error("no RunRequested event");
  }

  const keyRecord = async (ref: string): Promise<PodKeyRecord> => (await loadKey(keysDir, ref))!;

  /** Every file under `dir` (recursively) that holds one of the needles. */
  function filesHolding(dir: string, needles: Buffer[]): string[] {
    const found: string[] = [];
    const walk = (current: string) => {
      if (!existsSync(current)) return;
      for (const entry of readdirSync(current)) {
        const full = join(current, entry);
        const stat = statSync(full);
        if (stat.isDirectory()) walk(full);
        else if (stat.isFile()) {
          const bytes = readFileSync(full);
          if (needles.some((needle) => bytes.includes(needle))) found.push(full);
        }
      }
    };
    walk(dir);
    return found;
  }

  before(async function () {
    if (!existsSync("/usr/bin/bwrap")) {
      console.warn("\n  !!! SKIPPED: bubblewrap is not installed, so the runner cannot execute pods (apt-get install bubblewrap) !!!\n");
      this.skip();
    }
    world = await RunnerWorld.start();
    keysDir = join(world.work, "keys");
    // Real X25519 keys for both runners, registered on chain (the world registered placeholders).
    for (const index of [DEV_RUNNER_ACCOUNT, SECOND_RUNNER]) {
      runnerKeyDir[index] = join(world.work, `runner-key-${index}`);
      const key = await loadOrCreateRunnerKey(runnerKeyDir[index]);
      await (await world.alice.runMarket.connect(world.wallet(index)).setRunnerKey(key.publicKey)).wait();
    }
    // "secret": two versions; the pod reads its secret file and reports only its size.
    const files = { "run.sh": "#!/bin/sh\nwc -c < secret.txt > /golem/output/size.txt\necho ran >&2\n", "secret.txt": SECRET_TEXT };
    const v1 = await publishPrivate("secret", files);
    const v2 = await publishPrivate("secret", { ...files, "secret.txt": `${SECRET_TEXT}version 2\n` });
    expect(v2.podId).to.equal(v1.podId);
    pods.secret = { podId: v1.podId, refs: [v1.reference, v2.reference] };
    const other = await publishPrivate("other", { "run.sh": "#!/bin/sh\necho other > /golem/output/other.txt\n" });
    pods.other = { podId: other.podId, refs: [other.reference] };
    for (const { podId } of Object.values(pods)) await (await world.alice.runMarket.setRunPrice(podId, NATIVE, RUN_PRICE)).wait();
    // bob (#6) buys a licence of "secret".
    const price = ethers.parseEther("0.1");
    await (await world.alice.market.list(pods.secret.podId, NATIVE, price, 0, false)).wait();
    bob = await connectLure(world.wallet(6), { network: "localhost", deploymentsDir: world.config.DEPLOYMENTS_DIR });
    await (await bob.market.buy(pods.secret.podId, await bob.registry.revisionOf(pods.secret.podId), NATIVE, price, { value: price })).wait();
    expect(await bob.licenses.hasLicense(bob.account, pods.secret.podId)).to.equal(true);
  });

  afterEach(async function () {
    await world?.stopRunners();
  });

  after(async function () {
    await world?.close();
  });

  it("pod:grant-key's service refuses bad input, naming it, with nothing uploaded or sent", async function () {
    const storage = countingStorage(world.swarm.client);
    const chainId = BigInt(world.alice.chainId);
    const runner = world.wallet(DEV_RUNNER_ACCOUNT).address;
    const nonce = await world.provider.getTransactionCount(world.alice.account);
    const publicPod = await world.publish("open", { "run.sh": "echo open\n" }, { exec: "sh [@]run.sh" });
    const refused = async (contracts: LureConnection, request: Partial<Parameters<typeof grantPodKey>[1]>, pattern: RegExp) => {
      const error = await grantPodKey(contracts, { podId: pods.secret.podId, runner, keysDir, storage, chainId, ...request }).then(
        () => undefined,
        (caught: Error) => caught,
      );
      expect(error?.message, String(pattern)).to.match(pattern);
    };
    const before = await world.provider.getTransactionCount(world.alice.account);
    await refused(world.alice, { podId: 999n }, /pod 999 does not exist/);
    await refused(world.alice, { podId: publicPod }, new RegExp(`pod ${publicPod} is public`));
    await refused(world.alice, { version: 3n }, new RegExp(`pod ${pods.secret.podId} has no version 3 \\(latest 2\\)`));
    const stranger = world.wallet(7).address;
    await refused(world.alice, { runner: stranger }, new RegExp(`runner ${stranger} is not registered`));
    await refused(world.alice, { runner: "0xnot-an-address" }, /runner: expected an address, got "0xnot-an-address"/);
    const emptyKeys = mkdtempSync(join(tmpdir(), "lure-no-keys-"));
    await refused(world.alice, { keysDir: emptyKeys }, new RegExp(`no key for pod ${pods.secret.podId} version 2 \\(${pods.secret.refs[1]}\\) in ${emptyKeys}`));
    await refused(bob, {}, new RegExp(`${bob.account} neither owns pod ${pods.secret.podId}`));
    expect(storage.uploads).to.equal(0);
    expect(await world.provider.getTransactionCount(world.alice.account)).to.equal(before);
    expect(before).to.be.greaterThan(nonce); // the public pod's publish went through alice
    await revokePodKey(world.alice, { podId: pods.secret.podId, runner }).then(
      () => expect.fail("revoked a grant that does not exist"),
      (error: Error) => expect(error.message).to.match(new RegExp(`runner ${runner} holds no key grant for pod ${pods.secret.podId} version 2`)),
    );
  });

  it("a licence holder without a granted runner cannot run the pod: refused before anything is sent or escrowed", async function () {
    const runner = world.wallet(DEV_RUNNER_ACCOUNT).address;
    const runMarketAddress = await bob.runMarket.getAddress();
    const [count, balance, nonce] = [await bob.runMarket.runCount(), await world.provider.getBalance(runMarketAddress), await world.provider.getTransactionCount(bob.account)];
    await quoteRun(bob, pods.secret.podId, { runner }).then(
      () => expect.fail("quoted a run on a runner without a grant"),
      (error: Error) => expect(error.message).to.match(new RegExp(`pod ${pods.secret.podId} is private and runner ${runner} holds no key grant for its version 2`)),
    );
    await quoteRun(bob, pods.secret.podId, { maxPayment: RUN_PRICE + RUNNER_FEE }).then(
      () => expect.fail("quoted a private run for any runner"),
      (error: Error) => expect(error.message).to.match(/is private: name a runner/),
    );
    // Straight to the contract: the custom error names pod, version and runner.
    const deadline = (await world.provider.getBlock("latest"))!.timestamp + 3600;
    const value = RUN_PRICE + RUNNER_FEE;
    const reverted = await bob.runMarket.requestRun.staticCall(pods.secret.podId, 0, ethers.ZeroHash, NATIVE, value, deadline, runner, { value }).then(
      () => undefined,
      (error: { data?: string }) => error,
    );
    const decoded = bob.runMarket.interface.parseError(reverted!.data!);
    expect(decoded?.name).to.equal("RunMarketRunnerNotGranted");
    expect(decoded?.args.map(String)).to.deep.equal([String(pods.secret.podId), "2", runner]);
    expect(await bob.runMarket.runCount()).to.equal(count);
    expect(await world.provider.getBalance(runMarketAddress)).to.equal(balance);
    expect(await world.provider.getTransactionCount(bob.account)).to.equal(nonce);
  });

  it("the granted runner runs the private pod and completes; neither the plaintext nor the key reaches its disk, its logs, its output or Swarm in the clear", async function () {
    const runnerWallet = world.wallet(DEV_RUNNER_ACCOUNT);
    const granted = await grantPodKey(world.alice, { podId: pods.secret.podId, runner: runnerWallet.address, keysDir, storage: world.swarm.client, chainId: BigInt(world.alice.chainId) });
    expect(granted.version).to.equal(2n);
    expect(granted.podRef).to.equal(pods.secret.refs[1]);
    expect(await world.alice.keyGrants.sealedKeyOf(pods.secret.podId, 2, runnerWallet.address)).to.equal(`0x${granted.sealedKeyRef}`);
    // What the runner must never spill: the marker of the plaintext and the pod key (hex and raw).
    const record = await keyRecord(pods.secret.refs[1]);
    const needles = [Buffer.from(MARKER), Buffer.from(record.key), Buffer.from(record.key, "hex")];

    const runId = await requestAs(bob, pods.secret.podId, runnerWallet.address);
    const events: RunnerEvent[] = [];
    const logs: string[] = [];
    const runner = await startRunner(DEV_RUNNER_ACCOUNT, events, logs);
    expect(await world.ended(runId)).to.equal(STATUS.Completed);
    const completed = (await world.events(runId)).find((event) => event.name === "StageCompleted")!;
    expect(completed.args.runner).to.equal(runner.address);
    const files = await world.collection(completed.args.outputRef as string);
    expect(files["output/size.txt"].trim()).to.equal(String(Buffer.byteLength(`${SECRET_TEXT}version 2\n`)));
    expect(files[LOG_FILES.stderr]).to.equal("ran\n");
    expect(files[LOG_FILES.run]).to.match(new RegExp(`fetched private pod ${pods.secret.podId} version 2 .*opened with the key granted to this runner \\(sealed key ${granted.sealedKeyRef}\\)`));
    await until("the runner to forget the run", () => Promise.resolve(runner.busy === 0 ? true : undefined));

    // Its output and logs (one collection) hold neither the plaintext marker nor the key.
    const uploaded = Buffer.concat(Object.values(files).map((text) => Buffer.from(text)));
    for (const needle of needles) expect(uploaded.includes(needle)).to.equal(false);
    // Its captured logs neither.
    expect(logs.length).to.be.greaterThan(0);
    expect(logs.join("\n")).to.include("run settled");
    for (const needle of [MARKER, record.key]) expect(logs.join("\n")).not.to.include(needle);
    // Its data folders (journal, key folder) and what is left of its work area: nothing.
    expect(filesHolding(join(world.work, `runner-${DEV_RUNNER_ACCOUNT}`), needles)).to.deep.equal([]);
    expect(filesHolding(runnerKeyDir[DEV_RUNNER_ACCOUNT], needles)).to.deep.equal([]);
    expect(readdirSync(tmpdir()).filter((name) => name.startsWith(`lure-run-${runId}-`))).to.deep.equal([]);
    // Nothing on the Swarm node holds them in the clear (alice uploaded only ciphertext; the runner only output and logs).
    expect(filesHolding(world.swarm.dataDir, needles)).to.deep.equal([]);
    // Sanity checks of the scan itself: the marker shows where it is kept in the clear (alice's pod
    // folder), and the Swarm node's store does hold the runner's uploads in a form the scan reads.
    expect(filesHolding(join(world.work, "pods", "secret"), [Buffer.from(MARKER)])).to.have.length(1);
    expect(filesHolding(world.swarm.dataDir, [Buffer.from(`fetched private pod ${pods.secret.podId} version 2`)])).not.to.deep.equal([]);
  });

  it("a sealed key replayed for another pod or version does not open: those runs fail as FetchPod with a full refund", async function () {
    const runnerAddress = world.wallet(DEV_RUNNER_ACCOUNT).address;
    const sealedV2 = await world.alice.keyGrants.sealedKeyOf(pods.secret.podId, 2, runnerAddress);
    expect(sealedV2).not.to.equal(ethers.ZeroHash);
    // The owner (or anyone who copied the reference) points other grants at version 2's sealed key.
    await (await world.alice.keyGrants.grantKey(pods.other.podId, 1, runnerAddress, sealedV2)).wait();
    await (await world.alice.keyGrants.grantKey(pods.secret.podId, 1, runnerAddress, sealedV2)).wait();
    // Opened directly: the binding (pod, version, runner, chain) is part of the key derivation.
    const { privateKey } = await readRunnerPrivateKey(runnerKeyDir[DEV_RUNNER_ACCOUNT]);
    const sealed = await world.swarm.client.downloadBytes(sealedV2.slice(2));
    const chainId = BigInt(world.alice.chainId);
    const base = { chainId, podId: pods.secret.podId, version: 2n, runner: runnerAddress };
    expect(openSealedKey(sealed, privateKey!, base).ref).to.equal(pods.secret.refs[1]);
    for (const other of [{ podId: pods.other.podId }, { version: 1n }, { chainId: chainId + 1n }, { runner: world.wallet(SECOND_RUNNER).address }]) {
      expect(() => openSealedKey(sealed, privateKey!, { ...base, ...other }), JSON.stringify(other, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))).to.throw(/does not open/);
    }
    const { privateKey: secondKey } = await readRunnerPrivateKey(runnerKeyDir[SECOND_RUNNER]);
    expect(() => openSealedKey(sealed, secondKey!, base)).to.throw(/does not open/);

    const otherRun = await requestAs(world.alice, pods.other.podId, runnerAddress);
    const versionRun = await requestAs(world.alice, pods.secret.podId, runnerAddress, 1n);
    const logs: string[] = [];
    await startRunner(DEV_RUNNER_ACCOUNT, [], logs);
    for (const [runId, podId, version] of [
      [otherRun, pods.other.podId, 1n],
      [versionRun, pods.secret.podId, 1n],
    ] as const) {
      expect(await world.ended(runId)).to.equal(STATUS.Failed);
      const failed = await world.failure(runId);
      expect(failed.args.phase).to.equal(PHASE.FetchPod);
      expect(failed.args.runnerPaid).to.equal(0n);
      expect(failed.args.refund).to.equal(RUN_PRICE + RUNNER_FEE);
      const runLog = (await world.collection(failed.args.logRef as string))[LOG_FILES.run];
      expect(runLog).to.match(new RegExp(`the sealed key does not open for pod ${podId} version ${version}`));
    }
    const record = await keyRecord(pods.secret.refs[1]);
    expect(logs.join("\n")).not.to.include(record.key);
  });

  it("a revoked runner cannot run later runs: its claim of a run requested before is refused, a new request too; the requester cancels and is refunded", async function () {
    const runnerAddress = world.wallet(DEV_RUNNER_ACCOUNT).address;
    expect(await world.alice.keyGrants.isGranted(pods.secret.podId, 2, runnerAddress)).to.equal(true);
    const runId = await requestAs(bob, pods.secret.podId, runnerAddress);
    const revoked = await revokePodKey(world.alice, { podId: pods.secret.podId, runner: runnerAddress });
    expect(revoked.version).to.equal(2n);
    expect(await world.alice.keyGrants.isGranted(pods.secret.podId, 2, runnerAddress)).to.equal(false);
    const events: RunnerEvent[] = [];
    await startRunner(DEV_RUNNER_ACCOUNT, events, []);
    const declined = await until("the runner to decline the run", () => Promise.resolve(events.find((event) => event.type === "declined" && event.runId === runId)));
    expect(declined.type === "declined" && declined.reason).to.match(/RunMarketRunnerNotGranted/);
    expect((await bob.runMarket.run(runId)).status).to.equal(STATUS.Requested);
    expect(events.some((event) => event.type === "claimed" && event.runId === runId)).to.equal(false);
    await requestAs(bob, pods.secret.podId, runnerAddress).then(
      () => expect.fail("requested a run on a revoked runner"),
      (error: Error) => expect(error.message).to.match(/RunMarketRunnerNotGranted|reverted/),
    );
    const before = await bob.runMarket.creditOf(bob.account, NATIVE);
    await (await bob.runMarket.cancel(runId)).wait();
    expect((await bob.runMarket.creditOf(bob.account, NATIVE)) - before).to.equal(RUN_PRICE + RUNNER_FEE);
  });
});
