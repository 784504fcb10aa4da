import { BadArgumentError } from "../errors";
import { SqlParams, type SqlType } from "./params";

/**
 * Compiles a `where` input (field suffixes + AND/OR, as in the ecosystem's indexers) to a
 * parameterized SQL condition. The field names come from the SDL; each base field maps to one
 * trusted column expression here, and every value is bound as a parameter.
 */

const SUFFIXES = ["_contains_nocase", "_starts_with", "_gte", "_lte", "_not", "_gt", "_lt", "_in"] as const;
export type Operator = "eq" | "not" | "gt" | "gte" | "lt" | "lte" | "in" | "contains_nocase" | "starts_with";

export interface FilterColumn {
  /** Trusted SQL expression (a column of the list's table). */
  sql: string;
  type: SqlType;
  /** Converts the GraphQL value to the stored representation (e.g. enum PUBLIC → 'PUBLIC'). */
  toDb?: (value: unknown) => unknown;
  /**
   * A filter on rows of another table related to the list's row rather than on a column of its
   * own (e.g. the groups whose catalogue holds a pod): `sql` is that table's column, and the
   * condition is `EXISTS (SELECT 1 FROM <from> WHERE <correlate> AND <sql> = value)`. Equality and
   * `_in` only; trusted constants, like `sql`.
   */
  related?: { from: string; correlate: string };
}

export type FilterColumns = Readonly<Record<string, FilterColumn>>;

export function splitFilterName(name: string): { base: string; op: Operator } {
  for (const suffix of SUFFIXES) {
    if (name.endsWith(suffix) && name.length > suffix.length) {
      return { base: name.slice(0, -suffix.length), op: suffix.slice(1) as Operator };
    }
  }
  return { base: name, op: "eq" };
}

/** Escapes LIKE wildcards so a user's `%` or `_` matches itself. */
function likeLiteral(value: string): string {
  return value.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

const COMPARISON: Record<"gt" | "gte" | "lt" | "lte", string> = { gt: ">", gte: ">=", lt: "<", lte: "<=" };

/** Nesting of AND/OR beyond this is refused (it is never needed and costs planning time). */
const MAX_NESTING = 8;

export function compileWhere(
  where: object | null | undefined,
  columns: FilterColumns,
  params: SqlParams,
  path = "where",
  nesting = 0,
): string | null {
  if (where == null) return null;
  if (nesting > MAX_NESTING) throw new BadArgumentError(path, `nests AND/OR deeper than ${MAX_NESTING} levels`);
  const conditions: string[] = [];
  for (const [name, value] of Object.entries(where as Record<string, unknown>)) {
    if (value === undefined) continue;
    const fieldPath = `${path}.${name}`;
    if (name === "AND" || name === "OR") {
      if (value === null) continue;
      if (!Array.isArray(value)) throw new BadArgumentError(fieldPath, "must be a list");
      const parts = value
        .map((item, index) => compileWhere(item as object, columns, params, `${fieldPath}[${index}]`, nesting + 1) ?? "TRUE")
        .map((sql) => `(${sql})`);
      if (parts.length === 0) {
        // An empty AND is vacuously true; an empty OR matches nothing.
        if (name === "OR") conditions.push("FALSE");
        continue;
      }
      conditions.push(`(${parts.join(name === "AND" ? " AND " : " OR ")})`);
      continue;
    }
    const { base, op } = splitFilterName(name);
    const column = columns[base];
    if (!column) throw new BadArgumentError(fieldPath, "is not a filter of this list");
    conditions.push(compileCondition(column, op, value, params, fieldPath));
  }
  return conditions.length ? conditions.join(" AND ") : null;
}

function compileCondition(column: FilterColumn, op: Operator, raw: unknown, params: SqlParams, path: string): string {
  if (column.related) {
    if (op !== "eq" && op !== "in") throw new BadArgumentError(path, "is not a filter of this list: this field takes a value or a list (`_in`) only");
    if (raw === null) throw new BadArgumentError(path, "cannot be null");
    const { related, ...own } = column;
    return `EXISTS (SELECT 1 FROM ${related.from} WHERE ${related.correlate} AND ${compileCondition(own, op, raw, params, path)})`;
  }
  const toDb = column.toDb ?? ((value: unknown) => value);
  if (raw === null) {
    if (op === "eq") return `${column.sql} IS NULL`;
    if (op === "not") return `${column.sql} IS NOT NULL`;
    throw new BadArgumentError(path, "cannot be null");
  }
  switch (op) {
    case "eq":
      return `${column.sql} = ${params.bind(toDb(raw), column.type)}`;
    case "not":
      // IS DISTINCT FROM keeps rows whose column is NULL, which is what "not equal to x" means to users.
      return `${column.sql} IS DISTINCT FROM ${params.bind(toDb(raw), column.type)}`;
    case "gt":
    case "gte":
    case "lt":
    case "lte":
      return `${column.sql} ${COMPARISON[op]} ${params.bind(toDb(raw), column.type)}`;
    case "in": {
      if (!Array.isArray(raw)) throw new BadArgumentError(path, "must be a list");
      if (raw.length > 1000) throw new BadArgumentError(path, `lists ${raw.length} values; at most 1000 are allowed`);
      if (raw.length === 0) return "FALSE";
      return `${column.sql} = ANY(${params.bindArray(raw.map(toDb), column.type)})`;
    }
    case "contains_nocase":
    case "starts_with": {
      if (column.type !== "text") throw new BadArgumentError(path, "applies to text fields only");
      if (typeof raw !== "string") throw new BadArgumentError(path, "must be a string");
      if (op === "contains_nocase") return `${column.sql} ILIKE ${params.bind(`%${likeLiteral(raw)}%`, "text")}`;
      return `${column.sql} LIKE ${params.bind(`${likeLiteral(raw)}%`, "text")}`;
    }
  }
}
