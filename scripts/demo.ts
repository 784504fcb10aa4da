/**
 * `npm run demo`: the whole story through the real interfaces, against the stack `npm start` runs.
 * Each chapter says what it proves, checks that it did, and the demo stops with exit code 1 at the
 * first chapter whose result is not the expected one (2 when no stack answers).
 *
 *  1. Alice scaffolds a pod, persists it to Swarm and lists it.
 *  2. Bob buys a licence and runs the pod on the dev runner; its output comes back.
 *  3. Carol forks the pod and sells her remix whole to Dave; Erin forks the remix and sells hers to
 *     Bob: the royalties `market:royalties` previews reach every ancestor.
 *  4. Dave runs a two-stage task: Alice's pod, then the remix he bought.
 *  5. Alice creates a group with a banner, and Bob joins it.
 *  6. The bots: the scout finds a new pod and reports it to the group; the courier carries the
 *     group's messages to a webhook.
 *  7. Alice sends a paid message whose decoder is a pod of hers; Bob reads it and opens it.
 *  8. Everyone paid withdraws (Carol to another address), and the group's treasury is withdrawn.
 *  9. The GraphQL API agrees with the chain: lineage, licences, runs, the group's messages.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatEther, parseEther } from "ethers";
import { DEV_ROLE_ACCOUNTS } from "../services/chain/deployments";
import { loadConfig } from "../services/config";
import { rpcChainId } from "../services/devnet/hardhat-node";

const config = loadConfig();
const hardhatCli = join(require.resolve("hardhat/package.json"), "..", "internal", "cli", "bootstrap.js");
const ROOT = join(__dirname, "..");
// Hardhat accounts: #4 is Carol's savings; #5–#8 are left to other users of the chain (the browser
// tests' wallets); #14 is the scout's and #15 the dev runner's.
const ACCOUNTS = { alice: "0", bob: "1", carol: "2", dave: "3", erin: "9" } as const;
const ADDRESSES = {
  alice: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
  bob: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  carol: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
  dave: "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
  /** Hardhat account #4: where Carol has her earnings sent. */
  carolSavings: "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
} as const;

/** A chapter's result was not the expected one. */
class DemoCheckFailed extends Error {}

function check(condition: unknown, what: string): asserts condition {
  if (!condition) throw new DemoCheckFailed(what);
}

type TaskOutput = Record<string, unknown>;

