import { inspect } from "node:util";
import { HardhatPluginError } from "hardhat/plugins";
import type { Interface } from "ethers";

/**
 * A bad command-line value. Hardhat prints plugin errors as one line (no stack trace) and exits
 * non-zero, which is what a user who mistyped an argument should see.
 */
export class InvalidArgumentError extends HardhatPluginError {
  constructor(message: string) {
    super("lure", message);
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
export class LureTaskError extends InvalidArgumentError {}

interface RevertLike {
  data?: string | { data?: string };
  info?: { error?: { data?: string | { data?: string } } };
  error?: { data?: string };
  shortMessage?: string;
  message?: string;
}

function revertData(error: unknown): string | undefined {
  const candidate = error as RevertLike;
  const nested = candidate.info?.error?.data;
  const direct = typeof candidate.data === "string" ? candidate.data : candidate.data?.data;
  const data = direct ?? (typeof nested === "string" ? nested : nested?.data) ?? candidate.error?.data;
  return typeof data === "string" && data.startsWith("0x") && data.length >= 10 ? data : undefined;
}

/**
 * Turns a revert into `PodMarket: OwnPod(podId=3)` using the contracts' ABIs, so custom errors read
 * as their names instead of hex.
 */
export function describeRevert(error: unknown, interfaces: Record<string, Interface>): string {
  const data = revertData(error);
  if (data) {
    for (const [contractName, iface] of Object.entries(interfaces)) {
      try {
        const parsed = iface.parseError(data);
        if (parsed) {
          const args = parsed.fragment.inputs.map((input, index) => `${input.name}=${String(parsed.args[index])}`);
          return `${contractName}: ${parsed.name}(${args.join(", ")})`;
        }
      } catch {
        // not this contract's error; try the next one
      }
    }
  }
  const candidate = error as RevertLike;
  return candidate.shortMessage ?? candidate.message ?? String(error);
}

/** A network or environment setting that is missing or malformed, told in one line. */
export class ConfigurationError extends InvalidArgumentError {}
