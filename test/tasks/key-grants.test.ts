import { expect } from "chai";
import hre from "hardhat";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { deployLure, type LureDeployment } from "../../scripts/deploy";
import { runTask, taskError } from "../support/capture";
import { startTestNode, type TestNode } from "../support/swarm";

/**
 * `pod:grant-key` and `pod:revoke-key` as a user types them: a private pod persisted with
 * `pod:persist --private`, a runner registered with `runner:register`, the grant recorded on
 * PodKeyGrants with the sealed key on the dev Swarm node (over HTTP), and every refusal sending nothing.
 */
describe("Hardhat tasks (key grants of private pods)", function () {
  this.timeout(180_000);
  const previousDir = process.env.DEPLOYMENTS_DIR;
  let deployed: LureDeployment;
  let signers: HardhatEthersSigner[];
  let node: TestNode;
  let work: string;
  let keysDir: string;
  let privatePodId: string;
  let publicPodId: string;
  /** #0 owns the pods; #2 is a registered runner; #3 is an account that is not a runner. */
  const RUNNER = 2;

  before(async function () {
    process.env.DEPLOYMENTS_DIR = mkdtempSync(join(tmpdir(), "lure-grant-deployments-"));
    deployed = (await deployLure(hre, { verbose: false }))!;
    signers = await hre.ethers.getSigners();
    node = await startTestNode();
    work = mkdtempSync(join(tmpdir(), "lure-grant-tasks-"));
    keysDir = join(work, "pod-keys");
    await runTask("pod:init", { name: "grant-private", dir: join(work, "private") });
    privatePodId = (await runTask<{ podId: string }>("pod:persist", { dir: join(work, "private"), private: true, keysDir, beeUrl: node.node.url })).podId;
    await runTask("pod:init", { name: "grant-public", dir: join(work, "public") });
    publicPodId = (await runTask<{ podId: string }>("pod:persist", { dir: join(work, "public"), beeUrl: node.node.url })).podId;
    await runTask("runner:register", { account: String(RUNNER), fee: "0.001", keyDir: join(work, "runner-keys") });
  });

  after(async function () {
    await node?.close();
    if (previousDir === undefined) delete process.env.DEPLOYMENTS_DIR;
    else process.env.DEPLOYMENTS_DIR = previousDir;
  });

  const nonce = (index = 0) => hre.ethers.provider.getTransactionCount(signers[index].address);

  it("refuses, naming the bad value and sending nothing: a public pod, a missing version, an unregistered runner, a bad address, another owner, a missing key", async function () {
    const runner = signers[RUNNER].address;
    const stranger = signers[3].address;
    const before = [await nonce(0), await nonce(1)];
    const grant = (args: Record<string, unknown>) => taskError("pod:grant-key", { keysDir, beeUrl: node.node.url, ...args });
    expect(await grant({ pod: publicPodId, runner })).to.contain(`pod ${publicPodId} is public`);
    expect(await grant({ pod: privatePodId, runner, podVersion: "9" })).to.contain(`pod ${privatePodId} has no version 9 (latest 1)`);
    expect(await grant({ pod: privatePodId, runner: stranger })).to.contain(`runner ${stranger} is not registered on the run market`);
    expect(await grant({ pod: privatePodId, runner: "0x1234" })).to.match(/runner.*0x1234/);
    expect(await grant({ pod: privatePodId, runner, account: "1" })).to.contain(`neither owns pod ${privatePodId}`);
    expect(await grant({ pod: privatePodId, runner, keysDir: join(work, "no-keys") })).to.contain(`no key for pod ${privatePodId} version 1`);
    expect(await taskError("pod:revoke-key", { pod: privatePodId, runner })).to.contain(`runner ${runner} holds no key grant for pod ${privatePodId} version 1`);
    expect([await nonce(0), await nonce(1)]).to.deep.equal(before);
    expect(await deployed.keyGrants.isGranted(privatePodId, 1, runner)).to.equal(false);
  });

  it("grants the latest version to a registered runner: the sealed key on Swarm, the grant on chain; revoking removes it, and a second revoke is refused", async function () {
    const runner = signers[RUNNER].address;
    const granted = await runTask<{ podId: string; version: string; runner: string; sealedKeyRef: string; podRef: string; tx: string }>("pod:grant-key", {
      pod: privatePodId,
      runner,
      keysDir,
      beeUrl: node.node.url,
    });
    expect(granted).to.deep.include({ podId: privatePodId, version: "1", runner });
    expect(granted.sealedKeyRef).to.match(/^[0-9a-f]{64}$/);
    expect(await deployed.keyGrants.isGranted(privatePodId, 1, runner)).to.equal(true);
    expect((await deployed.keyGrants.sealedKeyOf(privatePodId, 1, runner)).slice(2)).to.equal(granted.sealedKeyRef);
    // The sealed key is on the node, and it is not the key record in the clear.
    const sealed = await node.client.downloadBytes(granted.sealedKeyRef);
    expect(sealed.length).to.be.greaterThan(32);
    const keyFile = readdirSync(keysDir).find((name) => name.includes(granted.podRef));
    expect(keyFile, "the local key record of the version").to.not.equal(undefined);
    expect(Buffer.from(sealed).toString("utf8")).not.to.contain("contentSha256");

    const revoked = await runTask<{ podId: string; version: string; runner: string; tx: string }>("pod:revoke-key", { pod: privatePodId, runner });
    expect(revoked).to.deep.include({ podId: privatePodId, version: "1", runner });
    expect(await deployed.keyGrants.isGranted(privatePodId, 1, runner)).to.equal(false);
    const before = await nonce(0);
    expect(await taskError("pod:revoke-key", { pod: privatePodId, runner })).to.contain("holds no key grant");
    expect(await nonce(0)).to.equal(before);
  });
});
