import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isInputObjectType, type GraphQLSchema } from "graphql";
import { createSchema } from "graphql-yoga";
import type { ApiContext } from "./context";
import type { ApiModels } from "./models";
import type { Resolvers } from "../../graphql/generated/types";
import { licensesList, listingEventsList, podVersionsList, POD_FILTERS, purchasesList } from "./lists";
import { listResolvers } from "./resolvers/lists";
import { podResolvers } from "./resolvers/pod";
import { queryResolvers } from "./resolvers/query";
import { subscriptionResolvers } from "./resolvers/subscription";
import { AddressScalar, BigIntScalar, Bytes32Scalar } from "./scalars";
import { checkStatementDeclarations } from "./statements";
import { splitFilterName, type FilterColumns } from "./sql/where";

/** What createSchema accepts as one resolver map (graphql-tools' IResolvers). */
type YogaResolvers = Extract<NonNullable<Parameters<typeof createSchema<ApiContext>>[0]["resolvers"]>, Record<string, unknown>>;

export const SCHEMA_PATH = join(__dirname, "..", "..", "graphql", "schema.graphql");

/** Which filter columns serve which `where` input of the SDL. */
export const WHERE_INPUTS: Readonly<Record<string, FilterColumns>> = {
  PodWhere: POD_FILTERS,
  PodVersionWhere: podVersionsList.filters,
  ListingEventWhere: listingEventsList.filters,
  LicenseWhere: licensesList.filters,
  PurchaseWhere: purchasesList.filters,
};

/**
 * Fails at start-up (and in tests) when a `where` field of the SDL has no column behind it, so a
 * schema edit can never produce a filter that errors only when someone uses it.
 */
export function checkWhereInputs(schema: GraphQLSchema): void {
  const problems: string[] = [];
  for (const [inputName, columns] of Object.entries(WHERE_INPUTS)) {
    const input = schema.getType(inputName);
    if (!isInputObjectType(input)) {
      problems.push(`${inputName} is not an input type of the schema`);
      continue;
    }
    for (const field of Object.keys(input.getFields())) {
      if (field === "AND" || field === "OR") continue;
      const { base } = splitFilterName(field);
      if (!columns[base]) problems.push(`${inputName}.${field}: no column for "${base}"`);
    }
  }
  if (problems.length) throw new Error(`graphql/schema.graphql and services/api/lists.ts disagree:\n  ${problems.join("\n  ")}`);
}

function mergeResolvers(...maps: Resolvers<ApiModels, ApiContext>[]): Resolvers<ApiModels, ApiContext> {
  const merged: Record<string, Record<string, unknown>> = {};
  for (const map of maps) {
    for (const [typeName, fields] of Object.entries(map)) merged[typeName] = { ...merged[typeName], ...(fields as Record<string, unknown>) };
  }
  return merged as Resolvers<ApiModels, ApiContext>;
}

export function buildApiSchema(): GraphQLSchema {
  const typeDefs = readFileSync(SCHEMA_PATH, "utf8");
  const resolvers = mergeResolvers(queryResolvers, podResolvers, listResolvers, subscriptionResolvers);
  const schema = createSchema<ApiContext>({
    typeDefs,
    resolvers: [{ BigInt: BigIntScalar, Address: AddressScalar, Bytes32: Bytes32Scalar }, resolvers as YogaResolvers],
  });
  checkWhereInputs(schema);
  checkStatementDeclarations(schema, resolvers as Record<string, unknown>);
  return schema;
}
