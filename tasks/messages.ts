import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { task, types } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { formatUnits } from "ethers";
import { loadConfig } from "../services/config";
import type { ContactAction, MessageBody, MessageQuote, MessageTarget, MessageView } from "../services/market/messages";
import type { PodStorage } from "../services/pods/storage";
import { lureContracts } from "./lib/contracts";
import { InvalidArgumentError, LureTaskError, explained } from "./lib/errors";
import { print } from "./lib/output";
import { parseAddress, parsePrice, parseToken, parseUint } from "./lib/validate";

/**
 * Paid messages on the command line: send to a group or an account (the body to Swarm first, the
 * fee shown and guarded before anything is sent), read a group or an inbox from the chain's events
 * with the bodies from Swarm, open a message with its decoder pod through a run, and manage an
 * inbox. Arguments are parsed here; the rules live in services/market/messages.ts (loaded when a
 * task runs: it uses the generated bindings, which exist only once Hardhat has compiled).
 */
async function messageServices() {
  const [tokens, messages] = await Promise.all([import("../services/chain/tokens"), import("../services/market/messages")]);
  return { ...tokens, ...messages };
}

const ONE_STEP = { namesTheStep: false };
const MAX_UINT32 = 2n ** 32n - 1n;
/** The largest body a message carries (services/market/messages.ts MAX_BODY_BYTES). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Swarm through bee-js: `--bee-url`, else BEE_URL (default the dev node on 127.0.0.1:1633). */
async function storageFor(beeUrl: string | undefined): Promise<PodStorage> {
  const { podStorage } = await import("../services/pods/swarm-storage");
  const config = loadConfig();
  return podStorage({ url: beeUrl ?? config.BEE_URL, postageBatchId: config.BEE_POSTAGE_BATCH, timeoutMs: config.BEE_TIMEOUT_MS });
}

/** stderr progress, so stdout stays one parseable document with --json. */
function progress(json: boolean): (line: string) => void {
  return (line) => {
    if (!json) console.error(`  … ${line}`);
  };
}

/** A positive integer id (group, message, pod) below `limit`. */
function parseId(value: string | undefined, argument: string, what: string, limit = 2n ** 248n): bigint {
  const text = (value ?? "").trim();
  if (!/^[0-9]+$/.test(text) || BigInt(text) === 0n || BigInt(text) >= limit) throw new InvalidArgumentError(`--${argument}: expected a ${what} id (a positive integer), got ${JSON.stringify(value ?? null)}`);
  return BigInt(text);
}

function describeMessage(message: MessageView, decimalsOf: (token: string) => number, tokenLabel: (token: string) => string, targetLabel: (target: MessageTarget) => string) {
  return {
    messageId: message.messageId,
    to: targetLabel(message.target),
    sender: message.sender,
    contentRef: message.contentRef,
    contentType: message.contentType,
    size: message.size,
    decoder: message.decoderPodId > 0n ? message.decoderPodId : null,
    replyTo: message.replyTo > 0n ? message.replyTo : null,
    request: message.request,
    fee: formatUnits(message.fee, decimalsOf(message.token)),
    token: tokenLabel(message.token),
    block: message.blockNumber,
    // Text bodies as text; a binary body by its size (read it with its reference).
    body: message.body ? (message.body.text ?? `(${message.body.bytes} bytes of ${message.contentType}${message.body.name ? `, ${message.body.name}` : ""})`) : null,
    ...(message.bodyError ? { bodyError: message.bodyError } : {}),
  };
}

interface SendArgs {
  to: string;
  text?: string;
  file?: string;
  decoder?: string;
  replyTo?: string;
  maxFee?: string;
  beeUrl?: string;
  account?: string;
  json: boolean;
}

