import { GraphQLError, type GraphQLFormattedError } from "graphql";
import type { Plugin } from "graphql-yoga";

/**
 * An error about one argument of the operation. The message always starts with the argument's
 * name so that clients (and tests) can tell which input was wrong; `extensions.argument` repeats it.
 */
export class BadArgumentError extends GraphQLError {
  constructor(argument: string, problem: string) {
    super(`Argument "${argument}" ${problem}`, { extensions: { code: "BAD_USER_INPUT", argument } });
  }
}

/**
 * The `extensions.code` of every error the API answers (docs/graphql.md, Errors):
 * yoga's GRAPHQL_PARSE_FAILED and GRAPHQL_VALIDATION_FAILED, BAD_USER_INPUT (arguments and
 * variables), the guards' DEPTH_LIMIT, ALIAS_LIMIT, TOKEN_LIMIT, DIRECTIVE_LIMIT and COST_LIMIT,
 * and INTERNAL_SERVER_ERROR (masked by yoga, or any other error that has no code of its own).
 */
const ERROR_CODES = {
  badUserInput: "BAD_USER_INPUT",
  internal: "INTERNAL_SERVER_ERROR",
} as const;

type ErrorLike = GraphQLError | GraphQLFormattedError;

/** graphql-js reports variables it cannot coerce as `Variable "$x" …` without a code. */
function codeFor(error: ErrorLike): { code: string; variable?: string } {
  const variable = /^Variable "\$([^"]+)"/.exec(error.message)?.[1];
  if (variable !== undefined) return { code: ERROR_CODES.badUserInput, variable };
  return { code: ERROR_CODES.internal };
}

function withCode(error: ErrorLike): ErrorLike {
  if (typeof error.extensions?.code === "string") return error;
  const extensions = { ...error.extensions, ...codeFor(error) };
  if (error instanceof GraphQLError) {
    return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, originalError: error.originalError, extensions });
  }
  return { ...error, extensions };
}

function coded<T extends { errors?: readonly ErrorLike[] }>(result: T): T {
  if (!result.errors?.some((error) => typeof error.extensions?.code !== "string")) return result;
  return { ...result, errors: result.errors.map(withCode) };
}

/**
 * Gives every error of a single or batched answer an `extensions.code`: variable errors become
 * BAD_USER_INPUT (with `extensions.variable`), anything else without a code INTERNAL_SERVER_ERROR.
 * Subscription streams are passed through as they are (their errors come from resolvers that set codes).
 */
export function errorCodesPlugin(): Plugin {
  return {
    onResultProcess(payload) {
      const { result } = payload;
      if (Symbol.asyncIterator in result) return;
      payload.setResult(Array.isArray(result) ? result.map(coded) : coded(result));
    },
  };
}
