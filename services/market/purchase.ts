import type { PodContracts } from "../chain/contracts";
import { decimalsOf, NATIVE_TOKEN } from "../chain/tokens";
import { read, transact } from "../chain/transact";
import { prepareErc20Payment } from "./allowance";
import { ContentChangedError, MarketError, PriceAboveMaximumError } from "./errors";
import { requireListing } from "./listings";

/** A licence (the right to run the pod) or the pod token itself. */
export type PurchaseItem = "licence" | "pod";

/** What buying costs now, read from the listing; a buyer states a maximum against it. */
export interface PurchaseQuote {
  podId: bigint;
  item: PurchaseItem;
  token: string;
  price: bigint;
  decimals: number;
  /**
   * The pod's content revision when quoted (PodRegistry `revisionOf`: 1 at publish, +1 per version
   * and per visibility change). The purchase pays for this revision only: if the seller adds a
   * version or changes the visibility in between, the market refuses it.
   */
  revision: bigint;
  /** Licences only: whether the licence may be transferred (resold) once bought. */
  transferable: boolean;
}

export interface PurchaseResult extends PurchaseQuote {
  buyer: string;
  /** The ERC-20 approval sent first, when the allowance was short. */
  approvalTx?: string;
  tx: string;
}

/** The current price and revision of a licence or of the whole pod; a MarketError when it is not listed or the pod is not for sale. */
export async function quotePurchase(contracts: PodContracts, podId: bigint, item: PurchaseItem): Promise<PurchaseQuote> {
  const listing = await requireListing(contracts, podId);
  const price = item === "pod" ? listing.podPrice : listing.price;
  if (item === "pod" && price === 0n) throw new MarketError(`pod ${podId} itself is not for sale`);
  const revision = await read(() => contracts.registry.revisionOf(podId), { action: `revision of pod ${podId}` });
  return { podId, item, token: listing.token, price, decimals: await decimalsOf(listing.token, contracts.market.runner), revision, transferable: listing.transferable };
}

/**
 * The one payment path: refuses, sending nothing, when the quoted price is above `maxPrice`
 * (default: the quoted price, so a price raised since the quote fails on chain instead of costing
 * more) or when the pod's content changed since the quote (ContentChangedError); for an ERC-20
 * checks the balance and approves the market if needed; pays in the native coin with the call's
 * value. The market checks the revision, the token and `maxPrice` again on chain
 * (PodMarketContentChanged if a version lands between this check and the purchase).
 */
export async function purchase(contracts: PodContracts, quote: PurchaseQuote, options: { maxPrice?: bigint } = {}): Promise<PurchaseResult> {
  const { podId, token, price, revision } = quote;
  const maxPrice = options.maxPrice ?? price;
  if (price > maxPrice) throw new PriceAboveMaximumError(podId, price, maxPrice, quote.decimals);
  const current = await read(() => contracts.registry.revisionOf(podId), { action: `revision of pod ${podId}` });
  if (current !== revision) throw new ContentChangedError(podId, revision, current);
  const approvalTx = token === NATIVE_TOKEN ? undefined : await prepareErc20Payment({ account: contracts.account, spender: contracts.market }, token, price, quote.decimals);
  const value = token === NATIVE_TOKEN ? price : 0n;
  const action = quote.item === "pod" ? `buy pod ${podId}` : `buy a licence for pod ${podId}`;
  const method = quote.item === "pod" ? contracts.market.buyPod : contracts.market.buy;
  const receipt = await transact(method, [podId, revision, token, maxPrice, { value }], { action });
  return { ...quote, buyer: contracts.account, approvalTx, tx: receipt.hash };
}
