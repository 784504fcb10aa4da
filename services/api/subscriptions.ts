import type { ApiEventMap } from "./events";

/**
 * Every GraphQL subscription of the API and the indexer event it streams: the one list the rest
 * derives from. The cluster's primary forwards exactly these events to its workers
 * (http/cluster/primary.ts), each subscription is declared as reading no SQL statement
 * (graphql/snapshot/declarations.ts), and the schema refuses to build when the SDL's
 * `Subscription` type and this list disagree (graphql/subscriptions/check.ts). A domain's
 * resolver streams `SUBSCRIPTIONS.<name>` (see domains/<name>/subscriptions.ts).
 *
 * A new subscription is one entry here, its payload in events.ts, a union in the SDL and one
 * resolver in its domain.
 */
export const SUBSCRIPTIONS = {
  podPublished: "podPublished",
  purchase: "purchase",
  runUpdated: "runUpdated",
  messageSent: "messageSent",
  blocks: "block",
  reorgs: "rollback",
} as const satisfies Readonly<Record<string, keyof ApiEventMap>>;

export type SubscriptionName = keyof typeof SUBSCRIPTIONS;

export const SUBSCRIPTION_NAMES = Object.keys(SUBSCRIPTIONS) as readonly SubscriptionName[];

/**
 * The indexer events the API listens to: those its subscriptions stream, and `rollback`, which
 * every stream interleaves with its own events.
 */
export const SUBSCRIBED_EVENTS: readonly (keyof ApiEventMap)[] = [...new Set<keyof ApiEventMap>([...Object.values(SUBSCRIPTIONS), "rollback"])];
