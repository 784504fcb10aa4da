import type { GraphQLResolveInfo, SelectionSetNode } from "graphql";
import { BadArgumentError } from "../errors";

/** Inclusive integer range check for numeric arguments; the error names the argument. */
export function intInRange(argument: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BadArgumentError(argument, `must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

/** Whether the current field's selection asks for `name` (following fragments). */
export function selects(info: GraphQLResolveInfo, name: string): boolean {
  const visit = (set: SelectionSetNode | undefined): boolean =>
    !!set &&
    set.selections.some((selection) => {
      if (selection.kind === "Field") return selection.name.value === name;
      if (selection.kind === "InlineFragment") return visit(selection.selectionSet);
      return visit(info.fragments[selection.name.value]?.selectionSet);
    });
  return info.fieldNodes.some((node) => visit(node.selectionSet));
}
