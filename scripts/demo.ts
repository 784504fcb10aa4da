/**
 * `npm run demo`: a guided tour through the real interfaces, against the stack `npm start` runs.
 * Alice publishes a pod and lists it, Bob buys a licence (at the revision he was quoted), Carol forks
 * it (her fork owes Alice 10%, and asks as much of its own forks), lists her fork for sale whole,
 * Dave buys it (the royalty reaches Alice along the lineage: `market:royalties` previews it first),
 * and everyone paid withdraws (Carol to another address, with withdrawTo). Then runs: Alice prices
 * each run of her pod, Bob (a licence holder) runs it on the dev runner and reads its output, and
 * Dave runs a two-stage task (Alice's pod, then the remix he bought). Then groups and messages:
 * Alice creates a group with a banner, Bob joins, Alice sends a paid message whose decoder is a pod
 * of hers, Bob (with a licence of the decoder) reads it and opens it through the runner, and Alice
 * withdraws the group's treasury. The GraphQL API then shows the lineage, Bob's licence, the
 * balances, the runs and the group's messages.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEV_ROLE_ACCOUNTS } from "../services/chain/deployments";
import { loadConfig } from "../services/config";
import { rpcChainId } from "../services/devnet/hardhat-node";

const config = loadConfig();
const hardhatCli = join(require.resolve("hardhat/package.json"), "..", "internal", "cli", "bootstrap.js");
const ACCOUNTS = { alice: "0", bob: "1", carol: "2", dave: "3" } as const;
const ADDRESSES = {
  alice: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
  bob: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  carol: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
  /** Hardhat account #4: where Carol has her earnings sent. */
  carolSavings: "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
} as const;

/** Runs one Hardhat task as a user would type it, echoing the command; returns its JSON output. */
function lure<T = Record<string, string>>(task: string, args: Record<string, string | boolean>): T {
  const argv = [task, "--json"];
  for (const [name, value] of Object.entries(args)) {
    const flag = `--${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
    if (value === true) argv.push(flag);
    else if (value !== false) argv.push(flag, value);
  }
  console.log(`\n$ npx hardhat --network localhost ${argv.filter((word) => word !== "--json").join(" ")}`);
  const output = execFileSync(process.execPath, [hardhatCli, "--network", "localhost", ...argv], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? "warn" },
  });
  const result = JSON.parse(output.slice(output.indexOf("{"))) as T;
  for (const [key, value] of Object.entries(result as Record<string, unknown>)) {
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

async function waitForIndexer(block: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const meta = await graphql<{ _meta: { block: { number: number } | null } }>("{ _meta { block { number } } }");
    if ((meta._meta.block?.number ?? 0) >= block) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the indexer did not reach block ${block} within 20 s`);
}

