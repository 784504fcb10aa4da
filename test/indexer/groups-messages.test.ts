import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { ZeroAddress, ZeroHash } from "ethers";
import type { Database } from "../../services/database";
import type { Indexer, IndexerEventMap } from "../../services/indexer";
import { CONTRACT_MODULES } from "../../services/indexer/contracts";
import type { ContentSource } from "../../services/indexer/contracts/module";
import { createSwarmClient } from "../../services/swarm";
import { startDevSwarmNode } from "../../services/swarm-dev-node/server";
import { startHardhatNode, type TestHardhatNode } from "../support/hardhat-node";
import {
  BANNER_OPEN,
  BANNER_OPEN_2,
  INBOX_PRICE,
  JOIN_FEE,
  MEMBER_FEE,
  MEMBERSHIP_PERIOD,
  MSG_FLOOR,
  PUBLIC_FEE,
  REQUEST_PRICE,
  accountTarget,
  deployGroupsChain,
  groupTarget,
  groupsAndMessages,
  mined,
  send,
  swarmRef,
  type GroupsChain,
} from "../support/indexer/groups-chain";
import { backends, dumpTables, freshIndexDump, latestBlock, startTestIndexer, waitFor, waitForHead, type Backend } from "../support/indexer/harness";

/** IGroupRegistry.MemberStatus and IMessageBus.Contact by value. */
const MEMBER_STATUS = ["NONE", "MEMBER", "REQUESTED", "BANNED"];
const CONTACT = ["NONE", "REQUESTED", "ALLOWED", "DENIED"];
const POLICY = ["OPEN", "FEE", "APPROVAL"];
const TABLES = ["groups", "group_members", "group_pods", "group_treasuries", "messages", "inboxes", "contacts"];

type Row = Record<string, unknown>;
const rows = (db: Database, sql: string) => db.query<Row>(sql);

/** Swarm as the banner hook reads it: BANNER_OPEN is not there, BANNER_OPEN_2 is a banner; anything else fails. */
const bannerSource: ContentSource = {
  downloadFile(ref: string) {
    if (`0x${ref}` === BANNER_OPEN_2) {
      const banner = { title: "Open club", objectives: ["share pods"], howToJoin: "join()", rules: ["be kind"], links: [{ label: "site", url: "https://example.org" }] };
      return Promise.resolve({ data: new TextEncoder().encode(JSON.stringify(banner)) });
    }
    return Promise.reject(new Error(`not found: ${ref}`));
  },
};

