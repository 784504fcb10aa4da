import { GraphQLError, Kind, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode, type ValueNode } from "graphql";
import type { Plugin } from "graphql-yoga";
import { DEFAULT_PAGE_SIZE } from "../graphql/sql/list";

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

function pageSize(value: ValueNode | undefined, variables: Readonly<Record<string, unknown>>): number {
  if (!value) return DEFAULT_PAGE_SIZE;
  if (value.kind === Kind.INT) return Math.max(1, Number(value.value));
  if (value.kind === Kind.VARIABLE) {
    const given = variables[value.name.value];
    return typeof given === "number" ? Math.max(1, given) : DEFAULT_PAGE_SIZE;
  }
  return DEFAULT_PAGE_SIZE;
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
      const cost = operationCost(operation.selectionSet, (args.variableValues ?? {}) as Record<string, unknown>, fragments);
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
