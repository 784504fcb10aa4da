import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { expect } from "chai";
import { loadConfig } from "../../services/config";
import { connectLure, type LureConnection } from "../../services/chain/contracts";
import { NATIVE_TOKEN } from "../../services/chain/tokens";
import { createCourier, type CourierEvent, type CourierService, type MessagePayload } from "../../services/courier";
import { createGroup, parseBanner } from "../../services/market/groups";
import { fileBody, sendMessage, textBody, type MessageBody, type MessageTarget } from "../../services/market/messages";
import { BANNER } from "../support/groups";
import { ROOT, RunnerWorld, until } from "../support/runner";

/**
 * The courier against a Hardhat node over HTTP (Lure deployed by the deploy script), the dev Swarm
 * node and a webhook on 127.0.0.1: what it posts, in which order, how it retries, and what a stop or
 * a kill -9 costs (nothing but a possible repeat).
 */

type Reply = number | "hang";

/** A webhook that records every request and answers from `plan` (then 200). */
class Webhook {
  readonly requests: MessagePayload[] = [];
  readonly accepted: MessagePayload[] = [];
  readonly plan: Reply[] = [];
  private readonly hanging: ServerResponse[] = [];

  private readonly server: Server = createServer((request, response) => void this.handle(request, response));
  url = "";

  static async start(): Promise<Webhook> {
    const webhook = new Webhook();
    await new Promise<void>((resolve) => webhook.server.listen(0, "127.0.0.1", resolve));
    webhook.url = `http://127.0.0.1:${(webhook.server.address() as AddressInfo).port}/hook`;
    return webhook;
  }

  ids(list: MessagePayload[] = this.accepted): string[] {
    return list.map((payload) => payload.messageId);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const payload = JSON.parse(Buffer.concat(chunks).toString("utf8")) as MessagePayload;
    expect(request.headers["content-type"]).to.equal("application/json");
    expect(request.headers["x-lure-message-id"]).to.equal(payload.messageId);
    this.requests.push(payload);
    const reply = this.plan.shift() ?? 200;
    if (reply === "hang") {
      this.hanging.push(response);
      return;
    }
    if (reply >= 200 && reply < 300) this.accepted.push(payload);
    response.writeHead(reply, { "content-type": "text/plain" }).end(reply < 300 ? "ok" : "no");
  }

