import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from "graphql";

/** The fields selected directly in `set`, looking through inline fragments and fragment spreads. */
function fieldsOf(info: GraphQLResolveInfo, set: SelectionSetNode | undefined, into: FieldNode[] = []): FieldNode[] {
  for (const selection of set?.selections ?? []) {
    if (selection.kind === Kind.FIELD) into.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) fieldsOf(info, selection.selectionSet, into);
    else fieldsOf(info, info.fragments[selection.name.value]?.selectionSet, into);
  }
  return into;
}

/**
 * Names of the fields selected under `path` below the current field (e.g. ["items"] for a page),
 * merged over aliases and fragments; null when the path is not selected at all.
 */
export function selectedFieldsAt(info: GraphQLResolveInfo, path: readonly string[]): Set<string> | null {
  let level: FieldNode[] = [...info.fieldNodes];
  for (const name of path) {
    level = level.flatMap((node) => fieldsOf(info, node.selectionSet)).filter((field) => field.name.value === name);
    if (level.length === 0) return null;
  }
  return new Set(level.flatMap((node) => fieldsOf(info, node.selectionSet)).map((field) => field.name.value));
}
