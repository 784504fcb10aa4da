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

/**
 * The outcome of a listing change that is sent only when something differs: `unchanged` when the
 * listing already had those values (nothing sent, not even an approval), else the receipts.
 */
export type ListingUpdate = { unchanged: true; approvalTx?: undefined; tx?: undefined } | (MarketReceipt & { unchanged: false });

const UNCHANGED = { unchanged: true } as const;

/** The account's own active listing of the pod, or undefined (another seller's, or none). */
async function ownListing(contracts: PodContracts, podId: bigint): Promise<Listing | undefined> {
  const listing = await currentListing(contracts, podId);
  return listing && listing.seller.toLowerCase() === contracts.account.toLowerCase() ? listing : undefined;
}

/** Whether the market may transfer the pod (needed while it is offered whole). */
async function marketApproved(contracts: PodContracts, podId: bigint): Promise<boolean> {
  const market = await contracts.market.getAddress();
  const [approved, operator] = await Promise.all([contracts.registry.getApproved(podId), contracts.registry.isApprovedForAll(contracts.account, market)]);
  return operator || approved.toLowerCase() === market.toLowerCase();
}

/**
 * listPod, unless the account's listing already has these terms and is selling (not paused; offered
 * whole only with the market approved): then nothing is sent. Listing again would only restart the
 * same listing.
 */
export async function listPodIfChanged(contracts: PodContracts, podId: bigint, terms: ListingTerms): Promise<ListingUpdate> {
  const listing = await ownListing(contracts, podId);
  const same =
    listing !== undefined &&
    !listing.paused &&
    listing.token.toLowerCase() === terms.token.toLowerCase() &&
    listing.price === terms.price &&
    listing.podPrice === terms.podPrice &&
    listing.transferable === (terms.transferable ?? false) &&
    (terms.podPrice === 0n || (await marketApproved(contracts, podId)));
  if (same) return UNCHANGED;
  return { unchanged: false, ...(await listPod(contracts, podId, terms)) };
}

/** setPrices, unless the account's listing already has these prices (and, offered whole, the approval): then nothing is sent. */
export async function setPricesIfChanged(contracts: PodContracts, podId: bigint, prices: { price: bigint; podPrice: bigint }): Promise<ListingUpdate> {
  const listing = await ownListing(contracts, podId);
  if (listing && listing.price === prices.price && listing.podPrice === prices.podPrice && (prices.podPrice === 0n || (await marketApproved(contracts, podId)))) return UNCHANGED;
  return { unchanged: false, ...(await setPrices(contracts, podId, prices)) };
}

/** setPaused, unless the account's listing is already paused (or already selling): then nothing is sent. */
export async function setPausedIfChanged(contracts: PodContracts, podId: bigint, paused: boolean): Promise<ListingUpdate> {
  const listing = await ownListing(contracts, podId);
  if (listing && listing.paused === paused) return UNCHANGED;
  return { unchanged: false, ...(await setPaused(contracts, podId, paused)) };
}