task("msg:send", "Sends a paid message to a group or an account: the body goes to Swarm first, the fee is shown (and guarded by --max-fee) before anything is sent")
  .addParam("to", "group:ID, or an account address")
  .addOptionalParam("text", "The message, as text", undefined, types.string)
  .addOptionalParam("file", "The message, from a file (.txt text, .md markdown, .json JSON, else binary)", undefined, types.string)
  .addOptionalParam("decoder", "A public pod that decodes the body (msg:open runs it)", undefined, types.string)
  .addOptionalParam("replyTo", "The id of the message answered", undefined, types.string)
  .addOptionalParam("maxFee", "The most you pay, in whole units of the fee's token", undefined, types.string)
  .addOptionalParam("beeUrl", "Bee API URL (default BEE_URL)", undefined, types.string)
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: SendArgs, hre: HardhatRuntimeEnvironment) => {
    const services = await messageServices();
    let target: MessageTarget;
    try {
      target = services.parseTarget(typeof args.to === "string" ? args.to : "");
    } catch (error) {
      throw new InvalidArgumentError(`--to: ${(error as Error).message}`);
    }
    if ((args.text === undefined) === (args.file === undefined)) throw new InvalidArgumentError("--text and --file: give exactly one of them");
    let body: MessageBody;
    if (args.text !== undefined) {
      if (args.text.length === 0) throw new InvalidArgumentError("--text: the message is empty");
      body = services.textBody(args.text);
    } else {
      const file = path.resolve(args.file!);
      const stats = await stat(file).catch(() => undefined);
      if (!stats?.isFile()) throw new InvalidArgumentError(`--file: ${file} is not a file`);
      if (stats.size === 0) throw new InvalidArgumentError(`--file: ${file} is empty`);
      if (stats.size > MAX_BODY_BYTES) throw new InvalidArgumentError(`--file: ${file} is ${stats.size} bytes, above the ${MAX_BODY_BYTES} a message carries`);
      body = services.fileBody(file, new Uint8Array(await readFile(file)));
    }
    const decoderPodId = args.decoder === undefined ? undefined : parseId(args.decoder, "decoder", "pod");
    const replyTo = args.replyTo === undefined ? undefined : parseId(args.replyTo, "reply-to", "message", 2n ** 64n);
    if (args.maxFee !== undefined && !/^[0-9]+(\.[0-9]+)?$/.test(args.maxFee.trim())) throw new InvalidArgumentError(`--max-fee: expected a decimal amount such as 0.01, got ${JSON.stringify(args.maxFee)}`);
    const contracts = await lureContracts(hre, args.account);
    // The fee's token is known from the quote; --max-fee is read in its decimals.
    const quote = await explained(() => services.quoteMessage(contracts, target), ONE_STEP);
    const maxFee = args.maxFee === undefined ? undefined : parsePrice(args.maxFee, quote.decimals, "max-fee", { allowZero: true });
    const say = progress(args.json);
    const storage = await storageFor(args.beeUrl);
    const sent = await explained(
      () =>
        services.sendMessage(contracts, storage, {
          target,
          body,
          decoderPodId,
          replyTo,
          maxFee,
          onQuote: (shown: MessageQuote) =>
            say(`fee ${formatUnits(shown.fee, shown.decimals)} ${services.tokenLabel(shown.token)} (protocol ${formatUnits(shown.protocolFee, shown.decimals)})${shown.request ? ", a contact request" : ""}`),
        }),
      ONE_STEP,
    );
    const amount = (value: bigint) => formatUnits(value, sent.decimals);
    print(
      {
        messageId: sent.messageId,
        to: services.targetLabel(target),
        fee: amount(sent.fee),
        protocolFee: amount(sent.protocolFee),
        token: services.tokenLabel(sent.token),
        request: sent.request,
        contentRef: sent.contentRef,
        contentType: sent.contentType,
        size: sent.size,
        decoder: sent.decoderPodId === 0n ? null : sent.decoderPodId,
        replyTo: sent.replyTo === 0n ? null : sent.replyTo,
        approvalTx: sent.approvalTx ?? null,
        tx: sent.tx,
      },
      { json: args.json, title: `Sent message ${sent.messageId} to ${services.targetLabel(target)}` },
    );
  });

interface ReadArgs {
  group?: string;
  inbox: boolean;
  requests: boolean;
  limit?: string;
  beeUrl?: string;
  account?: string;
  json: boolean;
}

