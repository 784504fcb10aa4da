import path from "node:path";
import { formatUnits, getAddress, isAddress, toBeHex, type Log } from "ethers";
import { IERC20__factory } from "../../typechain-types/factories/@openzeppelin/contracts/token/ERC20/IERC20__factory";
import type { Deployment } from "../chain/deployments";
import type { LureContracts } from "../chain/contracts";
import { eventsOf } from "../chain/events";
import { refHex, refToBytes32, VISIBILITY_PUBLIC } from "../chain/refs";
import { decimalsOf, NATIVE_TOKEN, tokenLabel } from "../chain/tokens";
import { read, simulate, transact } from "../chain/transact";
import type { PodStorage } from "../pods/storage";
import { prepareErc20Payment } from "./allowance";
import { MarketError } from "./errors";
import { quoteRun, requestRun, waitForRun, type RunRequestResult, type RunStateChange } from "./runs";

/**
 * The sender's and the recipient's side of MessageBus: quote a message (the one view `quote`, which
 * equals what `send` charges), send it (the body uploaded to Swarm first, the fee paid through the
 * one payment path and guarded by the sender's maximum), read the messages of a group or an inbox
 * from the chain's events (eth_getLogs; no indexer needed) with their bodies from Swarm, set an
 * inbox's prices and contacts, withdraw credits, and open a message by running its decoder pod
 * through the run market with the message's content as the run's input.
 */

/** A message operation refused before anything was sent or uploaded. */
export class MessageError extends MarketError {
  constructor(message: string) {
    super(message);
    this.name = "MessageError";
  }
}

/** The fee is above what the sender said it would pay; nothing was sent or uploaded. */
export class MessageFeeAboveMaximumError extends MessageError {
  constructor(
    readonly fee: bigint,
    readonly maxFee: bigint,
    token: string,
    decimals: number,
  ) {
    super(`the message costs ${formatUnits(fee, decimals)} ${tokenLabel(token)}, above the maximum ${formatUnits(maxFee, decimals)}`);
    this.name = "MessageFeeAboveMaximumError";
  }
}

export type MessageContracts = Pick<LureContracts, "messages" | "groups" | "registry" | "account"> & { deployment?: Deployment };

/** Application content types as `meta.contentType` carries them (the value on chain is the index). */
export const CONTENT_TYPES = ["binary", "text", "markdown", "json"] as const;
export type ContentTypeName = (typeof CONTENT_TYPES)[number];

/** MessageBus's Contact enum: the value on chain is the index. */
export const CONTACT_STATUSES = ["none", "requested", "allowed", "denied"] as const;
export type ContactStatusName = (typeof CONTACT_STATUSES)[number];

/** The largest body accepted (`meta.size` is a uint32; Swarm uploads of this size are already slow). */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;
const MAX_AMOUNT = (1n << 96n) - 1n;
const MAX_SURGE_BPS = 50_000;

// ------------------------------------------------------------------ targets

export type MessageTarget = { kind: "group"; groupId: bigint } | { kind: "account"; account: string };

const KIND_ACCOUNT = 1n;
const KIND_GROUP = 2n;
const ID_MASK = (1n << 248n) - 1n;

/** The target as MessageBus encodes it: the kind in the top byte, the id below (see IMessageBus). */
export function encodeTarget(target: MessageTarget): bigint {
  if (target.kind === "group") {
    if (target.groupId <= 0n || target.groupId > ID_MASK) throw new MessageError(`group ${target.groupId}: a group id is a positive integer`);
    return (KIND_GROUP << 248n) | target.groupId;
  }
  if (!isAddress(target.account) || BigInt(target.account) === 0n) throw new MessageError(`recipient ${JSON.stringify(target.account)}: expected a non-zero 20-byte address`);
  return (KIND_ACCOUNT << 248n) | BigInt(target.account);
}

