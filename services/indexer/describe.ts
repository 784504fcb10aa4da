import type { Logger } from "../log";
import type { Queryable } from "../database";

/** Where pod recipes are read from: the Swarm client's `downloadFile` fits. */
export interface RecipeSource {
  downloadFile(ref: string, path?: string): Promise<{ data: Uint8Array }>;
}

const MAX_DESCRIPTION = 2_000;

/**
 * Fills `pods.description` from the `description` of the pod's recipe.json on Swarm, best-effort.
 * It runs beside ingest, never inside an indexing transaction: a slow or absent Swarm node delays
 * nothing and fails nothing, a missing or malformed recipe just leaves the description empty. The
 * queue is bounded (a backfill of many pods drops the excess rather than grow without limit), and
 * the update only lands while the pod still points at the manifest that was read.
 */
export class DescriptionEnricher {
  private readonly queue = new Map<string, string>();
  private active = 0;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  dropped = 0;

  constructor(
    private readonly db: Queryable,
    private readonly source: RecipeSource,
    private readonly log: Logger,
    private readonly options: { concurrency?: number; maxQueue?: number } = {},
  ) {}

  /** Asks for the description of `podId` as published under `manifestRef`. */
  enqueue(podId: string, manifestRef: string): void {
    if (this.stopped) return;
    if (!this.queue.has(podId) && this.queue.size >= (this.options.maxQueue ?? 1_000)) {
      this.dropped++;
      return;
    }
    this.queue.set(podId, manifestRef);
    this.pump();
  }

  /** Resolves when nothing is queued or in flight (tests). */
  idle(): Promise<void> {
    if (this.queue.size === 0 && this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    this.queue.clear();
  }

  private pump(): void {
    while (!this.stopped && this.active < (this.options.concurrency ?? 2) && this.queue.size > 0) {
      const [podId, manifestRef] = this.queue.entries().next().value as [string, string];
      this.queue.delete(podId);
      this.active++;
      void this.describe(podId, manifestRef).finally(() => {
        this.active--;
        if (this.queue.size === 0 && this.active === 0) for (const wake of this.idleWaiters.splice(0)) wake();
        this.pump();
      });
    }
  }

  private async describe(podId: string, manifestRef: string): Promise<void> {
    try {
      const { data } = await this.source.downloadFile(manifestRef.replace(/^0x/, ""), "recipe.json");
      const recipe = JSON.parse(Buffer.from(data).toString("utf8")) as { description?: unknown };
      if (typeof recipe.description !== "string" || recipe.description.trim() === "") return;
      if (this.stopped) return;
      await this.db.query(`UPDATE pods SET description = $1 WHERE id = $2 AND latest_ref = $3`, [recipe.description.slice(0, MAX_DESCRIPTION), podId, manifestRef]);
    } catch (error) {
      this.log.debug({ podId, manifestRef, error: (error as Error).message }, "no description from Swarm");
    }
  }
}
