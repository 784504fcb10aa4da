import type { Queryable } from "../database";
import type { Logger } from "../log";

/**
 * The planner's statistics of the data tables, kept current by the indexer.
 *
 * Why: nothing else does. PGlite has no autovacuum, and many servers run with it off; a table that
 * was never analysed has no column statistics, so the planner guesses selectivities and, for a
 * filtered and sorted page of 100, scans and sorts every row instead of walking an index (30 req/s
 * on PGlite and 106 on PostgreSQL over 100k pods, against 843 and 663 after ANALYZE: issue 12 §7).
 *
 * When: once over every data table after the backfill's index rebuild (before status() stops
 * saying backfilling, hence before /ready), then, as the tail grows, a table is analysed again when
 * the rows written to it since its last ANALYZE exceed ANALYZE_MIN_ROWS + ANALYZE_FRACTION of the
 * rows it had then: autovacuum's own rule (50 + 10%), with a larger floor so that a busy tail of a
 * small table is not analysed every few blocks. The rows written are counted from what the indexer
 * commits (no query), and the check runs after a commit, never as part of one.
 */

/** Rows written to a table since its last ANALYZE that always make it due, whatever its size. */
export const ANALYZE_MIN_ROWS = 1_000;
/** Share of a table's rows (at its last ANALYZE) written since that make it due. */
export const ANALYZE_FRACTION = 0.1;

/**
 * ANALYZE statements in flight at once. After a backfill the indexer waits for them before /ready
 * with the node idle: on PostgreSQL one connection left a core idle for the 0.5-0.6 s they took
 * over bench:indexer's 100k events (25 tables).
 */
export const ANALYZE_CONNECTIONS = 3;

const TABLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

interface TableState {
  /** Rows of the table at its last ANALYZE (pg_class.reltuples); 0 when never analysed. */
  rows: number;
  /** Rows written (created or updated) since. */
  written: number;
  /** Whether the table has statistics at all. */
  analysed: boolean;
}

export class PlannerStatistics {
  private readonly tables = new Map<string, TableState>();

  constructor(tableNames: readonly string[]) {
    for (const name of tableNames) {
      if (!TABLE_NAME.test(name)) throw new Error(`not a table name: ${JSON.stringify(name)}`);
      this.tables.set(name, { rows: 0, written: 0, analysed: false });
    }
  }

  /** Reads which tables have statistics and how many rows they had at their last ANALYZE. */
  async load(db: Queryable): Promise<void> {
    const rows = await db.query<{ name: string; reltuples: number | string | null; analysed: boolean }>(
      // pg_stats, not pg_statistic: the view is readable by the tables' owner, the catalog by superusers only.
      `SELECT name, c.reltuples,
              EXISTS (SELECT 1 FROM pg_stats s JOIN pg_namespace n ON n.nspname = s.schemaname WHERE n.oid = c.relnamespace AND s.tablename = c.relname) AS analysed
         FROM unnest($1::text[]) AS name LEFT JOIN pg_class c ON c.oid = to_regclass(name)`,
      [[...this.tables.keys()]],
    );
    for (const row of rows) {
      const state = this.tables.get(row.name);
      if (!state) continue;
      state.analysed = row.analysed === true;
      state.rows = state.analysed ? Math.max(0, Number(row.reltuples ?? 0)) : 0;
      state.written = 0;
    }
  }

  /** Counts rows the indexer committed to `table`. */
  written(table: string, rows: number): void {
    const state = this.tables.get(table);
    if (state) state.written += rows;
  }

  /**
   * The tables due for an ANALYZE: written to beyond the threshold, or (`unanalysed`) holding rows
   * written while they have no statistics at all.
   */
  due(options: { unanalysed?: boolean } = {}): string[] {
    const due: string[] = [];
    for (const [name, state] of this.tables) {
      if (state.written > ANALYZE_MIN_ROWS + ANALYZE_FRACTION * state.rows) due.push(name);
      else if (options.unanalysed && !state.analysed && state.written > 0) due.push(name);
    }
    return due;
  }

  /** ANALYZEs `tables` (default every table), then takes their new row counts as the baseline. */
  async analyze(db: Queryable, log: Logger, tables: readonly string[] = [...this.tables.keys()]): Promise<void> {
    const names = tables.filter((name) => this.tables.has(name));
    if (names.length === 0) return;
    const started = Date.now();
    // Outside any transaction of the indexer's: ANALYZE only takes a lock that lets reads and
    // writes through. One table per statement, the most written first, over ANALYZE_CONNECTIONS
    // statements at a time: PostgreSQL's pool runs them on as many connections (each is CPU-bound
    // in its server process), PGlite runs them one after another.
    const queue = [...names].sort((a, b) => this.tables.get(b)!.written - this.tables.get(a)!.written);
    const analyseNext = async (): Promise<void> => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) await db.query(`ANALYZE ${name}`);
    };
    await Promise.all(Array.from({ length: Math.min(ANALYZE_CONNECTIONS, queue.length) }, analyseNext));
    const rows = await db.query<{ name: string; reltuples: number | string | null }>(
      `SELECT name, c.reltuples FROM unnest($1::text[]) AS name LEFT JOIN pg_class c ON c.oid = to_regclass(name)`,
      [names],
    );
    for (const row of rows) {
      const state = this.tables.get(row.name)!;
      state.rows = Math.max(0, Number(row.reltuples ?? 0));
      state.written = 0;
      state.analysed = true;
    }
    log.info({ tables: names.length, seconds: (Date.now() - started) / 1000 }, "planner statistics updated (ANALYZE)");
  }
}
