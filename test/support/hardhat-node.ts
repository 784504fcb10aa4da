import { createServer } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startHardhatNode as startDevnetNode } from "../../services/devnet/hardhat-node";

/** A `hardhat node` child process on 127.0.0.1, for tests. */
export interface TestHardhatNode {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  /** Kills the node's process group and waits for it to exit. */
  stop(): Promise<void>;
}

/** A TCP port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * Spawns `hardhat node --hostname 127.0.0.1 --port <port>` (a free port unless given, e.g. to
 * restart a chain on the same URL), and resolves once it answers eth_chainId. Call stop() in an
 * `after` hook. Its output goes to a log file under os.tmpdir().
 */
export async function startHardhatNode(options: { port?: number } = {}): Promise<TestHardhatNode> {
  const port = options.port ?? (await freePort());
  const logDir = mkdtempSync(join(tmpdir(), "lure-hardhat-"));
  const node = await startDevnetNode({ host: "127.0.0.1", port, logFile: join(logDir, "node.log"), readyTimeoutMs: 120_000 });
  return {
    url: node.url,
    port,
    async stop() {
      await node.stop();
      rmSync(logDir, { recursive: true, force: true });
    },
  };
}
