import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { ZeroHash, formatEther, hexlify } from "ethers";
import type { LureContracts } from "../chain/contracts";
import { tokenLabel } from "../chain/tokens";
import { read, transact } from "../chain/transact";
import { MarketError } from "./errors";

/**
 * A runner's account in RunMarket: registration with a bond, an X25519 key (pods may be encrypted
 * to it) and a fee per token; later changes, leaving, and withdrawing what runs earned. Every
 * change is checked against the chain first: a refusal names the value, and an update that changes
 * nothing sends nothing.
 */

/** The private key's file in the folder the caller gives (the runner service passes its data dir). */
export const RUNNER_KEY_FILE = "runner-x25519.pem";

/** A runner's X25519 key: the public half as RunMarket stores it; the private half stays in `keyFile`. */
export interface RunnerKey {
  /** The raw 32-byte public key, 0x-hex (bytes32). */
  publicKey: string;
  keyFile: string;
  /** True when this call generated the key. */
  created: boolean;
}

/** The raw 32 bytes of an X25519 public key (its JWK `x`), as bytes32 hex. */
function rawPublicKey(key: KeyObject): string {
  const jwk = key.export({ format: "jwk" });
  if (typeof jwk.x !== "string") throw new MarketError("the X25519 key has no public part");
  const raw = Buffer.from(jwk.x, "base64url");
  if (raw.length !== 32) throw new MarketError(`an X25519 public key is 32 bytes, got ${raw.length}`);
  return hexlify(raw);
}

/**
 * The runner's X25519 key in `dir`: read when `runner-x25519.pem` is there, else generated with
 * node:crypto and written as PKCS#8 PEM with mode 0600 (the folder 0700), never overwriting a file.
 * Only the public key is returned; the private key never leaves the file.
 */
