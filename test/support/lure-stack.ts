import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./hardhat-node";
import { waitFor } from "./wait";

/** The ports a test's own stack listens on: free ports, so that tests never meet `npm start`'s. */
export interface StackPorts {
  chain: number;
  swarm: number;
  graphql: number;
}

/** `scripts/start.ts` running as a child process, as `npm start` runs it. */
export interface StartedStack {
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output: () => string;
  exited: Promise<number | null>;
}

/** The environment that points `npm start`, the tasks and the demo at a stack in `dir` on `ports`. */
export function stackEnvironment(dir: string, ports: StackPorts): NodeJS.ProcessEnv {
  return {
    LOCAL_RPC_URL: `http://127.0.0.1:${ports.chain}`,
    SWARM_DEV_PORT: String(ports.swarm),
    BEE_URL: `http://127.0.0.1:${ports.swarm}`,
    GRAPHQL_PORT: String(ports.graphql),
    PGLITE_DIR: join(dir, "pglite"),
    SWARM_DATA_DIR: join(dir, "swarm"),
    DEPLOYMENTS_DIR: join(dir, "deployments"),
    RUNNER_DATA_DIR: join(dir, "runner"),
    DEV_CHAIN_DIR: join(dir, "chain"),
    POD_KEYS_DIR: join(dir, "pod-keys"),
  };
}

export async function freeStackPorts(): Promise<StackPorts> {
  return { chain: await freePort(), swarm: await freePort(), graphql: await freePort() };
}

/** Starts `scripts/start.ts` with `env` added to the test's environment; it does not wait for it. */
export function startLure(env: NodeJS.ProcessEnv, args: string[] = []): StartedStack {
  const child = spawn(process.execPath, [require.resolve("ts-node/dist/bin.js"), "--transpile-only", "scripts/start.ts", ...args], {
    env: { ...process.env, ...env, LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout?.on("data", (chunk) => (text += chunk));
  child.stderr?.on("data", (chunk) => (text += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => text, exited };
}

/** A whole dev stack of a test's own, in a temporary folder, ready to use. */
export interface LureStack {
  dir: string;
  ports: StackPorts;
  env: NodeJS.ProcessEnv;
  started: StartedStack;
  graphqlUrl: string;
  /** Kills the stack (SIGINT, then SIGKILL after 20 s) and removes its folder. */
  stop: () => Promise<void>;
}

/** Starts a fresh stack on free ports and waits for its ready line. */
export async function startLureStack(timeoutMs = 180_000): Promise<LureStack> {
  const dir = mkdtempSync(join(tmpdir(), "lure-stack-"));
  const ports = await freeStackPorts();
  const env = stackEnvironment(dir, ports);
  const started = startLure(env);
  const stop = async (): Promise<void> => {
    if (started.child.exitCode === null && started.child.signalCode === null) {
      started.child.kill("SIGINT");
      const timer = setTimeout(() => started.child.kill("SIGKILL"), 20_000);
      await started.exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(() => started.output().includes("Lure devnet ready") || started.child.exitCode !== null, timeoutMs, "the ready line", started.output);
    if (!started.output().includes("Lure devnet ready")) throw new Error(`npm start exited ${started.child.exitCode}:\n${started.output()}`);
  } catch (error) {
    await stop();
    throw error;
  }
  return { dir, ports, env, started, graphqlUrl: `http://127.0.0.1:${ports.graphql}/graphql`, stop };
}