/** The target an event carries. */
export function decodeTarget(value: bigint): MessageTarget {
  const kind = value >> 248n;
  const id = value & ID_MASK;
  if (kind === KIND_GROUP) return { kind: "group", groupId: id };
  return { kind: "account", account: getAddress(toBeHex(id, 20)) };
}

/** `group:3` or an address, as the command line writes targets. */
export function targetLabel(target: MessageTarget): string {
  return target.kind === "group" ? `group:${target.groupId}` : target.account;
}

/**
 * `group:ID` or `0x…` (an account). A MessageError names the value otherwise.
 */
export function parseTarget(text: string): MessageTarget {
  const value = text.trim();
  const group = /^group:([0-9]+)$/i.exec(value);
  if (group) {
    const groupId = BigInt(group[1]);
    if (groupId === 0n) throw new MessageError(`target ${JSON.stringify(text)}: a group id is a positive integer`);
    return { kind: "group", groupId };
  }
  if (isAddress(value) && BigInt(value) !== 0n) return { kind: "account", account: getAddress(value) };
  throw new MessageError(`target ${JSON.stringify(text)}: expected group:ID or a non-zero 0x address`);
}

// ------------------------------------------------------------------ quotes

export interface MessageQuote {
  sender: string;
  target: MessageTarget;
  token: string;
  decimals: number;
  /** The whole payment. */
  fee: bigint;
  /** The protocol's part (the floor); the rest goes to the group or the recipient. */
  protocolFee: bigint;
  /** True when the message is an unknown sender's contact request to an account. */
  request: boolean;
}

async function checkGroupExists(contracts: Pick<MessageContracts, "groups">, target: MessageTarget): Promise<void> {
  if (target.kind !== "group") return;
  const count = await read(() => contracts.groups.groupCount(), { action: "group count" });
  if (target.groupId > count) throw new MessageError(`group ${target.groupId} does not exist (there are ${count})`);
}

/**
 * What a message from the account to `target` costs now: exactly what `send` charges in the same
 * state. Refused with the contract's reason where `send` would be (a banned or denied sender).
 */
export async function quoteMessage(contracts: MessageContracts, target: MessageTarget): Promise<MessageQuote> {
  const encoded = encodeTarget(target);
  await checkGroupExists(contracts, target);
  if (target.kind === "account" && target.account.toLowerCase() === contracts.account.toLowerCase()) throw new MessageError(`recipient ${target.account} is the sender itself`);
  const q = await read(() => contracts.messages.quote(contracts.account, encoded), { action: `quote a message to ${targetLabel(target)}` });
  return { sender: contracts.account, target, token: q.token, decimals: await decimalsOf(q.token, contracts.messages.runner), fee: q.fee, protocolFee: q.protocolFee, request: q.request };
}

// ------------------------------------------------------------------ sending

export interface MessageBody {
  data: Uint8Array;
  /** The body's file name in its collection (its index document); `message.txt` for text. */
  name: string;
  contentType: ContentTypeName;
}

/** A text body. */
export function textBody(text: string): MessageBody {
  return { data: new Uint8Array(Buffer.from(text, "utf8")), name: "message.txt", contentType: "text" };
}

/** A file's body: its base name, and a content type from its extension (.txt text, .md markdown, .json JSON, else binary). */
export function fileBody(file: string, data: Uint8Array): MessageBody {
  const name = path.basename(file);
  const extension = path.extname(name).toLowerCase();
  const contentType: ContentTypeName = extension === ".txt" ? "text" : extension === ".md" || extension === ".markdown" ? "markdown" : extension === ".json" ? "json" : "binary";
  return { data, name, contentType };
}

export interface SendRequest {
  target: MessageTarget;
  body: MessageBody;
  /** A public pod that decodes the body (0 or undefined = plain). */
  decoderPodId?: bigint;
  /** The message answered. */
  replyTo?: bigint;
  /** The most the sender pays; above it nothing is uploaded or sent. */
  maxFee?: bigint;
  /** Called with the quote before anything is uploaded or sent (the command line shows it). */
  onQuote?: (quote: MessageQuote) => void;
}

