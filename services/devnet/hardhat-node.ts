import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
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

/** The process listening on a TCP port of this machine, as "pid 123 (node …)", from /proc; undefined when unknown. */
function portHolder(port: number): string | undefined {
  try {
    const inodes = new Set<string>();
    for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
      if (!existsSync(table)) continue;
      for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
        const fields = line.trim().split(/\s+/);
        // local_address is HEX_IP:HEX_PORT; state 0A is LISTEN; field 9 is the socket's inode.
        if (fields.length > 9 && fields[3] === "0A" && Number.parseInt(fields[1].split(":")[1], 16) === port) inodes.add(fields[9]);
      }
    }
    if (inodes.size === 0) return undefined;
    for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
      let fds: string[];
      try {
        fds = readdirSync(`/proc/${pid}/fd`);
      } catch {
        continue;
      }
      for (const fd of fds) {
        let target: string;
        try {
          target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        } catch {
          continue;
        }
        const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
        if (inode && inodes.has(inode)) {
          const command = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ").slice(0, 120);
          return `pid ${pid} (${command})`;
        }
      }
    }
  } catch {
    // Not Linux, or /proc unreadable: the message goes without the holder.
  }
  return undefined;
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
  /**
   * End the node when this process ends, even by kill -9: the node runs in its own process group
   * (a Ctrl-C meant for `npm start` must not kill it mid-shutdown), so only an IPC channel, closed
   * by the kernel when this process dies, can tell it.
   */
  tiedToParent?: boolean;
}): Promise<RunningChain> {
  const url = `http://${options.host}:${options.port}`;
  const occupant = await rpcChainId(url);
  if (occupant !== undefined) {
    const holder = portHolder(options.port);
    throw new Error(`${url} already answers JSON-RPC (chainId ${occupant})${holder ? `, served by ${holder}` : ""}: stop that node or free port ${options.port}`);
  }
  mkdirSync(dirname(options.logFile), { recursive: true });
  const log = createWriteStream(options.logFile, { flags: "a" });
  const hardhatBin = join(dirname(require.resolve("hardhat/package.json")), "internal", "cli", "bootstrap.js");
  const nodeArgs = ["node", "--hostname", options.host, "--port", String(options.port)];
  // Tied: a one-line prelude exits when the IPC channel closes, then hands over to Hardhat's CLI.
  const argv = options.tiedToParent
    ? ["-e", `process.on("disconnect", () => process.exit(0)); process.argv = [process.argv[0], ${JSON.stringify(hardhatBin)}, ...process.argv.slice(1)]; require(${JSON.stringify(hardhatBin)});`, ...nodeArgs]
    : [hardhatBin, ...nodeArgs];
  const child = spawn(process.execPath, argv, {
    detached: true,
    stdio: options.tiedToParent ? ["ignore", "pipe", "pipe", "ipc"] : ["ignore", "pipe", "pipe"],
    env: { ...process.env, HARDHAT_NETWORK: undefined, ...options.env },
  });
  // The channel must not keep this process alive on its own.
  child.channel?.unref();
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
