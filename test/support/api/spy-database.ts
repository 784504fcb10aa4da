import type { Database, Queryable } from "../../../services/database";

interface Statement {
  sql: string;
  /** "snapshot" when it ran inside Database.snapshot, "direct" when on its own. */
  via: "snapshot" | "direct";
}

export interface SpyDatabase extends Database {
  /** Every statement the API issued, in order, and how many snapshots it opened. */
  readonly statements: Statement[];
  snapshots: number;
  /**
   * Awaited before every statement after the first (since reset), once the first has completed:
   * lets a test commit a block between two statements of one operation.
   */
  betweenStatements?: () => Promise<void>;
  reset(): void;
}

/** Wraps `db` to record what the API asks of it; writes by the test go to `db` itself. */
export function spyDatabase(db: Database): SpyDatabase {
  let first: Promise<unknown> | undefined;
  const run = async <R>(target: Queryable, sql: string, params: unknown[] | undefined, via: Statement["via"]): Promise<R[]> => {
    spy.statements.push({ sql, via });
    if (!first) {
      first = target.query<R>(sql, params);
      return first as Promise<R[]>;
    }
    await first.catch(() => undefined);
    await spy.betweenStatements?.();
    return target.query<R>(sql, params);
  };
  const spy: SpyDatabase = {
    dialect: db.dialect,
    statements: [],
    snapshots: 0,
    reset() {
      spy.statements.length = 0;
      spy.snapshots = 0;
      spy.betweenStatements = undefined;
      first = undefined;
    },
    query: (sql, params) => run(db, sql, params, "direct"),
    transaction: (fn) => db.transaction(fn),
    snapshot<T>(fn: (tx: Queryable) => Promise<T>) {
      spy.snapshots++;
      return db.snapshot((tx) =>
        fn({ query: (sql, params) => run(tx, sql, params, "snapshot") }),
      );
    },
    close: () => db.close(),
  };
  return spy;
}
