import { MANY, type FieldStatements } from "../../graphql/snapshot/statement-count";

/** How many SQL statements each resolver of resolvers.ts issues (see statement-count.ts). */
export const podsStatements: FieldStatements = {
  "Query.pod": 1, // one SELECT, projected or through the pod loader
  "Query.pods": 1,
  "Query.podVersions": 1,
  "Query.search": 1,
  "Query.lineage": MANY,
  "Pod.parent": 1, // the pod loader: at most one batched SELECT per tick
  "Pod.lastChange": 0,
  "Pod.versions": 1,
  "Pod.forks": 1,
  "PodVersion.pod": 1,
  "PodVersion.lastChange": 0,
  "Account.pods": 1,
  // COUNT(*) over the list's filters, only when asked for
  "PodList.totalCount": 1,
  "PodVersionList.totalCount": 1,
  "SearchHitList.totalCount": 1,
};
