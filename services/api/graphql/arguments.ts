import { BadArgumentError } from "./errors";

/** Inclusive integer range check for numeric arguments; the error names the argument. */
export function intInRange(argument: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BadArgumentError(argument, `must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}
