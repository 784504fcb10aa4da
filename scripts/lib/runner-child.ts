import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "./project-root";

export interface RunnerChild {
  pid: number;
  /** The runner's account. */
  address: string;
  /** Resolves with the exit code (or the signal's name) whenever the runner ends. */
  exited: Promise<number | string>;
  /** SIGTERM (the runner lets runs in flight end, up to 10 s), then SIGKILL after 15 s. */
  stop(): Promise<void>;
}

/**
 * Starts `npm run runner`'s compiled entry in a child process and waits until it reports, over its
 * IPC channel, that it follows the chain. The channel also ends the runner when this process dies,
 * even by kill -9; what it had claimed is resumed by the next start (its journal).
 */
export async function startRunnerChild(options: { env?: NodeJS.ProcessEnv; readyTimeoutMs?: number } = {}): Promise<RunnerChild> {
  const entry = join(projectRoot(), "dist", "scripts", "runner.js");
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build:services\` (npm start does)`);
  const child = spawn(process.execPath, [entry], { env: { ...process.env, ...options.env }, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")));
  let exitedWith: number | string | undefined;
  void exited.then((value) => (exitedWith = value));
  const stop = async (): Promise<void> => {
    if (exitedWith !== undefined) return;
    const force = setTimeout(() => child.kill("SIGKILL"), 15_000);
    child.kill("SIGTERM");
    await exited;
    clearTimeout(force);
  };
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`the runner did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on("message", (message: { ready?: boolean; address?: string }) => {
      if (message.ready && message.address) {
        clearTimeout(timer);
        resolve(message.address);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the runner exited (${code}) before it was ready; its output is above`));
    });
  });
  if (child.pid === undefined) throw new Error("the runner has no process id");
  return { pid: child.pid, address, exited, stop };
}