task("msg:read", "Reads the messages of a group or of your inbox from the chain (no indexer needed), with their bodies from Swarm")
  .addOptionalParam("group", "Group id", undefined, types.string)
  .addFlag("inbox", "Your inbox (the --account's)")
  .addFlag("requests", "With --inbox: only the pending contact requests")
  .addOptionalParam("limit", "At most this many, newest first (default 50)", undefined, types.string)
  .addOptionalParam("beeUrl", "Bee API URL (default BEE_URL)", undefined, types.string)
  .addOptionalParam("account", "Whose inbox: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: ReadArgs, hre: HardhatRuntimeEnvironment) => {
    const services = await messageServices();
    if ((args.group === undefined) === !args.inbox) throw new InvalidArgumentError("--group and --inbox: give exactly one of them");
    if (args.requests && !args.inbox) throw new InvalidArgumentError("--requests: only with --inbox");
    const groupId = args.group === undefined ? undefined : parseId(args.group, "group", "group");
    const limit = args.limit === undefined ? 50 : Number(parseUint(args.limit, "limit", 1000n));
    if (limit === 0) throw new InvalidArgumentError('--limit: expected a whole number from 1 to 1000, got "0"');
    const contracts = await lureContracts(hre, args.account);
    const storage = await storageFor(args.beeUrl);
    const messages = await explained(
      () => (groupId !== undefined ? services.readGroupMessages(contracts, groupId, { storage, limit }) : services.readInbox(contracts, contracts.account, { storage, limit, requests: args.requests })),
      ONE_STEP,
    );
    const decimals = new Map<string, number>();
    for (const message of messages) if (!decimals.has(message.token)) decimals.set(message.token, await services.decimalsOf(message.token, hre.ethers.provider));
    const where = groupId !== undefined ? `group ${groupId}` : `the inbox of ${contracts.account}${args.requests ? " (pending requests)" : ""}`;
    print(
      { ...(groupId !== undefined ? { group: groupId } : { inbox: contracts.account }), count: messages.length, messages: messages.map((message) => describeMessage(message, (token) => decimals.get(token) ?? 18, services.tokenLabel, services.targetLabel)) },
      { json: args.json, title: `${messages.length} messages in ${where}` },
    );
  });

interface OpenArgs {
  message: string;
  maxPay?: string;
  runner?: string;
  deadline?: string;
  wait: boolean;
  pollMs?: string;
  beeUrl?: string;
  account?: string;
  json: boolean;
}

