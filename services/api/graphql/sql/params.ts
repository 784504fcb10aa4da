/** SQL types the API binds parameters as; each matches its column's type so indexes stay usable. */
export type SqlType = "numeric" | "integer" | "text" | "boolean" | "float8";

/**
 * Collects bound parameters. Values only ever travel as `$n` placeholders with an explicit cast;
 * the SQL text is built solely from identifiers the code itself declares.
 */
export class SqlParams {
  readonly values: unknown[] = [];

  bind(value: unknown, type: SqlType): string {
    this.values.push(value);
    return `$${this.values.length}::${type}`;
  }

  bindArray(values: readonly unknown[], type: SqlType): string {
    this.values.push([...values]);
    return `$${this.values.length}::${type}[]`;
  }
}
