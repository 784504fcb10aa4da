import type { PurchaseKind } from "../../../../graphql/generated/types";
import type { Page } from "../../graphql/sql/list";

/** The parent values the market domain's resolvers receive, by SDL type (see domains/types.ts). */

interface ListingModel {
  seller: string;
  token: string;
  price: string;
  podPrice: string;
  paused: boolean;
}

interface ListingEventRow {
  podId: string;
  kind: string;
  seller: string;
  token: string | null;
  price: string | null;
  podPrice: string | null;
  paused: boolean | null;
  timestamp: number;
  blockNumber: number;
  txHash: string;
  logIndex: number;
}

interface LicenseRow {
  podId: string;
  holder: string;
  token: string;
  price: string;
  purchasedAt: number;
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
  timestamp: number;
  blockNumber: number;
  txHash: string;
  logIndex: number;
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
  Balance: BalanceRow;
  Withdrawal: WithdrawalRow;
  WithdrawalList: Page<WithdrawalRow>;
  Account: AccountModel;
  PurchaseMade: PurchaseMadeModel;
}