task("msg:open", "Opens a message with its decoder pod: requests a run of the decoder with the message's content as its input; --wait follows it and shows the output")
  .addParam("message", "Message id")
  .addOptionalParam("maxPay", "The most you pay for the run, in whole token units (required without --runner: it is the escrow)", undefined, types.string)
  .addOptionalParam("runner", "Runner address (default: any runner)", undefined, types.string)
  .addOptionalParam("deadline", "Seconds from now the run must be claimed and settled in (default 3600)", undefined, types.string)
  .addFlag("wait", "Follow the run to its end and show the output")
  .addOptionalParam("pollMs", "With --wait: milliseconds between two reads of the run (default 2000)", undefined, types.string)
  .addOptionalParam("beeUrl", "Bee API URL (default BEE_URL)", undefined, types.string)
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: OpenArgs, hre: HardhatRuntimeEnvironment) => {
    const services = await messageServices();
    const messageId = parseId(args.message, "message", "message", 2n ** 64n);
    const runner = args.runner === undefined ? undefined : parseAddress(args.runner, "runner");
    const deadlineSeconds = args.deadline === undefined ? undefined : Number(parseUint(args.deadline, "deadline", 365n * 86_400n));
    if (deadlineSeconds === 0) throw new InvalidArgumentError('--deadline: expected seconds from now, at least 1, got "0"');
    const pollMs = args.pollMs === undefined ? 2000 : Number(parseUint(args.pollMs, "poll-ms", 600_000n));
    const contracts = await lureContracts(hre, args.account);
    const message = await explained(() => services.readMessage(contracts, messageId), ONE_STEP);
    if (message.decoderPodId === 0n) throw new LureTaskError(`message ${messageId} is plain: it names no decoder pod (read it with msg:read)`);
    // The run is paid in the token of the decoder's run price (native when it is free).
    const { runPriceOf } = await import("../services/market/runs");
    const price = await explained(() => runPriceOf(contracts, message.decoderPodId), ONE_STEP);
    const decimals = await services.decimalsOf(price.price > 0n ? price.token : services.NATIVE_TOKEN, hre.ethers.provider);
    const maxPayment = args.maxPay === undefined ? undefined : parsePrice(args.maxPay, decimals, "max-pay", { allowZero: true });
    if (runner === undefined && maxPayment === undefined) throw new InvalidArgumentError("--max-pay: required when no --runner is named (it is the escrow any runner's fee is taken from; what is left is refunded)");
    const say = progress(args.json);
    const storage = await storageFor(args.beeUrl);
    const started = Date.now();
    const controller = new AbortController();
    const stop = () => controller.abort(new LureTaskError("stopped waiting; the run goes on: follow it with run:status"));
    if (args.wait) process.once("SIGINT", stop);
    let opened;
    try {
      opened = await explained(
        () =>
          services.openMessage(contracts, storage, messageId, {
            runner,
            maxPayment,
            deadlineSeconds,
            wait: args.wait,
            pollMs,
            signal: controller.signal,
            onState: (change) => say(`[${((Date.now() - started) / 1000).toFixed(1)}s] run ${change.runId} ${change.status}${change.phase ? ` in phase ${change.phase}` : ""}${change.overdue ? ", its deadline passed" : ""}`),
          }),
        ONE_STEP,
      );
    } finally {
      if (args.wait) process.removeListener("SIGINT", stop);
    }
    const result: Record<string, unknown> = {
      messageId,
      decoder: message.decoderPodId,
      contentRef: message.contentRef,
      runId: opened.run.runId,
      runner: opened.run.runner ?? null,
      escrow: formatUnits(opened.run.escrow, opened.run.decimals),
      token: services.tokenLabel(opened.run.token),
      tx: opened.run.tx,
    };
    if (!args.wait) {
      print(result, { json: args.json, title: `Requested run ${opened.run.runId} of decoder pod ${message.decoderPodId} on message ${messageId}` });
      return;
    }
    const final = opened.final!;
    result.status = final.status;
    if (final.status !== "completed") {
      if (args.json) print({ ...result, ...(final.phase ? { phase: final.phase } : {}), overdue: final.overdue }, { json: true });
      const ending = final.overdue ? `passed its deadline while ${final.status} (run:expire --run ${opened.run.runId} refunds it)` : `${final.status}${final.phase ? ` in phase ${final.phase}` : ""}`;
      throw new LureTaskError(`run ${opened.run.runId} of decoder pod ${message.decoderPodId} ${ending}: see run:logs --run ${opened.run.runId}`);
    }
    result.outputRef = opened.outputRef ?? null;
    result.output = (opened.output ?? []).map((file) => ({ path: file.path, bytes: file.bytes, ...(file.text !== undefined ? { text: file.text } : {}) }));
    print(result, { json: args.json, title: `Opened message ${messageId} with decoder pod ${message.decoderPodId} (run ${opened.run.runId})` });
  });

interface InboxPriceArgs {
  price?: string;
  requestPrice?: string;
  token?: string;
  surgeWindow?: string;
  surgeBps?: string;
  account?: string;
  json: boolean;
}