  async close(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

describe("courier: messages of configured groups and inboxes posted to a webhook, in order, at least once", function () {
  this.timeout(180_000);
  let world: RunnerWorld;
  let alice: LureConnection;
  let bob: LureConnection;
  let carol: string;
  const couriers: CourierService[] = [];
  const webhooks: Webhook[] = [];
  const children: ChildProcess[] = [];
  let carried: MessageTarget;
  let ignored: MessageTarget;

  before(async function () {
    world = await RunnerWorld.start();
    alice = world.alice;
    bob = await connectLure(world.wallet(6), { network: "localhost", deploymentsDir: world.config.DEPLOYMENTS_DIR });
    carol = world.wallet(7).address;
    const terms = { policy: "open", membershipPeriod: 0, token: NATIVE_TOKEN, joinFee: 0n, memberMessageFee: 0n, publicMessageFee: 0n } as const;
    const banner = parseBanner(JSON.stringify(BANNER), "banner");
    const first = await createGroup(alice, world.swarm.client, { name: "carried", banner, ...terms });
    const second = await createGroup(alice, world.swarm.client, { name: "ignored", banner, ...terms });
    carried = { kind: "group", groupId: first.groupId };
    ignored = { kind: "group", groupId: second.groupId };
  });

  afterEach(async function () {
    for (const courier of couriers.splice(0)) await courier.stop();
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null && child.pid) process.kill(-child.pid, "SIGKILL");
    }
    for (const webhook of webhooks.splice(0)) await webhook.close();
  });

  after(async function () {
    await world?.close();
  });

  /** The courier's settings for this test: messages from the next block on, group `carried` and carol's inbox. */
  async function settings(webhook: Webhook): Promise<Record<string, string>> {
    return {
      ...world.env,
      COURIER_GROUPS: carried.kind === "group" ? String(carried.groupId) : "",
      COURIER_INBOXES: carol.toLowerCase(),
      COURIER_WEBHOOK_URL: webhook.url,
      COURIER_POLL_MS: "100",
      COURIER_RETRY_MAX_MS: "400",
      COURIER_START_BLOCK: String((await world.provider.getBlockNumber()) + 1),
    };
  }

  async function courier(env: Record<string, string>, dataDir: string, events: CourierEvent[] = []): Promise<CourierService> {
    const started = await createCourier({ config: loadConfig(env), dataDir, retryBaseMs: 50, onEvent: (event) => events.push(event) });
    couriers.push(started);
    await started.start();
    return started;
  }

  async function webhook(): Promise<Webhook> {
    const started = await Webhook.start();
    webhooks.push(started);
    return started;
  }

  async function send(from: LureConnection, target: MessageTarget, body: MessageBody): Promise<string> {
    return (await sendMessage(from, world.swarm.client, { target, body })).messageId.toString();
  }

  const accepted = (hook: Webhook, count: number, timeoutMs = 60_000) => until(`${count} messages accepted`, () => Promise.resolve(hook.accepted.length >= count ? true : undefined), timeoutMs);
  const settle = () => new Promise((resolve) => setTimeout(resolve, 800));

  it("posts the messages of a configured group and inbox in chain order, with bodies (text, or base64 when not UTF-8), and nothing of other groups", async function () {
    const hook = await webhook();
    const env = await settings(hook);
    const binary = new Uint8Array([0xff, 0xfe, 0x00, 0x01, 0x80]);
    const ids = [
      await send(bob, carried, textBody("hello group")),
      await send(bob, { kind: "account", account: carol }, fileBody("blob.bin", binary)),
      await send(bob, ignored, textBody("not carried")),
      await send(alice, carried, fileBody("notes.md", Buffer.from("# héllo"))),
    ];
    await courier(env, join(world.work, "courier-order"));
    await accepted(hook, 3);
    await settle();
    expect(hook.ids()).to.deep.equal([ids[0], ids[1], ids[3]]);
    expect(hook.ids(hook.requests)).to.deep.equal([ids[0], ids[1], ids[3]]);
    const [first, second, third] = hook.accepted;
    expect(first).to.deep.include({ type: "lure.message", target: carried.kind === "group" ? `group:${carried.groupId}` : "", targetKind: "group", sender: bob.account, contentType: "text", size: 11, decoderPodId: "0", replyTo: "0", token: NATIVE_TOKEN });
    expect(first.body).to.deep.equal({ name: "message.txt", bytes: 11, encoding: "utf8", text: "hello group" });
    expect(BigInt(first.fee)).to.be.greaterThan(0n);
    expect(first.txHash).to.match(/^0x[0-9a-f]{64}$/);
    const receipt = await world.provider.getTransactionReceipt(first.txHash);
    expect(receipt?.blockNumber).to.equal(first.blockNumber);
    expect(first.chainId).to.equal(31337);
    expect(first.messageBus).to.equal(alice.deployment.contracts.MessageBus.address);
    expect(second).to.deep.include({ target: carol, targetKind: "account", contentType: "binary", size: 5 });
    expect(second.body).to.deep.equal({ name: "blob.bin", bytes: 5, encoding: "base64", base64: Buffer.from(binary).toString("base64") });
    expect(third).to.deep.include({ sender: alice.account, contentType: "markdown" });
    expect(third.body?.text).to.equal("# héllo");
  });

  it("retries a message the webhook failed (a 5xx, then a 4xx) until it is accepted, and skips nothing after it", async function () {
    const hook = await webhook();
    hook.plan.push(500, 400);
    const env = await settings(hook);
    const ids = [await send(bob, carried, textBody("one")), await send(bob, carried, textBody("two"))];
    const events: CourierEvent[] = [];
    await courier(env, join(world.work, "courier-retry"), events);
    await accepted(hook, 2);
    await settle();
    expect(hook.ids(hook.requests)).to.deep.equal([ids[0], ids[0], ids[0], ids[1]]);
    expect(hook.ids()).to.deep.equal(ids);
    expect(events.map((event) => [event.payload.messageId, event.attempts])).to.deep.equal([
      [ids[0], 3],
      [ids[1], 1],
    ]);
  });

  it("a stopped courier, started again, posts what was not accepted: nothing lost, a repeat only of the message in flight", async function () {
    const hook = await webhook();
    const env = await settings(hook);
    const dataDir = join(world.work, "courier-restart");
    const ids = [await send(bob, carried, textBody("a")), await send(bob, { kind: "account", account: carol }, textBody("b"))];
    const first = await courier(env, dataDir);
    await accepted(hook, 2);
    await first.stop();
    expect(first.position.delivered?.messageId).to.equal(ids[1]);

    // Sent while no courier runs; the next one is stopped while the webhook holds the first of them.
    ids.push(await send(bob, carried, textBody("c")), await send(alice, carried, textBody("d")));
    hook.plan.push("hang");
    const second = await courier(env, dataDir);
    await until("the held request", () => Promise.resolve(hook.requests.length === 3 ? true : undefined));
    await second.stop();

    await courier(env, dataDir);
    await accepted(hook, 4);
    await settle();
    expect(hook.ids()).to.deep.equal(ids);
    expect(hook.ids(hook.requests)).to.deep.equal([ids[0], ids[1], ids[2], ids[2], ids[3]]);
  });

  it("a courier killed with SIGKILL (npm run courier's script in a child process) resumes with the message it did not get accepted", async function () {
    const hook = await webhook();
    const env = { ...(await settings(hook)), COURIER_DATA_DIR: join(world.work, "courier-killed") };
    const start = () => {
      const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/courier.ts"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
      let output = "";
      child.stdout.on("data", (chunk) => (output += chunk));
      child.stderr.on("data", (chunk) => (output += chunk));
      children.push(child);
      return { child, output: () => output };
    };
    const ids = [await send(bob, carried, textBody("before the kill")), await send(bob, carried, textBody("held when killed"))];
    hook.plan.push(200, "hang");
    const first = start();
    await until("the held request", () => Promise.resolve(hook.requests.length === 2 ? true : undefined), 90_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${first.output()}`);
    });
    process.kill(-first.child.pid!, "SIGKILL");
    await until("the courier to die", () => Promise.resolve(first.child.signalCode !== null ? true : undefined));
    expect(existsSync(join(env.COURIER_DATA_DIR, `31337-${alice.deployment.contracts.MessageBus.address.toLowerCase()}`, "cursor.json"))).to.equal(true);

    ids.push(await send(alice, { kind: "account", account: carol }, textBody("after the kill")));
    const second = start();
    await accepted(hook, 3, 90_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${second.output()}`);
    });
    await settle();
    expect(hook.ids()).to.deep.equal(ids);
    expect(hook.ids(hook.requests)).to.deep.equal([ids[0], ids[1], ids[1], ids[2]]);
    process.kill(-second.child.pid!, "SIGTERM");
    await until("the courier to stop", () => Promise.resolve(second.child.exitCode !== null || second.child.signalCode !== null ? true : undefined), 20_000);
    expect(second.child.exitCode).to.equal(0);
  });

  it("refuses to start without a webhook or without targets, naming the setting", async function () {
    const env = { ...world.env, COURIER_WEBHOOK_URL: "http://127.0.0.1:9/hook" };
    const refused = async (extra: Record<string, string>) => {
      try {
        await createCourier({ config: loadConfig(extra) });
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error("expected a refusal");
    };
    expect(await refused(env)).to.contain("COURIER_GROUPS");
    expect(await refused({ ...world.env, COURIER_GROUPS: "1" })).to.contain("COURIER_WEBHOOK_URL");
    expect(() => loadConfig({ ...env, COURIER_GROUPS: "1,x" })).to.throw("COURIER_GROUPS");
    expect(() => loadConfig({ ...env, COURIER_INBOXES: "0x12" })).to.throw("COURIER_INBOXES");
  });
});
