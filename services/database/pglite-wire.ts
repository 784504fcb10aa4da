import { messages, protocol } from "@electric-sql/pglite";

/** A column of a prepared statement's result, with the parser PGlite would use for its type. */
export interface ResultColumn {
  name: string;
  dataTypeID: number;
  parse?: (text: string, dataTypeID: number) => unknown;
}

const DATA_ROW = 0x44; // 'D'
const ERROR_RESPONSE = 0x45; // 'E'
const BIND = 0x42; // 'B'
/** Execute of the unnamed portal, all rows; then Sync. */
const EXECUTE_AND_SYNC = Buffer.from([0x45, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0x53, 0, 0, 0, 4]);

/** A parameter as PGlite's serialisers leave it: text, raw bytes (sent in binary format) or NULL. */
export type WireValue = string | ArrayBuffer | ArrayBufferView | null;

/**
 * Bind (the named statement, these values, text results) + Execute + Sync, as one message for
 * PGlite. Written directly into one buffer: PGlite's serializer (a growing writer per field,
 * then copies) cost more than the rest of this path for a one-parameter SELECT.
 */
export function encodeExecution(statement: string, values: readonly WireValue[]): Buffer {
  const bytes = values.map((value) => (value === null || typeof value === "string" ? value : asBytes(value)));
  const binary = bytes.some((value) => value !== null && typeof value !== "string");
  let length = 4 + 1 + Buffer.byteLength(statement) + 1 + 2 + (binary ? 2 * bytes.length : 0) + 2 + 2;
  for (const value of bytes) length += 4 + (value === null ? 0 : typeof value === "string" ? Buffer.byteLength(value) : value.byteLength);
  const out = Buffer.allocUnsafe(1 + length + EXECUTE_AND_SYNC.length);
  let offset = out.writeUInt8(BIND, 0);
  offset = out.writeInt32BE(length, offset);
  offset = out.writeUInt8(0, offset); // the unnamed portal
  offset += out.write(statement, offset);
  offset = out.writeUInt8(0, offset);
  // Parameter formats: none listed means all text; otherwise one per parameter (1 = binary).
  offset = out.writeInt16BE(binary ? bytes.length : 0, offset);
  if (binary) for (const value of bytes) offset = out.writeInt16BE(value === null || typeof value === "string" ? 0 : 1, offset);
  offset = out.writeInt16BE(bytes.length, offset);
  for (const value of bytes) {
    if (value === null) {
      offset = out.writeInt32BE(-1, offset);
    } else if (typeof value === "string") {
      const size = Buffer.byteLength(value);
      offset = out.writeInt32BE(size, offset);
      offset += out.write(value, offset);
    } else {
      offset = out.writeInt32BE(value.byteLength, offset);
      out.set(value, offset);
      offset += value.byteLength;
    }
  }
  offset = out.writeInt16BE(0, offset); // result formats: all text
  EXECUTE_AND_SYNC.copy(out, offset);
  return out;
}

function asBytes(value: ArrayBuffer | ArrayBufferView): Uint8Array {
  return value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

/**
 * The rows of one Bind + Execute + Sync exchange, decoded from PostgreSQL's wire format (text
 * results) into objects keyed by column name, each value parsed as PGlite's `parseResults` would.
 *
 * Why not PGlite's own parser: it copies every field into a fresh ArrayBuffer and runs a
 * TextDecoder per field; for a page of 100 pods (1,200 fields) that was ~2 ms of the ~2.5 ms the
 * query cost the API's thread. Here each field is one `Buffer#toString` over the response.
 *
 * An ErrorResponse anywhere (even after some rows were sent) fails the whole result: the response
 * is then parsed by PGlite's protocol parser, so the error thrown is the DatabaseError PGlite's
 * `query()` throws. Other messages (BindComplete, CommandComplete, ReadyForQuery, notices) carry
 * nothing a read needs.
 */
export function decodeRows<R>(response: Buffer, columns: readonly ResultColumn[]): R[] {
  const rows: R[] = [];
  let offset = 0;
  while (offset + 5 <= response.length) {
    const code = response[offset];
    const end = offset + 1 + response.readInt32BE(offset + 1);
    if (end > response.length) throw new Error(`truncated PostgreSQL response: a message of type ${String.fromCharCode(code)} ends past the data`);
    if (code === ERROR_RESPONSE) throw databaseErrorIn(response);
    if (code === DATA_ROW) rows.push(decodeDataRow(response, offset + 5, columns) as R);
    offset = end;
  }
  return rows;
}

function decodeDataRow(response: Buffer, start: number, columns: readonly ResultColumn[]): Record<string, unknown> {
  const count = response.readInt16BE(start);
  if (count !== columns.length) throw new Error(`a row of ${count} fields for a statement of ${columns.length} columns`);
  const row: Record<string, unknown> = {};
  let offset = start + 2;
  for (let i = 0; i < count; i++) {
    const length = response.readInt32BE(offset);
    offset += 4;
    const column = columns[i];
    let value: unknown = null;
    if (length >= 0) {
      const text = response.toString("utf8", offset, offset + length);
      offset += length;
      value = column.parse ? column.parse(text, column.dataTypeID) : text;
    }
    // defineProperty, not assignment: a column named __proto__ must stay a column, as in Object.fromEntries.
    if (column.name === "__proto__") Object.defineProperty(row, column.name, { value, enumerable: true, writable: true, configurable: true });
    else row[column.name] = value;
  }
  return row;
}

function databaseErrorIn(response: Buffer): Error {
  let found: Error | undefined;
  new protocol.Parser().parse(response, (message) => {
    if (!found && message instanceof messages.DatabaseError) found = message;
  });
  return found ?? new Error("PostgreSQL sent an error response that could not be parsed");
}
