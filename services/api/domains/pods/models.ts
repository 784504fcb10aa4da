import type { Visibility } from "../../../../graphql/generated/types";
import type { ChangeRefModel } from "../../graphql/models";
import type { Page } from "../../graphql/sql/list";

/** The parent values the pods domain's resolvers receive, by SDL type (see domains/types.ts). */

/** A row of `pods`, listing columns included (the market's fields of Pod read them). */
export interface PodRow extends ChangeRefModel {
  id: string;
  owner: string;
  creator: string;
  name: string;
  description: string | null;
  visibility: Visibility;
  versionCount: number;
  revision: number;
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
  listingFeeBps: number | null;
  listingTransferable: boolean | null;
  licenseSales: number;
  revenue: string;
  royaltiesEarned: string;
  licensesTransferable: boolean;
  createdBlock: number;
  createdAt: number;
}

interface PodVersionRow extends ChangeRefModel {
  podId: string;
  version: number;
  manifestRef: string;
  publisher: string;
  publishedAt: number;
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

export interface PodPublishedModel {
  __typename: "PodPublished";
  podId: string;
  owner: string;
  name: string;
  manifestRef: string;
  forkedFrom: string | null;
  blockNumber: number;
}

export interface PodsModels {
  Pod: PodRow;
  PodList: Page<PodRow>;
  PodVersion: PodVersionRow;
  PodVersionList: Page<PodVersionRow>;
  SearchHit: SearchHitRow;
  SearchHitList: Page<SearchHitRow>;
  LineageNode: LineageNodeModel;
  Lineage: LineageModel;
  PodPublished: PodPublishedModel;
}
