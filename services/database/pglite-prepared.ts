import { messages, protocol, types, type PGlite } from "@electric-sql/pglite";
import { decodeRows, encodeExecution, type ResultColumn, type WireValue } from "./pglite-wire";

/**
 * Reads outside transactions on PGlite through named prepared statements, one wire-protocol
 * message per execution.
 *
 * Why: PGlite's `query()` parses, analyses and plans the SQL text every time and enters its
 * WebAssembly main loop six times (Parse, Describe statement, Bind, Describe portal, Execute,
 * Sync). For the API's `pod(id)` that was ~0.3 ms of its ~0.4 ms per SELECT, all on the API's
 * thread. Here a SELECT's text is parsed and described once per PGlite instance (named statement,
 * its parameter and column types kept), and each execution is Bind + Execute + Sync in one call.
 *
 * Semantics stay PGlite's own: never inside another caller's transaction (see query() for the
 * mutexes), parameters serialised with `pg.serializers` by the described parameter types (so
 * `$1::numeric[]` gets PGlite's array serialiser), values parsed with `pg.parsers` (pglite-wire.ts
 * encodes the Bind and decodes the rows: PGlite's own decoder was most of a 100-row page's cost),
 * errors thrown as PGlite throws them (DatabaseError with `query`, `params` and `queryOptions`).
 * The execution's response bypasses PGlite's message handling, so a NOTIFY delivered in it would
 * not reach PGlite's `listen()` callbacks: nothing in Lure uses LISTEN.
 *
 * Only single SELECT / WITH statements are prepared; anything else goes to `pg.query` unchanged
 * (DDL, writes, one-off scripts). Each execution outside a transaction is its own snapshot, as
 * before. PostgreSQL revalidates a prepared statement's plan against schema changes by itself;
 * the two cases it refuses are handled here: a statement whose result columns changed (0A000,
 * "cached plan must not change result type") and a statement dropped behind our back (26000,
 * e.g. DEALLOCATE ALL) are prepared again and run once more: the failure happens at Bind, before
 * anything was read. At most `maxStatements` statements are kept (least recently used closed
 * first): their plans live in PGlite's WebAssembly heap, which never shrinks.
 */
export class PglitePreparedReads {
  private readonly statements = new Map<string, PreparedStatement>();
  /** Statements evicted from the map, closed with the next Parse (a failed Parse closes them too). */
  private toClose: string[] = [];
  private nextId = 0;
  /** Every statement this instance prepares is named with this prefix (pg_prepared_statements shows them). */
  readonly prefix: string;

  constructor(
    private readonly pg: PGlite,
    private readonly maxStatements = DEFAULT_MAX_STATEMENTS,
  ) {
    if (!Number.isInteger(maxStatements) || maxStatements < 1) throw new Error(`maxStatements must be a whole number ≥ 1, got ${maxStatements}`);
    this.prefix = `lure_read_${(instanceCounter++).toString(36)}_`;
  }

  /** How many statements are prepared now (for tests and diagnostics). */
  get size(): number {
    return this.statements.size;
  }

  /** True when `sql` takes the prepared path (one SELECT or WITH statement). */
  static isPreparable(sql: string): boolean {
    return PREPARABLE.test(sql);
  }

  async query<R>(sql: string, params: unknown[] = []): Promise<R[]> {
    if (!PglitePreparedReads.isPreparable(sql)) return (await this.pg.query<R>(sql, params)).rows;
    if (!this.pg.ready) await this.pg._checkReady();
    // PGlite's query() holds its transaction mutex and then its query mutex. Holding the query
    // mutex alone is enough when no transaction block is open: no query of PGlite's is half-way
    // through its messages, and the statement runs as its own implicit transaction. A
    // transaction whose BEGIN has not run yet, or whose COMMIT has, is before or after this
    // read either way. Inside an open block, wait for the transaction mutex as query() does.
    const rows = await this.pg._runExclusiveQuery(async () => (this.pg.isInTransaction() ? IN_TRANSACTION : this.run<R>(sql, params)));
    if (rows !== IN_TRANSACTION) return rows;
    return this.pg._runExclusiveTransaction(() => this.pg._runExclusiveQuery(() => this.run<R>(sql, params)));
  }

