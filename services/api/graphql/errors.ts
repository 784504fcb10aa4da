import { GraphQLError } from "graphql";

/**
 * An error about one argument of the operation. The message always starts with the argument's
 * name so that clients (and tests) can tell which input was wrong; `extensions.argument` repeats it.
 */
export class BadArgumentError extends GraphQLError {
  constructor(argument: string, problem: string) {
    super(`Argument "${argument}" ${problem}`, { extensions: { code: "BAD_USER_INPUT", argument } });
  }
}
