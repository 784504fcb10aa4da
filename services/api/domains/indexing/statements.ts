import type { FieldStatements } from "../../graphql/snapshot/statement-count";

/** How many SQL statements each resolver of resolvers.ts issues (see statement-count.ts). */
export const indexingStatements: FieldStatements = {
  "Query._meta": 1, // the cursor row, read inside the operation's snapshot
};
