/**
 * How many SQL statements one call of a resolver may issue. Each domain declares it for each of
 * its resolvers (domains/<name>/statements.ts), next to them.
 *
 * An operation whose fields add up to at most one statement is answered without a snapshot
 * transaction (one statement already reads one snapshot in PostgreSQL), saving BEGIN and COMMIT.
 * buildApiSchema refuses to start when a field has a resolver but no declaration, so a new resolver
 * cannot silently make such an operation read two snapshots; and at run time a second statement
 * in a transaction-less operation fails instead of reading another state (operation-snapshot.ts).
 *
 * Fields without a resolver read a property of their parent's row: no statement.
 */

/** More than one statement, or an unknown number (recursive queries, per-level follow-ups). */
export const MANY = Number.POSITIVE_INFINITY;

/** 0, 1 or MANY. */
export type StatementCount = number;

/** `Type.field` → how many statements its resolver issues. */
export type FieldStatements = Readonly<Record<string, StatementCount>>;
