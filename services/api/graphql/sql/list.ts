import type { Queryable } from "../../../database";
import { decodeCursor, encodeCursor, type CursorValue } from "../cursor";
import { BadArgumentError } from "../errors";
import { SqlParams, type SqlType } from "./params";
import { compileWhere, type FilterColumns } from "./where";

/** `first` when the client gives none, and the most one page may hold (shared/interfaces.md). */
export const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

export interface KeyColumn {
  sql: string;
  type: SqlType;
  /** Nullable sort keys need NULL-aware keyset conditions (row comparisons ignore NULLs). */
  nullable?: boolean;
}

/** One list of the API: a table (or join), its filters, its orders and its unique key. */
export interface ListSpec {
  /** Tags cursors, so one list's cursor is refused by another. */
  name: string;
  /** Trusted FROM clause. */
  from: string;
  /** Trusted select list producing the model row. */
  select: string;
  filters: FilterColumns;
  /** orderBy enum value → its sort key; the primary key is appended as the tie-breaker. */
  orders: Readonly<Record<string, KeyColumn>>;
  primaryKey: readonly KeyColumn[];
}

export interface ListArgs {
  /** A generated `…Where` input; its keys are checked against `ListSpec.filters`. */
  where?: object | null;
  orderBy?: string;
  orderDirection?: "asc" | "desc";
  first?: number;
  after?: string | null;
}

export interface Page<Row> {
  items: Row[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  /** Counted only when asked for: a COUNT over a large filtered table is the expensive part. */
  totalCount: () => Promise<number>;
}

export interface ExtraCondition {
  /** Trusted SQL with `?` standing for the bound values, in order. */
  sql: string;
  values: readonly { value: unknown; type: SqlType }[];
}

function checkFirst(first: number | undefined, argument = "first"): number {
  const value = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(value) || value < 0 || value > MAX_PAGE_SIZE) {
    throw new BadArgumentError(argument, `must be between 0 and ${MAX_PAGE_SIZE}, got ${value}`);
  }
  return value;
}

function bindExtra(condition: ExtraCondition, params: SqlParams): string {
  let index = 0;
  return condition.sql.replace(/\?/g, () => {
    const bound = condition.values[index++];
    if (!bound) throw new Error(`condition ${condition.sql} has more placeholders than values`);
    return params.bind(bound.value, bound.type);
  });
}

/** Strictly-after condition for keyset pagination over `keys` in one direction. */
function keysetCondition(keys: readonly KeyColumn[], values: readonly CursorValue[], descending: boolean, params: SqlParams): string {
  const op = descending ? "<" : ">";
  const [sortKey, ...rest] = keys;
  if (!sortKey.nullable) {
    const left = keys.map((key) => key.sql).join(", ");
    const right = keys.map((key, i) => params.bind(values[i], key.type)).join(", ");
    return `(${left}) ${op} (${right})`;
  }
  // Postgres sorts NULLs last ascending and first descending; the tie-breaker keys are never NULL.
  const tieLeft = rest.map((key) => key.sql).join(", ");
  const tieRight = rest.map((key, i) => params.bind(values[i + 1], key.type)).join(", ");
  const afterTie = `(${tieLeft}) ${op} (${tieRight})`;
  if (values[0] === null) {
    return descending ? `((${sortKey.sql} IS NULL AND ${afterTie}) OR ${sortKey.sql} IS NOT NULL)` : `(${sortKey.sql} IS NULL AND ${afterTie})`;
  }
  const sortValue = params.bind(values[0], sortKey.type);
  const sameSortValue = `(${sortKey.sql} = ${sortValue} AND ${afterTie})`;
  return descending
    ? `(${sortKey.sql} ${op} ${sortValue} OR ${sameSortValue})`
    : `(${sortKey.sql} ${op} ${sortValue} OR ${sameSortValue} OR ${sortKey.sql} IS NULL)`;
}

/** A tampered cursor must fail as a bad `after`, not as an SQL cast error. */
function checkCursorValue(key: KeyColumn, value: CursorValue, cursor: string): void {
  const ok =
    value === null
      ? key.nullable === true
      : key.type === "numeric"
        ? typeof value === "string" && /^-?[0-9]{1,78}$/.test(value)
        : key.type === "integer"
          ? typeof value === "number" && Number.isInteger(value)
          : key.type === "float8"
            ? typeof value === "number" && Number.isFinite(value)
            : key.type === "boolean"
              ? typeof value === "boolean"
              : typeof value === "string";
  if (!ok) throw new BadArgumentError("after", `is not a valid cursor for this list: ${JSON.stringify(cursor)}`);
}

/** Normalizes a key value as drivers return it (pg and PGlite differ on int8/float). */
function cursorValue(value: unknown): CursorValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  // Anything else (a driver's own numeric or date object) is keyed by its text, as it prints.
  // eslint-disable-next-line @typescript-eslint/no-base-to-string
  return String(value);
}

