import type { ChainEvent } from "./chain-event";
import { CONTRACT_MODULES } from "./contracts";
import type { EventHandler, RegisteredContract } from "./contracts/module";
import { BOOKKEEPING_TABLES, EVENTS, type TableSpec } from "./tables";

/** What Batch.apply does with one (contract, event name): resolved once, looked up per event. */
interface EventRoute {
  /** False when a table of the module records the event: it is then not written to `events`. */
  readonly toEventsTable: boolean;
  readonly touches: EventHandler<ChainEvent["args"], Record<string, unknown>>["touches"];
  readonly apply: EventHandler<ChainEvent["args"], Record<string, unknown>>["apply"];
}

/**
 * Everything the engine derives from the registered contract modules, computed once per module list:
 * the tables in load/write order, the dispatch table, the announcement names. Nothing else in the
 * engine looks at a module.
 */
export interface IndexedSchema {
  readonly modules: readonly RegisteredContract[];
  /** Tables whose rows change in place: rolled back through the undo journal. */
  readonly mutableTables: readonly TableSpec[];
  /** Tables that only grow, `events` last: rolled back by deleting rows above the common ancestor. */
  readonly appendOnlyTables: readonly TableSpec[];
  /** Every table holding indexed data (their secondary indexes are deferred during a fresh backfill). */
  readonly dataTableNames: readonly string[];
  /** The data tables and the bookkeeping: what a wipe empties. */
  readonly wipedTableNames: readonly string[];
  /** contract name → event name → route. Two Map lookups per event, no allocation. */
  readonly routes: ReadonlyMap<string, ReadonlyMap<string, EventRoute>>;
  /** Announcement names in the order they are emitted after a commit. */
  readonly announcements: readonly string[];
}

const built = new WeakMap<readonly RegisteredContract[], IndexedSchema>();

/** The schema of `modules` (default: every registered module), built once per list. */
export function indexedSchema(modules: readonly RegisteredContract[] = CONTRACT_MODULES): IndexedSchema {
  let schema = built.get(modules);
  if (!schema) built.set(modules, (schema = buildSchema(modules)));
  return schema;
}

function buildSchema(modules: readonly RegisteredContract[]): IndexedSchema {
  const names = new Set<string>();
  for (const module of modules) {
    if (names.has(module.name)) throw new Error(`two contract modules are named ${module.name}`);
    names.add(module.name);
  }
  // A table shared by several modules (balances, pods) is one table: listed once, where it first appears.
  const mutableTables = unique(modules.flatMap((module) => module.tables.mutable));
  const appendOnlyTables = unique([...modules.flatMap((module) => module.tables.appendOnly), EVENTS]);
  const both = mutableTables.find((table) => appendOnlyTables.includes(table));
  if (both) throw new Error(`table ${both.name} is declared both mutable and append-only`);
  const dataTableNames = [...mutableTables, ...appendOnlyTables].map((table) => table.name);
  const announcements = unique(modules.flatMap((module) => module.announces));
  return {
    modules,
    mutableTables,
    appendOnlyTables,
    dataTableNames,
    wipedTableNames: [...dataTableNames, ...BOOKKEEPING_TABLES],
    routes: new Map(modules.map((module) => [module.name, routesOf(module)])),
    announcements,
  };
}

/** A route for every event of the module's ABI (so every decoded event has one). */
function routesOf(module: RegisteredContract): Map<string, EventRoute> {
  const routes = new Map<string, EventRoute>();
  for (const event of module.abi) {
    const handler = module.handlers[event.name];
    routes.set(event.name, { toEventsTable: handler?.recorded !== true, touches: handler?.touches, apply: handler?.apply });
  }
  for (const name of Object.keys(module.handlers)) {
    if (!routes.has(name)) throw new Error(`contract module ${module.name} handles ${name}, which its ABI does not declare`);
  }
  return routes;
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

/** The append-only tables of the registered modules, `events` last (tests size COPY buffers by them). */
export const APPEND_ONLY_TABLES = indexedSchema().appendOnlyTables;
