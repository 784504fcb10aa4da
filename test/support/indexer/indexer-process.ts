import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";

const CHILD = join(__dirname, "indexer-child.ts");

/** An indexer in a child process (indexer-child.ts), so a test can kill -9 it. */
export interface IndexerProcess {
  child: ChildProcess;
  /** Resolves with the first output line matching `pattern`; rejects if the child exits first or on timeout. */
  line(pattern: RegExp, timeoutMs: number): Promise<string>;
}

/** Spawns indexer-child.ts with `env` (CHILD_* variables, see there). */
export function spawnIndexer(env: Record<string, string>): IndexerProcess {
  const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", CHILD], {
    cwd: join(__dirname, "..", "..", ".."),
    env: { ...process.env, ...env, TS_NODE_TRANSPILE_ONLY: "true" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let errors = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (errors += chunk.toString()));
  return {
    child,
    line(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const deadline = Date.now() + timeoutMs;
        const check = () => {
          const match = output.split("\n").find((candidate) => pattern.test(candidate));
          if (match) return resolve(match);
          if (child.exitCode !== null) return reject(new Error(`indexer child exited (${child.exitCode}) before printing ${pattern}: ${errors.slice(-2000)}`));
          if (Date.now() > deadline) return reject(new Error(`indexer child did not print ${pattern} within ${timeoutMs} ms: ${errors.slice(-2000)}`));
          setTimeout(check, 5);
        };
        check();
      });
    },
  };
}

/** SIGKILL, and waits for the exit. */
export function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

/** SIGTERM (a clean stop), and waits for the exit. */
export function stopGently(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}
