import { inspect } from "node:util";
import { extendEnvironment } from "hardhat/config";
import type { RunTaskFunction } from "hardhat/types";
import { HardhatError } from "hardhat/internal/core/errors";
import { Reporter } from "hardhat/internal/sentry/reporter";
import { InvalidArgumentError, asTaskError } from "./errors";
import { toJson } from "./output";

/**
 * How a Lure task ends on the command line when it fails.
 *
 * Hardhat prints a plugin error as "Error in plugin lure: …" followed by a hint about
 * --show-stack-traces (or the whole error object when it thinks it runs on CI), and any other error
 * with its stack trace. For an expected failure (a bad argument, a refusal, a missing deployment, a
 * node that does not answer) a user should see one line and a clear exit code, and a script using
 * --json one JSON document on stdout. So the task Hardhat's command line runs is wrapped here:
 *
 * - an expected error prints `Error: <message>` on stderr, or with --json
 *   `{ "error": { "code", "message", "task", "network" } }` on stdout, and sets the exit code:
 *   2 for a bad argument (INVALID_ARGUMENT), 1 for everything else;
 * - an unexpected error (a bug) keeps Hardhat's report with its stack trace; with --json the JSON
 *   error (code UNEXPECTED) is printed on stdout first, so a script still reads one document.
 *
 * Only the task the command line names is wrapped, and only Lure's (`namespace:name`) tasks: a task
 * run from another task, a test or a script (`hre.run`) throws as before.
 */

/** The exit code of each expected error's code; every other code exits with 1. */
const EXIT_CODES: Record<string, number> = { INVALID_ARGUMENT: 2 };

/** What a script reads on stdout with --json when a task fails. */
export interface JsonError {
  error: { code: string; message: string; task: string; network: string; hardhatError?: string } & Record<string, unknown>;
}

/** An error as the command line reports it, or undefined when it is unexpected (a bug). */
function describeFailure(error: unknown): { code: string; message: string; hardhatError?: string; details?: Record<string, unknown> } | undefined {
  const explained = asTaskError(error, { namesTheStep: true });
  if (explained instanceof InvalidArgumentError) return { code: explained.code, message: explained.message, details: explained.details };
  if (HardhatError.isHardhatError(error)) {
    // HH1xx are the network's errors (HH108: the node does not answer).
    const hardhatError = `HH${error.number}`;
    return { code: error.number >= 100 && error.number < 200 ? "NETWORK" : "HARDHAT", message: error.message, hardhatError };
  }
  return undefined;
}

/** Whether this process is Hardhat's command line (not mocha through `hardhat test` calling tasks, not a script). */
function isCommandLine(): boolean {
  return /hardhat[\\/]internal[\\/]cli[\\/](bootstrap|cli)\.js$/.test(require.main?.filename ?? "");
}

/** Lure's tasks are namespaced (`pod:persist`, `market:list`); Hardhat's own (compile, test, node) are not. */
function isLureTask(identifier: unknown): boolean {
  const name = typeof identifier === "string" ? identifier : (identifier as { task?: string } | undefined)?.task;
  return typeof name === "string" && name.includes(":");
}

function taskName(identifier: unknown): string {
  if (typeof identifier === "string") return identifier;
  const { scope, task } = identifier as { scope?: string; task: string };
  return scope ? `${scope} ${task}` : task;
}

let running = 0;

/**
 * Hardhat checks the command line's own shape (a missing required parameter, an unknown one:
 * HH3xx) before any task runs, so those errors never reach the wrapper below; Hardhat prints them
 * in one line, then, on any Linux without a display (it takes that for CI), the whole error object
 * with its stack trace. A mistyped flag is the user's mistake, not a bug: the error object prints
 * as nothing unless --show-stack-traces is given (as InvalidArgumentError does).
 */
const hardhatInspect = Object.getOwnPropertyDescriptor(HardhatError.prototype, inspect.custom);
// Hardhat's own rendering, inherited from its CustomError: its `stack` getter calls it too, so the
// override below must hand every other error back to it (rendering with util.inspect would read
// `stack` again, and recurse until the stack overflows).
const inheritedInspect = (Object.getPrototypeOf(HardhatError.prototype) as Record<symbol, unknown>)[inspect.custom];
if (hardhatInspect === undefined && typeof inheritedInspect === "function") {
  Object.defineProperty(HardhatError.prototype, inspect.custom, {
    value(this: HardhatError, ...args: unknown[]): unknown {
      const argumentError = this.number >= 300 && this.number < 400;
      if (argumentError && !process.argv.includes("--show-stack-traces")) return "";
      return (inheritedInspect as (...args: unknown[]) => unknown).apply(this, args);
    },
    configurable: true,
  });
}

/**
 * With --json, Hardhat's own command-line errors (HH3xx: an unknown flag, a missing value) end as a
 * task's errors do: one JSON document on stdout, code INVALID_ARGUMENT, beside Hardhat's line on
 * stderr. Hardhat reports them in its command line's catch, before any task runs; the one call there
 * that receives the error object is its error reporter (`Reporter.reportError`, once per failure,
 * just before the exit with 1), so that is where they are caught.
 */
const argv = process.argv.slice(2);
const commandLineTask = argv.find((word) => /^[a-z][\w-]*:[\w-]+$/i.test(word));
if (isCommandLine() && argv.includes("--json") && commandLineTask !== undefined) {
  const report = Reporter.reportError.bind(Reporter);
  Reporter.reportError = (error: Error) => {
    if (HardhatError.isHardhatError(error) && error.number >= 300 && error.number < 400) {
      const networkIndex = argv.indexOf("--network");
      const body: JsonError = {
        error: {
          code: "INVALID_ARGUMENT",
          message: error.message.replace(/^HH\d+: /, ""),
          task: commandLineTask,
          network: networkIndex >= 0 ? (argv[networkIndex + 1] ?? "hardhat") : "hardhat",
          hardhatError: `HH${error.number}`,
        },
      };
      console.log(toJson(body));
    }
    return report(error);
  };
}

extendEnvironment((hre) => {
  // Hardhat's own run takes a fourth argument (the caller's profile) that its public type omits: passed on as it is.
  const run = hre.run as (...args: unknown[]) => Promise<unknown>;
  const wrapped = async (...args: unknown[]): Promise<unknown> => {
    const [identifier, taskArguments] = args;
    if (running > 0 || !isCommandLine() || !isLureTask(identifier)) return run(...args);
    running += 1;
    const json = (taskArguments as { json?: unknown } | undefined)?.json === true;
    try {
      return await run(...args);
    } catch (error) {
      const failure = describeFailure(error);
      if (json) {
        const body: JsonError = {
          error: {
            code: failure?.code ?? "UNEXPECTED",
            message: failure?.message ?? String((error as Error)?.message ?? error),
            task: taskName(identifier),
            network: hre.network.name,
            ...failure?.details,
          },
        };
        if (failure?.hardhatError) body.error.hardhatError = failure.hardhatError;
        console.log(toJson(body));
      }
      if (!failure) throw error;
      if (!json) console.error(`Error: ${failure.message}`);
      process.exitCode = EXIT_CODES[failure.code] ?? 1;
      return undefined;
    } finally {
      running -= 1;
    }
  };
  (hre as { run: RunTaskFunction }).run = wrapped as RunTaskFunction;
});
