// The factory file only: the typechain index pulls in every contract of the repository. The
// contract's factory, not its interface's: its ABI lists the events it inherits too (roles, pausing).
import { PodMarket__factory } from "../../../typechain-types/factories/contracts/PodMarket__factory";
import type { ChainEvent } from "../chain-event";
import { CHANGED_BY_COLUMNS, changedBy, stamp } from "../changed-by";
import { HISTORY_KEY_COLUMNS, HISTORY_POSITION_COLUMNS, type TableSpec } from "../tables";
import { eventsOf, type ArgsOf } from "./abi-types";
import { BALANCES, balanceKey, credit, emptyBalance, touchBalance } from "./balances";
import { defineContract, type EventEffects, type EventHandler, type RowKeys } from "./module";
import { LICENSES, LISTING_EVENTS, PODS, emptyLicense, licenseKey } from "./pod-tables";

/**
 * PodMarket: listings, licence and pod sales, royalty shares per ancestor, withdrawals and the
 * market's settings (migrations 001, 060). Licences are minted into PodLicenses (pod-licenses.ts
 * counts the holdings); a purchase records its price on the buyer's holding.
 */

/** Every sale: a licence ('license') or the whole pod ('pod'). */
const PURCHASES: TableSpec = {
  name: "purchases",
  key: ["block_number", "log_index"],
  columns: [
    ...HISTORY_KEY_COLUMNS,
    ["kind", "text"],
    ["pod_id", "numeric"],
    ["buyer", "text"],
    ["seller", "text"],
    ["token", "text"],
    ["price", "numeric"],
    ["fee", "numeric"],
    ["fee_recipient", "text"],
    ["royalty", "numeric"],
    ["royalty_receiver", "text"],
    ["seller_proceeds", "numeric"],
    ["revision", "int"],
    ...HISTORY_POSITION_COLUMNS,
  ],
};

const WITHDRAWALS: TableSpec = {
  name: "withdrawals",
  key: ["block_number", "log_index"],
  columns: [...HISTORY_KEY_COLUMNS, ["account", "text"], ["token", "text"], ["amount", "numeric"], ["recipient", "text"], ...HISTORY_POSITION_COLUMNS],
};

/** One ancestor's royalty share of a sale (RoyaltyPaid): who was credited, for which ancestor pod. */
const ROYALTY_PAYMENTS: TableSpec = {
  name: "royalty_payments",
  key: ["block_number", "log_index"],
  columns: [
    ...HISTORY_KEY_COLUMNS,
    ["pod_id", "numeric"],
    ["ancestor_pod_id", "numeric"],
    ["receiver", "text"],
    ["token", "text"],
    ["amount", "numeric"],
    ["depth", "int"],
    ...HISTORY_POSITION_COLUMNS,
  ],
};

/** The ERC-20 allow-list. */
export const MARKET_TOKENS: TableSpec = {
  name: "market_tokens",
  key: ["token"],
  columns: [["token", "text"], ["allowed", "boolean"], ...CHANGED_BY_COLUMNS],
};

/**
 * Fee parameters and the pause switch, by key: 'fee_bps', 'fee_recipient', 'paused', and the pending
 * fee change 'pending_fee_bps' / 'pending_fee_executable_at' ('' when there is none).
 */
export const MARKET_SETTINGS: TableSpec = {
  name: "market_settings",
  key: ["key"],
  columns: [["key", "text"], ["value", "text"], ...CHANGED_BY_COLUMNS],
};

/** Payloads the market's events announce (IndexerEventMap; the API subscribes to them). */
export interface PodMarketAnnouncements {
  purchase: {
    kind: "license" | "pod";
    podId: string;
    buyer: string;
    seller: string;
    token: string;
    price: string;
    blockNumber: number;
    txHash: string;
    logIndex: number;
  };
}

const ABI = eventsOf(PodMarket__factory.abi);
type Abi = typeof ABI;

const touchPod = (args: { readonly podId: string }, keys: RowKeys) => keys.add(PODS, args.podId);

