import type { FieldNode, GraphQLResolveInfo, SelectionSetNode } from "graphql";
import { BadArgumentError } from "../errors";
import { podColumnsFor } from "../lists";

/** Inclusive integer range check for numeric arguments; the error names the argument. */
export function intInRange(argument: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BadArgumentError(argument, `must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

/** The fields selected directly in `set`, looking through inline fragments and fragment spreads. */
function fieldsOf(info: GraphQLResolveInfo, set: SelectionSetNode | undefined, into: FieldNode[] = []): FieldNode[] {
  for (const selection of set?.selections ?? []) {
    if (selection.kind === "Field") into.push(selection);
    else if (selection.kind === "InlineFragment") fieldsOf(info, selection.selectionSet, into);
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

/** Select lists by field node and path: documents are cached by yoga, so their nodes repeat. */
const podColumnsCache = new WeakMap<FieldNode, Map<string, ReturnType<typeof podColumnsFor>>>();

/**
 * The pod columns the fields selected under `path` need (see podColumnsFor), computed once per
 * field of a cached document. Only a field that is not merged with others (one node, the usual
 * case) is cached: then its node and the document's fragments alone decide the selection.
 */
export function podColumnsAt(info: GraphQLResolveInfo, path: readonly string[]): ReturnType<typeof podColumnsFor> {
  const node = info.fieldNodes.length === 1 ? info.fieldNodes[0] : undefined;
  const key = path.join(".");
  const cached = node && podColumnsCache.get(node)?.get(key);
  if (cached) return cached;
  const columns = podColumnsFor(selectedFieldsAt(info, path) ?? new Set());
  if (node) {
    const byPath = podColumnsCache.get(node) ?? new Map<string, ReturnType<typeof podColumnsFor>>();
    byPath.set(key, columns);
    podColumnsCache.set(node, byPath);
  }
  return columns;
}
