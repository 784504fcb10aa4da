import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";

export interface RunningChain {
  url: string;
  /** Sends SIGTERM to the node's process group, then SIGKILL if it lingers. Needs no `this`: it can be passed on as it is. */
  stop: () => Promise<void>;
}

/** Asks a JSON-RPC endpoint for its chain id; undefined when nothing answers. */
export async function rpcChainId(url: string, timeoutMs = 1_000): Promise<number | undefined> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json()) as { result?: string };
    return body.result ? Number(BigInt(body.result)) : undefined;
  } catch {
    return undefined;
  }
}

function stopProcessGroup(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resolve();
    const pid = child.pid;
    const force = setTimeout(() => {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // already gone
      }
    }, 5_000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    try {
      process.kill(-pid, "SIGTERM");
    } catch {
      clearTimeout(force);
      resolve();
    }
  });
}

/**
 * Starts `hardhat node` as a child in its own process group (so no orphan survives a stop), logs its
 * chatter to a file, and waits until it answers JSON-RPC. Refuses to start when the port already
 * answers, since deploying onto somebody else's chain would be a surprise.
 */
export async function startHardhatNode(options: {
  host: string;
  port: number;
  logFile: string;
  readyTimeoutMs?: number;
  /** Variables set in the node's environment on top of this process's (e.g. NODE_OPTIONS for the node alone). */
  env?: Record<string, string>;
}): Promise<RunningChain> {
  const url = `http://${options.host}:${options.port}`;
  const occupant = await rpcChainId(url);
  if (occupant !== undefined) {
    throw new Error(`${url} already answers JSON-RPC (chainId ${occupant}): stop that node or free port ${options.port}`);
  }
  mkdirSync(dirname(options.logFile), { recursive: true });
  const log = createWriteStream(options.logFile, { flags: "a" });
  const hardhatBin = join(dirname(require.resolve("hardhat/package.json")), "internal", "cli", "bootstrap.js");
  const child = spawn(process.execPath, [hardhatBin, "node", "--hostname", options.host, "--port", String(options.port)], {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, HARDHAT_NETWORK: undefined, ...options.env },
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);

  const deadline = Date.now() + (options.readyTimeoutMs ?? 90_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`hardhat node exited with code ${child.exitCode} before it was ready; see ${options.logFile}`);
    if ((await rpcChainId(url)) !== undefined) {
      return { url, stop: () => stopProcessGroup(child) };
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stopProcessGroup(child);
  throw new Error(`hardhat node did not answer on ${url} within ${options.readyTimeoutMs ?? 90_000} ms; see ${options.logFile}`);
}
