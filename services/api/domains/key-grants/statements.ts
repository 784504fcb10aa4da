import type { FieldStatements } from "../../graphql/snapshot/statement-count";

/** How many SQL statements each resolver of resolvers.ts issues (see statement-count.ts). */
export const keyGrantsStatements: FieldStatements = {
  // The loaders (loaders.ts, pods/loader.ts): at most one batched SELECT per tick
  "Pod.keyGrants": 1,
  "Runner.grantedPods": 1,
  "KeyGrant.pod": 1,
  "KeyGrant.lastChange": 0,
};
