import type { Database } from "../../database";
import type { Logger } from "../../log";
import type { ChainEvent } from "../chain-event";
import type { IndexerEvents } from "../events";
import type { Row, TableSpec } from "../tables";
import type { AbiEvent, ArgsOf, EventName } from "./abi-types";

/**
 * What an event handler can do to the batch it is applied in (implemented by Batch). Mutable rows
 * are read and changed through the cache the batch loaded (see EventHandler.touches); history rows
 * are encoded for COPY at once, their position columns taken from `event`.
 */
export interface EventEffects<Announcements extends AnnouncementMap> {
  /** Sets the row of `table` at `key` to `update(current)`; `current` is null when there is none yet. */
  change(table: TableSpec, key: string, event: ChainEvent, update: (row: Row | null) => Row): void;
  /** As change(), but only when the row exists (events about an unknown pod still land in history tables). */
  changeExisting(table: TableSpec, key: string, event: ChainEvent, update: (row: Row) => Row): void;
  /** Adds a history row of `table` (an append-only table of the module) recording `event`. */
  record(table: TableSpec, row: Row, event: ChainEvent): void;
  /** Announces `payload` to subscribers once the batch is committed (IndexerEvents). */
  announce<Name extends keyof Announcements & string>(name: Name, payload: Announcements[Name]): void;
}

/** Collects the keys of the mutable rows a batch's events touch, so they are loaded in one query per table. */
export interface RowKeys {
  /** `key`: the row's key columns joined by "|" (as Batch keys its cache). */
  add(table: TableSpec, key: string): void;
}

/**
 * What one event of a contract does. Every member is optional: an event without any only lands in
 * `events`. The functions are called detached from this object (`this: void`).
 */
export interface EventHandler<Args, Announcements extends AnnouncementMap> {
  /** Names the mutable rows `apply` reads or changes (gathered for the whole batch before it is applied). */
  touches?(this: void, args: Args, keys: RowKeys): void;
  /** What the event does to the rows, in chain order. Called on the hot path: allocate no more than needed. */
  apply?(this: void, args: Args, event: ChainEvent, effects: EventEffects<Announcements>): void;
  /** A table of the module records the event row by row, so it is not written to `events` too (migration 002). */
  recorded?: boolean;
}

/** Content the chain only references, read from Swarm (the Swarm client's `downloadFile` fits). */
export interface ContentSource {
  downloadFile(ref: string, path?: string): Promise<{ data: Uint8Array }>;
}

/** What a module's start hook is given: what it needs to work beside ingest, never inside it. */
export interface ModuleContext {
  /** The indexer's database. Writes made here are outside every indexing transaction. */
  readonly db: Database;
  /** The indexer's announcements (each emitted once its data is committed); listen with `on`, undo with `off`. */
  readonly events: IndexerEvents;
  /** Swarm, for content the chain only references; absent when the indexer was started with `swarm: false`. */
  readonly swarm?: ContentSource;
  readonly log: Logger;
}

/** Ends what a module's start hook began; the indexer's stop() awaits it before it stops the loop. */
export type StopModule = () => Promise<void>;

/** Payload types by announcement name (merged into IndexerEventMap). */
export type AnnouncementMap = object;

/** The handlers of a contract's events, each typed by the ABI's declaration of that event. */
type EventHandlers<Abi extends readonly AbiEvent[], Announcements extends AnnouncementMap> = {
  readonly [Name in EventName<Abi>]?: EventHandler<ArgsOf<Abi, Name>, Announcements>;
};

/**
 * One contract the indexer follows: all the engine needs to decode its logs, load and write its
 * rows, and announce what its events mean. Registered in contracts/index.ts; its tables are created
 * by a migration in services/database/migrations/.
 */
export interface ContractModule<Abi extends readonly AbiEvent[] = readonly AbiEvent[], Announcements extends AnnouncementMap = AnnouncementMap> {
  /** The key of `contracts` in deployments/<network>.json, and the `contract` column of `events`. */
  readonly name: string;
  /** The events it emits: its interface's (typechain's factory ABI) and those it inherits. */
  readonly abi: Abi;
  /**
   * Its tables, in the order they are loaded and written. Mutable rows change in place and are
   * rolled back through the undo journal; append-only (history) rows are rolled back by block number.
   * A table shared by several modules (balances) is listed by each and handled once.
   */
  readonly tables: { readonly mutable: readonly TableSpec[]; readonly appendOnly: readonly TableSpec[] };
  readonly handlers: EventHandlers<Abi, Announcements>;
  /** The names of the announcements its handlers make (IndexerEvents), in the order they are emitted after a commit. */
  readonly announces: readonly (keyof Announcements & string)[];
  /**
   * Work of the module's own beside ingest (e.g. reading off-chain content its events point to),
   * started by startIndexer once the database is migrated and before the loop starts. It must not
   * throw for a missing or slow outside service; what it returns is called by stop().
   */
  readonly start?: (this: void, context: ModuleContext) => StopModule | undefined;
}

/** A module as the engine holds it, its argument and announcement types erased. */
export interface RegisteredContract {
  readonly name: string;
  readonly abi: readonly AbiEvent[];
  readonly tables: ContractModule["tables"];
  readonly handlers: { readonly [name: string]: EventHandler<ChainEvent["args"], Record<string, unknown>> | undefined };
  readonly announces: readonly string[];
  readonly start?: ContractModule["start"];
}

/** A type-only key: a defined module carries its announcements' payload types here (never at run time). */
declare const announcementTypes: unique symbol;

/** A module as defineContract returns it: typed for its own code, erased for the engine's registry. */
export type DefinedContract<Abi extends readonly AbiEvent[], Announcements extends AnnouncementMap> = ContractModule<Abi, Announcements> &
  RegisteredContract & { readonly [announcementTypes]?: Announcements };

/** The announcements of a defined module, by name, with their payloads (for IndexerEventMap). */
export type AnnouncementsOf<Module> = Module extends { readonly [announcementTypes]?: infer Announcements } ? Announcements : never;

/**
 * Declares a contract module; the types of every handler's arguments come from `Abi`. The result is
 * both the typed module and the erased view the engine registers.
 */
export function defineContract<Abi extends readonly AbiEvent[], Announcements extends AnnouncementMap = Record<never, never>>(
  module: ContractModule<Abi, Announcements>,
): DefinedContract<Abi, Announcements> {
  // The erasure is sound: the decoder builds every event's arguments from this very ABI.
  return module as DefinedContract<Abi, Announcements>;
}
