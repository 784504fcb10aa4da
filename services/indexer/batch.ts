import type { Queryable } from "../database";
import type { ChainEvent } from "./chain-event";
import type { EventEffects, RowKeys } from "./contracts/module";
import { CopyRows } from "./copy";
import type { IndexedSchema } from "./schema";
import { EVENTS, type Row, type TableSpec } from "./tables";

/** Mutable rows by table and key; null = known not to exist. */
export type RowCache = Map<TableSpec, Map<string, Row | null>>;

export function newRowCache(schema: IndexedSchema): RowCache {
  return new Map(schema.mutableTables.map((table) => [table, new Map<string, Row | null>()]));
}

export function rowCacheSize(cache: RowCache): number {
  let size = 0;
  for (const rows of cache.values()) size += rows.size;
  return size;
}

export interface UndoEntry {
  blockNumber: number;
  table: string;
  key: Row;
  image: Row | null;
}

/**
 * The effect of a run of events, computed in memory: the mutable rows they touch are loaded once,
 * changed in place event by event, and written back once; new history rows are collected. When
 * `journal` is on (unfinalized blocks), the image of a mutable row before its first change in each
 * block goes to the undo journal, which is what makes a rollback to any block above finality exact.
 */
export class Batch implements EventEffects<Record<string, unknown>> {
  private readonly mutable: RowCache;
  private readonly dirty: Map<TableSpec, Set<string>>;
  /** Keys of mutable rows that did not exist before this batch: written with COPY, not upserted. */
  private readonly created: Map<TableSpec, Set<string>>;
  private readonly journaledIn = new Map<string, number>();
  readonly undo: UndoEntry[] = [];
  /**
   * New history rows, already in COPY text, per append-only table (in the schema's order). Tables
   * with `keepFirstRow` keep the first row per key, as INSERT ... ON CONFLICT DO NOTHING did.
   */
  readonly history: Map<TableSpec, CopyRows>;
  /** The catch-all `events` table's rows (also in `history`), held apart: nearly every event writes one. */
  private readonly eventsTable: CopyRows;
  /** Payloads to announce once committed, by announcement name, in the schema's order. */
  readonly announcements: Map<string, unknown[]>;

  /**
   * @param rows Rows known from earlier batches of the same run (the final-block backfill shares
   *   one cache, so a batch can be applied while the previous one is still being committed).
   */
  constructor(
    private readonly schema: IndexedSchema,
    private readonly journal: boolean,
    rows: RowCache = newRowCache(schema),
  ) {
    this.mutable = rows;
    this.dirty = new Map(schema.mutableTables.map((table) => [table, new Set<string>()]));
    this.created = new Map(schema.mutableTables.map((table) => [table, new Set<string>()]));
    this.history = new Map(schema.appendOnlyTables.map((table) => [table, new CopyRows(table, table.keepFirstRow === true)]));
    this.eventsTable = this.history.get(EVENTS)!;
    this.announcements = new Map(schema.announcements.map((name) => [name, []]));
  }

  /** Loads every mutable row the events will touch, in one query per table. */
  async load(tx: Queryable, events: readonly ChainEvent[]): Promise<void> {
    const wanted = new Map<TableSpec, Set<string>>(this.schema.mutableTables.map((table) => [table, new Set<string>()]));
    const keys: RowKeys = {
      add(table, key) {
        const set = wanted.get(table);
        if (!set) throw new Error(`table ${table.name} is touched by an event but declared mutable by no contract module`);
        set.add(key);
      },
    };
    const routes = this.schema.routes;
    for (const event of events) routes.get(event.contract)?.get(event.name)?.touches?.(event.args, keys);
    for (const [table, tableKeys] of wanted) await this.loadRows(tx, table, [...tableKeys]);
  }

  private async loadRows(tx: Queryable, table: TableSpec, keys: string[]): Promise<void> {
    const rows = this.mutable.get(table)!;
    const missing = keys.filter((key) => !rows.has(key));
    if (missing.length === 0) return;
    for (const key of missing) rows.set(key, null);
    const { sql, params } = rowsByKey(table, missing);
    for (const row of await tx.query(sql, params)) {
      const stored = specColumns(table, row);
      rows.set(keyOf(table, stored), stored);
    }
  }

  /** Applies one event. Events must come in chain order. */
  apply(event: ChainEvent): void {
    const route = this.schema.routes.get(event.contract)?.get(event.name);
    if (!route) return; // not an event of a registered module's ABI: the decoder never yields one
    // History rows take the event's position (block, log index, timestamp, hashes) from `event`
    // itself (CopyRows.add), and are encoded at once: no copy of it in every row object.
    if (route.toEventsTable) this.eventsTable.add({ contract: event.contract, name: event.name, args: event.args }, event);
    route.apply?.(event.args, event, this);
  }