  private async run<R>(sql: string, params: unknown[]): Promise<R[]> {
    try {
      try {
        return await this.execute<R>(await this.statementFor(sql), params);
      } catch (error) {
        if (!isStaleStatement(error)) throw error;
        this.evict(sql);
        return await this.execute<R>(await this.statementFor(sql), params);
      }
    } catch (error) {
      if (error instanceof messages.DatabaseError) Object.assign(error, { query: sql, params, queryOptions: undefined });
      throw error;
    }
  }

  private async statementFor(sql: string): Promise<PreparedStatement> {
    const known = this.statements.get(sql);
    if (known) {
      // Least recently used first: a hit moves to the end of the map's order.
      this.statements.delete(sql);
      this.statements.set(sql, known);
      return known;
    }
    // Make room first, so the evicted statements are closed in the same message as this Parse.
    while (this.statements.size >= this.maxStatements) this.evict(this.statements.keys().next().value as string);
    const name = `${this.prefix}${(this.nextId++).toString(36)}`;
    const closing = this.toClose.map((old) => protocol.serialize.close({ type: "S", name: old }));
    this.toClose = [];
    const replies = await this.pg.execProtocolStream(
      concat([...closing, protocol.serialize.parse({ name, text: sql }), protocol.serialize.describe({ type: "S", name }), SYNC]),
      { syncToFs: false },
    );
    const parameters = replies.find((reply): reply is messages.ParameterDescriptionMessage => reply.name === "parameterDescription");
    const columns = replies.find((reply): reply is messages.RowDescriptionMessage => reply.name === "rowDescription");
    const statement: PreparedStatement = { name, parameterTypes: parameters?.dataTypeIDs ?? [], columns };
    this.statements.set(sql, statement);
    return statement;
  }

  private evict(sql: string): void {
    const statement = this.statements.get(sql);
    if (!statement) return;
    this.statements.delete(sql);
    this.toClose.push(statement.name);
  }

  private async execute<R>(statement: PreparedStatement, params: unknown[]): Promise<R[]> {
    const values = params.map((param, i): WireValue => {
      if (param === null || param === undefined) return null;
      const serialize = this.pg.serializers[statement.parameterTypes[i]];
      // As PGlite's own query(): a type without a serializer is sent as the value's toString().
      return serialize ? serialize(param) : (param as { toString(): string }).toString();
    });
    const chunks: Buffer[] = [];
    // The chunks are views of PGlite's WebAssembly memory, reused by the next call: copied.
    await this.pg.execProtocolRawStream(encodeExecution(statement.name, values), {
      syncToFs: false,
      onRawData: (bytes) => chunks.push(Buffer.from(bytes)),
    });
    const columns: ResultColumn[] = (statement.columns?.fields ?? []).map((field) => ({
      name: field.name,
      dataTypeID: field.dataTypeID,
      // As PGlite's parseType: the instance's parsers (array types included), then the defaults.
      parse: this.pg.parsers[field.dataTypeID] ?? types.parsers[field.dataTypeID],
    }));
    return decodeRows<R>(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks), columns);
  }
}

interface PreparedStatement {
  name: string;
  parameterTypes: number[];
  /** The statement's RowDescription (text format), absent for a statement that returns no rows. */
  columns?: messages.RowDescriptionMessage;
}

/**
 * Enough for every shape of the API's queries in use at once. Measured: a page query's statement
 * holds ~18 KB of plan memory (200 distinct shapes: 3.6 MB of PGlite's WebAssembly heap).
 */
const DEFAULT_MAX_STATEMENTS = 200;

/** Statement names are unique per instance, so two instances over one PGlite never clash. */
let instanceCounter = 0;

const PREPARABLE = /^\s*(select|with)\b/i;
/** The query mutex was free but a transaction block is open: wait for the transaction instead. */
const IN_TRANSACTION = Symbol("in a transaction block");
const SYNC = protocol.serialize.sync();

/** The statement is gone (26000) or its result columns changed since it was prepared (0A000). */
function isStaleStatement(error: unknown): boolean {
  if (!(error instanceof messages.DatabaseError)) return false;
  return error.code === "26000" || (error.code === "0A000" && /cached plan must not change result type/.test(error.message));
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
