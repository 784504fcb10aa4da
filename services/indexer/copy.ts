import type { Row, TableSpec } from "./tables";

/** The position of the event a history row records; its columns are read from here, not copied into each row. */
export interface EventPosition {
  blockNumber: number;
  logIndex: number;
  timestamp: number;
  blockHash: string;
  txHash: string;
}

const FROM_EVENT: Record<string, (event: EventPosition) => string> = {
  block_number: (event) => String(event.blockNumber),
  log_index: (event) => String(event.logIndex),
  timestamp: (event) => String(event.timestamp),
  block_hash: (event) => event.blockHash,
  tx_hash: (event) => event.txHash,
};

type ColumnEncoder = (row: Row, event: EventPosition | undefined) => string;

/** Numbers, booleans and numeric strings never need escaping: only text and JSON are checked. */
function encoderFor(column: string, type: string): ColumnEncoder {
  const encode = type === "text" || type === "jsonb" ? copyValue : plainValue;
  const fromEvent = FROM_EVENT[column];
  if (!fromEvent) return (row) => encode(row[column]);
  return (row, event) => (event ? fromEvent(event) : encode(row[column]));
}

const encoders = new Map<TableSpec, ColumnEncoder[]>();

function encodersOf(table: TableSpec): ColumnEncoder[] {
  let list = encoders.get(table);
  if (!list) encoders.set(table, (list = table.columns.map(([column, type]) => encoderFor(column, type))));
  return list;
}

const keyEncoders = new Map<TableSpec, ColumnEncoder[]>();

/** The encoders of the primary key's columns. */
function keyEncodersOf(table: TableSpec): ColumnEncoder[] {
  let list = keyEncoders.get(table);
  if (!list) {
    const all = encodersOf(table);
    keyEncoders.set(table, (list = table.key.map((column) => all[table.columns.findIndex(([name]) => name === column)])));
  }
  return list;
}

function plainValue(value: unknown): string {
  if (value === null || value === undefined) return "\\N";
  return scalarText(value);
}

/** A string, number, bigint or boolean as COPY text; anything else in a row is a handler's bug, named here rather than sent as "[object Object]". */
function scalarText(value: unknown): string {
  switch (typeof value) {
    case "string":
      return value;
    case "number":
    case "bigint":
      return String(value);
    case "boolean":
      return value ? "t" : "f";
    default:
      throw new TypeError(`a ${typeof value} cannot be written as a column value`);
  }
}

const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

/**
 * One value in PostgreSQL's COPY text format: NULL is `\N`; backslash, tab and line breaks are
 * backslash-escaped (everything else, UTF-8 included, goes as is); objects are JSON (jsonb columns).
 */
export function copyValue(value: unknown): string {
  if (value === null || value === undefined) return "\\N";
  const text = typeof value === "object" ? JSON.stringify(value) : scalarText(value);
  return NEEDS_ESCAPE.test(text) ? text.replace(/[\\\t\n\r]/g, (char) => ESCAPES[char]) : text;
}

/**
 * Rows of one table as COPY text, encoded as they are produced into one growing byte buffer: a row
 * costs its bytes, outside the JavaScript heap, instead of an object (and the strings it points to)
 * kept alive until the commit, which was most of the backfill's garbage and of its peak memory.
 */
export class CopyRows {
  private buffer: Buffer;
  private length = 0;
  private count = 0;
  private readonly keys: Set<string> | undefined;

  /** @param unique keep only the first row of each primary key (the table's key can repeat within a batch) */
  constructor(
    readonly table: TableSpec,
    unique = false,
  ) {
    this.buffer = takeBuffer(table);
    this.keys = unique ? new Set() : undefined;
  }

  get size(): number {
    return this.count;
  }

  /**
   * Adds `row` (by the table's column names); with `event`, the event's position fills block_number,
   * log_index, timestamp, block_hash and tx_hash. False when `unique` and the key was seen already.
   */
  add(row: Row, event?: EventPosition): boolean {
    const encode = encodersOf(this.table);
    if (this.keys) {
      const key = keyEncodersOf(this.table).map((encodeKey) => encodeKey(row, event)).join("|");
      if (this.keys.has(key)) return false;
      this.keys.add(key);
    }
    let line = encode[0](row, event);
    for (let index = 1; index < encode.length; index++) line += `\t${encode[index](row, event)}`;
    line += "\n";
    const needed = this.length + line.length * 3; // UTF-8 takes at most 3 bytes per UTF-16 unit
    if (needed > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    this.length += this.buffer.write(line, this.length);
    this.count++;
    return true;
  }

  /** The COPY payload: one line per row, each ended by a newline. */
  bytes(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  /** Hands the buffer back for reuse; bytes() must no longer be in use (the rows are committed). */
  release(): void {
    giveBack(this.table, this.buffer);
    this.buffer = EMPTY;
    this.length = 0;
    this.count = 0;
  }
}

/*
 * Buffers are reused from batch to batch, per table. Without reuse, every batch left megabytes of
 * buffers that are freed only when the old generation is collected, and RSS grew by tens of MB. The
 * reuse is per table because the tables' payloads differ a lot in size: from one shared pool any
 * table could take any buffer and grow it, so over a long backfill every pooled buffer grew to the
 * largest table's size (1M events on PGlite: ~42 MB of COPY buffers, against ~17 MB at 100k). A
 * table keeps at most two: one batch is applied while the previous one commits.
 */
const EMPTY = Buffer.alloc(0);
const SPARE_PER_TABLE = 2;
const spare = new Map<TableSpec, Buffer[]>();

function takeBuffer(table: TableSpec): Buffer {
  return spare.get(table)?.pop() ?? Buffer.allocUnsafe(64 * 1024);
}

function giveBack(table: TableSpec, buffer: Buffer): void {
  if (buffer.length === 0) return;
  let pool = spare.get(table);
  if (!pool) spare.set(table, (pool = []));
  if (pool.length < SPARE_PER_TABLE) pool.push(buffer);
}

/** Bytes held for reuse by released CopyRows, all tables together (for tests and diagnostics). */
export function spareCopyBytes(): number {
  let bytes = 0;
  for (const pool of spare.values()) for (const buffer of pool) bytes += buffer.length;
  return bytes;
}
