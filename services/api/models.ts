import type { Page } from "./sql/list";
import type { PurchaseKind, Visibility } from "../../graphql/generated/types";

/**
 * The parent values resolvers receive for each GraphQL object type ("models"). Rows are selected
 * with aliases that already match the GraphQL field names, so most fields need no resolver.
 */

export interface ChangeRefModel {
  blockNumber: number;
  blockHash: string;
  txHash: string;
  logIndex: number;
}

export interface PodRow extends ChangeRefModel {
  id: string;
  owner: string;
  creator: string;
  name: string;
  description: string | null;
  visibility: Visibility;
  versionCount: number;
  latestRef: string;
  forkedFrom: string | null;
  parentVersion: number | null;
  royaltyBps: number;
  forkRoyaltyBps: number;
  listed: boolean;
  listingSeller: string | null;
  listingToken: string | null;
  listingPrice: string | null;
  listingPodPrice: string | null;
  listingPaused: boolean;
  licenseSales: number;
  revenue: string;
  createdBlock: number;
  createdAt: number;
}

export interface ListingModel {
  seller: string;
  token: string;
  price: string;
  podPrice: string;
  paused: boolean;
}

export interface PodVersionRow extends ChangeRefModel {
  podId: string;
  version: number;
  manifestRef: string;
  publisher: string;
  publishedAt: number;
}

export interface ListingEventRow {
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

export interface LicenseRow {
  podId: string;
  holder: string;
  token: string;
  price: string;
  purchasedAt: number;
  blockNumber: number;
  txHash: string;
  logIndex: number;
}

export interface PurchaseRow {
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

export interface BalanceRow {
  token: string;
  withdrawable: string;
  earned: string;
}

export interface WithdrawalRow {
  account: string;
  token: string;
  amount: string;
  timestamp: number;
  blockNumber: number;
  txHash: string;
  logIndex: number;
}

export interface AccountModel {
  address: string;
}

export interface SearchHitRow {
  pod: PodRow;
  rank: number;
}

export interface LineageNodeModel {
  pod: PodRow;
  depth: number;
  children: LineageNodeModel[];
}

export interface LineageModel {
  pod: PodRow;
  ancestors: PodRow[];
  descendants: LineageNodeModel[];
  truncated: boolean;
}

export interface BlockModel {
  number: number;
  hash: string;
  timestamp: number;
}

export interface MetaModel {
  block: BlockModel | null;
  chainId: number;
  hasIndexingErrors: boolean;
}

export interface BlockRefModel {
  number: number;
  hash: string;
}

export interface RollbackModel {
  __typename: "Rollback";
  fromBlock: number;
  toBlock: number;
  commonAncestor: BlockRefModel;
}

export interface PodPublishedModel {
  __typename: "PodPublished";
  podId: string;
  owner: string;
  name: string;
  manifestRef: string;
  forkedFrom: string | null;
  blockNumber: number;
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

export interface NewBlockModel extends BlockModel {
  __typename: "NewBlock";
}

export interface PageInfoModel {
  hasNextPage: boolean;
  endCursor: string | null;
}

/** Ties every SDL object type to its model; checked against the generated `Models` by `Resolvers<ApiModels, …>`. */
export interface ApiModels {
  PageInfo: PageInfoModel;
  ChangeRef: ChangeRefModel;
  Listing: ListingModel;
  Pod: PodRow;
  PodList: Page<PodRow>;
  PodVersion: PodVersionRow;
  PodVersionList: Page<PodVersionRow>;
  ListingEvent: ListingEventRow;
  ListingEventList: Page<ListingEventRow>;
  License: LicenseRow;
  LicenseList: Page<LicenseRow>;
  Purchase: PurchaseRow;
  PurchaseList: Page<PurchaseRow>;
  Balance: BalanceRow;
  Withdrawal: WithdrawalRow;
  Account: AccountModel;
  WithdrawalList: Page<WithdrawalRow>;
  SearchHit: SearchHitRow;
  SearchHitList: Page<SearchHitRow>;
  LineageNode: LineageNodeModel;
  Lineage: LineageModel;
  Block: BlockModel;
  Meta: MetaModel;
  Rollback: RollbackModel;
  BlockRef: BlockRefModel;
  PodPublished: PodPublishedModel;
  PurchaseMade: PurchaseMadeModel;
  NewBlock: NewBlockModel;
}
