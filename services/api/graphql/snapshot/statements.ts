import {
  getNamedType,
  isAbstractType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  OperationTypeNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { FIELD_STATEMENTS } from "./declarations";
import { MANY } from "./statement-count";

/**
 * Static count of the SQL statements a query operation may issue, from the validated document and
 * FIELD_STATEMENTS. It is an upper bound: skipped (@skip/@include) fields still count, and
 * anything that reads below a list counts as MANY, since it runs once per item.
 */
export function statementsOf(schema: GraphQLSchema, document: DocumentNode, operationName?: string | null): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  let operation: OperationDefinitionNode | undefined;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    else if (definition.kind === Kind.OPERATION_DEFINITION && (operationName == null || definition.name?.value === operationName)) operation ??= definition;
  }
  const root = operation?.operation === OperationTypeNode.QUERY ? schema.getQueryType() : undefined;
  // Mutations, subscriptions and unknown operations never skip the snapshot.
  if (!operation || !root) return MANY;
  return countSelections(schema, operation.selectionSet, root, fragments, new Set());
}

function countSelections(
  schema: GraphQLSchema,
  selectionSet: SelectionSetNode,
  parent: GraphQLCompositeType,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  inFragments: ReadonlySet<string>,
): number {
  let total = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      total += countField(schema, selection.name.value, selection.selectionSet, parent, fragments, inFragments);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
      total += type && isComposite(type) ? countSelections(schema, selection.selectionSet, type, fragments, inFragments) : MANY;
    } else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      const type = fragment && schema.getType(fragment.typeCondition.name.value);
      // Validation rejects fragment cycles; refusing to follow one keeps this total anyway.
      if (!fragment || !type || !isComposite(type) || inFragments.has(name)) return MANY;
      total += countSelections(schema, fragment.selectionSet, type, fragments, new Set([...inFragments, name]));
    }
    if (total === MANY) return MANY;
  }
  return total;
}

function countField(
  schema: GraphQLSchema,
  name: string,
  selectionSet: SelectionSetNode | undefined,
  parent: GraphQLCompositeType,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  inFragments: ReadonlySet<string>,
): number {
  // __typename, and introspection (__schema, __type) which reads the schema, not the database.
  if (name.startsWith("__")) return 0;
  // On an interface or union the field runs the resolver of whichever object type the value has.
  const owners = isAbstractType(parent) ? schema.getPossibleTypes(parent) : [parent];
  let most = 0;
  for (const owner of owners) {
    const field: GraphQLField<unknown, unknown> | undefined = isObjectType(owner) || isInterfaceType(owner) ? owner.getFields()[name] : undefined;
    if (!field) return MANY;
    let count = FIELD_STATEMENTS[`${owner.name}.${name}`] ?? 0;
    if (selectionSet) {
      const type = getNamedType(field.type);
      const below = isComposite(type) ? countSelections(schema, selectionSet, type, fragments, inFragments) : MANY;
      count += below > 0 && returnsList(field.type) ? MANY : below;
    }
    most = Math.max(most, count);
  }
  return most;
}

function isComposite(type: unknown): type is GraphQLCompositeType {
  return isObjectType(type) || isInterfaceType(type) || isAbstractType(type);
}

function returnsList(type: GraphQLOutputType): boolean {
  const unwrapped = isNonNullType(type) ? type.ofType : type;
  return isListType(unwrapped);
}
