import { isInputObjectType, type GraphQLSchema } from "graphql";
import { API_DOMAINS } from "../domains";
import { mergeDomainRecords } from "./merge-domains";
import { splitFilterName, type FilterColumns } from "./sql/where";

/** Which filter columns serve which `where` input of the SDL, over every domain. */
const WHERE_INPUTS: Readonly<Record<string, FilterColumns>> = mergeDomainRecords(API_DOMAINS, "the where input", (domain) => domain.whereInputs);

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
  if (problems.length) throw new Error(`graphql/schema.graphql and the lists of services/api/domains disagree:\n  ${problems.join("\n  ")}`);
}