export interface SentMessage extends MessageQuote {
  messageId: bigint;
  contentRef: string;
  contentType: ContentTypeName;
  size: number;
  decoderPodId: bigint;
  replyTo: bigint;
  approvalTx?: string;
  tx: string;
}

/** A placeholder content reference for the simulation made before the upload (the contract only checks it is non-zero). */
const PLACEHOLDER_REF = `0x${"00".repeat(31)}01`;

/**
 * Sends a message: the body, decoder and reply are checked, the fee is quoted (and shown through
 * `onQuote`), guarded by `maxFee`, and the send simulated, all before the body is uploaded to
 * Swarm (as a one-file collection, the body its index document, so a decoder run gets it as its
 * input); then the fee is paid (exact native value, or an ERC-20 approval of exactly the fee) with
 * the send. A price change between the quote and the send reverts instead of overcharging.
 */
export async function sendMessage(contracts: MessageContracts, storage: Pick<PodStorage, "uploadCollection">, request: SendRequest): Promise<SentMessage> {
  const { messages, registry } = contracts;
  const { body } = request;
  if (body.data.length === 0) throw new MessageError("the message body is empty");
  if (body.data.length > MAX_BODY_BYTES) throw new MessageError(`the message body is ${body.data.length} bytes, above the ${MAX_BODY_BYTES} a message carries`);
  if (body.name === "" || Buffer.byteLength(body.name, "utf8") > 100 || body.name.includes("/")) throw new MessageError(`body file name ${JSON.stringify(body.name)}: 1 to 100 bytes, no "/"`);
  const decoderPodId = request.decoderPodId ?? 0n;
  if (decoderPodId < 0n) throw new MessageError(`decoder ${decoderPodId}: a pod id is a positive integer`);
  if (decoderPodId > 0n) {
    if (!(await read(() => registry.exists(decoderPodId), { action: `pod ${decoderPodId}` }))) throw new MessageError(`decoder pod ${decoderPodId} does not exist`);
    const visibility = await read(() => registry.visibilityOf(decoderPodId), { action: `visibility of pod ${decoderPodId}` });
    if (Number(visibility) !== VISIBILITY_PUBLIC) throw new MessageError(`decoder pod ${decoderPodId} is private: a decoder must be a public pod`);
  }
  const replyTo = request.replyTo ?? 0n;
  if (replyTo < 0n || replyTo >= 1n << 64n) throw new MessageError(`reply to ${replyTo}: a message id is a positive integer`);
  if (replyTo > 0n) {
    const count = await read(() => messages.messageCount(), { action: "message count" });
    if (replyTo > count) throw new MessageError(`reply to message ${replyTo}: there is no such message (the latest is ${count})`);
  }
  const quoted = await quoteMessage(contracts, request.target);
  request.onQuote?.(quoted);
  if (request.maxFee !== undefined && quoted.fee > request.maxFee) throw new MessageFeeAboveMaximumError(quoted.fee, request.maxFee, quoted.token, quoted.decimals);
  const encoded = encodeTarget(request.target);
  const meta = { contentType: CONTENT_TYPES.indexOf(body.contentType), size: body.data.length, replyTo };
  const native = quoted.token === NATIVE_TOKEN;
  const action = `send a message to ${targetLabel(request.target)}`;
  if (native) {
    await simulate(messages.send, [encoded, PLACEHOLDER_REF, decoderPodId, meta, { value: quoted.fee }], { action });
  } else {
    // The ERC-20 is pulled with transferFrom, which the simulation cannot pass before the approval:
    // the balance is checked here, the rest by the send's own simulation.
    const balance = await read(() => IERC20__factory.connect(quoted.token, messages.runner).balanceOf(contracts.account), { action: `balance of ${quoted.token}` });
    if (balance < quoted.fee) throw new MessageError(`balance ${formatUnits(balance, quoted.decimals)} of ${quoted.token} is below the fee ${formatUnits(quoted.fee, quoted.decimals)}`);
  }
  const contentRef = await storage.uploadCollection([{ path: body.name, data: body.data }], { indexDocument: body.name });
  const approvalTx = native ? undefined : await prepareErc20Payment({ account: contracts.account, spender: messages }, quoted.token, quoted.fee, quoted.decimals);
  const receipt = await transact(messages.send, [encoded, refToBytes32(contentRef), decoderPodId, meta, { value: native ? quoted.fee : 0n }], { action });
  const event = eventsOf(receipt, messages.interface, "MessageSent")[0];
  if (!event) throw new MessageError(`${action}: transaction ${receipt.hash} carries no MessageSent event`);
  return {
    ...quoted,
    fee: event.args.fee as bigint,
    protocolFee: event.args.protocolFee as bigint,
    messageId: event.args.messageId as bigint,
    contentRef,
    contentType: body.contentType,
    size: body.data.length,
    decoderPodId,
    replyTo,
    approvalTx,
    tx: receipt.hash,
  };
}

