import { messages, protocol } from "@electric-sql/pglite";

/** A column of a prepared statement's result, with the parser PGlite would use for its type. */
export interface ResultColumn {
  name: string;
  dataTypeID: number;
  parse?: (text: string, dataTypeID: number) => unknown;
}

const DATA_ROW = 0x44; // 'D'
const ERROR_RESPONSE = 0x45; // 'E'

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
