import { inspect } from "node:util";
import { HardhatPluginError } from "hardhat/plugins";
import { ChainError } from "../../services/chain/errors";
import { MarketError, NotGovernorError } from "../../services/market/errors";
import { UnsafeArchiveError } from "../../services/pods/archive";
import { PodError } from "../../services/pods/errors";
import { PodFolderError } from "../../services/pods/pack";
import { PrivatePodError } from "../../services/pods/private";
import { RecipeError } from "../../services/pods/recipe";

/**
 * How errors read on the command line. Services throw their own error classes and never print;
 * here the ones that are a refusal (not a bug) become one line without a stack trace.
 */

/**
 * A bad command-line value. Hardhat prints plugin errors as one line (no stack trace) and exits
 * non-zero, which is what a user who mistyped an argument should see.
 */
export class InvalidArgumentError extends HardhatPluginError {
  /**
   * What kind of failure this is, for scripts: `{ "error": { "code", "message" } }` with --json
   * (tasks/lib/command-line.ts). A bad argument is INVALID_ARGUMENT (exit code 2); the subclasses
   * below name theirs (exit code 1).
   */
  readonly code: string;
  /** What a script may want beside the message (for example the run that failed); added to the JSON error. */
  readonly details?: Record<string, unknown>;

  constructor(message: string, code = "INVALID_ARGUMENT", details?: Record<string, unknown>) {
    super("lure", message);
    this.code = code;
    this.details = details;
    // HardhatPluginError resets the prototype to its own; restore ours so instanceof and the
    // inspector below work.
    Object.setPrototypeOf(this, new.target.prototype);
  }

  // Hardhat prints the error object after its one-line message whenever it thinks it runs on CI
  // (any Linux without $DISPLAY); a user's mistake needs no stack trace unless asked for.
  [inspect.custom](): string {
    return process.argv.includes("--show-stack-traces") ? ((this as unknown as { _stack?: string })._stack ?? this.message) : "";
  }
}

/** A refused or failed chain operation, told in one line. */
export class LureTaskError extends InvalidArgumentError {
  constructor(message: string, code = "REFUSED", details?: Record<string, unknown>) {
    super(message, code, details);
  }
}

/** A network or environment setting that is missing or malformed, told in one line. */
export class ConfigurationError extends InvalidArgumentError {
  constructor(message: string) {
    super(message, "CONFIGURATION");
  }
}

/**
 * The selected network cannot serve the task: no deployment, another chain, a reset chain, or a
 * node that does not answer. Told in one line with what to do.
 */
export class NetworkError extends LureTaskError {
  constructor(message: string) {
    super(message, "NETWORK");
  }
}

/** Service errors that mean "refused", as opposed to a bug that should keep its stack trace. */
const REFUSALS = [ChainError, MarketError, PodError, RecipeError, UnsafeArchiveError, PodFolderError, PrivatePodError];

/** Swarm's errors are matched by name: bee-js is loaded only when a task needs Swarm. */
const SWARM_REFUSALS = ["SwarmRequestError", "NoPostageBatchError"];

export interface ExplainOptions {
  /**
   * Whether a chain error names the step that failed ("list pod 3 refused: …"). The registry and
   * market tasks do one thing each and print the bare reason ("refused: …"); the pod tasks run
   * several steps and name them.
   */
  namesTheStep: boolean;
}

/** Runs a task's work; a service's refusal becomes a one-line task error, anything else keeps its trace. */
export async function explained<T>(work: () => Promise<T>, options: ExplainOptions): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw asTaskError(error, options);
  }
}

/** The one-line task error for a service's refusal; other errors are returned as they are. */
export function asTaskError(error: unknown, options: ExplainOptions): unknown {
  if (error instanceof InvalidArgumentError) return error;
  if (error instanceof ChainError) {
    const message = options.namesTheStep ? error.message : error.messageWithoutAction;
    return error.kind === "connect" ? new NetworkError(message) : new LureTaskError(message);
  }
  if (error instanceof NotGovernorError) {
    return new LureTaskError(
      `${error.message}: pass --account (on hardhat/localhost the governor is account #17, the default); on amoy/polygon the governor is the TimelockController, so schedule the call through it`,
    );
  }
  const swarmError = error instanceof Error && SWARM_REFUSALS.includes(error.name);
  if (swarmError || REFUSALS.some((kind) => error instanceof kind)) return new LureTaskError((error as Error).message);
  return error;
}
