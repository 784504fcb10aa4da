import type { PodContracts } from "../chain/contracts";
import { transact } from "../chain/transact";
import { NATIVE_TOKEN } from "../chain/tokens";
import { MarketError } from "./errors";
import { approvePodForSale } from "./pod-approval";
import { requireErc20 } from "./tokens-check";

/** A listing as the market stores it; amounts in the token's smallest unit. */
export interface Listing {
  seller: string;
  /** address(0) for the native coin. */
  token: string;
  price: bigint;
  /** Price of the whole pod; 0 = not for sale. */
  podPrice: bigint;
  /** The platform fee that applies to this listing's sales (the one in force when it was listed). */
  feeBps: number;
  /** Whether the licences it sells may be transferred (resold) by their holders. */
  transferable: boolean;
  paused: boolean;
}

/** Listing terms, already converted to the token's smallest unit. */
export interface ListingTerms {
  /** address(0) for the native coin. */
  token: string;
  price: bigint;
  /** Price of the whole pod; 0 = not for sale. */
  podPrice: bigint;
  /** Whether buyers may transfer (resell) their licences; default false: a licence stays with its buyer. */
  transferable?: boolean;
}

/** Transactions a market operation sent: the pod approval when one was needed, then the operation. */
export interface MarketReceipt {
  approvalTx?: string;
  tx: string;
}

/**
 * The pod's current listing, or undefined when it has none that is active (never listed, delisted,
 * sold whole, or voided by a transfer of the pod: a previous owner's listing reads as inactive).
 */
export async function currentListing(contracts: Pick<PodContracts, "market">, podId: bigint): Promise<Listing | undefined> {
  const listing = await contracts.market.listing(podId);
  if (!listing.active) return undefined;
  return {
    seller: listing.seller,
    token: listing.token,
    price: listing.price,
    podPrice: listing.podPrice,
    feeBps: Number(listing.feeBps),
    transferable: listing.transferable,
    paused: listing.paused,
  };
}

/** The pod's current, valid listing, or a MarketError saying it has none. */
export async function requireListing(contracts: Pick<PodContracts, "market">, podId: bigint): Promise<Listing> {
  const listing = await currentListing(contracts, podId);
  if (!listing) throw new MarketError(`pod ${podId} is not listed (never listed, delisted, sold whole, or its listing was voided when the pod changed hands)`);
  return listing;
}

/**
 * Lists a pod the account owns, at the platform fee in force now (later fee changes do not apply to
 * this listing); offering the whole pod (podPrice > 0) approves the market for it first. Licences
 * are not transferable unless `terms.transferable` says so. An ERC-20 token is checked first
 * (NotAnErc20Error, nothing sent, for an address that does not answer as one).
 */
export async function listPod(contracts: PodContracts, podId: bigint, terms: ListingTerms): Promise<MarketReceipt> {
  if (terms.token !== NATIVE_TOKEN) await requireErc20(terms.token, contracts.market.runner);
  const approvalTx = terms.podPrice > 0n ? await approvePodForSale(contracts, podId) : undefined;
  const receipt = await transact(contracts.market.list, [podId, terms.token, terms.price, terms.podPrice, terms.transferable ?? false], { action: `list pod ${podId}` });
  return { approvalTx, tx: receipt.hash };
}

/** New prices for the account's listing (same token); as with listPod, offering the pod approves it. */
export async function setPrices(contracts: PodContracts, podId: bigint, prices: { price: bigint; podPrice: bigint }): Promise<MarketReceipt> {
  const approvalTx = prices.podPrice > 0n ? await approvePodForSale(contracts, podId) : undefined;
  const receipt = await transact(contracts.market.setPrice, [podId, prices.price, prices.podPrice], { action: `reprice pod ${podId}` });
  return { approvalTx, tx: receipt.hash };
}

/** Pauses (true) or resumes (false) sales of the account's listing. */
export async function setPaused(contracts: PodContracts, podId: bigint, paused: boolean): Promise<MarketReceipt> {
  const receipt = await transact(contracts.market.setPaused, [podId, paused], { action: `${paused ? "pause" : "resume"} pod ${podId}` });
  return { tx: receipt.hash };
}

/** Removes the account's listing. */
export async function delist(contracts: PodContracts, podId: bigint): Promise<MarketReceipt> {
  const receipt = await transact(contracts.market.delist, [podId], { action: `delist pod ${podId}` });
  return { tx: receipt.hash };
}
