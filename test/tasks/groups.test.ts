import { expect } from "chai";
import hre from "hardhat";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { deployLure, type LureDeployment } from "../../scripts/deploy";
import { runTask, taskError } from "../support/capture";
import { ref } from "../support/contracts";
import { BANNER } from "../support/groups";
import { startTestNode, type TestNode } from "../support/swarm";

const bytes = (text: string) => new Uint8Array(Buffer.from(text));

describe("Hardhat tasks (groups and messages)", function () {
  this.timeout(120_000);
  const previousDir = process.env.DEPLOYMENTS_DIR;
  let deployed: LureDeployment;
  let signers: HardhatEthersSigner[];
  let node: TestNode;
  let work: string;
  let bannerFile: string;
  let beeUrl: string;

  before(async function () {
    process.env.DEPLOYMENTS_DIR = mkdtempSync(join(tmpdir(), "lure-group-deployments-"));
    deployed = (await deployLure(hre, { verbose: false }))!;
    signers = await hre.ethers.getSigners();
    node = await startTestNode();
    beeUrl = node.node.url;
    work = mkdtempSync(join(tmpdir(), "lure-group-tasks-"));
    bannerFile = join(work, "banner.json");
    writeFileSync(bannerFile, JSON.stringify(BANNER));
  });

  after(async function () {
    await node?.close();
    if (previousDir === undefined) delete process.env.DEPLOYMENTS_DIR;
    else process.env.DEPLOYMENTS_DIR = previousDir;
  });

  const nonce = (index = 0) => hre.ethers.provider.getTransactionCount(signers[index].address);
  /** A refusal: the one-line message, and nothing sent by `account`. */
  async function refused(name: string, args: Record<string, unknown>, account = 0): Promise<string> {
    const before = await nonce(account);
    const groups = await deployed.groups.groupCount();
    const messages = await deployed.messages.messageCount();
    const message = await taskError(name, args);
    expect(message.split("\n")).to.have.length(1);
    expect(await nonce(account)).to.equal(before);
    expect(await deployed.groups.groupCount()).to.equal(groups);
    expect(await deployed.messages.messageCount()).to.equal(messages);
    return message;
  }

  describe("group:*", function () {
    for (const [label, args, expected] of [
      ["a missing banner file", { banner: "/no/such/banner.json" }, /^--banner: cannot read \/no\/such\/banner\.json \(ENOENT\)$/],
      ["a banner without a title", { banner: "NO_TITLE" }, /^--banner .*no-title\.json: title: required$/],
      ["a banner that is not JSON", { banner: "NOT_JSON" }, /^--banner .*not-json\.json: not valid JSON/],
      ["an unknown policy", { policy: "closed" }, /^--policy: expected one of open, fee, approval, got "closed"$/],
      ["a fee group without a fee", { policy: "fee" }, /^--join-fee: a fee group needs a join fee above zero/],
      ["a name too long", { name: "x".repeat(65) }, /^--name: a group name is 1 to 64 bytes/],
      ["a bad fee", { publicFee: "lots" }, /^--public-fee: expected a decimal amount such as 1\.5, got "lots"$/],
      ["a token not allow-listed", { token: "0x000000000000000000000000000000000000dEaD" }, /^token 0x000000000000000000000000000000000000dEaD is not on GroupRegistry's allow-list$/],
    ] as const) {
      it(`group:create refuses ${label}, uploading and sending nothing`, async function () {
        writeFileSync(join(work, "no-title.json"), JSON.stringify({ ...BANNER, title: undefined }));
        writeFileSync(join(work, "not-json.json"), "{title");
        const banner = "banner" in args ? (args.banner === "NO_TITLE" ? join(work, "no-title.json") : args.banner === "NOT_JSON" ? join(work, "not-json.json") : args.banner) : bannerFile;
        expect(await refused("group:create", { name: "testers", beeUrl, ...args, banner })).to.match(expected);
      });
    }

    it("group:create uploads the banner first; group:show reads it back from Swarm; group:list lists it", async function () {
      const created = await runTask<{ groupId: string; bannerRef: string; joinFee: string; policy: string }>("group:create", {
        name: "testers",
        banner: bannerFile,
        policy: "fee",
        joinFee: "0.01",
        period: "2592000",
        memberFee: "0.001",
        publicFee: "0.005",
        beeUrl,
      });
      expect(created).to.deep.include({ groupId: "1", joinFee: "0.01", policy: "fee" });
      expect(JSON.parse(Buffer.from((await node.client.downloadFile(created.bannerRef)).data).toString("utf8"))).to.deep.equal(BANNER);
      const shown = await runTask<{ name: string; banner: unknown; members: { account: string; status: string }[]; treasury: unknown }>("group:show", { group: "1", beeUrl });
      expect(shown).to.deep.include({ name: "testers", banner: BANNER, treasury: { joinFees: "0.0", messageFees: "0.0" } });
      expect(shown.members).to.deep.equal([{ account: signers[0].address, status: "member", expiresAt: null, admin: false, active: true }]);
      const listed = await runTask<{ count: string; groups: { name: string }[] }>("group:list", {});
      expect(listed.count).to.equal("1");
      expect(listed.groups.map((group) => group.name)).to.deep.equal(["testers"]);
      expect(await refused("group:show", { group: "7", beeUrl })).to.equal("group 7 does not exist (there are 1)");
      expect(await refused("group:show", { group: "one", beeUrl })).to.equal('--group: expected a group id (a positive integer), got "one"');
    });

    it("group:join pays the fee guarded by --max-fee; group:renew pays again; the owner cannot leave", async function () {
      expect(await refused("group:join", { group: "1", account: "1", maxFee: "0.005" }, 1)).to.equal("the join fee of group 1 is 0.01 native, above the maximum 0.005");
      expect(await refused("group:renew", { group: "1", account: "1" }, 1)).to.contain("is not a member of group 1: join it first");
      const joined = await runTask<{ step: string; fee: string; expiresAt: string }>("group:join", { group: "1", account: "1", maxFee: "0.01" });
      expect(joined).to.deep.include({ step: "joined", fee: "0.01" });
      const renewed = await runTask<{ step: string; expiresAt: string }>("group:renew", { group: "1", account: "1" });
      expect(renewed.step).to.equal("renewed");
      expect(Date.parse(renewed.expiresAt) - Date.parse(joined.expiresAt)).to.equal(2_592_000_000);
      expect(await refused("group:leave", { group: "1" })).to.contain("owns group 1: an owner cannot leave");
    });

    it("group:update changes only what differs, as the owner", async function () {
      expect(await refused("group:update", { group: "1", publicFee: "0.005" })).to.equal("nothing to change in group 1: the values given are the current ones");
      expect(await refused("group:update", { group: "1", publicFee: "0.002", account: "1" }, 1)).to.contain("needs the owner of group 1");
      expect(await refused("group:update", { group: "1", surgeWindow: "60" })).to.equal("--surge-window and --surge-bps: give both (0 and 0 turn surge pricing off)");
      const updated = await runTask<{ changes: { change: string }[] }>("group:update", { group: "1", publicFee: "0.002", surgeWindow: "60", surgeBps: "20000" });
      expect(updated.changes.map((change) => change.change)).to.deep.equal(["fees", "surge"]);
      expect((await deployed.groups.group(1n)).publicMessageFee).to.equal(hre.ethers.parseEther("0.002"));
      const bannered = await runTask<{ changes: { change: string }[]; bannerRef: string }>("group:update", { group: "1", banner: bannerFile, beeUrl });
      expect(bannered.changes.map((change) => change.change)).to.deep.equal(["banner"]);
      const off = await runTask<{ changes: { change: string }[] }>("group:update", { group: "1", surgeWindow: "0", surgeBps: "0" });
      expect(off.changes.map((change) => change.change)).to.deep.equal(["surge"]);
      expect((await deployed.groups.group(1n)).surgeWindow).to.equal(0n);
    });

    it("an Approval group: requests, approve, reject, ban, unban, remove, leave", async function () {
      await runTask("group:create", { name: "guild", banner: bannerFile, policy: "approval", beeUrl });
      expect((await runTask<{ step: string }>("group:join", { group: "2", account: "2" })).step).to.equal("requested");
      await runTask("group:join", { group: "2", account: "3" });
      expect(await refused("group:approve", { group: "2", member: signers[2].address, account: "4" }, 4)).to.contain(`needs an admin of group 2`);
      expect(await refused("group:approve", { group: "2", member: "0x12" })).to.equal('--member: expected a 20-byte 0x address, got "0x12"');
      await runTask("group:approve", { group: "2", member: signers[2].address });
      await runTask("group:reject", { group: "2", member: signers[3].address });
      expect(await refused("group:reject", { group: "2", member: signers[3].address })).to.contain("has no pending request to join group 2");
      await runTask("group:ban", { group: "2", member: signers[3].address });
      expect(await refused("group:join", { group: "2", account: "3" }, 3)).to.equal(`${signers[3].address} is banned from group 2`);
      await runTask("group:unban", { group: "2", member: signers[3].address });
      await runTask("group:remove", { group: "2", member: signers[2].address });
      await runTask("group:join", { group: "2", account: "3" });
      const left = await runTask<{ account: string }>("group:leave", { group: "2", account: "3" });
      expect(left.account).to.equal(signers[3].address);
      const shown = await runTask<{ members: { account: string }[] }>("group:show", { group: "2", beeUrl });
      expect(shown.members.map((member) => member.account)).to.deep.equal([signers[0].address]);
    });

    it("group:post-pod and group:unpost-pod keep the catalogue", async function () {
      await (await deployed.registry.publish("catalogued", ref("catalogued"), 1, 0, 0, 0)).wait();
      const podId = String(await deployed.registry.totalPods());
      expect(await refused("group:post-pod", { group: "1", pod: "999" })).to.equal("pod 999 does not exist");
      await runTask("group:post-pod", { group: "1", pod: podId });
      expect(await refused("group:post-pod", { group: "1", pod: podId })).to.equal(`pod ${podId} is already in the catalogue of group 1`);
      expect((await runTask<{ catalogue: string[] }>("group:show", { group: "1", beeUrl })).catalogue).to.deep.equal([podId]);
      await runTask("group:unpost-pod", { group: "1", pod: podId });
      expect((await runTask<{ catalogue: string[] }>("group:show", { group: "1", beeUrl })).catalogue).to.deep.equal([]);
    });
  });

  describe("msg:* and inbox:*", function () {
    for (const [label, args, expected] of [
      ["both --text and --file", { to: "group:1", text: "a", file: "b" }, "--text and --file: give exactly one of them"],
      ["neither --text nor --file", { to: "group:1" }, "--text and --file: give exactly one of them"],
      ["a bad --to", { to: "everyone", text: "a" }, '--to: target "everyone": expected group:ID or a non-zero 0x address'],
      ["a missing group", { to: "group:42", text: "a" }, "group 42 does not exist (there are 2)"],
      ["a fee above --max-fee", { to: "group:1", text: "a", maxFee: "0.0001" }, "the message costs 0.0021 native, above the maximum 0.0001"],
      ["a malformed --max-fee", { to: "group:1", text: "a", maxFee: "cheap" }, '--max-fee: expected a decimal amount such as 0.01, got "cheap"'],
      ["a missing file", { to: "group:1", file: "/no/such/file.txt" }, "--file: /no/such/file.txt is not a file"],
      ["a bad decoder id", { to: "group:1", text: "a", decoder: "x" }, '--decoder: expected a pod id (a positive integer), got "x"'],
      ["a reply to nothing", { to: "group:1", text: "a", replyTo: "77" }, "reply to message 77: there is no such message (the latest is 0)"],
    ] as const) {
      it(`msg:send refuses ${label}, sending nothing`, async function () {
        expect(await refused("msg:send", { ...args, account: "5", beeUrl }, 5)).to.equal(expected);
      });
    }

    it("msg:send pays the quoted fee, msg:read shows the bodies from Swarm", async function () {
      const file = join(work, "notes.md");
      writeFileSync(file, "# notes");
      const first = await runTask<{ messageId: string; fee: string; protocolFee: string; contentType: string; contentRef: string }>("msg:send", { to: "group:1", text: "hello members", account: "1", beeUrl });
      expect(first).to.deep.include({ messageId: "1", fee: "0.0011", protocolFee: "0.0001", contentType: "text" });
      const second = await runTask<{ messageId: string; fee: string; contentType: string; replyTo: string }>("msg:send", { to: "group:1", file, replyTo: "1", account: "5", maxFee: "0.0021", beeUrl });
      expect(second).to.deep.include({ messageId: "2", fee: "0.0021", contentType: "markdown", replyTo: "1" });
      const read = await runTask<{ count: number; messages: { messageId: string; sender: string; body: string; replyTo?: string }[] }>("msg:read", { group: "1", beeUrl });
      expect(read.count).to.equal(2);
      expect(read.messages.map((message) => [message.messageId, message.sender, message.body])).to.deep.equal([
        ["2", signers[5].address, "# notes"],
        ["1", signers[1].address, "hello members"],
      ]);
      expect(await refused("msg:read", { group: "1", inbox: true, beeUrl })).to.equal("--group and --inbox: give exactly one of them");
      expect(await refused("msg:read", { group: "1", requests: true, beeUrl })).to.equal("--requests: only with --inbox");
    });

    it("inbox:price, a paid contact request, msg:read --inbox --requests, inbox:accept, inbox:deny, inbox:withdraw", async function () {
      const bob = signers[1].address;
      expect(await refused("inbox:price", { price: "-1", account: "1" }, 1)).to.equal('--price: expected a decimal amount such as 1.5, got "-1"');
      const priced = await runTask<{ price: string; requestPrice: string; protocolFloor: string }>("inbox:price", { price: "0.002", requestPrice: "0.01", account: "1" });
      expect(priced).to.deep.include({ price: "0.002", requestPrice: "0.01", protocolFloor: "0.0001" });
      expect(await runTask("inbox:price", { account: "1" })).to.deep.include({ price: "0.002", requestPrice: "0.01", surge: null });

      const request = await runTask<{ request: boolean; fee: string }>("msg:send", { to: bob, text: "may I write to you?", account: "6", beeUrl });
      expect(request).to.deep.include({ request: true, fee: "0.0101" });
      await runTask("msg:send", { to: bob, text: "me too", account: "7", beeUrl });
      const pending = await runTask<{ messages: { sender: string; body: string; request: boolean }[] }>("msg:read", { inbox: true, requests: true, account: "1", beeUrl });
      expect(pending.messages.map((message) => [message.sender, message.body, message.request])).to.deep.equal([
        [signers[7].address, "me too", true],
        [signers[6].address, "may I write to you?", true],
      ]);
      const accepted = await runTask<{ previous: string; status: string }>("inbox:accept", { sender: signers[6].address, account: "1" });
      expect(accepted).to.deep.include({ previous: "requested", status: "allowed" });
      expect(await refused("inbox:accept", { sender: signers[6].address, account: "1" }, 1)).to.contain("has no pending contact request");
      expect((await runTask<{ fee: string }>("msg:send", { to: bob, text: "thanks", account: "6", beeUrl })).fee).to.equal("0.0001");
      await runTask("inbox:deny", { sender: signers[7].address, account: "1" });
      expect(await refused("msg:send", { to: bob, text: "again", account: "7", beeUrl }, 7)).to.contain("MessageBusDenied");
      await runTask("inbox:allow", { sender: signers[7].address, account: "1" });
      expect((await runTask<{ count: number }>("msg:read", { inbox: true, account: "1", beeUrl })).count).to.equal(3);
      expect((await runTask<{ amount: string }>("inbox:withdraw", { account: "1" })).amount).to.equal("0.02");
      expect(await refused("inbox:withdraw", { account: "1" }, 1)).to.contain("nothing to withdraw");
    });

    it("msg:open runs the decoder pod on the message's content and shows the output", async function () {
      const runner = signers[8];
      await (await deployed.runMarket.connect(runner).registerRunner(hre.ethers.hexlify(hre.ethers.randomBytes(32)), [hre.ethers.ZeroAddress], [hre.ethers.parseEther("0.001")], { value: hre.ethers.parseEther("0.1") })).wait();
      await (await deployed.registry.publish("rot13", ref("rot13"), 1, 0, 0, 0)).wait();
      const decoder = String(await deployed.registry.totalPods());
      const sent = await runTask<{ messageId: string; contentRef: string }>("msg:send", { to: "group:1", text: "uryyb", decoder, account: "1", beeUrl });
      expect(await refused("msg:open", { message: "1", runner: runner.address, beeUrl })).to.equal("message 1 is plain: it names no decoder pod (read it with msg:read)");
      expect(await refused("msg:open", { message: sent.messageId, beeUrl })).to.contain("--max-pay: required when no --runner is named");
      expect(await refused("msg:open", { message: "999", runner: runner.address, beeUrl })).to.match(/^message 999 does not exist/);

      const runs = await deployed.runMarket.runCount();
      const opening = runTask<{ runId: string; status: string; output: { path: string; text: string }[]; contentRef: string }>("msg:open", { message: sent.messageId, runner: runner.address, wait: true, pollMs: "25", beeUrl });
      const runId = runs + 1n;
      while ((await deployed.runMarket.runCount()) < runId) await new Promise((resolve) => setTimeout(resolve, 20));
      const outputRef = await node.client.uploadCollection([
        { path: "output/plain.txt", data: bytes("hello") },
        { path: "logs/stdout.txt", data: bytes("") },
      ]);
      await (await deployed.runMarket.connect(runner).claim(runId)).wait();
      await (await deployed.runMarket.connect(runner).complete(runId, `0x${outputRef}`, `0x${outputRef}`)).wait();
      const opened = await opening;
      expect(opened).to.deep.include({ runId: String(runId), status: "completed", contentRef: sent.contentRef });
      expect(opened.output).to.deep.equal([{ path: "plain.txt", bytes: 5, text: "hello" }]);
      const status = await runTask<{ inputRef: string }>("run:status", { run: String(runId) });
      expect(status.inputRef).to.equal(sent.contentRef);
    });

    it("group:withdraw pays the owner the join and message fees; anyone else is refused", async function () {
      expect(await refused("group:withdraw", { group: "1", account: "1" }, 1)).to.contain("withdrawing the treasury needs the owner of group 1");
      const withdrawn = await runTask<{ joinFees: string; messageFees: string; txs: string[] }>("group:withdraw", { group: "1" });
      // Two join fees (join and renewal) of 0.01; message fees: 0.001 + 0.002 (public, after the update) + 0.001 (bob's decoder message).
      expect(withdrawn).to.deep.include({ joinFees: "0.02" });
      expect(withdrawn.messageFees).to.equal("0.004");
      expect(withdrawn.txs).to.have.length(2);
      expect(await refused("group:withdraw", { group: "1" })).to.contain("nothing to withdraw");
    });
  });
});