task("inbox:price", "Shows your inbox prices, or sets them: what pending senders pay, what an unknown sender's first message (a contact request) pays, surge pricing")
  .addOptionalParam("price", "What senders with a pending request pay, in whole token units", undefined, types.string)
  .addOptionalParam("requestPrice", "What an unknown sender's first message pays, in whole token units", undefined, types.string)
  .addOptionalParam("token", "Token of the prices: native or an allow-listed ERC-20 (default: the current one)", undefined, types.string)
  .addOptionalParam("surgeWindow", "Surge window in seconds (with --surge-bps; 0 and 0 turn it off)", undefined, types.string)
  .addOptionalParam("surgeBps", "Surge multiplier per further message of one sender in the window, in bps (20000 = x2)", undefined, types.string)
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: InboxPriceArgs, hre: HardhatRuntimeEnvironment) => {
    const services = await messageServices();
    const token = args.token === undefined ? undefined : parseToken(args.token);
    if ((args.surgeWindow === undefined) !== (args.surgeBps === undefined)) throw new InvalidArgumentError("--surge-window and --surge-bps: give both (0 and 0 turn surge pricing off)");
    const surgeWindow = args.surgeWindow === undefined ? undefined : Number(parseUint(args.surgeWindow, "surge-window", MAX_UINT32));
    const surgeBps = args.surgeBps === undefined ? undefined : Number(parseUint(args.surgeBps, "surge-bps", 50_000n));
    const contracts = await lureContracts(hre, args.account);
    const current = await explained(() => services.inboxOf(contracts, contracts.account), ONE_STEP);
    const changing = args.price !== undefined || args.requestPrice !== undefined || token !== undefined || surgeWindow !== undefined;
    const decimals = await services.decimalsOf(token ?? current.token, hre.ethers.provider);
    const show = (settings: { token: string; price: bigint; requestPrice: bigint; surgeWindow: number; surgeBps: number }, floor: bigint) => ({
      account: contracts.account,
      token: services.tokenLabel(settings.token),
      price: formatUnits(settings.price, decimals),
      requestPrice: formatUnits(settings.requestPrice, decimals),
      surge: settings.surgeWindow === 0 ? null : { window: settings.surgeWindow, multiplierBps: settings.surgeBps },
      protocolFloor: formatUnits(floor, decimals),
    });
    if (!changing) {
      print(show(current, current.floor), { json: args.json, title: `Inbox of ${contracts.account}` });
      return;
    }
    const settings = {
      token: token ?? current.token,
      price: args.price === undefined ? current.price : parsePrice(args.price, decimals, "price", { allowZero: true }),
      requestPrice: args.requestPrice === undefined ? current.requestPrice : parsePrice(args.requestPrice, decimals, "request-price", { allowZero: true }),
      surgeWindow: surgeWindow ?? current.surgeWindow,
      surgeBps: surgeBps ?? current.surgeBps,
    };
    const set = await explained(() => services.setInboxPrice(contracts, settings), ONE_STEP);
    const floor = await explained(() => services.inboxOf(contracts, contracts.account), ONE_STEP);
    print({ ...show(set, floor.floor), tx: set.tx }, { json: args.json, title: `Set the inbox prices of ${contracts.account}` });
  });

const CONTACTS: readonly [ContactAction, string][] = [
  ["allow", "Allows a sender: its messages pay only the protocol floor"],
  ["deny", "Denies a sender: its messages are refused"],
  ["accept", "Accepts a pending contact request: the sender is then allowed"],
];

for (const [action, description] of CONTACTS) {
  task(`inbox:${action}`, description)
    .addParam("sender", "The sender's address")
    .addOptionalParam("account", "Signer (the inbox's account): account index or address", undefined, types.string)
    .addFlag("json", "Print JSON")
    .setAction(async (args: { sender: string; account?: string; json: boolean }, hre: HardhatRuntimeEnvironment) => {
      const services = await messageServices();
      const sender = parseAddress(args.sender, "sender");
      const contracts = await lureContracts(hre, args.account);
      const done = await explained(() => services.setContact(contracts, sender, action), ONE_STEP);
      print({ inbox: contracts.account, sender, previous: done.previous, status: done.status, tx: done.tx }, { json: args.json, title: `${sender} is now ${done.status} in the inbox of ${contracts.account}` });
    });
}

task("inbox:withdraw", "Withdraws what your inbox earned (requests and pending senders' fees) in one token from the message bus")
  .addOptionalParam("token", "Token (default native)", undefined, types.string)
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: { token?: string; account?: string; json: boolean }, hre: HardhatRuntimeEnvironment) => {
    const services = await messageServices();
    const token = parseToken(args.token);
    const contracts = await lureContracts(hre, args.account);
    const done = await explained(() => services.withdrawMessageCredit(contracts, token), ONE_STEP);
    print({ account: contracts.account, token: services.tokenLabel(token), amount: formatUnits(done.amount, done.decimals), tx: done.tx }, { json: args.json, title: `Withdrew ${formatUnits(done.amount, done.decimals)} ${services.tokenLabel(token)}` });
  });
