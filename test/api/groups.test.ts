import { expect } from "chai";
import { ZeroAddress } from "ethers";
import type { Database } from "../../services/database";
import type { Indexer } from "../../services/indexer";
import type { ContentSource } from "../../services/indexer/contracts/module";
import { createApiServer, type RunningApi } from "../../services/api/http/server";
import { graphQLResponse, type GraphQLResponse, type Page } from "../support/api/client";
import { testBackends } from "../support/api/database";
import { subscribe, type SseSubscription } from "../support/api/sse";
import { startHardhatNode, type TestHardhatNode } from "../support/hardhat-node";
import {
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
  send,
  swarmRef,
  type GroupsChain,
} from "../support/indexer/groups-chain";
import { latestBlock, startTestIndexer, waitFor, waitForHead } from "../support/indexer/harness";

interface MessageItem {
  id: string;
  sender: string;
  fee: string;
}
type MessageSent = { messageSent: { __typename: string; messageId?: string; groupId?: string | null; recipient?: string | null; sender?: string; fee?: string; replyTo?: string | null } };

/** Swarm as the banner hook reads it: only BANNER_OPEN_2 is there. */
const BANNER = { title: "Open club", objectives: "share pods", howToJoin: "call join(1)", rules: ["be kind", 42], links: ["https://lure.example", { label: "docs", url: "https://docs.example" }], extra: true };
const bannerSource: ContentSource = {
  downloadFile: (ref: string) =>
    `0x${ref}` === BANNER_OPEN_2 ? Promise.resolve({ data: new TextEncoder().encode(JSON.stringify(BANNER)) }) : Promise.reject(new Error(`not found: ${ref}`)),
};

/**
 * The groups domain over what the real indexer made of the real GroupRegistry and MessageBus
 * (test/support/indexer/groups-chain.ts, `groupsAndMessages`: groups 1..3, messages 1..9).
 */