async function main(): Promise<void> {
  if ((await rpcChainId(config.LOCAL_RPC_URL)) === undefined) {
    console.error(`No chain answers at ${config.LOCAL_RPC_URL}. Start the stack first: npm start`);
    process.exit(2);
  }
  const work = mkdtempSync(join(tmpdir(), "lure-demo-"));
  const stamp = Date.now().toString(36);
  console.log(`Lure demo (working in ${work})`);

  lure("pod:init", { name: `hello-${stamp}`, dir: join(work, "hello") });
  const original = lure<{ podId: string; reference: string }>("pod:persist", { dir: join(work, "hello"), price: "0.1", forkRoyalty: "1000", account: ACCOUNTS.alice });
  lure("market:buy", { pod: original.podId, account: ACCOUNTS.bob });
  lure("pod:show", { pod: original.podId, address: ADDRESSES.bob });

  lure("pod:fork", { pod: original.podId, dir: join(work, "remix"), name: `remix-${stamp}` });
  const remix = lure<{ podId: string }>("pod:persist", { dir: join(work, "remix"), price: "0.5", podPrice: "2", account: ACCOUNTS.carol });
  const shares = lure<{ ancestors: { depth: number; podId: string; receiver: string; amount: string }[] }>("market:royalties", { pod: remix.podId, price: "2" });
  for (const share of shares.ancestors) console.log(`  ancestor ${share.depth}: pod ${share.podId}, ${share.receiver} receives ${share.amount}`);
  lure("market:buy-pod", { pod: remix.podId, account: ACCOUNTS.dave });
  lure("pod:show", { pod: remix.podId });

  lure("market:balance", { address: ADDRESSES.alice });
  lure("market:withdraw", { account: ACCOUNTS.alice });
  lure("market:withdraw", { account: ACCOUNTS.carol, to: ADDRESSES.carolSavings });
  lure("market:withdraw", { account: String(DEV_ROLE_ACCOUNTS.feeRecipient) });

  // Runs: the dev runner `npm start` registered executes them in the local sandbox.
  lure("pod:run-price", { pod: original.podId, price: "0.001", account: ACCOUNTS.alice });
  const bobRun = lure<{ runId: string; status: string }>("pod:run", { pod: original.podId, maxPay: "0.01", wait: true, pollMs: "250", out: join(work, "bob-run"), account: ACCOUNTS.bob });
  console.log(`  output/hello.txt of run ${bobRun.runId}: ${readFileSync(join(work, "bob-run", "hello.txt"), "utf8").trim()}`);
  lure("run:logs", { run: bobRun.runId });
  lure("market:buy", { pod: original.podId, account: ACCOUNTS.dave });
  writeFileSync(join(work, "task.json"), `${JSON.stringify({ name: `hello-then-remix-${stamp}`, pods: [Number(original.podId), Number(remix.podId)] }, null, 2)}\n`);
  const task = lure<{ runId: string; status: string }>("task:run", { recipe: join(work, "task.json"), maxPay: "0.02", wait: true, pollMs: "250", out: join(work, "dave-task"), account: ACCOUNTS.dave });
  lure("run:status", { run: task.runId });

  // Groups and paid messages: the decoder is a pod, run by the runner when the message is opened.
  writeFileSync(
    join(work, "banner.json"),
    `${JSON.stringify({ title: "Lure demo group", objectives: ["Share pods that read messages"], howToJoin: "Open: group:join", rules: ["Be kind"], links: [] }, null, 2)}\n`,
  );
  const group = lure<{ groupId: string }>("group:create", { name: `demo-${stamp}`, banner: join(work, "banner.json"), memberFee: "0.001", publicFee: "0.002", account: ACCOUNTS.alice });
  lure("group:join", { group: group.groupId, account: ACCOUNTS.bob });
  mkdirSync(join(work, "decoder"), { recursive: true });
  writeFileSync(join(work, "decoder", "recipe.json"), `${JSON.stringify({ name: `upper-${stamp}`, description: "Decodes a message by shouting it", golem: { exec: "sh [@]decode.sh" } }, null, 2)}\n`);
  writeFileSync(join(work, "decoder", "decode.sh"), "#!/bin/sh\ncat payload/input/* | tr a-z A-Z > /golem/output/decoded.txt\necho decoded\n");
  const decoder = lure<{ podId: string }>("pod:persist", { dir: join(work, "decoder"), price: "0.001", account: ACCOUNTS.alice });
  const sent = lure<{ messageId: string }>("msg:send", { to: `group:${group.groupId}`, text: "hello from the demo", decoder: decoder.podId, maxFee: "0.01", account: ACCOUNTS.alice });
  lure("msg:read", { group: group.groupId, account: ACCOUNTS.bob });
  lure("market:buy", { pod: decoder.podId, account: ACCOUNTS.bob });
  const opened = lure<{ output: { path: string; text?: string }[] }>("msg:open", { message: sent.messageId, maxPay: "0.01", wait: true, pollMs: "250", account: ACCOUNTS.bob });
  for (const file of opened.output) console.log(`  ${file.path}: ${file.text?.trim() ?? "(binary)"}`);
  lure("group:withdraw", { group: group.groupId, account: ACCOUNTS.alice });

  const head = await (await fetch(config.LOCAL_RPC_URL, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }),
  })).json() as { result: string };
  await waitForIndexer(Number(head.result));
  const lineage = await graphql<unknown>(
    `query ($id: BigInt!) { lineage(podId: $id) { ancestors { id name } descendants { pod { id name } } } }`,
    { id: remix.podId },
  ).catch((error: Error) => ({ unavailable: error.message }));
  console.log(`\nGraphQL lineage of pod ${remix.podId}:\n${JSON.stringify(lineage, null, 2)}`);
  const bob = await graphql<unknown>(
    `query ($address: Address!) { account(address: $address) { licenses { totalCount items { podId pod { name } price } } } }`,
    { address: ADDRESSES.bob },
  ).catch((error: Error) => ({ unavailable: error.message }));
  console.log(`\nGraphQL: Bob's licences:\n${JSON.stringify(bob, null, 2)}`);
  const alice = await graphql<unknown>(
    `query ($address: Address!) { account(address: $address) { balances { token withdrawable earned } } }`,
    { address: ADDRESSES.alice },
  ).catch((error: Error) => ({ unavailable: error.message }));
  console.log(`\nGraphQL: what Alice (seller of a licence, then upstream author of the remix) has earned:\n${JSON.stringify(alice, null, 2)}`);
  const messages = await graphql<unknown>(
    `query ($group: BigInt!) { group(id: $group) { name banner { title } memberCount messageCount messages { items { id sender fee } } } }`,
    { group: group.groupId },
  ).catch((error: Error) => ({ unavailable: error.message }));
  console.log(`\nGraphQL: the demo group:\n${JSON.stringify(messages, null, 2)}`);
  console.log(`\nExplore more at http://${config.GRAPHQL_HOST}:${config.GRAPHQL_PORT}/ — the demo is done.`);
}

main().catch((error: Error) => {
  console.error(`demo failed: ${error.message}`);
  process.exit(1);
});