  record(table: TableSpec, row: Row, event: ChainEvent): void {
    const rows = this.history.get(table);
    if (!rows) throw new Error(`table ${table.name} is written by an event but declared append-only by no contract module`);
    rows.add(row, event);
  }

  announce(name: string, payload: unknown): void {
    const payloads = this.announcements.get(name);
    if (!payloads) throw new Error(`announcement ${name} is declared by no contract module (ContractModule.announces)`);
    payloads.push(payload);
  }

  /** Changes a row that must exist (events about an unknown pod still land in history tables). */
  changeExisting(table: TableSpec, key: string, event: ChainEvent, update: (row: Row) => Row): void {
    if (!this.mutable.get(table)!.get(key)) return;
    this.change(table, key, event, (row) => update(row!));
  }

  change(table: TableSpec, key: string, event: ChainEvent, update: (row: Row | null) => Row): void {
    const rows = this.mutable.get(table)!;
    const current = rows.get(key) ?? null;
    if (this.journal) {
      const journalKey = `${table.name}|${key}`;
      if (this.journaledIn.get(journalKey) !== event.blockNumber) {
        this.journaledIn.set(journalKey, event.blockNumber);
        this.undo.push({ blockNumber: event.blockNumber, table: table.name, key: keyObject(table, key), image: current && { ...current } });
      }
    }
    const dirty = this.dirty.get(table)!;
    if (current === null && !dirty.has(key)) this.created.get(table)!.add(key);
    const next = update(current);
    rows.set(key, next);
    dirty.add(key);
  }

  /** Other COPY payloads of this batch's commit (new mutable rows), released with it. */
  readonly copies: CopyRows[] = [];

  /** Returns the COPY buffers for reuse, once the batch is committed. */
  release(): void {
    for (const rows of this.history.values()) rows.release();
    for (const rows of this.copies.splice(0)) rows.release();
  }

  /**
   * A new cache holding only the rows this batch changed (the ones the next batches most likely
   * touch again). Valid once this batch is committed: every row then equals the database's.
   */
  changedRowsCache(): RowCache {
    const cache = newRowCache(this.schema);
    for (const [table, keys] of this.dirty) {
      const rows = this.mutable.get(table)!;
      const kept = cache.get(table)!;
      for (const key of keys) kept.set(key, rows.get(key)!);
    }
    return cache;
  }

  /** Rows this batch writes, per table name (changed mutable rows and new history rows): counted for the planner's statistics. */
  rowsWritten(): [string, number][] {
    const counts: [string, number][] = [];
    for (const [table, keys] of this.dirty) if (keys.size > 0) counts.push([table.name, keys.size]);
    for (const [table, rows] of this.history) if (rows.size > 0) counts.push([table.name, rows.size]);
    return counts;
  }

  /** The changed mutable rows, per table: those created by this batch, and those that existed before. */
  dirtyRows(): { table: TableSpec; created: Row[]; updated: Row[] }[] {
    return [...this.dirty].map(([table, keys]) => {
      const rows = this.mutable.get(table)!;
      const created = this.created.get(table)!;
      const result = { table, created: [] as Row[], updated: [] as Row[] };
      for (const key of keys) (created.has(key) ? result.created : result.updated).push(rows.get(key)!);
      return result;
    });
  }
}

/** The SELECT of the rows of `table` whose keys (key columns joined by "|") are `keys`. */
function rowsByKey(table: TableSpec, keys: readonly string[]): { sql: string; params: unknown[] } {
  const types = table.key.map((column) => table.columns.find(([name]) => name === column)![1]);
  if (table.key.length === 1) return { sql: `SELECT * FROM ${table.name} WHERE ${table.key[0]} = ANY($1::${types[0]}[])`, params: [keys] };
  const parts = keys.map((key) => key.split("|"));
  const unnest = types.map((type, index) => `$${index + 1}::${type}[]`).join(", ");
  const match = table.key.map((column) => `t.${column} = k.${column}`).join(" AND ");
  return {
    sql: `SELECT t.* FROM ${table.name} t JOIN unnest(${unnest}) AS k(${table.key.join(", ")}) ON ${match}`,
    params: table.key.map((_, index) => parts.map((values) => values[index])),
  };
}

/** The row as the indexer holds it: the spec's columns only (not a generated `search`, nor `description` filled by others). */
function specColumns(table: TableSpec, row: Row): Row {
  const stored: Row = {};
  for (const [column] of table.columns) stored[column] = row[column];
  return stored;
}

function keyOf(table: TableSpec, row: Row): string {
  return table.key.map((column) => String(row[column])).join("|");
}

function keyObject(table: TableSpec, key: string): Row {
  const parts = key.split("|");
  return Object.fromEntries(table.key.map((column, index) => [column, parts[index]]));
}