describe("indexer: GroupRegistry and MessageBus (groups, members, catalogues, treasuries, messages, inboxes)", function () {
  this.timeout(240_000);
  let node: TestHardhatNode;
  let chain: GroupsChain;
  const used: Backend[] = [];
  const running: Indexer[] = [];
  const head = () => latestBlock(chain.provider);

  before(async () => {
    node = await startHardhatNode();
    chain = await deployGroupsChain(node.url);
  });

  after(async () => {
    await Promise.all(running.map((indexer) => indexer.stop().catch(() => undefined)));
    for (const backend of used) await backend.cleanup();
    chain?.provider.destroy();
    await node?.stop();
  });

  it("is registered", () => {
    expect(CONTRACT_MODULES.map((module) => module.name)).to.include.members(["GroupRegistry", "MessageBus"]);
  });

  it("indexes groups, memberships, catalogues, treasuries, messages and inboxes against the contracts' views, and rolls a message back on a reorg", async () => {
    const watched: { label: string; indexer: Indexer; sent: IndexerEventMap["messageSent"][] }[] = [];
    for (const backend of backends()) {
      used.push(backend);
      const indexer = await startTestIndexer({ rpcUrl: node.url, deployment: chain.deployment, db: await backend.open(), swarm: bannerSource });
      running.push(indexer);
      const sent: IndexerEventMap["messageSent"][] = [];
      indexer.events.on("messageSent", (message) => sent.push(message));
      watched.push({ label: backend.label, indexer, sent });
    }
    await groupsAndMessages(chain);
    const { groups, bus, alice, bob, carol, dave, erin, treasury } = chain;
    const lower = (signer: { address: string }) => signer.address.toLowerCase();

    for (const { label, indexer, sent } of watched) {
      await waitForHead(indexer, head);
      const db = indexer.db;

      // Groups: every field as group() returns it.
      const groupRows = await rows(db, `SELECT * FROM groups ORDER BY id`);
      expect(groupRows.map((row) => row.id), label).to.deep.equal(["1", "2", "3"]);
      for (const row of groupRows) {
        const onChain = await groups.group(row.id as string);
        expect(
          [row.owner, row.pending_owner, row.name, row.banner_ref, row.join_policy, row.membership_period, row.token, row.join_fee, row.member_message_fee, row.public_message_fee, row.surge_window, row.surge_bps],
          `${label}: group ${String(row.id)}`,
        ).to.deep.equal([
          onChain.owner.toLowerCase(),
          onChain.pendingOwner === ZeroAddress ? null : onChain.pendingOwner.toLowerCase(),
          onChain.name,
          onChain.bannerRef === ZeroHash ? null : onChain.bannerRef,
          POLICY[Number(onChain.joinPolicy)],
          onChain.membershipPeriod.toString(),
          onChain.token.toLowerCase(),
          onChain.joinFee.toString(),
          onChain.memberMessageFee.toString(),
          onChain.publicMessageFee.toString(),
          onChain.surgeWindow.toString(),
          Number(onChain.surgeBps),
        ]);
      }
      expect(groupRows.map((row) => row.message_count)).to.deep.equal([3, 0, 1]);
      expect(groupRows[1]).to.deep.include({ owner: lower(bob), pending_owner: null, join_policy: "FEE", membership_period: String(MEMBERSHIP_PERIOD) });
      expect(groupRows[2]).to.deep.include({ surge_window: "3600", surge_bps: 20_000, member_message_fee: "20" });

      // Members: status, admin and expiry as member() returns them, for every account that ever had a standing.
      const members = await rows(db, `SELECT * FROM group_members ORDER BY group_id, account`);
      for (const row of members) {
        const onChain = await groups.member(row.group_id as string, row.account as string);
        expect([row.status, row.admin, row.expires_at], `${label}: member ${String(row.account)} of ${String(row.group_id)}`).to.deep.equal([
          MEMBER_STATUS[Number(onChain.status)],
          onChain.admin,
          onChain.expiresAt === 0n ? null : onChain.expiresAt.toString(),
        ]);
      }
      const standing = (groupId: string) =>
        Object.fromEntries(members.filter((row) => row.group_id === groupId).map((row) => [row.account as string, [row.status, row.admin, row.expires_at === null ? null : "expires"]]));
      expect(standing("1")).to.deep.equal({
        [lower(alice)]: ["MEMBER", false, null],
        [lower(bob)]: ["MEMBER", true, null],
        [lower(carol)]: ["MEMBER", false, null],
        [lower(dave)]: ["NONE", false, null],
        [lower(erin)]: ["BANNED", false, null],
      });
      expect(standing("2")).to.deep.equal({
        [lower(alice)]: ["MEMBER", false, null],
        [lower(bob)]: ["MEMBER", false, null],
        [lower(carol)]: ["MEMBER", false, "expires"],
        [lower(dave)]: ["MEMBER", false, "expires"],
      });
      expect(standing("3")).to.deep.equal({
        [lower(bob)]: ["MEMBER", false, null],
        [lower(carol)]: ["MEMBER", false, null],
        [lower(dave)]: ["NONE", false, null],
        [lower(erin)]: ["NONE", false, null],
      });
      const carolInClub = members.find((row) => row.group_id === "2" && row.account === lower(carol))!;
      const daveInClub = members.find((row) => row.group_id === "2" && row.account === lower(dave))!;
      // A renewal adds a period to the current expiry and keeps when the membership began.
      expect(BigInt(carolInClub.expires_at as string) - BigInt(carolInClub.joined_at as string), "renewed once").to.equal(2n * BigInt(MEMBERSHIP_PERIOD));
      expect(BigInt(daveInClub.expires_at as string) - BigInt(daveInClub.joined_at as string)).to.equal(BigInt(MEMBERSHIP_PERIOD));
      expect(members.find((row) => row.group_id === "3" && row.account === lower(carol))!.requested_at, "admitted by approval").to.not.equal(null);

      // Catalogue.
      const catalogue = await rows(db, `SELECT group_id, pod_id, posted, posted_by, removed_by FROM group_pods ORDER BY group_id, pod_id`);
      expect(catalogue).to.deep.equal([
        { group_id: "1", pod_id: "1", posted: true, posted_by: lower(bob), removed_by: null },
        { group_id: "1", pod_id: "2", posted: false, posted_by: lower(bob), removed_by: lower(bob) },
      ]);
      for (const row of catalogue) expect(await groups.hasPod(row.group_id as string, row.pod_id as string)).to.equal(row.posted);

      // Treasuries: join fees held by the registry, message fees held by the bus.
      const treasuries = await rows(db, `SELECT group_id, token, join_fees, message_fees, earned, withdrawn FROM group_treasuries ORDER BY group_id, token`);
      for (const row of treasuries) {
        expect(row.join_fees, `${label}: join fees of ${String(row.group_id)}`).to.equal((await groups.treasuryOf(row.group_id as string, row.token as string)).toString());
        expect(row.message_fees, `${label}: message fees of ${String(row.group_id)}`).to.equal((await bus.groupCreditOf(row.group_id as string, row.token as string)).toString());
      }
      expect(treasuries).to.deep.equal([
        { group_id: "1", token: ZeroAddress, join_fees: "0", message_fees: "0", earned: String(2n * MEMBER_FEE + PUBLIC_FEE), withdrawn: String(2n * MEMBER_FEE + PUBLIC_FEE) },
        { group_id: "2", token: ZeroAddress, join_fees: "0", message_fees: "0", earned: String(3n * JOIN_FEE), withdrawn: String(3n * JOIN_FEE) },
        { group_id: "3", token: chain.usdAddress, join_fees: "0", message_fees: "20", earned: "20", withdrawn: "0" },
      ]);

      // Messages: one row per MessageSent, the fee as paid, requests flagged.
      const messages = await rows(db, `SELECT * FROM messages ORDER BY id`);
      expect(messages.length, label).to.equal(Number(await bus.messageCount()));
      const summary = messages.map((row) => [row.id, row.sender, row.target_kind, row.group_id, row.recipient, row.decoder_pod_id, row.reply_to, row.fee, row.protocol_fee, row.request]);
      expect(summary).to.deep.equal([
        ["1", lower(bob), "GROUP", "1", null, null, null, String(MSG_FLOOR + MEMBER_FEE), String(MSG_FLOOR), false],
        ["2", lower(dave), "GROUP", "1", null, "1", null, String(MSG_FLOOR + PUBLIC_FEE), String(MSG_FLOOR), false],
        ["3", lower(carol), "GROUP", "1", null, null, "1", String(MSG_FLOOR + MEMBER_FEE), String(MSG_FLOOR), false],
        ["4", lower(carol), "GROUP", "3", null, null, null, "20", "0", false],
        ["5", lower(bob), "ACCOUNT", null, lower(alice), null, null, String(MSG_FLOOR + REQUEST_PRICE), String(MSG_FLOOR), true],
        ["6", lower(carol), "ACCOUNT", null, lower(alice), null, null, String(MSG_FLOOR + REQUEST_PRICE), String(MSG_FLOOR), true],
        ["7", lower(bob), "ACCOUNT", null, lower(alice), null, null, String(MSG_FLOOR), String(MSG_FLOOR), false],
        ["8", lower(dave), "ACCOUNT", null, lower(alice), null, null, String(MSG_FLOOR + REQUEST_PRICE), String(MSG_FLOOR), true],
        ["9", lower(dave), "ACCOUNT", null, lower(alice), null, null, String(MSG_FLOOR + INBOX_PRICE), String(MSG_FLOOR), false],
      ]);
      expect(messages[1]).to.deep.include({ content_ref: swarmRef("encoded"), content_type: 4, size: "1234", token: ZeroAddress });
      expect(messages[3].token).to.equal(chain.usdAddress);
      // The protocol's floor over every native message is what the fee recipient may withdraw.
      const floors = messages.filter((row) => row.token === ZeroAddress).reduce((total, row) => total + BigInt(row.protocol_fee as string), 0n);
      expect(await bus.creditOf(treasury.address, ZeroAddress), "the protocol's fees").to.equal(floors);

      // Inboxes and contacts.
      const [inbox] = await rows(db, `SELECT account, token, price, request_price, surge_window, surge_bps FROM inboxes`);
      const onChainInbox = await bus.inbox(alice.address);
      expect(inbox).to.deep.equal({
        account: lower(alice),
        token: onChainInbox.token.toLowerCase(),
        price: onChainInbox.price.toString(),
        request_price: onChainInbox.requestPrice.toString(),
        surge_window: "0",
        surge_bps: 0,
      });
      const contacts = await rows(db, `SELECT recipient, sender, status, request_message_id FROM contacts ORDER BY request_message_id`);
      for (const row of contacts) expect(row.status).to.equal(CONTACT[Number(await bus.contactOf(row.recipient as string, row.sender as string))]);
      expect(contacts.map((row) => [row.sender, row.status, row.request_message_id])).to.deep.equal([
        [lower(bob), "ALLOWED", "5"],
        [lower(carol), "DENIED", "6"],
        [lower(dave), "REQUESTED", "8"],
      ]);

      // Each message announced once, after its commit.
      expect(sent.map((message) => [message.messageId, message.targetKind, message.groupId, message.recipient])).to.deep.equal(
        messages.map((row) => [row.id, row.target_kind, row.group_id, row.recipient]),
      );
      expect(sent[2]).to.deep.include({ replyTo: "1", decoderPodId: null, sender: lower(carol), fee: String(MSG_FLOOR + MEMBER_FEE) });

      // Events kept as history (rows hold the latest state); MessageSent is recorded by its row only.
      const kept = Object.fromEntries(
        (await db.query<{ name: string; n: number }>(`SELECT name, count(*)::int AS n FROM events WHERE contract IN ('GroupRegistry', 'MessageBus') GROUP BY name`)).map((row) => [row.name, row.n]),
      );
      expect(kept.MessageSent).to.equal(undefined);
      expect(kept).to.deep.include({ Joined: 10, Banned: 1, PodPosted: 2, TreasuryWithdrawn: 1, GroupWithdrawn: 1, Withdrawn: 1, ContactRequested: 3, TokenAllowed: 1 });

      // Banners: read from Swarm beside ingest; a banner Swarm does not have leaves none.
      await waitFor("the banner read", async () => (await rows(db, `SELECT banner FROM groups WHERE id = 1`))[0].banner !== null);
      const [banner] = await rows(db, `SELECT banner_ref, banner_source, banner FROM groups WHERE id = 1`);
      expect(banner).to.deep.include({ banner_ref: BANNER_OPEN_2, banner_source: BANNER_OPEN_2 });
      expect(banner.banner).to.deep.include({ title: "Open club", rules: ["be kind"] });
      expect(BANNER_OPEN).to.not.equal(BANNER_OPEN_2);
    }

    // A reorg: a message to group 1 and a contact request exist on an abandoned branch only.
    for (const { indexer } of watched) await waitForHead(indexer, head);
    const before = await Promise.all(watched.map(({ indexer }) => dumpTables(indexer.db)));
    const snapshot = (await chain.provider.send("evm_snapshot", [])) as string;
    await send(chain, erin, accountTarget(alice.address), "abandoned request");
    await send(chain, carol, groupTarget(1), "abandoned");
    await mined(chain.groups.connect(alice).postPod(1, 2));
    for (const { indexer } of watched) {
      await waitFor("the abandoned message indexed", async () => (await rows(indexer.db, `SELECT id FROM messages WHERE id = 11`)).length === 1);
      expect((await rows(indexer.db, `SELECT message_count FROM groups WHERE id = 1`))[0].message_count).to.equal(4);
    }
    expect(await chain.provider.send("evm_revert", [snapshot])).to.equal(true);
    for (let block = 0; block < 3; block++) await chain.provider.send("evm_mine", []);
    const reference = await freshIndexDump(node.url, chain.deployment, head);
    for (const [index, { label, indexer }] of watched.entries()) {
      await waitForHead(indexer, head);
      const after = await dumpTables(indexer.db);
      for (const table of TABLES) {
        expect(after[table], `${label}: ${table} after the reorg`).to.deep.equal(before[index][table]);
        // The reference was indexed without Swarm: no banner.
        const withoutBanners = (dumped: unknown[]) => (table === "groups" ? dumped.map((row) => ({ ...(row as Row), banner: null, banner_source: null })) : dumped);
        expect(withoutBanners(after[table]), `${label}: ${table} equals a fresh index`).to.deep.equal(withoutBanners(reference[table]));
      }
      expect((await rows(indexer.db, `SELECT count(*)::int AS n FROM messages`))[0].n).to.equal(9);
      expect((await rows(indexer.db, `SELECT count(*)::int AS n FROM contacts WHERE sender = '${lower(erin)}'`))[0].n).to.equal(0);
    }
  });
  it("reads a banner uploaded as the CLI does (banner.json, the collection's index document) from a dev Swarm node, at start for groups indexed before", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "lure-banner-"));
    const swarmNode = await startDevSwarmNode({ dataDir, host: "127.0.0.1", port: 0 });
    try {
      const swarm = createSwarmClient({ url: swarmNode.url, timeoutMs: 5_000 });
      await swarm.buyStamp(1_000_000_000n, 22);
      const banner = { title: "Club", objectives: ["Renew monthly"], howToJoin: "Pay the join fee", rules: [], links: [{ label: "Home", url: "https://example.org" }] };
      const ref = await swarm.uploadCollection([{ path: "banner.json", data: Buffer.from(JSON.stringify(banner, null, 2)) }], { indexDocument: "banner.json" });
      await mined(chain.groups.connect(chain.bob).setBanner(2, `0x${ref}`));
      const [backend] = backends();
      used.push(backend);
      const indexer = await startTestIndexer({ rpcUrl: node.url, deployment: chain.deployment, db: await backend.open(), swarm });
      running.push(indexer);
      await waitForHead(indexer, head);
      await waitFor("the club's banner", async () => (await rows(indexer.db, `SELECT banner FROM groups WHERE id = 2`))[0].banner !== null);
      const [club] = await rows(indexer.db, `SELECT banner_ref, banner_source, banner FROM groups WHERE id = 2`);
      expect(club).to.deep.equal({ banner_ref: `0x${ref}`, banner_source: `0x${ref}`, banner });
      await indexer.stop();
    } finally {
      await swarmNode.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
