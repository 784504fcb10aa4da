import type { ApiDomain } from "../types";
import { indexingResolvers } from "./resolvers";
import { indexingStatements } from "./statements";
import { indexingSubscriptions } from "./subscriptions";

/** What the indexer has reached: `_meta`, new blocks and reorgs. */
export const indexingDomain: ApiDomain = {
  name: "indexing",
  resolvers: [indexingResolvers, indexingSubscriptions],
  statements: indexingStatements,
  whereInputs: {},
};