export async function loadOrCreateRunnerKey(dir: string): Promise<RunnerKey> {
  const keyFile = path.join(path.resolve(dir), RUNNER_KEY_FILE);
  let pem: string | undefined;
  try {
    pem = await readFile(keyFile, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw new MarketError(`runner key ${keyFile}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  if (pem !== undefined) {
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey(pem);
    } catch {
      throw new MarketError(`runner key ${keyFile}: not a PEM private key`);
    }
    if (privateKey.asymmetricKeyType !== "x25519") throw new MarketError(`runner key ${keyFile}: an ${privateKey.asymmetricKeyType ?? "unknown"} key, not X25519`);
    return { publicKey: rawPublicKey(createPublicKey(privateKey)), keyFile, created: false };
  }
  const { publicKey, privateKey } = generateKeyPairSync("x25519");
  await mkdir(path.dirname(keyFile), { recursive: true, mode: 0o700 });
  // "wx": a key written meanwhile by another process is never replaced (a registered key would be lost).
  await writeFile(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600, flag: "wx" });
  // The umask may have narrowed the mode, never widened it; make it exactly 0600.
  await chmod(keyFile, 0o600);
  return { publicKey: rawPublicKey(publicKey), keyFile, created: true };
}

/** A runner as RunMarket stores it. */
export interface RunnerState {
  account: string;
  /** 0 = not registered. */
  id: number;
  registered: boolean;
  bond: bigint;
  openClaims: number;
  paused: boolean;
  /** When the bond may be withdrawn, once the runner asked to leave. */
  unbondingAt?: Date;
  publicKey?: string;
}

export async function readRunner(contracts: Pick<LureContracts, "runMarket">, account: string): Promise<RunnerState> {
  const info = await read(() => contracts.runMarket.runnerInfo(account), { action: `runner ${account}` });
  return {
    account,
    id: Number(info.id),
    registered: info.id !== 0n,
    bond: info.bond,
    openClaims: Number(info.openClaims),
    paused: info.paused,
    unbondingAt: info.unbondingAt === 0n ? undefined : new Date(Number(info.unbondingAt) * 1000),
    publicKey: info.publicKey === ZeroHash ? undefined : info.publicKey,
  };
}

/** A fee per run (per stage of a task) in one token; `accepted: false` stops taking runs paid in it. */
export interface RunnerFee {
  token: string;
  fee: bigint;
  accepted?: boolean;
}

export interface Registration {
  publicKey: string;
  fees: RunnerFee[];
  /** The bond in the native coin (wei); default: the market's minimum. */
  bond?: bigint;
}

async function requireAllowedTokens(contracts: Pick<LureContracts, "runMarket">, fees: readonly RunnerFee[]): Promise<void> {
  for (const { token } of fees) {
    if (!(await read(() => contracts.runMarket.isTokenAllowed(token), { action: `token ${token}` }))) {
      throw new MarketError(`token ${token} is not accepted by the run market (not on its allow-list)`);
    }
  }
}

function requireBytes32Key(publicKey: string): void {
  if (!/^0x[0-9a-fA-F]{64}$/.test(publicKey) || publicKey === ZeroHash) throw new MarketError(`public key: expected 32 non-zero bytes as 0x-hex, got ${JSON.stringify(publicKey)}`);
}

/**
 * What registering would be refused for, checked before any key is made or anything sent: already
 * registered, a bond below the minimum, a token not allowed, a duplicate token, the market paused.
 * Returns the bond that will be deposited.
 */
export async function checkRegistration(contracts: LureContracts, registration: Omit<Registration, "publicKey">): Promise<bigint> {
  const { runMarket } = contracts;
  const state = await readRunner(contracts, contracts.account);
  if (state.registered) throw new MarketError(`${contracts.account} is already runner #${state.id}; change it with runner:update`);
  if (await read(() => runMarket.paused(), { action: "run market pause" })) throw new MarketError("the run market is paused: no runner can register now");
  const settings = await read(() => runMarket.settings(), { action: "run market settings" });
  const bond = registration.bond ?? settings.minBond;
  if (bond < settings.minBond) throw new MarketError(`bond ${formatEther(bond)} is below the minimum bond ${formatEther(settings.minBond)} (native coin)`);
  const seen = new Set<string>();
  for (const { token } of registration.fees) {
    if (seen.has(token.toLowerCase())) throw new MarketError(`token ${tokenLabel(token)} is given twice`);
    seen.add(token.toLowerCase());
  }
  await requireAllowedTokens(contracts, registration.fees);
  return bond;
}

/** Registers the account as a runner with its key, fees and bond (default: the minimum bond). */
export async function registerRunner(contracts: LureContracts, registration: Registration): Promise<{ runnerId: number; bond: bigint; tx: string }> {
  requireBytes32Key(registration.publicKey);
  const bond = await checkRegistration(contracts, registration);
  const tokens = registration.fees.map((fee) => fee.token);
  const fees = registration.fees.map((fee) => fee.fee);
  const receipt = await transact(contracts.runMarket.registerRunner, [registration.publicKey, tokens, fees, { value: bond }], { action: "register as a runner" });
  const state = await readRunner(contracts, contracts.account);
  return { runnerId: state.id, bond, tx: receipt.hash };
}

export interface RunnerUpdate {
  /** Fees to set (with `accepted: false` to stop taking a token). */
  fees?: RunnerFee[];
  publicKey?: string;
  /** true pauses, false resumes. */
  paused?: boolean;
  /** Native coin (wei) to add to the bond. */
  addBond?: bigint;
}

/** One transaction an update sent. */
export interface RunnerChange {
  change: string;
  tx: string;
}

/**
 * Applies the changes that differ from what RunMarket holds, one transaction each (fees, key,
 * pause, bond), and sends nothing for the rest: an update that changes nothing sends nothing.
 */
export async function updateRunner(contracts: LureContracts, update: RunnerUpdate): Promise<{ changes: RunnerChange[]; unchanged: string[] }> {
  const { runMarket } = contracts;
  const state = await readRunner(contracts, contracts.account);
  if (!state.registered) throw new MarketError(`${contracts.account} is not a registered runner; register with runner:register`);
  if (update.publicKey !== undefined) requireBytes32Key(update.publicKey);
  if (update.addBond !== undefined && update.addBond <= 0n) throw new MarketError(`bond to add: expected more than 0, got ${formatEther(update.addBond)}`);
  const wanted = (update.fees ?? []).map((fee) => ({ ...fee, accepted: fee.accepted ?? true }));
  await requireAllowedTokens(contracts, wanted.filter((fee) => fee.accepted));

  const changes: RunnerChange[] = [];
  const unchanged: string[] = [];
  for (const fee of wanted) {
    const [current, accepted] = await read(() => runMarket.runnerFee(contracts.account, fee.token), { action: `fee in ${fee.token}` });
    const label = tokenLabel(fee.token);
    // A token not accepted has no meaningful fee: stopping it again changes nothing.
    if (accepted === fee.accepted && (!fee.accepted || current === fee.fee)) {
      unchanged.push(fee.accepted ? `fee in ${label}` : `${label} not accepted`);
      continue;
    }
    const change = fee.accepted ? `fee in ${label} ${current}${accepted ? "" : " (not accepted)"} -> ${fee.fee}` : `stop accepting ${label}`;
    const receipt = await transact(runMarket.setRunnerFee, [fee.token, fee.accepted ? fee.fee : current, fee.accepted], { action: change });
    changes.push({ change, tx: receipt.hash });
  }
  if (update.publicKey !== undefined) {
    if (update.publicKey.toLowerCase() === state.publicKey?.toLowerCase()) unchanged.push("key");
    else changes.push({ change: "key", tx: (await transact(runMarket.setRunnerKey, [update.publicKey], { action: "set the runner key" })).hash });
  }
  if (update.paused !== undefined) {
    if (update.paused === state.paused) unchanged.push(state.paused ? "paused" : "running");
    else changes.push({ change: update.paused ? "pause" : "resume", tx: (await transact(runMarket.setRunnerPaused, [update.paused], { action: update.paused ? "pause the runner" : "resume the runner" })).hash });
  }
  if (update.addBond !== undefined) {
    const receipt = await transact(runMarket.addBond, [{ value: update.addBond }], { action: `add ${formatEther(update.addBond)} to the bond` });
    changes.push({ change: `bond +${formatEther(update.addBond)}`, tx: receipt.hash });
  }
  return { changes, unchanged };
}

/** What leaving did: asked to leave (the bond waits `unbondingDelay`), or took the bond back as a credit. */
export type Unregistration = { step: "requested"; withdrawableAt: Date; tx: string } | { step: "bond-withdrawn"; bond: bigint; tx: string };

/**
 * Leaves RunMarket in two steps: the first call asks to leave (no more claims; the bond waits the
 * unbonding delay); a call once the delay is over, with no open claim, credits the bond back
 * (withdraw it with `withdrawRunCredit(native)`). Refused, sending nothing, in between.
 */
export async function unregisterRunner(contracts: LureContracts): Promise<Unregistration> {
  const { runMarket } = contracts;
  const state = await readRunner(contracts, contracts.account);
  if (!state.registered) throw new MarketError(`${contracts.account} is not a registered runner`);
  if (!state.unbondingAt) {
    const receipt = await transact(runMarket.requestUnregister, [], { action: "ask to unregister" });
    const after = await readRunner(contracts, contracts.account);
    return { step: "requested", withdrawableAt: after.unbondingAt ?? new Date(), tx: receipt.hash };
  }
  const block = await runMarket.runner?.provider?.getBlock("latest");
  const now = block?.timestamp ?? Math.floor(Date.now() / 1000);
  if (now * 1000 < state.unbondingAt.getTime()) throw new MarketError(`the bond can be withdrawn from ${state.unbondingAt.toISOString()} (the unbonding delay is not over)`);
  if (state.openClaims > 0) throw new MarketError(`${contracts.account} still holds ${state.openClaims} open claim(s): settle or let them expire before withdrawing the bond`);
  const receipt = await transact(runMarket.withdrawBond, [], { action: "withdraw the bond" });
  return { step: "bond-withdrawn", bond: state.bond, tx: receipt.hash };
}

/**
 * Withdraws everything RunMarket credited the account in `token` (runner fees, refunds, pod
 * proceeds, a returned bond), to itself or to `recipient`. Refused, sending nothing, when there is none.
 */
export async function withdrawRunCredit(contracts: LureContracts, token: string, options: { recipient?: string } = {}): Promise<{ amount: bigint; recipient: string; tx: string }> {
  const { runMarket } = contracts;
  const credit = await read(() => runMarket.creditOf(contracts.account, token), { action: `run market credit of ${contracts.account}` });
  if (credit === 0n) throw new MarketError(`nothing to withdraw: ${contracts.account} has no ${tokenLabel(token)} credit in the run market`);
  const recipient = options.recipient;
  if (recipient === undefined || recipient.toLowerCase() === contracts.account.toLowerCase()) {
    const receipt = await transact(runMarket.withdraw, [token], { action: `withdraw ${tokenLabel(token)} from the run market` });
    return { amount: credit, recipient: contracts.account, tx: receipt.hash };
  }
  const receipt = await transact(runMarket.withdrawTo, [token, recipient], { action: `withdraw ${tokenLabel(token)} from the run market to ${recipient}` });
  return { amount: credit, recipient, tx: receipt.hash };
}
