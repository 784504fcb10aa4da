import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { GraphQLSchema } from "graphql";
import { createSchema } from "graphql-yoga";
import { API_DOMAINS } from "../domains";
import type { ApiContext } from "./context";
import { mergeDomainResolvers } from "./merge-domains";
import { AddressScalar, BigIntScalar, Bytes32Scalar } from "./scalars";
import { checkStatementDeclarations } from "./snapshot/declarations";
import { checkSubscriptions } from "./subscriptions/check";
import { checkWhereInputs } from "./where-inputs";

/** What createSchema accepts as one resolver map (graphql-tools' IResolvers). */
type YogaResolvers = Extract<NonNullable<Parameters<typeof createSchema<ApiContext>>[0]["resolvers"]>, Record<string, unknown>>;

/** The SDL, one file for every domain; `npm run build:services` copies it to dist/graphql/. */
export const SCHEMA_PATH = join(__dirname, "..", "..", "..", "graphql", "schema.graphql");

/** The executable schema: the SDL, the scalars and every domain's resolvers, checked against each other. */
export function buildApiSchema(): GraphQLSchema {
  const typeDefs = readFileSync(SCHEMA_PATH, "utf8");
  const resolvers = mergeDomainResolvers(API_DOMAINS);
  const schema = createSchema<ApiContext>({
    typeDefs,
    resolvers: [{ BigInt: BigIntScalar, Address: AddressScalar, Bytes32: Bytes32Scalar }, resolvers as YogaResolvers],
  });
  checkWhereInputs(schema);
  checkStatementDeclarations(schema, resolvers as Record<string, unknown>);
  checkSubscriptions(schema);
  return schema;
}
