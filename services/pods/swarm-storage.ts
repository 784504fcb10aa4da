import { createSwarmClient, type SwarmClientOptions } from "../swarm";
import type { PodStorage } from "./storage";

/** Pod storage on a Bee node (real or the embedded dev node), through Lure's bee-js client. */
export function podStorage(options: SwarmClientOptions): PodStorage {
  return createSwarmClient(options);
}