for (const backend of testBackends()) {
  describe(`GraphQL: groups, members, catalogues, treasuries, messages and inboxes (${backend.name})`, function () {
    this.timeout(180_000);
    let node: TestHardhatNode;
    let chain: GroupsChain;
    let db: Database;
    let dispose: () => Promise<void>;
    let indexer: Indexer;
    let api: RunningApi;
    const streams: SseSubscription[] = [];
    const head = () => latestBlock(chain.provider);
    const lower = (signer: { address: string }) => signer.address.toLowerCase();

    async function query<T>(text: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>> {
      const response = await fetch(`${api.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: text, variables }) });
      return graphQLResponse<T>(await response.json());
    }
    async function gql<T>(text: string, variables?: Record<string, unknown>): Promise<T> {
      const result = await query<T>(text, variables);
      if (result.errors) throw new Error(JSON.stringify(result.errors));
      return result.data!;
    }
    const messages = (where: Record<string, unknown>, extra = "") =>
      gql<{ messages: Page<MessageItem> }>(`query ($where: MessageWhere) { messages(where: $where ${extra}) { items { id sender fee } totalCount pageInfo { hasNextPage endCursor } } }`, { where }).then(
        (data) => data.messages,
      );
    const ids = (page: Page<{ id: string }>) => page.items.map((item) => item.id);

    before(async () => {
      node = await startHardhatNode();
      chain = await deployGroupsChain(node.url);
      await groupsAndMessages(chain);
      ({ db, dispose } = await backend.open());
      indexer = await startTestIndexer({ rpcUrl: node.url, deployment: chain.deployment, db, swarm: bannerSource });
      await waitForHead(indexer, head);
      await waitFor("the banner read", async () => (await db.query<{ banner: unknown }>(`SELECT banner FROM groups WHERE id = 1`))[0].banner !== null);
      api = await createApiServer({ db, events: indexer.events, status: () => indexer.status(), dev: false }).listen("127.0.0.1", 0);
    });
    after(async () => {
      streams.forEach((stream) => stream.close());
      await api?.close();
      await indexer?.stop();
      await dispose?.();
      chain?.provider.destroy();
      await node?.stop();
    });

    it("lists groups with filters on owner, policy and name, ordered, and pages them by cursor", async () => {
      type GroupItem = { id: string; name: string; owner: string; joinPolicy: string; messageCount: number; memberCount: number };
      const groups = (where: Record<string, unknown>, extra = "") =>
        gql<{ groups: Page<GroupItem> }>(`query ($where: GroupWhere) { groups(where: $where ${extra}) { items { id name owner joinPolicy messageCount memberCount } totalCount pageInfo { hasNextPage endCursor } } }`, {
          where,
        }).then((data) => data.groups);
      const all = await groups({});
      expect(all.totalCount).to.equal(3);
      expect(all.items.map((group) => [group.id, group.name, group.owner, group.joinPolicy, group.messageCount, group.memberCount])).to.deep.equal([
        ["1", "open", lower(chain.alice), "OPEN", 3, 3],
        ["2", "club", lower(chain.bob), "FEE", 0, 4],
        ["3", "guild", lower(chain.bob), "APPROVAL", 1, 2],
      ]);
      expect(ids(await groups({ owner: chain.bob.address })), "addresses in any case").to.deep.equal(["2", "3"]);
      expect(ids(await groups({ joinPolicy_in: ["FEE", "APPROVAL"] }))).to.deep.equal(["2", "3"]);
      expect(ids(await groups({ name_contains_nocase: "LU" }))).to.deep.equal(["2"]);
      expect(ids(await groups({ token: chain.usdAddress }))).to.deep.equal(["3"]);
      expect(ids(await groups({ OR: [{ id: "1" }, { messageCount_gte: 1, owner: lower(chain.bob) }] }))).to.deep.equal(["1", "3"]);
      expect(ids(await groups({}, `, orderBy: messageCount, orderDirection: desc`))).to.deep.equal(["1", "3", "2"]);
      const first = await groups({}, `, first: 2`);
      expect([ids(first), first.pageInfo.hasNextPage]).to.deep.equal([["1", "2"], true]);
      const rest = await gql<{ groups: Page<GroupItem> }>(`query ($after: String) { groups(first: 2, after: $after) { items { id } pageInfo { hasNextPage } } }`, { after: first.pageInfo.endCursor });
      expect([ids(rest.groups), rest.groups.pageInfo.hasNextPage]).to.deep.equal([["3"], false]);
    });

    it("answers group(id) with its terms, banner, members and their roles and expiry, treasury and catalogue", async () => {
      const { alice, bob, carol, erin } = chain;
      type Member = { account: string; status: string; role: string | null; admin: boolean; expiresAt: string | null; active: boolean; joinedAt: number | null };
      type Group = Record<string, unknown> & { members: Page<Member>; catalogue: Page<{ podId: string; pod: { name: string } | null; postedBy: string }>; treasury: unknown[] };
      const { open, club, unknown } = await gql<{ open: Group; club: Group; unknown: unknown }>(`{
        open: group(id: "1") {
          id owner pendingOwner name bannerRef joinPolicy membershipPeriod token joinFee memberMessageFee publicMessageFee surgeWindow surgeBps memberCount messageCount
          banner { ref title objectives howToJoin rules links { label url } json }
          members { items { account status role admin expiresAt active joinedAt } totalCount }
          catalogue { items { podId pod { name } postedBy } totalCount }
          treasury { token balance joinFees messageFees earned withdrawn }
          createdAt createdBlock lastChange { blockNumber }
        }
        club: group(id: "2") {
          owner joinFee membershipPeriod banner { title }
          members(where: { status: MEMBER }, orderBy: expiresAt) { items { account status role admin expiresAt active joinedAt } }
          treasury { token balance joinFees earned withdrawn }
        }
        unknown: group(id: "99") { id }
      }`);
      expect(unknown).to.equal(null);
      expect(open).to.deep.include({
        id: "1",
        owner: lower(alice),
        pendingOwner: null,
        name: "open",
        bannerRef: BANNER_OPEN_2,
        joinPolicy: "OPEN",
        membershipPeriod: "0",
        token: ZeroAddress,
        joinFee: "0",
        memberMessageFee: String(MEMBER_FEE),
        publicMessageFee: String(PUBLIC_FEE),
        surgeWindow: "0",
        surgeBps: 0,
        memberCount: 3,
        messageCount: 3,
      });
      const banner = open.banner as { json: string };
      expect(JSON.parse(banner.json), "the whole document (key order is the database's)").to.deep.equal(BANNER);
      expect({ ...banner, json: undefined }).to.deep.equal({
        ref: BANNER_OPEN_2,
        title: "Open club",
        objectives: ["share pods"],
        howToJoin: "call join(1)",
        rules: ["be kind"],
        links: [
          { label: null, url: "https://lure.example" },
          { label: "docs", url: "https://docs.example" },
        ],
        json: undefined,
      });
      const sorted = [alice, bob, carol, erin].map(lower).sort();
      expect(open.members.totalCount, "dave was removed: no standing").to.equal(4);
      expect(open.members.items.map((member) => member.account)).to.deep.equal(sorted);
      const byAccount = Object.fromEntries(open.members.items.map((member) => [member.account, [member.status, member.role, member.admin, member.expiresAt, member.active]]));
      expect(byAccount).to.deep.equal({
        [lower(alice)]: ["MEMBER", "OWNER", false, null, true],
        [lower(bob)]: ["MEMBER", "ADMIN", true, null, true],
        [lower(carol)]: ["MEMBER", "MEMBER", false, null, true],
        [lower(erin)]: ["BANNED", null, false, null, false],
      });
      expect(open.catalogue).to.deep.equal({ items: [{ podId: "1", pod: { name: "decoder" }, postedBy: lower(bob) }], totalCount: 1 });
      expect(open.treasury).to.deep.equal([
        { token: ZeroAddress, balance: "0", joinFees: "0", messageFees: "0", earned: String(2n * MEMBER_FEE + PUBLIC_FEE), withdrawn: String(2n * MEMBER_FEE + PUBLIC_FEE) },
      ]);
      for (const field of ["createdAt", "createdBlock"]) expect(open[field], field).to.be.a("number");

      expect(club).to.deep.include({ owner: lower(bob), joinFee: String(JOIN_FEE), membershipPeriod: String(MEMBERSHIP_PERIOD), banner: null });
      // Never-expiring memberships sort last by expiry (NULLs last ascending); dave's expires before carol's renewed one.
      expect(club.members.items.map((member) => [member.account, member.role, member.expiresAt === null, member.active])).to.deep.equal([
        [lower(chain.dave), "MEMBER", false, true],
        [lower(carol), "MEMBER", false, true],
        ...[alice, bob]
          .map(lower)
          .sort()
          .map((account) => [account, account === lower(bob) ? "OWNER" : "MEMBER", true, true]),
      ]);
      const carolInClub = club.members.items.find((member) => member.account === lower(carol))!;
      expect(BigInt(carolInClub.expiresAt!) - BigInt(carolInClub.joinedAt!), "renewed once").to.equal(2n * BigInt(MEMBERSHIP_PERIOD));
      expect(club.treasury).to.deep.equal([{ token: ZeroAddress, balance: "0", joinFees: "0", earned: String(3n * JOIN_FEE), withdrawn: String(3n * JOIN_FEE) }]);

      const { guild } = await gql<{ guild: { members: Page<{ account: string; role: string }>; admins: Page<{ account: string }>; banned: Page<unknown>; treasury: unknown[] } }>(`{
        guild: group(id: "3") {
          members(where: { active: true }) { items { account role } }
          admins: members(where: { role_in: [OWNER, ADMIN] }) { items { account } }
          banned: members(where: { status: BANNED }) { totalCount }
          treasury { token balance messageFees }
        }
      }`);
      expect(guild.members.items).to.deep.equal(
        [
          { account: lower(bob), role: "OWNER" },
          { account: lower(carol), role: "MEMBER" },
        ].sort((a, b) => a.account.localeCompare(b.account)),
      );
      expect(guild.admins.items).to.deep.equal([{ account: lower(bob) }]);
      expect(guild.banned.totalCount).to.equal(0);
      expect(guild.treasury).to.deep.equal([{ token: chain.usdAddress, balance: "20", messageFees: "20" }]);
    });

    it("filters pods and search hits by group catalogue (inGroup, inGroup_in), leaving out removed pods, and refuses other operators", async () => {
      const podIds = async (where: Record<string, unknown>) =>
        (await gql<{ pods: Page<{ id: string }> }>(`query ($where: PodWhere) { pods(where: $where) { items { id } totalCount } }`, { where })).pods;
      const all = await podIds({});
      expect(all.totalCount, "pod 2 exists, posted to group 1 and removed").to.be.greaterThan(1);
      expect(await podIds({ inGroup: "1" })).to.deep.equal({ items: [{ id: "1" }], totalCount: 1 });
      expect(await podIds({ inGroup: "2" })).to.deep.equal({ items: [], totalCount: 0 });
      expect(await podIds({ inGroup: "999" })).to.deep.equal({ items: [], totalCount: 0 });
      expect(await podIds({ inGroup_in: ["2", "1"] })).to.deep.equal({ items: [{ id: "1" }], totalCount: 1 });
      expect(await podIds({ inGroup_in: [] })).to.deep.equal({ items: [], totalCount: 0 });
      expect(await podIds({ inGroup: "1", name: "decoder" })).to.deep.equal({ items: [{ id: "1" }], totalCount: 1 });
      expect(await podIds({ inGroup: "1", name_not: "decoder" })).to.deep.equal({ items: [], totalCount: 0 });
      expect((await podIds({ OR: [{ inGroup: "1" }, { id: "2" }] })).items.map((pod) => pod.id).sort()).to.deep.equal(["1", "2"]);
      const hits = await gql<{ search: { items: { pod: { id: string } }[] } }>(`{ search(text: "decoder", where: { inGroup: "1" }) { items { pod { id } } } }`);
      expect(hits.search.items.map((hit) => hit.pod.id)).to.deep.equal(["1"]);
      const none = await gql<{ search: { items: unknown[] } }>(`{ search(text: "decoder", where: { inGroup: "3" }) { items { pod { id } } } }`);
      expect(none.search.items).to.deep.equal([]);

      const refused = await query(`query ($where: PodWhere) { pods(where: $where) { items { id } } }`, { where: { inGroup: null } });
      expect(refused.errors?.[0]?.message).to.match(/where\.inGroup.*cannot be null/);
      const badValue = await query(`query ($where: PodWhere) { pods(where: $where) { items { id } } }`, { where: { inGroup: "one" } });
      expect(badValue.errors?.[0]?.message).to.match(/one/);
      const noRange = await query(`{ pods(where: { inGroup_gt: "1" }) { items { id } } }`);
      expect(noRange.errors?.[0]?.message).to.match(/inGroup_gt/);
    });

    it("lists messages with the fee paid, filtered by group, sender, recipient, decoder and reply, and pages them", async () => {
      const { alice, bob, carol, dave } = chain;
      const all = await messages({});
      expect(all.totalCount).to.equal(9);
      expect(all.items.map((message) => message.fee)).to.deep.equal(
        [MSG_FLOOR + MEMBER_FEE, MSG_FLOOR + PUBLIC_FEE, MSG_FLOOR + MEMBER_FEE, 20n, MSG_FLOOR + REQUEST_PRICE, MSG_FLOOR + REQUEST_PRICE, MSG_FLOOR, MSG_FLOOR + REQUEST_PRICE, MSG_FLOOR + INBOX_PRICE].map(String),
      );
      expect(ids(await messages({ group: "1" }))).to.deep.equal(["1", "2", "3"]);
      expect(ids(await messages({ group_in: ["1", "3"], sender: carol.address }))).to.deep.equal(["3", "4"]);
      expect(ids(await messages({ group: null })), "messages to accounts").to.deep.equal(["5", "6", "7", "8", "9"]);
      expect(ids(await messages({ recipient: alice.address, sender: dave.address }))).to.deep.equal(["8", "9"]);
      expect(ids(await messages({ decoder: "1" }))).to.deep.equal(["2"]);
      expect((await messages({ decoder_not: null })).totalCount, "encoded messages").to.equal(1);
      expect(ids(await messages({ replyTo: "1" }))).to.deep.equal(["3"]);
      expect(ids(await messages({ request: true }))).to.deep.equal(["5", "6", "8"]);
      expect(ids(await messages({ targetKind: "GROUP", token: chain.usdAddress }))).to.deep.equal(["4"]);
      expect(ids(await messages({ fee_gte: String(MSG_FLOOR + REQUEST_PRICE) }, `, orderBy: fee, orderDirection: desc`)), "equal fees by id, descending too").to.deep.equal(["2", "8", "6", "5"]);
      expect(ids(await messages({ sender_in: [lower(bob)] }, `, orderDirection: desc, first: 2`))).to.deep.equal(["7", "5"]);

      const seen: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page: Page<MessageItem> = (await gql<{ messages: Page<MessageItem> }>(`query ($after: String) { messages(first: 4, after: $after) { items { id } pageInfo { hasNextPage endCursor } } }`, { after })).messages;
        seen.push(...page.items.map((message) => message.id));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(seen).to.deep.equal(["1", "2", "3", "4", "5", "6", "7", "8", "9"]);

      const { reply, encoded, nested } = await gql<{ reply: Record<string, unknown>; encoded: Record<string, unknown>; nested: { messages: Page<{ id: string }> } }>(`{
        reply: message(id: "3") { id sender targetKind groupId group { name } recipient replyTo replyToMessage { id sender } fee protocolFee targetFee request contentRef timestamp blockNumber txHash logIndex }
        encoded: message(id: "2") { decoderPodId decoder { name } contentType size contentRef }
        nested: group(id: "1") { messages(where: { sender: "${lower(dave)}" }) { items { id } } }
      }`);
      expect(reply).to.deep.include({
        id: "3",
        sender: lower(carol),
        targetKind: "GROUP",
        groupId: "1",
        group: { name: "open" },
        recipient: null,
        replyTo: "1",
        replyToMessage: { id: "1", sender: lower(bob) },
        fee: String(MSG_FLOOR + MEMBER_FEE),
        protocolFee: String(MSG_FLOOR),
        targetFee: String(MEMBER_FEE),
        request: false,
        contentRef: swarmRef("reply"),
      });
      expect(encoded).to.deep.equal({ decoderPodId: "1", decoder: { name: "decoder" }, contentType: 4, size: "1234", contentRef: swarmRef("encoded") });
      expect(nested.messages.items).to.deep.equal([{ id: "2" }]);
      expect(await gql(`{ message(id: "999") { id } }`)).to.deep.equal({ message: null });
    });

    it("gives an account its inbox, pending requests, contacts and inbox settings", async () => {
      const { alice, bob, carol, dave } = chain;
      type Contact = { sender: string; status: string; requestMessageId: string | null; requestMessage: { id: string; request: boolean } | null };
      const { account } = await gql<{
        account: { inbox: Page<{ id: string; sender: string; request: boolean }>; requests: Page<Contact>; contacts: Page<Contact>; inboxSettings: Record<string, unknown> | null };
      }>(`query ($address: Address!) { account(address: $address) {
        inbox { items { id sender request } totalCount }
        requests { items { sender status requestMessageId requestMessage { id request } } totalCount }
        contacts { items { sender status requestMessageId } }
        inboxSettings { token price requestPrice surgeWindow surgeBps lastChange { blockNumber } }
      } }`, { address: alice.address });
      expect(account.inbox.items.map((message) => message.id), "newest first").to.deep.equal(["9", "8", "7", "6", "5"]);
      expect(account.inbox.items.filter((message) => message.request).map((message) => message.sender)).to.deep.equal([lower(dave), lower(carol), lower(bob)]);
      expect(account.requests).to.deep.equal({ items: [{ sender: lower(dave), status: "REQUESTED", requestMessageId: "8", requestMessage: { id: "8", request: true } }], totalCount: 1 });
      const contacts = Object.fromEntries(account.contacts.items.map((contact) => [contact.sender, [contact.status, contact.requestMessageId]]));
      expect(contacts).to.deep.equal({ [lower(bob)]: ["ALLOWED", "5"], [lower(carol)]: ["DENIED", "6"], [lower(dave)]: ["REQUESTED", "8"] });
      expect(account.inboxSettings).to.deep.include({ token: ZeroAddress, price: String(INBOX_PRICE), requestPrice: String(REQUEST_PRICE), surgeWindow: "0", surgeBps: 0 });

      const denied = await gql<{ account: { contacts: Page<{ sender: string }> } }>(`{ account(address: "${lower(alice)}") { contacts(where: { status_in: [DENIED, ALLOWED] }) { items { sender } } } }`);
      expect(denied.account.contacts.items.map((contact) => contact.sender)).to.deep.equal([lower(bob), lower(carol)].sort());
      const nobody = await gql<{ account: { inbox: Page<unknown>; requests: Page<unknown>; inboxSettings: unknown } }>(
        `{ account(address: "${lower(carol)}") { inbox { totalCount } requests { totalCount } inboxSettings { price } } }`,
      );
      expect(nobody.account).to.deep.equal({ inbox: { totalCount: 0 }, requests: { totalCount: 0 }, inboxSettings: null });
    });

    it("refuses bad filter values with an error naming the value and its type", async () => {
      const badPolicy = await query(`{ groups(where: { joinPolicy: PRIVATE }) { totalCount } }`);
      expect(badPolicy.errors?.[0].message).to.match(/"PRIVATE".*GroupJoinPolicy/);
      const badStatus = await query(`query ($where: GroupMemberWhere) { group(id: "1") { members(where: $where) { totalCount } } }`, { where: { status_in: ["OWNER"] } });
      expect(badStatus.errors?.[0].message).to.match(/"OWNER".*GroupMemberStatus/);
      expect(badStatus.errors?.[0].extensions?.code).to.equal("BAD_USER_INPUT");
      const badRecipient = await query(`{ messages(where: { recipient: "0x1234" }) { totalCount } }`);
      expect(badRecipient.errors?.[0].message).to.match(/Address/);
      const badGroup = await query(`query ($where: MessageWhere) { messages(where: $where) { totalCount } }`, { where: { group: "-1" } });
      expect(badGroup.errors?.[0].message).to.match(/BigInt/);
      const unknownFilter = await query(`{ messages(where: { topic: "x" }) { totalCount } }`);
      expect(unknownFilter.errors?.[0].message).to.match(/topic/);
      const badOrder = await query(`{ messages(orderBy: size) { totalCount } }`);
      expect(badOrder.errors?.[0].message).to.match(/MessageOrderBy/);
      const badCursor = await query(`{ messages(after: "nonsense") { totalCount } }`);
      expect(badCursor.errors?.[0].message).to.match(/after/);
    });

    it("streams messageSent, filtered by group, recipient or sender", async () => {
      const { alice, carol, erin } = chain;
      const everything = await subscribe(api.url, `subscription { messageSent { __typename ... on NewMessage { messageId groupId recipient sender fee replyTo } } }`);
      const toGroup = await subscribe(api.url, `subscription { messageSent(group: "1") { __typename ... on NewMessage { messageId } } }`);
      const toAlice = await subscribe(api.url, `subscription ($recipient: Address) { messageSent(recipient: $recipient) { __typename ... on NewMessage { messageId recipient } } }`, { recipient: alice.address });
      const otherGroup = await subscribe(api.url, `subscription { messageSent(group: "2") { __typename ... on NewMessage { messageId } } }`);
      streams.push(everything, toGroup, toAlice, otherGroup);
      await waitFor("the subscriptions to attach", () => indexer.events.listenerCount("messageSent") === 4, 10_000);

      await send(chain, carol, groupTarget(1), "live", { replyTo: 3n });
      await send(chain, erin, accountTarget(alice.address), "erin asks");
      const received = [(await everything.next<MessageSent>(20_000)).data!.messageSent, (await everything.next<MessageSent>(20_000)).data!.messageSent];
      expect(received).to.deep.equal([
        { __typename: "NewMessage", messageId: "10", groupId: "1", recipient: null, sender: lower(carol), fee: String(MSG_FLOOR + MEMBER_FEE), replyTo: "3" },
        { __typename: "NewMessage", messageId: "11", groupId: null, recipient: lower(alice), sender: lower(erin), fee: String(MSG_FLOOR + REQUEST_PRICE), replyTo: null },
      ]);
      expect((await toGroup.next<MessageSent>(20_000)).data!.messageSent).to.deep.equal({ __typename: "NewMessage", messageId: "10" });
      expect((await toAlice.next<MessageSent>(20_000)).data!.messageSent).to.deep.equal({ __typename: "NewMessage", messageId: "11", recipient: lower(alice) });
      await waitForHead(indexer, head);
      const after = await gql<{ message: { request: boolean }; account: { requests: { totalCount: number } } }>(`{ message(id: "11") { request } account(address: "${lower(alice)}") { requests { totalCount } } }`);
      expect(after).to.deep.equal({ message: { request: true }, account: { requests: { totalCount: 2 } } });
      await expectNothing(otherGroup);
    });
  });
}

/** The stream delivers nothing within a short wait (its filter let nothing through). */
async function expectNothing(stream: SseSubscription): Promise<void> {
  let message: unknown;
  try {
    message = await stream.next(500);
  } catch {
    return;
  }
  throw new Error(`expected no message, got ${JSON.stringify(message)}`);
}
