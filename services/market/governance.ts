import type { PodContracts } from "../chain/contracts";
import { read, transact } from "../chain/transact";
import { MarketError, NotGovernorError } from "./errors";
import { requireErc20, type Erc20Token } from "./tokens-check";

/**
 * Market governance. GOVERNOR_ROLE allows payment tokens and proposes or cancels platform fee
 * changes; a proposed fee waits `feeChangeDelay` before anyone may execute it, and applies only to
 * listings made after that (a listing keeps the fee in force when it was made). On real networks
 * the governor is a TimelockController, whose proposals go through the timelock, not through here.
 */

/** The market's fee: the one in force, the pending change, the delay and where fees go. */
export interface FeeSchedule {
  feeBps: number;
  maxFeeBps: number;
  /** Seconds a proposed change waits before it may be executed. */
  delaySeconds: number;
  recipient: string;
  pending?: { bps: number; executableAt: Date };
}

export async function feeSchedule(contracts: Pick<PodContracts, "market">): Promise<FeeSchedule> {
  const { market } = contracts;
  const [feeBps, maxFeeBps, delay, recipient, [pendingBps, pendingAt]] = await read(
    () => Promise.all([market.feeBps(), market.MAX_FEE_BPS(), market.feeChangeDelay(), market.feeRecipient(), market.pendingFeeChange()]),
    { action: "market fee" },
  );
  return {
    feeBps: Number(feeBps),
    maxFeeBps: Number(maxFeeBps),
    delaySeconds: Number(delay),
    recipient,
    pending: pendingAt === 0n ? undefined : { bps: Number(pendingBps), executableAt: new Date(Number(pendingAt) * 1000) },
  };
}

/** A MarketError, before anything is sent, when the account does not hold GOVERNOR_ROLE. */
async function requireGovernor(contracts: PodContracts, what: string): Promise<void> {
  const role = await read(() => contracts.market.GOVERNOR_ROLE(), { action: "GOVERNOR_ROLE" });
  if (!(await read(() => contracts.market.hasRole(role, contracts.account), { action: "hasRole" }))) {
    throw new NotGovernorError(what, contracts.account);
  }
}

/**
 * Governance (GOVERNOR_ROLE): allows an ERC-20 as a payment token, or removes it with `allowed`
 * false. Allowing checks first that the address is a contract answering as an ERC-20
 * (NotAnErc20Error otherwise); a token already in the asked state sends nothing (`tx` undefined).
 */
export async function allowToken(
  contracts: PodContracts,
  token: string,
  allowed: boolean,
): Promise<{ tx?: string; changed: boolean; erc20?: Erc20Token }> {
  const action = `${allowed ? "allow" : "disallow"} token ${token}`;
  await requireGovernor(contracts, action);
  // Removing needs no check: a broken token must be removable.
  const erc20 = allowed ? await requireErc20(token, contracts.market.runner) : undefined;
  const current = await read(() => contracts.market.isTokenAllowed(token), { action: "isTokenAllowed" });
  if (current === allowed) return { changed: false, erc20 };
  const receipt = await transact(contracts.market.setTokenAllowed, [token, allowed], { action });
  return { tx: receipt.hash, changed: true, erc20 };
}

/** Proposes a new platform fee (GOVERNOR_ROLE), replacing any pending proposal; returns when it may be executed. */
export async function proposeFeeChange(contracts: PodContracts, bps: number): Promise<{ tx: string; executableAt: Date }> {
  const action = `propose a fee of ${bps} bps`;
  await requireGovernor(contracts, action);
  const { maxFeeBps } = await feeSchedule(contracts);
  if (!Number.isInteger(bps) || bps < 0 || bps > maxFeeBps) throw new MarketError(`fee: expected whole basis points from 0 to ${maxFeeBps}, got ${bps}`);
  const receipt = await transact(contracts.market.proposeFeeChange, [bps], { action });
  const pending = (await feeSchedule(contracts)).pending;
  if (!pending) throw new MarketError(`${action}: no pending change after transaction ${receipt.hash}`);
  return { tx: receipt.hash, executableAt: pending.executableAt };
}

/** Drops the pending fee change (GOVERNOR_ROLE). */
export async function cancelFeeChange(contracts: PodContracts): Promise<{ tx: string; cancelledBps: number }> {
  await requireGovernor(contracts, "cancel the fee change");
  const { pending } = await feeSchedule(contracts);
  if (!pending) throw new MarketError("no fee change is pending; nothing to cancel");
  const receipt = await transact(contracts.market.cancelFeeChange, [], { action: "cancel the fee change" });
  return { tx: receipt.hash, cancelledBps: pending.bps };
}

/**
 * Applies the pending fee change once its delay has passed (anyone may: the governor authorised it
 * when proposing). Refused, sending nothing, when none is pending or it is not due yet.
 */
export async function executeFeeChange(contracts: PodContracts): Promise<{ tx: string; previousBps: number; feeBps: number }> {
  const { feeBps, pending } = await feeSchedule(contracts);
  if (!pending) throw new MarketError("no fee change is pending; propose one first");
  const receipt = await transact(contracts.market.executeFeeChange, [], { action: `execute the fee change to ${pending.bps} bps` });
  return { tx: receipt.hash, previousBps: feeBps, feeBps: pending.bps };
}
