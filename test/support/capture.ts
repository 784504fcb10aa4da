import hre from "hardhat";

/** Runs a task in-process and returns what it printed, parsed when `--json` was asked for. */
export async function runTask<T = Record<string, unknown>>(name: string, args: Record<string, unknown>): Promise<T> {
  const printed: string[] = [];
  const original = console.log;
  console.log = (...parts: unknown[]) => {
    printed.push(parts.map(String).join(" "));
  };
  try {
    await hre.run(name, { json: true, ...args });
  } finally {
    console.log = original;
  }
  return JSON.parse(printed.join("\n")) as T;
}

/** The error message a task fails with; fails the test when the task succeeds. */
export async function taskError(name: string, args: Record<string, unknown>): Promise<string> {
  try {
    await runTask(name, args);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`${name} was expected to fail`);
}
