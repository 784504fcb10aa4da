/**
 * Models of the SDL types every domain shares: page info, change references, and the rollback
 * notice that every subscription interleaves. A domain's own models live in its folder
 * (domains/<name>/models.ts). Rows are selected with aliases that already match the GraphQL
 * field names, so most fields need no resolver.
 */

interface PageInfoModel {
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface ChangeRefModel {
  blockNumber: number;
  blockHash: string;
  txHash: string;
  logIndex: number;
}

interface BlockRefModel {
  number: number;
  hash: string;
}

export interface RollbackModel {
  __typename: "Rollback";
  fromBlock: number;
  toBlock: number;
  commonAncestor: BlockRefModel;
}

export interface CommonModels {
  PageInfo: PageInfoModel;
  ChangeRef: ChangeRefModel;
  Rollback: RollbackModel;
  BlockRef: BlockRefModel;
}