// ------------------------------------------------------------------ reading

export interface MessageView {
  messageId: bigint;
  target: MessageTarget;
  sender: string;
  contentRef: string;
  /** 0 = plain. */
  decoderPodId: bigint;
  contentType: ContentTypeName;
  size: number;
  /** 0 = not a reply. */
  replyTo: bigint;
  token: string;
  fee: bigint;
  protocolFee: bigint;
  blockNumber: number;
  txHash: string;
  /** Whether it was an unknown sender's contact request. */
  request: boolean;
  /** The body from Swarm: as text for text, markdown and JSON, else its size; or why it could not be read. */
  body?: { name?: string; text?: string; bytes: number };
  bodyError?: string;
}

export interface ReadOptions {
  /** Fetch each body from Swarm (best effort: a failure is reported on the message). */
  storage?: Pick<PodStorage, "downloadFile">;
  /** At most this many, the newest (default 50). */
  limit?: number;
  fromBlock?: number;
}

function messagesFrom(contracts: MessageContracts, options: ReadOptions): number {
  return options.fromBlock ?? contracts.deployment?.contracts.MessageBus?.blockNumber ?? 0;
}

function viewOf(contracts: MessageContracts, log: Log, requests: Set<bigint>): MessageView {
  const parsed = contracts.messages.interface.parseLog(log);
  if (!parsed) throw new MessageError(`log ${log.transactionHash}#${log.index} is not a MessageBus event`);
  const a = parsed.args;
  const messageId = a.messageId as bigint;
  return {
    messageId,
    target: decodeTarget(a.target as bigint),
    sender: a.sender as string,
    contentRef: refHex(a.contentRef as string),
    decoderPodId: a.decoderPodId as bigint,
    contentType: CONTENT_TYPES[Number(a.contentType)] ?? "binary",
    size: Number(a.size),
    replyTo: a.replyTo as bigint,
    token: a.token as string,
    fee: a.fee as bigint,
    protocolFee: a.protocolFee as bigint,
    blockNumber: log.blockNumber,
    txHash: log.transactionHash,
    request: requests.has(messageId),
  };
}

async function withBodies(views: MessageView[], storage: ReadOptions["storage"]): Promise<MessageView[]> {
  if (!storage) return views;
  for (const view of views) {
    try {
      const file = await storage.downloadFile(view.contentRef);
      const textual = view.contentType !== "binary";
      view.body = { name: file.name, bytes: file.data.length, ...(textual ? { text: Buffer.from(file.data).toString("utf8") } : {}) };
    } catch (error) {
      view.bodyError = (error as Error).message;
    }
  }
  return views;
}

