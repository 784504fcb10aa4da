import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Bee } from "@ethersphere/bee-js";
import { createSwarmClient, type SwarmClient } from "../../services/swarm";
import { startDevSwarmNode, type DevSwarmNode, type DevSwarmNodeOptions } from "../../services/swarm-dev-node/server";

export interface TestNode {
  node: DevSwarmNode;
  dataDir: string;
  bee: Bee;
  client: SwarmClient;
  batch: string;
  close(): Promise<void>;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `lure-swarm-${prefix}-`));
}

/** A dev node on a free port over a fresh temp dir, with one usable postage batch. */
export async function startTestNode(options: Partial<DevSwarmNodeOptions> = {}): Promise<TestNode> {
  const dataDir = options.dataDir ?? tempDir("node");
  const node = await startDevSwarmNode({ ...options, dataDir, port: 0 });
  const client = createSwarmClient({ url: node.url, timeoutMs: 30_000 });
  const batch = await client.buyStamp(10n ** 9n, 20);
  return {
    node,
    dataDir,
    bee: new Bee(node.url),
    client,
    batch,
    async close() {
      await node.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function sequentialBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = i % 255;
  return bytes;
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}
