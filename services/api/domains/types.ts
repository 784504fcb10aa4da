import type { Resolvers } from "../../../graphql/generated/types";
import type { ApiContext } from "../graphql/context";
import type { CommonModels } from "../graphql/models";
import type { FieldStatements } from "../graphql/snapshot/statement-count";
import type { FilterColumns } from "../graphql/sql/where";
import type { GroupsModels } from "./groups/models";
import type { IndexingModels } from "./indexing/models";
import type { KeyGrantsModels } from "./key-grants/models";
import type { MarketModels } from "./market/models";
import type { PodsModels } from "./pods/models";
import type { RunsModels } from "./runs/models";

/**
 * Ties every SDL object type to its model, over all domains; `Resolvers<ApiModels, …>` checks it
 * against the generated `Models`, so a type missing here fails to compile.
 */
interface ApiModels extends CommonModels, PodsModels, MarketModels, RunsModels, KeyGrantsModels, GroupsModels, IndexingModels {}

/** A resolver map typed against the SDL (graphql/generated/types.ts). */
export type ApiResolvers = Resolvers<ApiModels, ApiContext>;

/**
 * One domain of the API (pods, market, …): the schema builder merges every domain of
 * domains/index.ts. A domain may add fields to another's types (the market adds `Pod.listing`,
 * pods add `Account.pods`); merging refuses two resolvers or declarations for one field.
 */
export interface ApiDomain {
  /** Named in start-up errors. */
  name: string;
  /** Its resolver maps (e.g. queries and fields, subscriptions). */
  resolvers: readonly ApiResolvers[];
  /** How many SQL statements each of `resolvers` issues (subscriptions excepted: they read none). */
  statements: FieldStatements;
  /** The SDL's `…Where` inputs of this domain and the columns that serve them. */
  whereInputs: Readonly<Record<string, FilterColumns>>;
}
