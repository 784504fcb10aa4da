import { EnvelopArmorPlugin } from "@escape.tech/graphql-armor";
import { GraphQLError, NoSchemaIntrospectionCustomRule, visit, type ASTNode, type DocumentNode } from "graphql";
import type { Plugin } from "graphql-yoga";
import { errorCodesPlugin } from "../graphql/errors";

/** Limits on what one operation may ask for (graphql-armor). */
export interface GuardLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
  maxTokens: number;
}

/** maxCost is in "fields × page sizes" (see cost.ts): one full page of 1000 pods costs about 30,000. */
export const DEFAULT_LIMITS: GuardLimits = { maxDepth: 10, maxAliases: 15, maxCost: 100_000, maxTokens: 2000 };

/**
 * Armor refuses with `Syntax Error: <limit> exceeded` and no code; each refusal is given its
 * code (and loses the misleading prefix) before armor throws it.
 */
function coded(code: string): { onReject: ((context: unknown, error: GraphQLError) => void)[] } {
  return {
    onReject: [
      (_context, error) => {
        error.message = error.message.replace(/^Syntax Error: /, "");
        Object.assign(error.extensions, { code });
      },
    ],
  };
}

/**
 * graphql-armor's limits, each refusal with its `extensions.code`, and the plugin that gives every
 * other error of an answer a code (errors.ts): together they are the API's error shape.
 */
export function armorPlugin(limits: GuardLimits, dev: boolean): Plugin {
  const armor = EnvelopArmorPlugin({
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, ...coded("DEPTH_LIMIT") },
    maxAliases: { n: limits.maxAliases, ...coded("ALIAS_LIMIT") },
    // Armor's cost rule sees only literal `first` values; cost.ts replaces it.
    costLimit: { enabled: false },
    maxTokens: { n: limits.maxTokens, ...coded("TOKEN_LIMIT") },
    maxDirectives: { n: 20, ...coded("DIRECTIVE_LIMIT") },
    // Field suggestions help in development and leak the schema in production.
    blockFieldSuggestion: { enabled: !dev },
  });
  return {
    onPluginInit({ addPlugin }) {
      // Envelop types armor for any context; it reads none of ours.
      addPlugin(armor as Parameters<typeof addPlugin>[0]);
      addPlugin(errorCodesPlugin());
    },
  };
}

/** The argument (and its field) whose literal contains `target`, if any. */
function argumentAround(document: DocumentNode, target: ASTNode): { argument: string; field: string } | undefined {
  const start = target.loc?.start;
  if (start === undefined) return undefined;
  const fields: string[] = [];
  const args: string[] = [];
  let found: { argument: string; field: string } | undefined;
  visit(document, {
    Field: { enter: (node) => void fields.push(node.name.value), leave: () => void fields.pop() },
    Argument: { enter: (node) => void args.push(node.name.value), leave: () => void args.pop() },
    enter(node) {
      if (!found && args.length > 0 && node.loc?.start === start && node.kind === target.kind) {
        found = { argument: args[args.length - 1], field: fields[fields.length - 1] ?? "" };
      }
    },
  });
  return found;
}

/**
 * graphql-js reports a bad literal as `Expected value of type "BigInt!", found "x"` without the
 * argument's name; this prefixes it, so every bad argument error names the argument.
 */
export function nameBadArgumentsPlugin(): Plugin {
  return {
    onValidate({ params }) {
      // Envelop types the validation's document and errors as `any`; these are graphql-js's.
      const document = params.documentAST as DocumentNode;
      return ({ result, setResult }) => {
        const errors = result as readonly GraphQLError[];
        if (errors.length === 0) return;
        setResult(
          errors.map((error) => {
            const node = error.nodes?.[0];
            if (!node || error.message.startsWith("Argument ")) return error;
            const around = argumentAround(document, node);
            if (!around) return error;
            return new GraphQLError(`Argument "${around.argument}" of "${around.field}": ${error.message}`, {
              nodes: error.nodes,
              source: error.source,
              positions: error.positions,
              extensions: { ...error.extensions, code: "BAD_USER_INPUT", argument: around.argument },
            });
          }),
        );
      };
    },
  };
}

/** Production hides the schema: introspection is refused at validation. */
export function noIntrospectionPlugin(): Plugin {
  return { onValidate: ({ addValidationRule }) => addValidationRule(NoSchemaIntrospectionCustomRule) };
}
