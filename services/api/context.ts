import type { Database } from "../database";
import type { ApiEventSource, ApiIndexerStatus } from "./events";
import { PodLoader } from "./pod-loader";
import { OperationSnapshot } from "./snapshot";

/** What every resolver of one GraphQL operation shares. */
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
