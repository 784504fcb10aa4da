/** The parent values the indexing domain's resolvers receive, by SDL type (see domains/types.ts). */

interface BlockModel {
  number: number;
  hash: string;
  timestamp: number;
}

export interface MetaModel {
  block: BlockModel | null;
  chainId: number;
  hasIndexingErrors: boolean;
}

export interface NewBlockModel extends BlockModel {
  __typename: "NewBlock";
}

export interface IndexingModels {
  Block: BlockModel;
  Meta: MetaModel;
  NewBlock: NewBlockModel;
}
