import type { Database } from "../../database";
import { PodLoader } from "../domains/pods/loader";
import type { ApiEventSource, ApiIndexerStatus } from "../events";
import { OperationSnapshot } from "./snapshot/operation-snapshot";

/**
 * What every resolver of one GraphQL operation shares. Built for every request, so it is a plain
 * object of fixed shape; a domain's per-operation loader (batching and caching by id) is a field.
 */
export interface ApiContext {
  /** The operation's one database snapshot; resolvers read only through it. */
  snapshot: OperationSnapshot;
  pods: PodLoader;
  status: () => ApiIndexerStatus;
  events: ApiEventSource;
}

export interface ApiDependencies {
  db: Database;
  events: ApiEventSource;
  status: () => ApiIndexerStatus;
}

export function createOperationContext(deps: ApiDependencies): ApiContext {
  const snapshot = new OperationSnapshot(deps.db);
  return { snapshot, pods: new PodLoader(() => snapshot.get()), status: deps.status, events: deps.events };
}
