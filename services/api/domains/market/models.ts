import type { PurchaseKind } from "../../../../graphql/generated/types";
import type { Page } from "../../graphql/sql/list";

/** The parent values the market domain's resolvers receive, by SDL type (see domains/types.ts). */

interface ListingModel {
  seller: string;
  token: string;
  price: string;
  podPrice: string;
  paused: boolean;
  feeBps: number;
  transferable: boolean;
}

interface ListingEventRow {
  podId: string;
  kind: string;
  seller: string;
  token: string | null;
  price: string | null;
  podPrice: string | null;
  paused: boolean | null;
  feeBps: number | null;
  transferable: boolean | null;
  timestamp: number;
  blockNumber: number;
  txHash: string;
  logIndex: number;
}

interface LicenseRow {
  podId: string;
  holder: string;
  balance: string;
  transferable: boolean;
  token: string | null;
  price: string | null;
  purchasedAt: number | null;
  blockNumber: number;
  txHash: string;
  logIndex: number;
}

interface PurchaseRow {
  kind: PurchaseKind;
  podId: string;
  buyer: string;
  seller: string;
  token: string;
  price: string;
  fee: string;
  feeRecipient: string;
  royalty: string;
  royaltyReceiver: string | null;
  sellerProceeds: string;
  revision: number | null;
  timestamp: number;
  blockNumber: number;
  txHash: string;
  logIndex: number;
}

interface RoyaltyPaymentRow {
  podId: string;
  ancestorPodId: string;
  receiver: string;
  token: string;
  amount: string;
  depth: number;
  timestamp: number;
  blockNumber: number;
  txHash: string;
  logIndex: number;
}

interface PendingFeeChangeModel {
  feeBps: number;
  executableAt: number;
}

export interface MarketSettingsModel {
  feeBps: number | null;
  feeRecipient: string | null;
  paused: boolean;
  pendingFeeChange: PendingFeeChangeModel | null;
}

interface BalanceRow {
  token: string;
  withdrawable: string;
  earned: string;
}

interface WithdrawalRow {
  account: string;
  token: string;
  amount: string;
  recipient: string | null;
  timestamp: number;
  blockNumber: number;
  txHash: string;
  logIndex: number;
}

/** An address; every domain may add its own fields to Account (the pods domain adds `pods`). */
interface AccountModel {
  address: string;
}

export interface PurchaseMadeModel {
  __typename: "PurchaseMade";
  kind: PurchaseKind;
  podId: string;
  buyer: string;
  seller: string;
  token: string;
  price: string;
  blockNumber: number;
  txHash: string;
  logIndex: number;
}

export interface MarketModels {
  Listing: ListingModel;
  ListingEvent: ListingEventRow;
  ListingEventList: Page<ListingEventRow>;
  License: LicenseRow;
  LicenseList: Page<LicenseRow>;
  Purchase: PurchaseRow;
  PurchaseList: Page<PurchaseRow>;
  RoyaltyPayment: RoyaltyPaymentRow;
  RoyaltyPaymentList: Page<RoyaltyPaymentRow>;
  PendingFeeChange: PendingFeeChangeModel;
  MarketSettings: MarketSettingsModel;
  Balance: BalanceRow;
  Withdrawal: WithdrawalRow;
  WithdrawalList: Page<WithdrawalRow>;
  Account: AccountModel;
  PurchaseMade: PurchaseMadeModel;
}