async function logsOf(contracts: MessageContracts, topics: (string | null)[], options: ReadOptions, what: string): Promise<Log[]> {
  const { messages } = contracts;
  const provider = messages.runner?.provider;
  if (!provider) throw new MessageError("the message bus is not connected to a provider");
  const address = await messages.getAddress();
  return read(() => provider.getLogs({ address, fromBlock: messagesFrom(contracts, options), toBlock: "latest", topics }), { action: what });
}

const topicOf = (value: bigint) => toBeHex(value, 32);

/** The contact requests an account received (message ids), from ContactRequested events. */
async function requestIds(contracts: MessageContracts, recipient: string, options: ReadOptions): Promise<Set<bigint>> {
  const topic = contracts.messages.interface.getEvent("ContactRequested").topicHash;
  const logs = await logsOf(contracts, [topic, topicOf(BigInt(recipient))], options, `contact requests of ${recipient}`);
  return new Set(logs.map((log) => contracts.messages.interface.parseLog(log)!.args.messageId as bigint));
}

/** The messages sent to a group, newest first, with their bodies when `storage` is given. */
export async function readGroupMessages(contracts: MessageContracts, groupId: bigint, options: ReadOptions = {}): Promise<MessageView[]> {
  const target: MessageTarget = { kind: "group", groupId };
  await checkGroupExists(contracts, target);
  const topic = contracts.messages.interface.getEvent("MessageSent").topicHash;
  const logs = await logsOf(contracts, [topic, null, topicOf(encodeTarget(target))], options, `messages of group ${groupId}`);
  const views = logs.map((log) => viewOf(contracts, log, new Set())).reverse().slice(0, options.limit ?? 50);
  return withBodies(views, options.storage);
}

/**
 * The messages sent to an account's inbox, newest first; with `requests`, only the contact
 * requests from senders still pending (neither accepted nor denied since).
 */
export async function readInbox(contracts: MessageContracts, account: string, options: ReadOptions & { requests?: boolean } = {}): Promise<MessageView[]> {
  const target: MessageTarget = { kind: "account", account };
  const topic = contracts.messages.interface.getEvent("MessageSent").topicHash;
  const [logs, requests] = await Promise.all([logsOf(contracts, [topic, null, topicOf(encodeTarget(target))], options, `inbox of ${account}`), requestIds(contracts, account, options)]);
  let views = logs.map((log) => viewOf(contracts, log, requests)).reverse();
  if (options.requests) {
    const pending: MessageView[] = [];
    for (const view of views.filter((candidate) => candidate.request)) {
      if ((await contactOf(contracts, account, view.sender)) === "requested") pending.push(view);
    }
    views = pending;
  }
  return withBodies(views.slice(0, options.limit ?? 50), options.storage);
}

/** One message, from its MessageSent event; a MessageError when there is none. */
export async function readMessage(contracts: MessageContracts, messageId: bigint, options: ReadOptions = {}): Promise<MessageView> {
  const count = await read(() => contracts.messages.messageCount(), { action: "message count" });
  if (messageId <= 0n || messageId > count) throw new MessageError(`message ${messageId} does not exist (the latest is ${count})`);
  const topic = contracts.messages.interface.getEvent("MessageSent").topicHash;
  const [log] = await logsOf(contracts, [topic, topicOf(messageId)], options, `message ${messageId}`);
  if (!log) throw new MessageError(`message ${messageId}: its event was not found from block ${messagesFrom(contracts, options)}`);
  const [view] = await withBodies([viewOf(contracts, log, new Set())], options.storage);
  return view;
}

// ------------------------------------------------------------------ inboxes

/** How `recipient`'s inbox treats `sender`. */
export async function contactOf(contracts: Pick<MessageContracts, "messages">, recipient: string, sender: string): Promise<ContactStatusName> {
  const status = await read(() => contracts.messages.contactOf(recipient, sender), { action: `contact ${sender} of ${recipient}` });
  return CONTACT_STATUSES[Number(status)] ?? "none";
}

export interface InboxSettings {
  token: string;
  /** What senders with a pending request pay (besides the floor). */
  price: bigint;
  /** What an unknown sender's first message (a contact request) pays. */
  requestPrice: bigint;
  surgeWindow: number;
  surgeBps: number;
}

