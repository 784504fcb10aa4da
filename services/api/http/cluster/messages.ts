import type { MetricObjectWithValues, MetricValue } from "prom-client";
import type { GuardLimits } from "../guards";
import type { ApiEventMap, ApiIndexerStatus } from "../../events";

/**
 * What the primary (indexer) and the API workers say to each other over the cluster's IPC channel.
 * Every message is tagged `lure:…` so other users of the channel (none today) cannot be confused.
 */

/** Handed to a worker in its environment (LURE_API_WORKER): everything it needs to serve. */
export interface WorkerSettings {
  databaseUrl: string;
  /** PostgreSQL schema (tests and benchmarks); undefined = the URL's default search path. */
  schema?: string;
  host: string;
  port: number;
  dev: boolean;
  limits?: Partial<GuardLimits>;
}

export const WORKER_SETTINGS_ENV = "LURE_API_WORKER";

type EventMessage = { [K in keyof ApiEventMap]: { type: "lure:event"; event: K; payload: ApiEventMap[K] } }[keyof ApiEventMap];

export type ToWorker =
  | EventMessage
  | { type: "lure:status"; status: ApiIndexerStatus }
  | { type: "lure:metrics"; id: number; text: string }
  | { type: "lure:metrics-request"; id: number }
  | { type: "lure:cpu-request"; id: number }
  | { type: "lure:shutdown" };

export type FromWorker =
  /** The worker's listeners are in place: from now on it receives status and events. */
  | { type: "lure:hello" }
  | { type: "lure:listening"; port: number }
  /** A client asked this worker for /metrics: the primary answers for the whole cluster. */
  | { type: "lure:metrics-wanted"; id: number }
  | { type: "lure:metrics-json"; id: number; metrics: MetricObjectWithValues<MetricValue<string>>[] }
  | { type: "lure:cpu"; id: number; micros: number };

/** Messages of this protocol are tagged `lure:`; the channel's other users (cluster internals) are not. */
function isTagged(message: unknown): boolean {
  return typeof message === "object" && message !== null && String((message as { type?: unknown }).type).startsWith("lure:");
}

export const isFromWorker = (message: unknown): message is FromWorker => isTagged(message);
export const isToWorker = (message: unknown): message is ToWorker => isTagged(message);

/**
 * IPC messages are JSON: bigints (pod ids, prices) travel as decimal strings, which the
 * subscription resolvers accept as well (see events.ts).
 */
export function toWire<T>(payload: T): T {
  return JSON.parse(JSON.stringify(payload, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value))) as T;
}