/** Listed and PriceChanged: the listing's terms, on the pod and in its history. */
function listingTerms(kind: "listed" | "price_changed"): EventHandler<ArgsOf<Abi, "Listed" | "PriceChanged">, PodMarketAnnouncements> {
  return {
    recorded: true,
    touches: touchPod,
    apply(args, event, effects) {
      const listing = { listing_seller: args.seller, listing_token: args.token, listing_price: args.price, listing_pod_price: args.podPrice };
      // Only Listed fixes the fee and the licences' transferability; PriceChanged keeps them.
      const feeBps = "feeBps" in args ? Number(args.feeBps) : null;
      const transferable = "transferable" in args ? args.transferable : null;
      effects.record(
        LISTING_EVENTS,
        { kind, pod_id: args.podId, seller: args.seller, token: args.token, price: args.price, pod_price: args.podPrice, paused: null, fee_bps: feeBps, transferable },
        event,
      );
      effects.changeExisting(PODS, args.podId, event, (pod) => ({
        ...pod,
        ...listing,
        listed: true,
        listing_paused: kind === "listed" ? false : pod.listing_paused,
        listing_fee_bps: feeBps ?? pod.listing_fee_bps,
        listing_transferable: transferable ?? pod.listing_transferable,
        ...changedBy(event),
      }));
    },
  };
}

/**
 * LicensePurchased and PodSold: the sale, the pod's sums, the fee recipient's and the seller's
 * balances (each ancestor's share was credited by its RoyaltyPaid, emitted before), the buyer's
 * licence price, and the announcement.
 */
function sale(kind: "license" | "pod"): EventHandler<ArgsOf<Abi, "LicensePurchased" | "PodSold">, PodMarketAnnouncements> {
  return {
    recorded: true,
    touches(args, keys) {
      keys.add(PODS, args.podId);
      touchBalance(keys, args.seller, args.token);
      touchBalance(keys, args.feeRecipient, args.token);
      if (kind === "license") keys.add(LICENSES, licenseKey(args.podId, args.buyer));
    },
    apply(args, event, effects) {
      const podId = args.podId;
      effects.record(
        PURCHASES,
        {
          kind,
          pod_id: podId,
          buyer: args.buyer,
          seller: args.seller,
          token: args.token,
          price: args.price,
          fee: args.fee,
          fee_recipient: args.feeRecipient,
          royalty: args.royalty,
          royalty_receiver: null,
          seller_proceeds: args.sellerProceeds,
          revision: Number(args.revision),
        },
        event,
      );
      if (kind === "license") {
        // The mint (PodLicenses' TransferSingle) follows in the same transaction and sets the balance.
        effects.change(LICENSES, licenseKey(podId, args.buyer), event, (license) => {
          const row = license ?? emptyLicense(podId, args.buyer);
          row.token = args.token;
          row.price = args.price;
          row.purchased_at = event.timestamp;
          return stamp(row, event);
        });
      }
      effects.changeExisting(PODS, podId, event, (pod) => {
        // In place: the undo image (if any) was copied before this call; allocation-free on the hot path.
        pod.license_sales = Number(pod.license_sales) + (kind === "license" ? 1 : 0);
        pod.revenue = (BigInt(pod.revenue as string) + BigInt(args.price)).toString();
        // A pod sale consumes the listing (the market deletes it); the Transfer that follows changes the owner.
        if (kind === "pod") pod.listed = false;
        return stamp(pod, event);
      });
      const token = args.token;
      credit(effects, args.feeRecipient, token, args.fee, event);
      credit(effects, args.seller, token, args.sellerProceeds, event);
      effects.announce("purchase", {
        kind,
        podId,
        buyer: args.buyer,
        seller: args.seller,
        token,
        price: args.price,
        blockNumber: event.blockNumber,
        txHash: event.txHash,
        logIndex: event.logIndex,
      });
    },
  };
}

/** A market setting (fee_bps, fee_recipient, paused) set to `value`. */
function setSetting(effects: EventEffects<PodMarketAnnouncements>, key: string, value: string, event: ChainEvent): void {
  effects.change(MARKET_SETTINGS, key, event, () => ({ key, value, ...changedBy(event) }));
}

const touchPendingFee = (_args: unknown, keys: RowKeys) => {
  keys.add(MARKET_SETTINGS, "pending_fee_bps");
  keys.add(MARKET_SETTINGS, "pending_fee_executable_at");
};

/** No fee change pending (cancelled or applied). */
function clearPendingFee(effects: EventEffects<PodMarketAnnouncements>, event: ChainEvent): void {
  setSetting(effects, "pending_fee_bps", "", event);
  setSetting(effects, "pending_fee_executable_at", "", event);
}