/** An account's inbox prices. */
export async function inboxOf(contracts: Pick<MessageContracts, "messages">, account: string): Promise<InboxSettings & { decimals: number; floor: bigint }> {
  const inbox = await read(() => contracts.messages.inbox(account), { action: `inbox of ${account}` });
  const floor = await read(() => contracts.messages.floorOf(inbox.token), { action: `floor of ${inbox.token}` });
  return {
    token: inbox.token,
    price: inbox.price,
    requestPrice: inbox.requestPrice,
    surgeWindow: Number(inbox.surgeWindow),
    surgeBps: Number(inbox.surgeBps),
    decimals: await decimalsOf(inbox.token, contracts.messages.runner),
    floor,
  };
}

/** Sets the account's inbox prices (and surge, both or neither); refused with the value named when out of bounds. */
export async function setInboxPrice(contracts: MessageContracts, settings: InboxSettings): Promise<InboxSettings & { tx: string }> {
  for (const [label, amount] of [
    ["price", settings.price],
    ["request price", settings.requestPrice],
  ] as const) {
    if (amount < 0n || amount > MAX_AMOUNT) throw new MessageError(`${label} ${amount} is outside what MessageBus stores (0 to 2^96-1)`);
  }
  const off = settings.surgeWindow === 0 && settings.surgeBps === 0;
  if (!off && (!Number.isInteger(settings.surgeWindow) || settings.surgeWindow <= 0 || settings.surgeWindow > 2 ** 32 - 1 || !Number.isInteger(settings.surgeBps) || settings.surgeBps <= 10_000 || settings.surgeBps > MAX_SURGE_BPS)) {
    throw new MessageError(`surge window ${settings.surgeWindow}s and multiplier ${settings.surgeBps} bps: a window of at least 1 second and a multiplier above 10000 and at most ${MAX_SURGE_BPS} (or both 0)`);
  }
  if (settings.token !== NATIVE_TOKEN && !(await read(() => contracts.groups.isTokenAllowed(settings.token), { action: `token ${settings.token}` }))) {
    throw new MessageError(`token ${settings.token} is not on GroupRegistry's allow-list`);
  }
  const receipt = await transact(contracts.messages.setInbox, [settings.token, settings.price, settings.requestPrice, settings.surgeWindow, settings.surgeBps], { action: "set the inbox prices" });
  return { ...settings, tx: receipt.hash };
}

export type ContactAction = "allow" | "deny" | "accept" | "forget";

/**
 * The account decides about a sender: accept a pending request (the sender is then allowed), allow,
 * deny, or forget (back to unknown). Refused, naming the sender, when it changes nothing or
 * `accept` finds no pending request.
 */
export async function setContact(contracts: MessageContracts, sender: string, action: ContactAction): Promise<{ sender: string; previous: ContactStatusName; status: ContactStatusName; tx: string }> {
  if (!isAddress(sender) || BigInt(sender) === 0n) throw new MessageError(`sender ${JSON.stringify(sender)}: expected a non-zero 20-byte address`);
  if (sender.toLowerCase() === contracts.account.toLowerCase()) throw new MessageError(`sender ${sender} is the account itself`);
  const previous = await contactOf(contracts, contracts.account, sender);
  const { messages } = contracts;
  if (action === "accept") {
    if (previous !== "requested") throw new MessageError(`${sender} has no pending contact request to ${contracts.account} (its status is ${previous})`);
    const receipt = await transact(messages.accept, [sender], { action: `accept ${sender}` });
    return { sender, previous, status: "allowed", tx: receipt.hash };
  }
  const status: ContactStatusName = action === "allow" ? "allowed" : action === "deny" ? "denied" : "none";
  if (previous === status) throw new MessageError(`${sender} is already ${status === "none" ? "unknown" : status} in the inbox of ${contracts.account}`);
  const receipt = await transact(messages.setContact, [sender, CONTACT_STATUSES.indexOf(status)], { action: `${action} ${sender}` });
  return { sender, previous, status, tx: receipt.hash };
}

