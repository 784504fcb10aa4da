import type { Database, Queryable } from "../../../database";

/**
 * One database snapshot per GraphQL operation, opened on the first read and released when the
 * operation's result is ready. Every resolver of the operation (and `_meta`) reads through it,
 * so an answer is consistent with exactly one indexed block even while the indexer commits.
 */
export class OperationSnapshot {
  private opened?: Promise<Queryable>;
  private finished?: Promise<unknown>;
  private releaseTx?: () => void;
  private timer?: NodeJS.Timeout;
  private released = false;
  private oneStatement = false;

  constructor(
    private readonly db: Database,
    /** Upper bound on how long an operation may hold its snapshot (PGlite has one connection). */
    private readonly maxHoldMs = 30_000,
  ) {}

  /**
   * Declares, before the first read, that the operation issues at most one SQL statement (see
   * statements.ts beside this file): that statement is its own snapshot, so no transaction is opened.
   * A second statement would read another state than the first, so it fails instead.
   */
  readWithoutTransaction(): void {
    if (this.opened) throw new Error("readWithoutTransaction() must be called before the first read");
    this.oneStatement = true;
  }

  /** The snapshot's transaction, opened on first use. */
  get(): Promise<Queryable> {
    if (!this.opened && this.oneStatement) this.opened = Promise.resolve(this.singleStatement());
    if (!this.opened) {
      this.opened = new Promise<Queryable>((resolveTx, rejectTx) => {
        this.finished = this.db
          .snapshot(
            (tx) =>
              new Promise<void>((release) => {
                this.releaseTx = () => {
                  this.released = true;
                  release();
                };
                this.timer = setTimeout(this.releaseTx, this.maxHoldMs);
                this.timer.unref();
                resolveTx({
                  query: (sql, params) => {
                    // After release the connection may serve another operation: never touch it again.
                    if (this.released) return Promise.reject(new Error(`the operation's snapshot was released (held over ${this.maxHoldMs} ms)`));
                    return tx.query(sql, params);
                  },
                });
              }),
          )
          .catch(rejectTx);
      });
    }
    return this.opened;
  }

  private singleStatement(): Queryable {
    let used = false;
    return {
      query: (sql, params) => {
        if (used) {
          return Promise.reject(new Error("an operation counted as one SQL statement issued a second one: fix its count in its domain's statements.ts (services/api/domains/)"));
        }
        used = true;
        return this.db.query(sql, params);
      },
    };
  }

  /** Ends the read-only transaction (a no-op when it was never opened). Safe to call twice. */
  async release(): Promise<void> {
    if (!this.opened || this.oneStatement) return;
    // The transaction may still be starting: wait until it is ours, then let it commit.
    await this.opened.catch(() => undefined);
    if (this.timer) clearTimeout(this.timer);
    this.releaseTx?.();
    await this.finished;
  }
}