/** Runs one Hardhat task as a user would type it, echoing the command; returns its JSON output. */
function lure<T = TaskOutput>(task: string, args: Record<string, string | boolean>): T {
  const argv = [task, "--json"];
  for (const [name, value] of Object.entries(args)) {
    const flag = `--${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
    if (value === true) argv.push(flag);
    else if (value !== false) argv.push(flag, value);
  }
  console.log(`\n$ npx hardhat --network localhost ${argv.filter((word) => word !== "--json").map((word) => (/\s/.test(word) ? JSON.stringify(word) : word)).join(" ")}`);
  let output: string;
  try {
    output = execFileSync(process.execPath, [hardhatCli, "--network", "localhost", ...argv], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? "warn" },
    });
  } catch (error) {
    // A task that fails prints its error as JSON ({"error": ...}) on stdout under --json.
    const { status, stdout } = error as { status?: number | null; stdout?: string };
    let reason = `exit code ${status ?? "?"}`;
    try {
      const printed = JSON.parse((stdout ?? "").slice((stdout ?? "").indexOf("{"))) as { error?: { message?: string } | string };
      reason = typeof printed.error === "string" ? printed.error : (printed.error?.message ?? reason);
    } catch {
      // Not JSON: the task's own words went to stderr above.
    }
    throw new DemoCheckFailed(`${task} failed: ${reason}`);
  }
  const result = JSON.parse(output.slice(output.indexOf("{"))) as T;
  for (const [key, value] of Object.entries(result as TaskOutput)) {
    // JSON output: anything not an object or null is a string, a number or a boolean.
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") console.log(`  ${key}: ${String(value)}`);
  }
  return result;
}

async function graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(`http://${config.GRAPHQL_HOST}:${config.GRAPHQL_PORT}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(`GraphQL: ${body.errors.map((error) => error.message).join("; ")}`);
  return body.data as T;
}

async function chainHead(): Promise<number> {
  const response = await fetch(config.LOCAL_RPC_URL, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }),
  });
  return Number(((await response.json()) as { result: string }).result);
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new DemoCheckFailed(`${what} did not happen within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function waitForIndexer(): Promise<void> {
  const head = await chainHead();
  await until(`the indexer reaching block ${head}`, 30_000, async () => {
    const meta = await graphql<{ _meta: { block: { number: number } | null } }>("{ _meta { block { number } } }");
    return (meta._meta.block?.number ?? 0) >= head ? true : undefined;
  });
}

/** What the market holds for `address` to withdraw, in wei of the native coin. */
function withdrawable(address: string): bigint {
  return BigInt(lure<{ wei: string }>("market:balance", { address }).wei);
}

/**
 * A bot (`npm run scout`, `npm run courier`) as a child process, compiled as `npm start` left it;
 * resolves once it says it is following the chain.
 */
async function startBot(name: "scout" | "courier", env: NodeJS.ProcessEnv, children: ChildProcess[]): Promise<void> {
  const entry = join(ROOT, "dist", "scripts", `${name}.js`);
  if (!existsSync(entry)) throw new DemoCheckFailed(`${entry} is missing: npm start builds it (npm run build:services)`);
  const child = spawn(process.execPath, [entry], { env: { ...process.env, LOG_LEVEL: "warn", NETWORK: "localhost", ...env }, stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.once("exit", (code) => reject(new DemoCheckFailed(`npm run ${name} exited with ${code} before it started`)));
    child.stdout?.on("data", (chunk: Buffer) => {
      process.stdout.write(`  [${name}] ${chunk.toString()}`);
      resolve();
    });
  });
}

/** A webhook receiver on a free loopback port: the courier posts the group's messages to it. */
async function startWebhook(): Promise<{ url: string; received: Record<string, unknown>[]; server: Server }> {
  const received: Record<string, unknown>[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      try {
        received.push(JSON.parse(body) as Record<string, unknown>);
        response.writeHead(200).end();
      } catch {
        response.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the webhook has no port");
  return { url: `http://127.0.0.1:${address.port}/lure-hook`, received, server };
}

interface Chapter {
  title: string;
  /** What the chapter shows when its checks pass. */
  proves: string;
  run: () => Promise<void> | void;
}

