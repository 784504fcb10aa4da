import type { FieldStatements } from "../../graphql/snapshot/statement-count";

/** How many SQL statements each resolver of resolvers.ts issues (see statement-count.ts). */
export const runsStatements: FieldStatements = {
  "Query.run": 1,
  "Query.runs": 1,
  "Query.runner": 1,
  "Query.runners": 1,
  // The loaders (loaders.ts, pods/loader.ts): at most one batched SELECT per tick
  "Run.pod": 1,
  "Run.runner": 1,
  "Run.stages": 1,
  "Run.lastChange": 0,
  "RunStage.pod": 1,
  "Runner.fees": 1,
  "Runner.runs": 1,
  "Runner.lastChange": 0,
  // runCount and runSuccessRate share one SELECT; each is declared as one, an upper bound
  "Pod.runCount": 1,
  "Pod.runSuccessRate": 1,
  "Pod.runPrice": 1,
  // COUNT(*) over the list's filters, only when asked for
  "RunList.totalCount": 1,
  "RunnerList.totalCount": 1,
};
