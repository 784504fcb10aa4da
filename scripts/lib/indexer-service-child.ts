import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { indexerScript } from "./indexer-script";

export interface IndexerServiceChild {
  pid: number;
  /** Resolves with the exit code (or the signal's name) whenever the service ends. */
  exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after 8 s; resolves once it has exited. */
  stop(): Promise<void>;
}

/**
 * Starts the indexer service exactly as `npm run indexer` does (compiled entry, its Node flags and
 * environment) in a child process, and waits until its API answers `/health`. The child gets an
 * IPC channel: it stops when the channel closes, so a parent killed with -9 leaves no orphan
 * holding the port (scripts/indexer.ts). Its output goes to this process's stdout and stderr.
 */
export async function startIndexerServiceChild(options: { apiUrl: string; env?: NodeJS.ProcessEnv; readyTimeoutMs?: number }): Promise<IndexerServiceChild> {
  const script = indexerScript();
  if (!existsSync(script.entry)) throw new Error(`${script.entry} is missing: run \`npm run build:services\` (npm start does)`);
  if (await answersHealth(options.apiUrl)) throw new Error(`${options.apiUrl} already answers: stop that service or set GRAPHQL_PORT to a free port`);

  const child = spawn(process.execPath, [...script.nodeFlags, script.entry], {
    env: { ...process.env, ...script.environment, ...options.env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")));
  let exitedWith: number | string | undefined;
  void exited.then((value) => (exitedWith = value));

  const stop = async (): Promise<void> => {
    if (exitedWith !== undefined) return;
    const force = setTimeout(() => child.kill("SIGKILL"), 8_000);
    child.kill("SIGTERM");
    await exited;
    clearTimeout(force);
  };

  const timeoutMs = options.readyTimeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  while (!(await answersHealth(options.apiUrl))) {
    if (exitedWith !== undefined) throw new Error(`the indexer service exited (${exitedWith}) before its API answered on ${options.apiUrl}; its output is above`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the indexer service's API did not answer on ${options.apiUrl} within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (child.pid === undefined) throw new Error("the indexer service has no process id");
  return { pid: child.pid, exited, stop };
}

async function answersHealth(apiUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${apiUrl}/health`, { signal: AbortSignal.timeout(1_000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}