/** What the account can withdraw from MessageBus in `token` (inbox earnings; the fee recipient's protocol fees). */
export async function messageCreditOf(contracts: Pick<MessageContracts, "messages">, account: string, token: string): Promise<bigint> {
  return read(() => contracts.messages.creditOf(account, token), { action: `message credit of ${account}` });
}

/** Withdraws the account's whole MessageBus credit in one token; a MessageError, sending nothing, when it is empty. */
export async function withdrawMessageCredit(contracts: MessageContracts, token: string): Promise<{ token: string; decimals: number; amount: bigint; tx: string }> {
  const amount = await messageCreditOf(contracts, contracts.account, token);
  if (amount === 0n) throw new MessageError(`nothing to withdraw: ${contracts.account} has no ${tokenLabel(token)} credit in the message bus`);
  const receipt = await transact(contracts.messages.withdraw, [token], { action: `withdraw ${tokenLabel(token)} from the message bus` });
  return { token, decimals: await decimalsOf(token, contracts.messages.runner), amount, tx: receipt.hash };
}

// ------------------------------------------------------------------ opening with the decoder

export interface OpenOptions {
  /** The most the opener escrows for the run (required without a named runner, as for any run). */
  maxPayment?: bigint;
  /** A named runner. */
  runner?: string;
  /** Follow the run to its end and fetch its output. */
  wait?: boolean;
  pollMs?: number;
  deadlineSeconds?: number;
  onState?: (change: RunStateChange) => void;
  signal?: AbortSignal;
}

export interface OpenedMessage {
  message: MessageView;
  run: RunRequestResult;
  /** With `wait`: the run's end. */
  final?: RunStateChange;
  /** With `wait` and a completed run: the files under `output/` of its output collection. */
  output?: { path: string; bytes: number; text?: string }[];
  outputRef?: string;
}

/** Valid UTF-8 without NUL bytes is shown as text. */
function looksTextual(data: Uint8Array): boolean {
  if (data.includes(0)) return false;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(data);
    return true;
  } catch {
    return false;
  }
}

/**
 * Opens a message with its decoder: requests a run of the decoder pod (at its latest version, paid
 * through services/market/runs.ts like any run) with the message's content collection as the run's
 * input; with `wait`, follows the run and returns the files of its output. A plain message (no
 * decoder) is refused, naming it.
 */
export async function openMessage(contracts: LureContracts & { deployment?: Deployment }, storage: Pick<PodStorage, "downloadCollection">, messageId: bigint, options: OpenOptions = {}): Promise<OpenedMessage> {
  const message = await readMessage(contracts, messageId);
  if (message.decoderPodId === 0n) throw new MessageError(`message ${messageId} is plain: it names no decoder pod (read it with msg:read)`);
  const quote = await quoteRun(contracts, message.decoderPodId, { runner: options.runner, maxPayment: options.maxPayment });
  const run = await requestRun(contracts, quote, { inputRef: message.contentRef, deadlineSeconds: options.deadlineSeconds });
  if (!options.wait) return { message, run };
  const final = await waitForRun(contracts, run.runId, { onState: options.onState, pollMs: options.pollMs, signal: options.signal });
  const stage = final.run.stages[0];
  if (final.status !== "completed" || !stage?.outputRef) return { message, run, final };
  const collection = await storage.downloadCollection(stage.outputRef);
  const output = collection
    .filter((entry) => entry.path.startsWith("output/") && entry.path.length > "output/".length)
    .map((entry) => ({ path: entry.path.slice("output/".length), bytes: entry.data.length, ...(looksTextual(entry.data) ? { text: Buffer.from(entry.data).toString("utf8") } : {}) }));
  return { message, run, final, output, outputRef: stage.outputRef };
}