export const podMarket = defineContract<Abi, PodMarketAnnouncements>({
  name: "PodMarket",
  abi: ABI,
  tables: { mutable: [PODS, LICENSES, BALANCES, MARKET_TOKENS, MARKET_SETTINGS], appendOnly: [LISTING_EVENTS, PURCHASES, ROYALTY_PAYMENTS, WITHDRAWALS] },
  announces: ["purchase"],
  handlers: {
    Listed: listingTerms("listed"),
    PriceChanged: listingTerms("price_changed"),
    ListingPaused: {
      recorded: true,
      touches: touchPod,
      apply(args, event, effects) {
        effects.record(LISTING_EVENTS, { kind: args.paused ? "paused" : "resumed", pod_id: args.podId, seller: args.seller, token: null, price: null, pod_price: null, paused: args.paused, fee_bps: null, transferable: null }, event);
        effects.changeExisting(PODS, args.podId, event, (pod) => ({ ...pod, listing_paused: args.paused, ...changedBy(event) }));
      },
    },
    Delisted: {
      recorded: true,
      touches: touchPod,
      apply(args, event, effects) {
        effects.record(LISTING_EVENTS, { kind: "delisted", pod_id: args.podId, seller: args.seller, token: null, price: null, pod_price: null, paused: null, fee_bps: null, transferable: null }, event);
        effects.changeExisting(PODS, args.podId, event, (pod) => ({ ...pod, listed: false, ...changedBy(event) }));
      },
    },
    RoyaltyPaid: {
      recorded: true,
      touches(args, keys) {
        keys.add(PODS, args.ancestorPodId);
        touchBalance(keys, args.receiver, args.token);
      },
      apply(args, event, effects) {
        effects.record(
          ROYALTY_PAYMENTS,
          { pod_id: args.podId, ancestor_pod_id: args.ancestorPodId, receiver: args.receiver, token: args.token, amount: args.amount, depth: Number(args.depth) },
          event,
        );
        effects.changeExisting(PODS, args.ancestorPodId, event, (pod) => {
          pod.royalties_earned = (BigInt(pod.royalties_earned as string) + BigInt(args.amount)).toString();
          return stamp(pod, event);
        });
        credit(effects, args.receiver, args.token, args.amount, event);
      },
    },
    LicensePurchased: sale("license"),
    PodSold: sale("pod"),
    Withdrawn: {
      recorded: true,
      touches: (args, keys) => touchBalance(keys, args.account, args.token),
      apply(args, event, effects) {
        effects.record(WITHDRAWALS, { account: args.account, token: args.token, amount: args.amount, recipient: args.recipient }, event);
        const amount = BigInt(args.amount);
        effects.change(BALANCES, balanceKey(args.account, args.token), event, (balance) => ({
          ...(balance ?? emptyBalance(args.account, args.token)),
          withdrawable: (BigInt((balance?.withdrawable as string) ?? "0") - amount).toString(),
          withdrawn: (BigInt((balance?.withdrawn as string) ?? "0") + amount).toString(),
          ...changedBy(event),
        }));
      },
    },
    TokenAllowed: {
      touches: (args, keys) => keys.add(MARKET_TOKENS, args.token),
      apply(args, event, effects) {
        effects.change(MARKET_TOKENS, args.token, event, () => ({ token: args.token, allowed: args.allowed, ...changedBy(event) }));
      },
    },
    FeeChangeProposed: {
      touches: touchPendingFee,
      apply(args, event, effects) {
        setSetting(effects, "pending_fee_bps", String(args.newBps), event);
        setSetting(effects, "pending_fee_executable_at", String(args.executableAt), event);
      },
    },
    FeeChangeCancelled: { touches: touchPendingFee, apply: (_args, event, effects) => clearPendingFee(effects, event) },
    FeeChanged: {
      touches(args, keys) {
        keys.add(MARKET_SETTINGS, "fee_bps");
        touchPendingFee(args, keys);
      },
      apply(args, event, effects) {
        setSetting(effects, "fee_bps", String(args.newBps), event);
        clearPendingFee(effects, event);
      },
    },
    FeeRecipientChanged: {
      touches: (_args, keys) => keys.add(MARKET_SETTINGS, "fee_recipient"),
      apply: (args, event, effects) => setSetting(effects, "fee_recipient", args.newRecipient, event),
    },
    Paused: {
      touches: (_args, keys) => keys.add(MARKET_SETTINGS, "paused"),
      apply: (_args, event, effects) => setSetting(effects, "paused", "true", event),
    },
    Unpaused: {
      touches: (_args, keys) => keys.add(MARKET_SETTINGS, "paused"),
      apply: (_args, event, effects) => setSetting(effects, "paused", "false", event),
    },
  },
});
