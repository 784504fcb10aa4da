/**
 * Lure's Swarm storage: a bee-js client for any Bee node and offline reference computation. The
 * embedded Bee-compatible dev node is a separate module (services/swarm-dev-node), loaded only by
 * `npm start`, `npm run swarm` and tests. See services/swarm/README.md.
 */
import type { Bee } from "@ethersphere/bee-js";

export type { Bee };
export { createSwarmClient, type SwarmClient, type SwarmClientOptions } from "./client";
export { NoPostageBatchError, SwarmRequestError } from "./errors";
export { swarmReference, chunkAddress, buildChunkTree } from "./bmt";
export { ChunkTreeWriter } from "./chunk-tree-writer";
export { collectionReference } from "./collection-reference";
