import { GraphQLError, Kind, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode, type ValueNode } from "graphql";
import type { Plugin } from "graphql-yoga";
import { BadArgumentError } from "../graphql/errors";
import { DEFAULT_PAGE_SIZE } from "../graphql/sql/list";

/** The largest `first` a list takes (sql/list.ts refuses larger ones with the same message). */
const MAX_PAGE_SIZE = 1000;

/**
 * Estimated work of an operation: every field costs 1, and everything under a paginated field
 * is multiplied by its page size (`first`, from a literal, a variable or the default of 100).
 * Unlike a purely syntactic rule this sees `first: $n`, so variables cannot hide a huge request.
 */
function operationCost(
  selectionSet: SelectionSetNode,
  variables: Readonly<Record<string, unknown>>,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  seenFragments: ReadonlySet<string> = new Set(),
): number {
  let cost = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      cost += fieldCost(selection, variables, fragments, seenFragments);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      cost += operationCost(selection.selectionSet, variables, fragments, seenFragments);
    } else {
      const name = selection.name.value;
      const fragment = fragments[name];
      // A fragment spread inside itself is rejected by validation; counting it once is enough here.
      if (fragment && !seenFragments.has(name)) cost += operationCost(fragment.selectionSet, variables, fragments, new Set([...seenFragments, name]));
    }
  }
  return cost;
}

/**
 * A field's page size. A `first` the list would refuse is refused here, with the list's own
 * argument error: the cost of an impossible page would otherwise hide the real mistake.
 */
function pageSize(value: ValueNode | undefined, variables: Readonly<Record<string, unknown>>): number {
  if (!value) return DEFAULT_PAGE_SIZE;
  const given = value.kind === Kind.INT ? Number(value.value) : value.kind === Kind.VARIABLE ? variables[value.name.value] : undefined;
  if (typeof given !== "number") return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(given) || given < 0 || given > MAX_PAGE_SIZE) {
    throw new BadArgumentError("first", `must be between 0 and ${MAX_PAGE_SIZE}, got ${given}`);
  }
  return Math.max(1, given);
}

function fieldCost(field: FieldNode, variables: Readonly<Record<string, unknown>>, fragments: Readonly<Record<string, FragmentDefinitionNode>>, seen: ReadonlySet<string>): number {
  if (!field.selectionSet) return 1;
  const inner = 1 + operationCost(field.selectionSet, variables, fragments, seen);
  // Only list fields take `first`; the argument may be omitted, in which case the default applies.
  const paginated = field.arguments?.some((arg) => arg.name.value === "first") || isListShaped(field);
  if (!paginated) return inner;
  return inner * pageSize(field.arguments?.find((arg) => arg.name.value === "first")?.value, variables);
}

/** A `{ items … }` selection is a paginated list even when `first` is left to its default. */
function isListShaped(field: FieldNode): boolean {
  return !!field.selectionSet?.selections.some((s) => s.kind === Kind.FIELD && s.name.value === "items");
}

export function costLimitPlugin(maxCost: number): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      // Envelop types the execution arguments as `any`; yoga hands graphql-js's validated document.
      const document = args.document as DocumentNode;
      const operationName = args.operationName as string | null | undefined;
      const fragments: Record<string, FragmentDefinitionNode> = {};
      for (const definition of document.definitions) {
        if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
      }
      const operation = document.definitions.find(
        (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && (operationName == null || d.name?.value === operationName),
      );
      if (!operation) return;
      let cost: number;
      try {
        cost = operationCost(operation.selectionSet, (args.variableValues ?? {}) as Record<string, unknown>, fragments);
      } catch (error) {
        if (!(error instanceof BadArgumentError)) throw error;
        setResultAndStopExecution({ errors: [error] });
        return;
      }
      if (cost > maxCost) {
        setResultAndStopExecution({
          errors: [
            new GraphQLError(`Operation cost ${cost} exceeds the limit of ${maxCost}: request smaller pages (first) or fewer nested lists`, {
              extensions: { code: "COST_LIMIT", cost, maxCost },
            }),
          ],
        });
      }
    },
  };
}
