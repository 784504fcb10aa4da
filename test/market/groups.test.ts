import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { NATIVE_TOKEN } from "../../services/chain/tokens";
import {
  createGroup,
  joinGroup,
  leaveGroup,
  listGroups,
  memberOf,
  moderate,
  parseBanner,
  readBanner,
  setCatalogue,
  showGroup,
  updateGroup,
  withdrawGroupTreasury,
  type CreateGroupRequest,
} from "../../services/market/groups";
import { ref } from "../support/contracts";
import { BANNER, actingAs, countingStorage, deployLureWithGroups, nonceOf, refusal } from "../support/groups";
import { startTestNode, type TestNode } from "../support/swarm";

const DAY = 86_400;
const FEE = ethers.parseEther("0.01");

describe("services/market/groups: banners, groups, memberships, moderation, catalogue, treasury", function () {
  this.timeout(120_000);
  let node: TestNode;

  before(async function () {
    node = await startTestNode();
  });
  after(async function () {
    await node?.close();
  });

  const request = (overrides: Partial<CreateGroupRequest> = {}): CreateGroupRequest => ({
    name: "testers",
    banner: parseBanner(JSON.stringify(BANNER), "banner"),
    policy: "fee",
    membershipPeriod: 30 * DAY,
    token: NATIVE_TOKEN,
    joinFee: FEE,
    memberMessageFee: 0n,
    publicMessageFee: ethers.parseEther("0.001"),
    ...overrides,
  });

  describe("banners", function () {
    it("parses a valid banner and names the first bad field of an invalid one", function () {
      expect(parseBanner(JSON.stringify({ ...BANNER, rules: undefined, links: undefined }), "b.json")).to.deep.include({ title: "Pod testers", rules: [], links: [] });
      expect(() => parseBanner("{", "b.json")).to.throw(/^b\.json: not valid JSON/);
      expect(() => parseBanner(JSON.stringify({ ...BANNER, title: "" }), "b.json")).to.throw(/^b\.json: title: /);
      expect(() => parseBanner(JSON.stringify({ ...BANNER, howToJoin: undefined }), "b.json")).to.throw(/^b\.json: howToJoin: required$/);
      expect(() => parseBanner(JSON.stringify({ ...BANNER, objectives: [] }), "b.json")).to.throw(/^b\.json: objectives: /);
      expect(() => parseBanner(JSON.stringify({ ...BANNER, colour: "red" }), "b.json")).to.throw(/^b\.json: the document: Unrecognized key/);
      expect(() => parseBanner(JSON.stringify({ ...BANNER, links: [{ label: "x", url: "javascript:alert(1)" }] }), "b.json")).to.throw(/^b\.json: links\.0\.url: must be an http\(s\), bzz or mailto URL/);
      expect(() => parseBanner(JSON.stringify([1]), "b.json")).to.throw(/^b\.json: the document: /);
    });
  });

  describe("creating, showing, listing, updating", function () {
    it("uploads the banner, then creates the group; show reads it back with the creator as owner and member", async function () {
      const f = await loadFixture(deployLureWithGroups);
      const [alice] = f.signers;
      const storage = countingStorage(node.client);
      const created = await createGroup(actingAs(f, alice), storage, request());
      expect(created.groupId).to.equal(1n);
      expect(storage.uploads).to.equal(1);
      expect((await f.groups.group(1n)).bannerRef).to.equal(`0x${created.bannerRef}`);
      expect((await readBanner(node.client, created.bannerRef)).banner).to.deep.equal(BANNER);

      const shown = await showGroup(actingAs(f, alice), 1n, { storage: node.client });
      expect(shown).to.deep.include({ name: "testers", owner: alice.address, policy: "fee", membershipPeriod: 30 * DAY, joinFee: FEE, bannerRef: created.bannerRef });
      expect(shown.banner).to.deep.equal(BANNER);
      expect(shown.members).to.deep.equal([{ account: alice.address, status: "member", expiresAt: undefined, admin: false, active: true }]);
      expect(shown.you?.status).to.equal("member");
      const listed = await listGroups(actingAs(f, alice));
      expect(listed.count).to.equal(1n);
      expect(listed.groups.map((group) => group.name)).to.deep.equal(["testers"]);
    });

    for (const [label, overrides, expected] of [
      ["an empty name", { name: "" }, 'name "": a group name is 1 to 64 bytes (it is 0)'],
      ["a name over 64 bytes", { name: "x".repeat(65) }, "a group name is 1 to 64 bytes (it is 65)"],
      ["a fee group without a fee", { joinFee: 0n }, "join fee: a fee group needs a join fee above zero"],
      ["an amount over 96 bits", { publicMessageFee: 1n << 96n }, "public message fee 79228162514264337593543950336 is outside what GroupRegistry stores"],
      ["a token not allow-listed", { token: "0x000000000000000000000000000000000000dEaD" }, "token 0x000000000000000000000000000000000000dEaD is not on GroupRegistry's allow-list"],
      ["a period beyond uint32", { membershipPeriod: 2 ** 32 }, "membership period 4294967296: expected whole seconds"],
    ] as const) {
      it(`refuses ${label}: nothing uploaded, nothing sent`, async function () {
        const f = await loadFixture(deployLureWithGroups);
        const [alice] = f.signers;
        const storage = countingStorage(node.client);
        const before = await nonceOf(alice);
        expect((await refusal(() => createGroup(actingAs(f, alice), storage, request(overrides)))).message).to.contain(expected);
        expect(storage.uploads).to.equal(0);
        expect(await nonceOf(alice)).to.equal(before);
        expect(await f.groups.groupCount()).to.equal(0n);
      });
    }

    it("updates only what changed: the banner by an admin, fees and policy by the owner", async function () {
      const f = await loadFixture(deployLureWithGroups);
      const [alice, bob] = f.signers;
      await createGroup(actingAs(f, alice), node.client, request({ policy: "open", joinFee: 0n, membershipPeriod: 0 }));
      const owner = actingAs(f, alice);
      expect((await refusal(() => updateGroup(owner, node.client, 1n, { policy: "open", joinFee: 0n }))).message).to.equal("nothing to change in group 1: the values given are the current ones");
      const before = await nonceOf(bob);
      expect((await refusal(() => updateGroup(actingAs(f, bob), node.client, 1n, { joinFee: 5n, policy: "fee" }))).message).to.contain(`needs the owner of group 1, ${alice.address}`);
      expect((await refusal(() => updateGroup(actingAs(f, bob), node.client, 1n, { banner: { ...BANNER, title: "Mine now" } }))).message).to.contain("setting the banner needs an admin of group 1");
      expect(await nonceOf(bob)).to.equal(before);

      const changed = await updateGroup(owner, node.client, 1n, { banner: { ...BANNER, title: "Testers 2" }, policy: "fee", joinFee: FEE, surgeWindow: 60, surgeBps: 20_000 });
      expect(changed.changes.map((change) => change.change)).to.deep.equal(["banner", "policy", "fees", "surge"]);
      const shown = await showGroup(owner, 1n, { storage: node.client });
      expect(shown).to.deep.include({ policy: "fee", joinFee: FEE, surgeWindow: 60, surgeBps: 20_000, bannerRef: changed.bannerRef });
      expect(shown.banner?.title).to.equal("Testers 2");
      expect((await refusal(() => updateGroup(owner, node.client, 1n, { surgeWindow: 60, surgeBps: 9_000 }))).message).to.contain("surge window 60s and multiplier 9000 bps");
    });
  });

  describe("joining and renewing", function () {
    it("pays the fee exactly, guards it with maxFee, renews by paying again, and refuses what the chain would", async function () {
      const f = await loadFixture(deployLureWithGroups);
      const [alice, bob] = f.signers;
      await createGroup(actingAs(f, alice), node.client, request());
      const asBob = actingAs(f, bob);
      const before = await nonceOf(bob);
      expect((await refusal(() => joinGroup(asBob, 1n, { maxFee: FEE - 1n }))).message).to.equal("the join fee of group 1 is 0.01 native, above the maximum 0.009999999999999999");
      expect((await refusal(() => joinGroup(asBob, 1n, { renew: true }))).message).to.contain("is not a member of group 1: join it first");
      expect((await refusal(() => joinGroup(asBob, 9n))).message).to.equal("group 9 does not exist (there are 1)");
      expect(await nonceOf(bob)).to.equal(before);

      const joined = await joinGroup(asBob, 1n, { maxFee: FEE });
      expect(joined).to.deep.include({ step: "joined", fee: FEE });
      expect((await ethers.provider.getTransaction(joined.tx))?.value).to.equal(FEE);
      expect(await f.groups.treasuryOf(1n, NATIVE_TOKEN)).to.equal(FEE);
      const first = joined.expiresAt!.getTime();
      const renewed = await joinGroup(asBob, 1n, { renew: true });
      expect(renewed.step).to.equal("renewed");
      expect(renewed.expiresAt!.getTime() - first).to.equal(30 * DAY * 1000);
      await time.increase(61 * DAY);
      expect((await memberOf(asBob, 1n, bob.address)).active).to.equal(false);
      expect((await joinGroup(asBob, 1n, { renew: true })).step).to.equal("renewed");
      expect((await memberOf(asBob, 1n, bob.address)).active).to.equal(true);
      expect((await refusal(() => joinGroup(actingAs(f, alice), 1n))).message).to.contain("is already a member of group 1, for ever");
      expect((await refusal(() => leaveGroup(actingAs(f, alice), 1n))).message).to.contain("owns group 1: an owner cannot leave");
      await leaveGroup(asBob, 1n);
      expect((await memberOf(asBob, 1n, bob.address)).status).to.equal("none");
    });

    it("pays an ERC-20 fee through the allowance path: approves exactly the fee", async function () {
      const f = await loadFixture(deployLureWithGroups);
      const [alice, bob] = f.signers;
      await createGroup(actingAs(f, alice), node.client, request({ token: f.usdAddress, joinFee: 500n }));
      const balance = await f.usd.balanceOf(bob.address);
      const joined = await joinGroup(actingAs(f, bob), 1n);
      expect(joined.approvalTx).to.match(/^0x[0-9a-f]{64}$/);
      expect(await f.usd.balanceOf(bob.address)).to.equal(balance - 500n);
      expect(await f.usd.allowance(bob.address, await f.groups.getAddress())).to.equal(0n);
      expect(await f.groups.treasuryOf(1n, f.usdAddress)).to.equal(500n);
    });

    it("Approval groups: a request, approved or rejected by an admin only; bans and unbans; removal", async function () {
      const f = await loadFixture(deployLureWithGroups);
      const [alice, bob, carol, dave] = f.signers;
      await createGroup(actingAs(f, alice), node.client, request({ policy: "approval", joinFee: 0n, membershipPeriod: 0 }));
      const owner = actingAs(f, alice);
      expect((await joinGroup(actingAs(f, bob), 1n)).step).to.equal("requested");
      expect((await refusal(() => joinGroup(actingAs(f, bob), 1n))).message).to.contain("has already asked to join group 1");
      await joinGroup(actingAs(f, carol), 1n);
      const before = await nonceOf(dave);
      expect((await refusal(() => moderate(actingAs(f, dave), 1n, "approve", bob.address))).message).to.contain(`approve ${bob.address} needs an admin of group 1`);
      expect(await nonceOf(dave)).to.equal(before);
      expect((await refusal(() => moderate(owner, 1n, "approve", dave.address))).message).to.equal(`${dave.address} has no pending request to join group 1 (its status is none)`);
      await moderate(owner, 1n, "approve", bob.address);
      await moderate(owner, 1n, "reject", carol.address);
      expect((await memberOf(owner, 1n, bob.address)).status).to.equal("member");
      expect((await memberOf(owner, 1n, carol.address)).status).to.equal("none");

      expect((await refusal(() => moderate(owner, 1n, "ban", alice.address))).message).to.contain("nobody can ban the owner");
      await moderate(owner, 1n, "ban", carol.address);
      expect((await refusal(() => joinGroup(actingAs(f, carol), 1n))).message).to.equal(`${carol.address} is banned from group 1`);
      expect((await refusal(() => moderate(owner, 1n, "ban", carol.address))).message).to.contain("is already banned");
      await moderate(owner, 1n, "unban", carol.address);
      expect((await refusal(() => moderate(owner, 1n, "unban", carol.address))).message).to.contain("is not banned from group 1");
      await moderate(owner, 1n, "remove", bob.address);
      expect((await refusal(() => moderate(owner, 1n, "remove", bob.address))).message).to.contain("is not a member of group 1 (its status is none)");
      const shown = await showGroup(owner, 1n);
      expect(shown.members.map((member) => member.account)).to.deep.equal([alice.address]);
    });
  });

  describe("catalogue and treasury", function () {
    it("an admin posts and removes existing pods", async function () {
      const f = await loadFixture(deployLureWithGroups);
      const [alice, bob] = f.signers;
      await createGroup(actingAs(f, alice), node.client, request());
      await (await f.registry.connect(bob).publish("decoder", ref("decoder"), 1, 0, 0, 0)).wait();
      const owner = actingAs(f, alice);
      expect((await refusal(() => setCatalogue(owner, 1n, 7n, true))).message).to.equal("pod 7 does not exist");
      expect((await refusal(() => setCatalogue(actingAs(f, bob), 1n, 1n, true))).message).to.contain("posting pod 1 needs an admin of group 1");
      await setCatalogue(owner, 1n, 1n, true);
      expect((await refusal(() => setCatalogue(owner, 1n, 1n, true))).message).to.equal("pod 1 is already in the catalogue of group 1");
      expect((await showGroup(owner, 1n)).catalogue).to.deep.equal([1n]);
      await setCatalogue(owner, 1n, 1n, false);
      expect((await showGroup(owner, 1n)).catalogue).to.deep.equal([]);
      expect((await refusal(() => setCatalogue(owner, 1n, 1n, false))).message).to.equal("pod 1 is not in the catalogue of group 1");
    });

    it("the owner withdraws join fees and message fees; others and empty treasuries are refused", async function () {
      const f = await loadFixture(deployLureWithGroups);
      const [alice, bob] = f.signers;
      await createGroup(actingAs(f, alice), node.client, request());
      const owner = actingAs(f, alice);
      expect((await refusal(() => withdrawGroupTreasury(owner, 1n))).message).to.equal("nothing to withdraw: group 1 holds no native (join fees or message fees)");
      await joinGroup(actingAs(f, bob), 1n);
      // A public message from a non-member: the floor to the protocol, the rest to the group.
      const target = (2n << 248n) | 1n;
      const quote = await f.messages.quote(f.signers[2].address, target);
      await (await f.messages.connect(f.signers[2]).send(target, ref("body"), 0, { contentType: 1, size: 4, replyTo: 0 }, { value: quote.fee })).wait();
      const before = await nonceOf(bob);
      expect((await refusal(() => withdrawGroupTreasury(actingAs(f, bob), 1n))).message).to.contain(`withdrawing the treasury needs the owner of group 1, ${alice.address}`);
      expect(await nonceOf(bob)).to.equal(before);
      const shown = await showGroup(owner, 1n);
      expect(shown.treasury).to.deep.equal({ joinFees: FEE, messageFees: quote.fee - quote.protocolFee });
      const balance = await ethers.provider.getBalance(alice.address);
      const withdrawn = await withdrawGroupTreasury(owner, 1n);
      expect(withdrawn).to.deep.include({ joinFees: FEE, messageFees: quote.fee - quote.protocolFee });
      expect(withdrawn.txs).to.have.length(2);
      let gas = 0n;
      for (const tx of withdrawn.txs) {
        const receipt = await ethers.provider.getTransactionReceipt(tx);
        gas += receipt!.gasUsed * receipt!.gasPrice;
      }
      expect(await ethers.provider.getBalance(alice.address)).to.equal(balance + FEE + quote.fee - quote.protocolFee - gas);
      expect((await showGroup(owner, 1n)).treasury).to.deep.equal({ joinFees: 0n, messageFees: 0n });
    });
  });
});
