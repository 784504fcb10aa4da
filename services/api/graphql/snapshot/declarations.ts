import { isInterfaceType, isObjectType, type GraphQLSchema } from "graphql";
import { API_DOMAINS } from "../../domains";
import { SUBSCRIPTION_NAMES } from "../../subscriptions";
import { mergeDomainRecords } from "../merge-domains";
import type { StatementCount } from "./statement-count";

/**
 * Every domain's statement counts, and the subscriptions', which read nothing: their events come
 * from the indexer, not from the database. Not frozen: a test adds an entry to see the check fail.
 */
export const FIELD_STATEMENTS: Readonly<Record<string, StatementCount>> = {
  ...mergeDomainRecords(API_DOMAINS, "the statement count of", (domain) => domain.statements),
  ...Object.fromEntries(SUBSCRIPTION_NAMES.map((name) => [`Subscription.${name}`, 0])),
};

/**
 * Start-up check: every field that has a resolver is declared in FIELD_STATEMENTS, and every
 * declaration names a field of the schema, so the static count (statements.ts) cannot be wrong by
 * omission.
 */
export function checkStatementDeclarations(schema: GraphQLSchema, resolvers: Readonly<Record<string, unknown>>): void {
  const problems: string[] = [];
  for (const [typeName, fields] of Object.entries(resolvers)) {
    const type = schema.getType(typeName);
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    for (const field of Object.keys(fields as Record<string, unknown>)) {
      if (field.startsWith("__")) continue;
      if (!(`${typeName}.${field}` in FIELD_STATEMENTS)) problems.push(`${typeName}.${field} has a resolver but no statement count`);
    }
  }
  for (const key of Object.keys(FIELD_STATEMENTS)) {
    const [typeName, field] = key.split(".");
    const type = schema.getType(typeName);
    if (!(isObjectType(type) || isInterfaceType(type)) || !type.getFields()[field]) problems.push(`${key} is declared but not in the schema`);
  }
  if (problems.length) throw new Error(`the statement counts of services/api/domains/*/statements.ts are out of date:\n  ${problems.join("\n  ")}`);
}
