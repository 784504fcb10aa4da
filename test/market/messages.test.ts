import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { NATIVE_TOKEN } from "../../services/chain/tokens";
import { createGroup, joinGroup, parseBanner } from "../../services/market/groups";
import {
  decodeTarget,
  encodeTarget,
  fileBody,
  inboxOf,
  openMessage,
  parseTarget,
  quoteMessage,
  readGroupMessages,
  readInbox,
  readMessage,
  sendMessage,
  setContact,
  setInboxPrice,
  textBody,
  withdrawMessageCredit,
  type MessageQuote,
} from "../../services/market/messages";
import { ref } from "../support/contracts";
import { BANNER, actingAs, countingStorage, deployLureWithGroups, nonceOf, refusal } from "../support/groups";
import { startTestNode, type TestNode } from "../support/swarm";

const FLOOR = ethers.parseEther("0.0001");
const MEMBER_FEE = ethers.parseEther("0.001");
const PUBLIC_FEE = ethers.parseEther("0.005");
const bytes = (text: string) => new Uint8Array(Buffer.from(text));

describe("services/market/messages: quotes, sending, reading, inboxes, opening with a decoder", function () {
  this.timeout(120_000);
  let node: TestNode;

  before(async function () {
    node = await startTestNode();
  });
  after(async function () {
    await node?.close();
  });

  /** The deployment with group 1 (open, member fee, public fee) owned by #0, #1 a member, and a public pod #1 and a private pod #2 of #0. */
  async function withGroup() {
    const f = await deployLureWithGroups();
    const [alice, bob] = f.signers;
    await createGroup(actingAs(f, alice), node.client, {
      name: "open",
      banner: parseBanner(JSON.stringify(BANNER), "banner"),
      policy: "open",
      membershipPeriod: 0,
      token: NATIVE_TOKEN,
      joinFee: 0n,
      memberMessageFee: MEMBER_FEE,
      publicMessageFee: PUBLIC_FEE,
    });
    await joinGroup(actingAs(f, bob), 1n);
    await (await f.registry.connect(alice).publish("decoder", ref("decoder"), 1, 0, 0, 0)).wait();
    await (await f.registry.connect(alice).publish("secret", ref("secret"), 0, 0, 0, 0)).wait();
    return f;
  }

  const group = { kind: "group", groupId: 1n } as const;

  describe("targets", function () {
    it("encodes and parses groups and accounts as MessageBus does", async function () {
      const f = await loadFixture(withGroup);
      const account = f.signers[3].address;
      expect(encodeTarget(group)).to.equal(await f.messages.groupTarget(1n));
      expect(encodeTarget({ kind: "account", account })).to.equal(await f.messages.accountTarget(account));
      expect(decodeTarget(await f.messages.accountTarget(account))).to.deep.equal({ kind: "account", account });
      expect(parseTarget("group:12")).to.deep.equal({ kind: "group", groupId: 12n });
      expect(parseTarget(account.toLowerCase())).to.deep.equal({ kind: "account", account });
      expect(() => parseTarget("group:0")).to.throw('target "group:0": a group id is a positive integer');
      expect(() => parseTarget("bob")).to.throw('target "bob": expected group:ID or a non-zero 0x address');
      expect(() => parseTarget(ethers.ZeroAddress)).to.throw("expected group:ID or a non-zero 0x address");
    });
  });

  describe("to a group", function () {
    it("charges members the member fee and others the public fee, exactly the quote, the floor to the fee recipient", async function () {
      const f = await loadFixture(withGroup);
      const [, bob, carol] = f.signers;
      const member = await quoteMessage(actingAs(f, bob), group);
      const stranger = await quoteMessage(actingAs(f, carol), group);
      expect(member).to.deep.include({ token: NATIVE_TOKEN, fee: FLOOR + MEMBER_FEE, protocolFee: FLOOR, request: false });
      expect(stranger).to.deep.include({ fee: FLOOR + PUBLIC_FEE, protocolFee: FLOOR });

      let shown: MessageQuote | undefined;
      const sent = await sendMessage(actingAs(f, bob), node.client, { target: group, body: textBody("hello group"), onQuote: (quote) => (shown = quote) });
      expect(shown?.fee).to.equal(FLOOR + MEMBER_FEE);
      expect(sent).to.deep.include({ messageId: 1n, fee: FLOOR + MEMBER_FEE, protocolFee: FLOOR, contentType: "text", size: 11, decoderPodId: 0n, replyTo: 0n });
      expect((await ethers.provider.getTransaction(sent.tx))?.value).to.equal(FLOOR + MEMBER_FEE);
      const second = await sendMessage(actingAs(f, carol), node.client, { target: group, body: fileBody("notes.md", bytes("# hi")), replyTo: 1n, maxFee: FLOOR + PUBLIC_FEE });
      expect(second).to.deep.include({ messageId: 2n, fee: FLOOR + PUBLIC_FEE, contentType: "markdown", replyTo: 1n });
      expect(await f.messages.creditOf(f.feeRecipient.address, NATIVE_TOKEN)).to.equal(2n * FLOOR);
      expect(await f.messages.groupCreditOf(1n, NATIVE_TOKEN)).to.equal(MEMBER_FEE + PUBLIC_FEE);

      const read = await readGroupMessages(actingAs(f, carol), 1n, { storage: node.client });
      expect(read.map((message) => [message.messageId, message.sender, message.body?.text, message.fee])).to.deep.equal([
        [2n, carol.address, "# hi", FLOOR + PUBLIC_FEE],
        [1n, bob.address, "hello group", FLOOR + MEMBER_FEE],
      ]);
      expect(read[0]).to.deep.include({ replyTo: 1n, contentRef: second.contentRef, body: { name: "notes.md", text: "# hi", bytes: 4 } });
      expect((await readMessage(actingAs(f, carol), 1n)).contentRef).to.equal(sent.contentRef);
      expect((await refusal(() => readMessage(actingAs(f, carol), 3n))).message).to.equal("message 3 does not exist (the latest is 2)");
    });

    it("surge: each further message in the window costs more, and the quote follows it", async function () {
      const f = await loadFixture(withGroup);
      const [alice, , carol] = f.signers;
      await (await f.groups.connect(alice).setSurge(1n, 3600, 20_000)).wait();
      const as = actingAs(f, carol);
      const fees: bigint[] = [];
      for (let index = 0; index < 3; index++) {
        const quote = await quoteMessage(as, group);
        const sent = await sendMessage(as, node.client, { target: group, body: textBody(`burst ${index}`) });
        expect(sent.fee).to.equal(quote.fee);
        fees.push(sent.fee);
      }
      expect(fees).to.deep.equal([FLOOR + PUBLIC_FEE, 2n * (FLOOR + PUBLIC_FEE), 4n * (FLOOR + PUBLIC_FEE)]);
      await time.increase(3601);
      expect((await quoteMessage(as, group)).fee).to.equal(FLOOR + PUBLIC_FEE);
    });

    for (const [label, make, expected] of [
      ["a fee above --max-fee", () => ({ target: group, body: textBody("x"), maxFee: FLOOR }), `the message costs 0.0051 native, above the maximum 0.0001`],
      ["a missing group", () => ({ target: { kind: "group", groupId: 9n } as const, body: textBody("x") }), "group 9 does not exist (there are 1)"],
      ["an empty body", () => ({ target: group, body: textBody("") }), "the message body is empty"],
      ["a missing decoder pod", () => ({ target: group, body: textBody("x"), decoderPodId: 9n }), "decoder pod 9 does not exist"],
      ["a private decoder pod", () => ({ target: group, body: textBody("x"), decoderPodId: 2n }), "decoder pod 2 is private: a decoder must be a public pod"],
      ["a reply to a message that does not exist", () => ({ target: group, body: textBody("x"), replyTo: 5n }), "reply to message 5: there is no such message (the latest is 0)"],
    ] as const) {
      it(`refuses ${label}: nothing uploaded, nothing sent`, async function () {
        const f = await loadFixture(withGroup);
        const carol = f.signers[2];
        const storage = countingStorage(node.client);
        const before = await nonceOf(carol);
        expect((await refusal(() => sendMessage(actingAs(f, carol), storage, make()))).message).to.contain(expected);
        expect(storage.uploads).to.equal(0);
        expect(await nonceOf(carol)).to.equal(before);
        expect(await f.messages.messageCount()).to.equal(0n);
      });
    }

    it("refuses a banned sender with the contract's reason, sending nothing", async function () {
      const f = await loadFixture(withGroup);
      const [alice, , carol] = f.signers;
      await (await f.groups.connect(alice).ban(1n, carol.address)).wait();
      const storage = countingStorage(node.client);
      const before = await nonceOf(carol);
      expect((await refusal(() => sendMessage(actingAs(f, carol), storage, { target: group, body: textBody("x") }))).message).to.contain("GroupRegistryBanned");
      expect(storage.uploads).to.equal(0);
      expect(await nonceOf(carol)).to.equal(before);
    });
  });

  describe("to an inbox", function () {
    it("an unknown sender's first message is a paid request; accept allows (floor only); deny refuses; the recipient withdraws", async function () {
      const f = await loadFixture(withGroup);
      const [, bob, carol, dave] = f.signers;
      const inbox = { kind: "account", account: bob.address } as const;
      const price = ethers.parseEther("0.002");
      const requestPrice = ethers.parseEther("0.01");
      await setInboxPrice(actingAs(f, bob), { token: NATIVE_TOKEN, price, requestPrice, surgeWindow: 0, surgeBps: 0 });
      expect(await inboxOf(actingAs(f, bob), bob.address)).to.deep.include({ price, requestPrice, floor: FLOOR });
      expect((await refusal(() => setInboxPrice(actingAs(f, bob), { token: NATIVE_TOKEN, price, requestPrice, surgeWindow: 10, surgeBps: 0 }))).message).to.contain("surge window 10s and multiplier 0 bps");

      const first = await sendMessage(actingAs(f, carol), node.client, { target: inbox, body: textBody("may I?") });
      expect(first).to.deep.include({ request: true, fee: FLOOR + requestPrice });
      expect((await quoteMessage(actingAs(f, carol), inbox)).fee).to.equal(FLOOR + price);
      await sendMessage(actingAs(f, dave), node.client, { target: inbox, body: textBody("me too") });

      const requests = await readInbox(actingAs(f, bob), bob.address, { requests: true, storage: node.client });
      expect(requests.map((message) => [message.sender, message.body?.text, message.request])).to.deep.equal([
        [dave.address, "me too", true],
        [carol.address, "may I?", true],
      ]);
      const accepted = await setContact(actingAs(f, bob), carol.address, "accept");
      expect(accepted).to.deep.include({ previous: "requested", status: "allowed" });
      expect((await refusal(() => setContact(actingAs(f, bob), carol.address, "accept"))).message).to.contain("has no pending contact request");
      expect((await refusal(() => setContact(actingAs(f, bob), carol.address, "allow"))).message).to.contain("is already allowed");
      expect((await readInbox(actingAs(f, bob), bob.address, { requests: true })).map((message) => message.sender)).to.deep.equal([dave.address]);
      const allowed = await sendMessage(actingAs(f, carol), node.client, { target: inbox, body: textBody("thanks") });
      expect(allowed).to.deep.include({ request: false, fee: FLOOR, protocolFee: FLOOR });

      await setContact(actingAs(f, bob), dave.address, "deny");
      const before = await nonceOf(dave);
      expect((await refusal(() => sendMessage(actingAs(f, dave), node.client, { target: inbox, body: textBody("again") }))).message).to.contain("MessageBusDenied");
      expect(await nonceOf(dave)).to.equal(before);
      expect((await readInbox(actingAs(f, bob), bob.address)).length).to.equal(3);

      const withdrawn = await withdrawMessageCredit(actingAs(f, bob), NATIVE_TOKEN);
      expect(withdrawn.amount).to.equal(2n * requestPrice);
      expect((await refusal(() => withdrawMessageCredit(actingAs(f, bob), NATIVE_TOKEN))).message).to.contain("nothing to withdraw");
      expect((await refusal(() => quoteMessage(actingAs(f, bob), inbox))).message).to.contain("is the sender itself");
    });

    it("pays an ERC-20 inbox through the allowance path, approving exactly the fee after the upload", async function () {
      const f = await loadFixture(withGroup);
      const [, bob, carol] = f.signers;
      await (await f.messages.connect(f.signers[17]).setFloor(f.usdAddress, 7n)).wait();
      await setInboxPrice(actingAs(f, bob), { token: f.usdAddress, price: 0n, requestPrice: 100n, surgeWindow: 0, surgeBps: 0 });
      const balance = await f.usd.balanceOf(carol.address);
      const sent = await sendMessage(actingAs(f, carol), node.client, { target: { kind: "account", account: bob.address }, body: textBody("in dollars") });
      expect(sent).to.deep.include({ token: f.usdAddress, fee: 107n, protocolFee: 7n });
      expect(sent.approvalTx).to.match(/^0x[0-9a-f]{64}$/);
      expect(await f.usd.balanceOf(carol.address)).to.equal(balance - 107n);
    });
  });

  describe("opening a message with its decoder", function () {
    it("requests a run of the decoder pod with the content as input, waits, and returns the output", async function () {
      const f = await loadFixture(withGroup);
      const [alice, bob, , , runner] = f.signers;
      await (await f.runMarket.connect(runner).registerRunner(ethers.hexlify(ethers.randomBytes(32)), [NATIVE_TOKEN], [ethers.parseEther("0.001")], { value: ethers.parseEther("0.1") })).wait();
      const sent = await sendMessage(actingAs(f, bob), node.client, { target: group, body: textBody("uryyb"), decoderPodId: 1n });
      const plain = await sendMessage(actingAs(f, bob), node.client, { target: group, body: textBody("hello") });
      const before = await nonceOf(alice);
      expect((await refusal(() => openMessage(actingAs(f, alice), node.client, plain.messageId, { runner: runner.address }))).message).to.contain(`message ${plain.messageId} is plain`);
      // Bob neither owns nor holds a licence of the decoder: the run market's rule, named.
      expect((await refusal(() => openMessage(actingAs(f, bob), node.client, sent.messageId, { runner: runner.address }))).message).to.contain("holds no licence of it");
      expect(await nonceOf(alice)).to.equal(before);

      const states: string[] = [];
      const opening = openMessage(actingAs(f, alice), node.client, sent.messageId, { runner: runner.address, wait: true, pollMs: 20, onState: (state) => states.push(state.status) });
      while ((await f.runMarket.runCount()) < 1n) await new Promise((resolve) => setTimeout(resolve, 20));
      const outputRef = await node.client.uploadCollection([
        { path: "output/plain.txt", data: bytes("hello") },
        { path: "logs/stdout.txt", data: bytes("") },
      ]);
      await (await f.runMarket.connect(runner).claim(1n)).wait();
      await (await f.runMarket.connect(runner).complete(1n, `0x${outputRef}`, `0x${outputRef}`)).wait();
      const opened = await opening;
      expect(opened.final?.status).to.equal("completed");
      // The run's input, from its request event, is the message's content collection.
      expect(opened.run.inputRef).to.equal(sent.contentRef);
      expect(opened.final?.run.inputRef).to.equal(sent.contentRef);
      expect(opened.outputRef).to.equal(outputRef);
      expect(opened.output).to.deep.equal([{ path: "plain.txt", bytes: 5, text: "hello" }]);
      expect(states[states.length - 1]).to.equal("completed");
      expect(opened.message.decoderPodId).to.equal(1n);
    });
  });
});
