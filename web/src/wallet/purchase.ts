import { invalid } from "./errors";
import { formatAmount, tokenInfo, type TokenInfo } from "./format";
import { paymentSteps } from "./allowance";
import type { WalletSession } from "./store";
import { txStep, type ActionPlan } from "./transaction";

/**
 * Buying a licence or a whole pod, as services/market/purchase.ts does it: the price and the pod's
 * revision are read now (the quote), and the purchase names that revision and that price as its
 * maximum, so a version added or a price raised after the quote makes the market refuse it
 * (PodMarketContentChanged, PodMarketPriceAboveMax) instead of buying something else.
 */
export type PurchaseItem = "licence" | "pod";

export interface PodMarketView {
  listed: boolean;
  paused: boolean;
  seller?: string;
  token?: TokenInfo;
  price: bigint;
  podPrice: bigint;
  transferable: boolean;
  revision: bigint;
  owner: string;
  /** Whether the connected account holds a licence (or owns the pod). */
  licensed: boolean;
}

/** The pod's listing and the connected account's standing, read through the wallet. */
export async function readPodMarket(session: WalletSession, podId: bigint): Promise<PodMarketView> {
  const { registry, market, licenses } = session.contracts;
  if (!(await registry.exists(podId))) throw invalid(`pod ${podId} does not exist on ${session.config.chainName}`);
  const [listing, revision, owner, licensed] = await Promise.all([market.listing(podId), registry.revisionOf(podId), registry.ownerOf(podId), licenses.hasLicense(session.account, podId)]);
  return {
    listed: listing.active,
    paused: listing.paused,
    seller: listing.active ? listing.seller : undefined,
    token: listing.active ? await tokenInfo(session.config, listing.token, session.signer) : undefined,
    price: listing.price,
    podPrice: listing.podPrice,
    transferable: listing.transferable,
    revision,
    owner,
    licensed,
  };
}

/** The plan of a purchase at the price and revision of `view` (the quote the user saw). */
export async function planPurchase(session: WalletSession, podId: bigint, item: PurchaseItem, view: PodMarketView): Promise<ActionPlan> {
  const { market } = session.contracts;
  const token = view.token;
  if (!view.listed || !token) throw invalid(`pod ${podId} is not listed: nothing can be bought`);
  if (view.paused) throw invalid(`the seller paused the sales of pod ${podId}`);
  const me = session.account.toLowerCase();
  if (view.owner.toLowerCase() === me) throw invalid(`you own pod ${podId}`);
  const price = item === "pod" ? view.podPrice : view.price;
  if (item === "pod" && price === 0n) throw invalid(`pod ${podId} itself is not for sale (only licences are)`);
  if (item === "licence" && view.licensed) throw invalid(`you already hold a licence of pod ${podId}`);
  const title = item === "pod" ? `Buy pod ${podId}` : `Buy a licence for pod ${podId}`;
  const payment = await paymentSteps(session, token, market, "PodMarket", price);
  const value = token.native ? price : 0n;
  const method = item === "pod" ? market.buyPod : market.buy;
  const notes = [
    `You buy revision ${view.revision} of the pod, as shown: if its owner adds a version before your purchase is mined, the market refuses it and nothing is paid.`,
    item === "licence" ? (view.transferable ? "The licence may be transferred later." : "The licence stays with your account (not transferable).") : "The pod (its ERC-721 token) moves to your account; its listing ends.",
    ...payment.notes,
    `Gas is paid in ${session.config.nativeSymbol} on top.`,
  ];
  return {
    title,
    costs: [{ label: item === "pod" ? "Pod price" : "Licence price", amount: formatAmount(price, token) }],
    notes,
    steps: [...payment.steps, txStep(title, method, [podId, view.revision, token.address, price, { value }])],
  };
}