async function main(): Promise<void> {
  if ((await rpcChainId(config.LOCAL_RPC_URL)) === undefined) {
    console.error(`No chain answers at ${config.LOCAL_RPC_URL}. Start the stack first: npm start`);
    process.exit(2);
  }
  const work = mkdtempSync(join(tmpdir(), "lure-demo-"));
  const stamp = Date.now().toString(36);
  const children: ChildProcess[] = [];
  let webhook: Awaited<ReturnType<typeof startWebhook>> | undefined;
  // Ctrl-C (or a kill) mid-demo stops the bots it started too.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      for (const child of children) child.kill("SIGINT");
      process.exit(130);
    });
  }
  console.log(`Lure demo (working in ${work})`);

  // What the chapters learn and hand on.
  let original = { podId: "", reference: "" };
  let remix = { podId: "" };
  let encore = { podId: "" };
  let decoder = { podId: "" };
  let groupId = "";
  let messageId = "";
  const runIds: string[] = [];

  const chapters: Chapter[] = [
    {
      title: "Alice scaffolds a pod, persists it to Swarm and lists it",
      proves: "a folder becomes an ERC-721 pod whose version is a Swarm reference, listed for sale",
      run: () => {
        lure("pod:init", { name: `hello-${stamp}`, dir: join(work, "hello") });
        original = lure<{ podId: string; reference: string; listed: boolean }>("pod:persist", { dir: join(work, "hello"), price: "0.1", forkRoyalty: "1000", account: ACCOUNTS.alice });
        const shown = lure<{ owner: string; latestRef: string; versions: number }>("pod:show", { pod: original.podId });
        check(shown.owner === ADDRESSES.alice, `pod ${original.podId} belongs to ${shown.owner}, not Alice`);
        check(shown.latestRef === original.reference, `pod ${original.podId}'s latest reference ${shown.latestRef} is not the one persisted (${original.reference})`);
      },
    },
    {
      title: "Bob buys a licence and runs the pod on the dev runner",
      proves: "a licence is bought at the listed price, and a run is escrowed, executed in the sandbox, uploaded to Swarm and settled",
      run: () => {
        const bought = lure<{ paid: string; buyer: string }>("market:buy", { pod: original.podId, account: ACCOUNTS.bob });
        check(bought.paid === "0.1" && bought.buyer === ADDRESSES.bob, `Bob paid ${bought.paid}, not the listed 0.1`);
        lure("pod:run-price", { pod: original.podId, price: "0.001", account: ACCOUNTS.alice });
        const run = lure<{ runId: string; status: string }>("pod:run", { pod: original.podId, maxPay: "0.01", wait: true, pollMs: "250", out: join(work, "bob-run"), account: ACCOUNTS.bob });
        check(run.status === "completed", `Bob's run ${run.runId} ended ${run.status}`);
        runIds.push(run.runId);
        const text = readFileSync(join(work, "bob-run", "hello.txt"), "utf8").trim();
        console.log(`  output/hello.txt of run ${run.runId}: ${text}`);
        check(text === "Hello, world!", `run ${run.runId}'s hello.txt says ${JSON.stringify(text)}`);
        const logs = lure<{ stdout: string }>("run:logs", { run: run.runId });
        check(logs.stdout.includes("Hello, world!"), `run ${run.runId}'s log has no "Hello, world!"`);
      },
    },
    {
      title: "Carol forks the pod and sells her remix to Dave; Erin forks the remix and sells it on to Bob",
      proves: "forks keep their lineage, and every sale pays each ancestor the royalty previewed before it",
      run: () => {
        lure("pod:fork", { pod: original.podId, dir: join(work, "remix"), name: `remix-${stamp}` });
        remix = lure("pod:persist", { dir: join(work, "remix"), price: "0.5", podPrice: "2", forkRoyalty: "1000", account: ACCOUNTS.carol });
        const sale = (podId: string, price: string, buyer: string): void => {
          const preview = lure<{ ancestors: { depth: number; podId: string; receiver: string; amount: string }[] }>("market:royalties", { pod: podId, price });
          check(preview.ancestors.length > 0, `pod ${podId} has no ancestors to pay`);
          const before = preview.ancestors.map((share) => withdrawable(share.receiver));
          lure("market:buy-pod", { pod: podId, account: buyer });
          preview.ancestors.forEach((share, index) => {
            const gained = withdrawable(share.receiver) - before[index];
            console.log(`  ancestor ${share.depth} (pod ${share.podId}): ${share.receiver} was previewed ${share.amount} and received ${formatEther(gained)}`);
            check(gained === parseEther(share.amount), `ancestor pod ${share.podId}'s ${share.receiver} received ${formatEther(gained)}, not the previewed ${share.amount}`);
          });
        };
        sale(remix.podId, "2", ACCOUNTS.dave);
        lure("pod:fork", { pod: remix.podId, dir: join(work, "encore"), name: `encore-${stamp}` });
        encore = lure("pod:persist", { dir: join(work, "encore"), price: "0.2", podPrice: "1", account: ACCOUNTS.erin });
        sale(encore.podId, "1", ACCOUNTS.bob);
        const shown = lure<{ owner: string }>("pod:show", { pod: encore.podId });
        check(shown.owner === ADDRESSES.bob, `pod ${encore.podId} belongs to ${shown.owner} after Bob bought it`);
      },
    },
    {
      title: "Dave runs a two-stage task: Alice's pod, then the remix he bought",
      proves: "tasks chain pods: each stage's output is the next stage's input, paid from one escrow",
      run: () => {
        lure("market:buy", { pod: original.podId, account: ACCOUNTS.dave });
        writeFileSync(join(work, "task.json"), `${JSON.stringify({ name: `hello-then-remix-${stamp}`, pods: [Number(original.podId), Number(remix.podId)] }, null, 2)}\n`);
        const task = lure<{ runId: string; status: string }>("task:run", { recipe: join(work, "task.json"), maxPay: "0.02", wait: true, pollMs: "250", out: join(work, "dave-task"), account: ACCOUNTS.dave });
        check(task.status === "completed", `Dave's task ${task.runId} ended ${task.status}`);
        runIds.push(task.runId);
        const status = lure<{ kind: string; status: string }>("run:status", { run: task.runId });
        check(status.kind === "task" && status.status === "completed", `run ${task.runId} is a ${status.kind}, ${status.status}`);
      },
    },
    {
      title: "Alice creates a group with a banner, and Bob joins it",
      proves: "groups keep their banner on Swarm and their members on chain",
      run: () => {
        writeFileSync(
          join(work, "banner.json"),
          `${JSON.stringify({ title: "Lure demo group", objectives: ["Share pods that read messages"], howToJoin: "Open: group:join", rules: ["Be kind"], links: [] }, null, 2)}\n`,
        );
        groupId = lure<{ groupId: string }>("group:create", { name: `demo-${stamp}`, banner: join(work, "banner.json"), memberFee: "0.001", publicFee: "0.002", account: ACCOUNTS.alice }).groupId;
        const joined = lure<{ step: string }>("group:join", { group: groupId, account: ACCOUNTS.bob });
        check(joined.step === "joined", `Bob's join of group ${groupId} ended at ${joined.step}`);
      },
    },
    {
      title: "The bots: the scout reports a new pod to the group, and the courier carries the group's messages to a webhook",
      proves: "bots follow the chain on their own: findings become paid group messages, and messages leave the chain for other systems",
      run: async () => {
        webhook = await startWebhook();
        // Both print their banner once they follow the chain; the scout starts at the head, so it
        // has to be following before the pod appears.
        await Promise.all([
          startBot("courier", { COURIER_GROUPS: groupId, COURIER_WEBHOOK_URL: webhook.url, COURIER_DATA_DIR: join(work, "courier"), COURIER_POLL_MS: "250" }, children),
          startBot("scout", { SCOUT_REPORT_GROUP: groupId, SCOUT_NAME_PATTERN: `^scouted-${stamp}$`, SCOUT_MAX_FEE: "0.01", SCOUT_DATA_DIR: join(work, "scout"), SCOUT_POLL_MS: "250" }, children),
        ]);
        lure("pod:init", { name: `scouted-${stamp}`, dir: join(work, "scouted") });
        const scouted = lure<{ podId: string }>("pod:persist", { dir: join(work, "scouted"), account: ACCOUNTS.carol });
        const received = webhook.received;
        const report = await until("the scout's report reaching the webhook", 60_000, () =>
          received.find((message) => {
            const body = message.body as { text?: string } | undefined;
            return message.target === `group:${groupId}` && typeof body?.text === "string" && body.text.includes("lure.scout.report");
          }),
        );
        const parsed = JSON.parse((report.body as { text: string }).text) as { pod: { podId: string }; summary: string };
        console.log(`  the courier posted message ${String(report.messageId)}: ${parsed.summary}`);
        check(parsed.pod.podId === scouted.podId, `the scout reported pod ${parsed.pod.podId}, not the new pod ${scouted.podId}`);
      },
    },
    {
      title: "Alice sends a paid message whose decoder is a pod; Bob reads it and opens it",
      proves: "a message's fee is quoted and paid on chain, its body lives on Swarm, and its decoder runs like any pod",
      run: async () => {
        mkdirSync(join(work, "decoder"), { recursive: true });
        writeFileSync(join(work, "decoder", "recipe.json"), `${JSON.stringify({ name: `upper-${stamp}`, description: "Decodes a message by shouting it", golem: { exec: "sh [@]decode.sh" } }, null, 2)}\n`);
        writeFileSync(join(work, "decoder", "decode.sh"), "#!/bin/sh\ncat payload/input/* | tr a-z A-Z > /golem/output/decoded.txt\necho decoded\n");
        decoder = lure("pod:persist", { dir: join(work, "decoder"), price: "0.001", account: ACCOUNTS.alice });
        // The group's catalogue: the pods its members are pointed to (the web app's pod filters browse it).
        const posted = lure<{ posted: boolean }>("group:post-pod", { group: groupId, pod: decoder.podId, account: ACCOUNTS.alice });
        check(posted.posted, `pod ${decoder.podId} was not posted to group ${groupId}`);
        const sent = lure<{ messageId: string; fee: string }>("msg:send", { to: `group:${groupId}`, text: "hello from the demo", decoder: decoder.podId, maxFee: "0.01", account: ACCOUNTS.alice });
        messageId = sent.messageId;
        check(Number(sent.fee) <= 0.01, `the message cost ${sent.fee}, above the 0.01 Alice allowed`);
        const read = lure<{ messages: { messageId: string; body: string | null; decoder: string | null }[] }>("msg:read", { group: groupId, account: ACCOUNTS.bob });
        const mine = read.messages.find((message) => message.messageId === messageId);
        check(mine?.body === "hello from the demo", `Bob reads message ${messageId} as ${JSON.stringify(mine?.body)}`);
        lure("market:buy", { pod: decoder.podId, account: ACCOUNTS.bob });
        const opened = lure<{ runId: string; status: string; output: { path: string; text?: string }[] }>("msg:open", { message: messageId, maxPay: "0.01", wait: true, pollMs: "250", account: ACCOUNTS.bob });
        for (const file of opened.output) console.log(`  ${file.path}: ${file.text?.trim() ?? "(binary)"}`);
        runIds.push(opened.runId);
        const decoded = opened.output.find((file) => file.path.endsWith("decoded.txt"))?.text?.trim();
        check(decoded === "HELLO FROM THE DEMO", `the decoder's output is ${JSON.stringify(decoded)}`);
        const carried = webhook?.received;
        await until(`the courier posting message ${messageId}`, 30_000, () => carried?.find((message) => message.messageId === messageId));
        console.log(`  the courier posted message ${messageId} to ${webhook?.url}`);
      },
    },
    {
      title: "Everyone paid withdraws: Alice, Carol (to her savings address), Dave, Erin, the fee recipient and the group's owner",
      proves: "earnings wait in the contracts (pull payments) until their owner takes them, to any address",
      run: () => {
        const payees: { account: string; address: string; to?: string }[] = [
          { account: ACCOUNTS.alice, address: ADDRESSES.alice },
          { account: ACCOUNTS.carol, address: ADDRESSES.carol, to: ADDRESSES.carolSavings },
          { account: ACCOUNTS.dave, address: ADDRESSES.dave },
          { account: String(DEV_ROLE_ACCOUNTS.feeRecipient), address: "" },
        ];
        for (const payee of payees) {
          const withdrawn = lure<{ amount: string; recipient: string; account: string }>("market:withdraw", { account: payee.account, ...(payee.to ? { to: payee.to } : {}) });
          check(Number(withdrawn.amount) > 0, `account #${payee.account} withdrew ${withdrawn.amount}`);
          if (payee.to) check(withdrawn.recipient === payee.to, `Carol's earnings went to ${withdrawn.recipient}`);
          check(withdrawable(withdrawn.account) === 0n, `account #${payee.account} still has earnings after withdrawing`);
        }
        const erin = lure<{ amount: string }>("market:withdraw", { account: ACCOUNTS.erin });
        check(Number(erin.amount) > 0, `Erin withdrew ${erin.amount}`);
        const treasury = lure<{ total: string }>("group:withdraw", { group: groupId, account: ACCOUNTS.alice });
        check(Number(treasury.total) > 0, `group ${groupId}'s treasury gave ${treasury.total}`);
      },
    },
    {
      title: "The GraphQL API agrees with the chain",
      proves: "the indexer rebuilt lineage, licences, runs and messages from events alone",
      run: async () => {
        await waitForIndexer();
        const lineage = await graphql<{ lineage: { ancestors: { id: string; name: string }[] } }>(`query ($id: BigInt!) { lineage(podId: $id) { ancestors { id name } } }`, { id: encore.podId });
        console.log(`  lineage of pod ${encore.podId}: ${lineage.lineage.ancestors.map((pod) => `${pod.name} (#${pod.id})`).join(" ← ")}`);
        check(
          lineage.lineage.ancestors.map((pod) => pod.id).sort().join() === [remix.podId, original.podId].sort().join(),
          `pod ${encore.podId}'s ancestors are ${lineage.lineage.ancestors.map((pod) => pod.id).join(", ")}`,
        );
        const bob = await graphql<{ account: { licenses: { items: { podId: string }[] } } }>(`query ($address: Address!) { account(address: $address) { licenses { items { podId } } } }`, { address: ADDRESSES.bob });
        const licensed = bob.account.licenses.items.map((licence) => licence.podId);
        console.log(`  Bob's licences: pods ${licensed.join(", ")}`);
        check(licensed.includes(original.podId) && licensed.includes(decoder.podId), `Bob's licences are pods ${licensed.join(", ")}`);
        for (const runId of runIds) {
          const run = await graphql<{ run: { status: string } | null }>(`query ($id: BigInt!) { run(id: $id) { status } }`, { id: runId });
          check(run.run?.status === "COMPLETED", `GraphQL says run ${runId} is ${run.run?.status ?? "missing"}`);
        }
        console.log(`  runs ${runIds.join(", ")}: completed`);
        const group = await graphql<{ group: { name: string; messageCount: number; messages: { items: { id: string }[] } } | null }>(
          `query ($group: BigInt!) { group(id: $group) { name messageCount messages { items { id } } } }`,
          { group: groupId },
        );
        console.log(`  group ${groupId} "${group.group?.name ?? "?"}": ${group.group?.messageCount ?? 0} messages`);
        check(group.group?.messages.items.some((message) => message.id === messageId), `GraphQL does not list message ${messageId} in group ${groupId}`);
      },
    },
  ];

  let failed = false;
  try {
    for (const [index, chapter] of chapters.entries()) {
      console.log(`\n━━ ${index + 1}/${chapters.length} ${chapter.title}`);
      await chapter.run();
      console.log(`✔ ${chapter.proves}`);
    }
    console.log(`\nThe demo is done: all ${chapters.length} chapters gave the expected result. Explore it at http://${config.GRAPHQL_HOST}:${config.GRAPHQL_PORT}/`);
  } catch (error) {
    failed = true;
    const reason = error instanceof DemoCheckFailed ? error.message : `${(error as Error).message}`;
    console.error(`\n✘ demo failed: ${reason}`);
  } finally {
    for (const child of children) child.kill("SIGINT");
    webhook?.server.close();
  }
  process.exit(failed ? 1 : 0);
}

void main();