/** The name the rows of `from` go by: the table's, or the alias of a derived table; undefined for anything else (a join). */
function rowAlias(from: string): string | undefined {
  return /^([a-z_][a-z0-9_]*)$/.exec(from)?.[1] ?? /\)\s+AS\s+([a-z_][a-z0-9_]*)$/i.exec(from)?.[1];
}

/**
 * The SQL of a page. The rows are chosen (filtered, sorted and cut to `limit`) in an inner query
 * over the raw columns, and the select list (casts such as `::text` and `::float8`, correlated
 * subqueries) is computed in the outer query, for the rows returned only: in one query, a plan that
 * sorts (no index matches the order) would compute it for every row that passes the filters before
 * the sort. The outer query sorts its few rows again by the same keys (the order of a subquery's
 * rows is not guaranteed to survive the query around it). The select list refers to the columns by
 * their names or qualified by the table, which the derived table keeps (`AS <the table's name>`).
 */
function pageSql(spec: ListSpec, keys: readonly KeyColumn[], direction: "asc" | "desc", select: string, filters: readonly string[], limit: number): string {
  const where = filters.length ? ` WHERE ${filters.join(" AND ")}` : "";
  const sort = direction === "desc" ? "DESC" : "ASC";
  const keyAliases = keys.map((key, i) => `${key.sql} AS "_k${i}"`).join(", ");
  const orderSql = keys.map((key) => `${key.sql} ${sort}`).join(", ");
  const alias = rowAlias(spec.from);
  if (alias === undefined) return `SELECT ${select}, ${keyAliases} FROM ${spec.from}${where} ORDER BY ${orderSql} LIMIT ${limit}`;
  const outerKeys = keys.map((_, i) => `"_k${i}"`);
  return (
    `SELECT ${select}, ${outerKeys.join(", ")} FROM (SELECT ${alias}.*, ${keyAliases} FROM ${spec.from}${where} ORDER BY ${orderSql} LIMIT ${limit}) AS ${alias}` +
    ` ORDER BY ${outerKeys.map((key) => `${key} ${sort}`).join(", ")}`
  );
}

/**
 * Reads one page of `spec`. All values are bound; the `where` compiler and `orderBy` enum decide
 * which trusted expressions appear in the SQL.
 */
export interface ReadPageOptions {
  /** Conditions the list always has (e.g. the parent of a nested list). */
  extra?: readonly ExtraCondition[];
  /** Bound as $1, $2… before anything else, for specs whose trusted SQL refers to them (search). */
  prebound?: ExtraCondition["values"];
  /** Trusted select list replacing `spec.select` (a projection of the fields asked for). */
  select?: string;
}

export async function readPage<Row>(tx: Queryable, spec: ListSpec, args: ListArgs, options: ReadPageOptions = {}): Promise<Page<Row>> {
  const { extra = [], prebound = [] } = options;
  const first = checkFirst(args.first);
  const orderBy = args.orderBy ?? Object.keys(spec.orders)[0];
  const sortKey = spec.orders[orderBy];
  if (!sortKey) throw new BadArgumentError("orderBy", `must be one of ${Object.keys(spec.orders).join(", ")}, got ${JSON.stringify(orderBy)}`);
  const direction = args.orderDirection ?? "asc";
  if (direction !== "asc" && direction !== "desc") throw new BadArgumentError("orderDirection", `must be asc or desc, got ${JSON.stringify(direction)}`);
  const keys = spec.primaryKey.some((key) => key.sql === sortKey.sql) ? spec.primaryKey : [sortKey, ...spec.primaryKey];
  const order = `${spec.name}:${orderBy}:${direction}`;

  const params = new SqlParams();
  for (const bound of prebound) params.bind(bound.value, bound.type);
  const filters: string[] = extra.map((condition) => bindExtra(condition, params));
  const where = compileWhere(args.where, spec.filters, params);
  if (where) filters.push(`(${where})`);
  // The count shares the filters but not the cursor: totalCount is the size of the whole list.
  const countParams = [...params.values];
  const countSql = `SELECT count(*)::integer AS n FROM ${spec.from}${filters.length ? ` WHERE ${filters.join(" AND ")}` : ""}`;

  const pageFilters = [...filters];
  if (args.after != null) {
    const values = decodeCursor(args.after, order, keys.length);
    keys.forEach((key, i) => checkCursorValue(key, values[i], args.after as string));
    pageFilters.push(keysetCondition(keys, values, direction === "desc", params));
  }
  const sql = pageSql(spec, keys, direction, options.select ?? spec.select, pageFilters, first + 1);
  const rows = await tx.query<Record<string, unknown>>(sql, params.values);

  const hasNextPage = rows.length > first;
  const pageRows = rows.slice(0, first);
  const last = pageRows[pageRows.length - 1];
  const endCursor = last ? encodeCursor({ order, key: keys.map((_, i) => cursorValue(last[`_k${i}`])) }) : null;
  let counted: Promise<number> | undefined;
  return {
    items: pageRows as Row[],
    pageInfo: { hasNextPage, endCursor },
    totalCount: () => (counted ??= tx.query<{ n: number }>(countSql, countParams).then((result) => Number(result[0].n))),
  };
}
