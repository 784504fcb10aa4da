import type { PodContracts } from "../chain/contracts";
import { read } from "../chain/transact";
import { currentListing } from "./listings";

/**
 * Where the money of a sale goes, before it happens: the platform fee, one royalty share per ancestor
 * along the lineage (PodRegistry `royaltyShares`: the parent receives price × its rate, passes its
 * own rate of that to its parent, and so on up to 8 ancestors; the last keeps what it receives), and
 * the seller's remainder. The same split applies to licence and whole-pod sales.
 */
export interface RoyaltyPreview {
  podId: bigint;
  price: bigint;
  /** The listing's fee when the pod is listed, else the fee new listings get. */
  feeBps: number;
  fee: bigint;
  shares: { depth: number; ancestorPodId: bigint; receiver: string; amount: bigint }[];
  royalty: bigint;
  seller: bigint;
}

export async function previewRoyalties(contracts: Pick<PodContracts, "registry" | "market">, podId: bigint, price: bigint): Promise<RoyaltyPreview> {
  const [ancestors, receivers, amounts] = await read(() => contracts.registry.royaltyShares(podId, price), { action: `royalty shares of pod ${podId}` });
  const listing = await currentListing(contracts, podId);
  const feeBps = listing?.feeBps ?? Number(await read(() => contracts.market.feeBps(), { action: "feeBps" }));
  const fee = (price * BigInt(feeBps)) / 10_000n;
  const shares = ancestors.map((ancestorPodId, index) => ({ depth: index + 1, ancestorPodId, receiver: receivers[index], amount: amounts[index] }));
  const royalty = shares.reduce((sum, share) => sum + share.amount, 0n);
  return { podId, price, feeBps, fee, shares, royalty, seller: price - fee - royalty };
}
