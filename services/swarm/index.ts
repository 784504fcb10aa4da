/**
 * Lure's Swarm storage: a bee-js client for any Bee node, the embedded Bee-compatible dev node,
 * and offline reference computation. See docs/architecture.md ("Swarm storage").
 */
import type { Bee } from "@ethersphere/bee-js";

export type { Bee };
export { createSwarmClient, type SwarmClient, type SwarmClientOptions } from "./client";
export { NoPostageBatchError, SwarmRequestError } from "./errors";
export { startDevSwarmNode, type DevSwarmNode, type DevSwarmNodeOptions } from "./dev-node/server";
export { swarmReference, chunkAddress, buildChunkTree } from "./bmt";
export { ChunkTreeWriter } from "./chunk-tree-writer";
export { collectionReference } from "./collection-reference";
