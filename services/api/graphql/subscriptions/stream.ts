import type { ApiEventMap, ApiEventSource, RollbackEvent } from "../../events";
import type { RollbackModel } from "../models";

/**
 * Turns indexer events into subscription streams. Every stream interleaves `Rollback` notices
 * with its own events, so a client of any subscription learns that blocks it saw were removed.
 * A domain's subscription is one `streamOf` call over its entry of SUBSCRIPTIONS
 * (services/api/subscriptions.ts).
 */

/** A client that reads slower than this many queued messages is disconnected rather than buffered forever. */
const MAX_QUEUED = 10_000;

export function rollbackModel(event: RollbackEvent): RollbackModel {
  return {
    __typename: "Rollback",
    fromBlock: event.fromBlock,
    toBlock: event.toBlock,
    commonAncestor: { number: event.commonAncestor.number, hash: event.commonAncestor.hash },
  };
}

/** A subscription's `resolve`: the stream already yields the field's value. */
export const passThrough = <T>(payload: T): T => payload;

export interface StreamOptions<K extends keyof ApiEventMap, T> {
  event: K;
  /** Maps the indexer event to the GraphQL value, or null to skip it (filters). */
  map: (payload: ApiEventMap[K]) => T | null;
  /** Interleave rollbacks (default true). */
  rollbacks?: boolean;
}

export function streamOf<K extends keyof ApiEventMap, T>(source: ApiEventSource, options: StreamOptions<K, T>): AsyncIterableIterator<T | RollbackModel> {
  type Item = T | RollbackModel;
  const queue: Item[] = [];
  let wake: (() => void) | undefined;
  let done = false;
  let overflow: Error | undefined;

  const push = (item: Item) => {
    if (done) return;
    if (queue.length >= MAX_QUEUED) {
      overflow = new Error(`subscription to ${options.event} fell more than ${MAX_QUEUED} messages behind and was closed`);
      stop();
    } else {
      queue.push(item);
    }
    wake?.();
  };
  const onEvent = (payload: ApiEventMap[K]) => {
    const value = options.map(payload);
    if (value !== null) push(value);
  };
  const onRollback = (payload: RollbackEvent) => push(rollbackModel(payload));
  const withRollbacks = options.rollbacks !== false;

  source.on(options.event, onEvent);
  if (withRollbacks && options.event !== "rollback") source.on("rollback", onRollback);

  function stop() {
    if (done) return;
    done = true;
    source.off(options.event, onEvent);
    if (withRollbacks && options.event !== "rollback") source.off("rollback", onRollback);
  }

  const iterator: AsyncIterableIterator<Item> = {
    async next(): Promise<IteratorResult<Item>> {
      while (queue.length === 0) {
        if (overflow) throw overflow;
        if (done) return { value: undefined, done: true };
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
      return { value: queue.shift() as Item, done: false };
    },
    return(): Promise<IteratorResult<Item>> {
      stop();
      queue.length = 0;
      wake?.();
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
