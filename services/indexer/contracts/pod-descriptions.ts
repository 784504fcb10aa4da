import type { Queryable } from "../../database";
import type { Logger } from "../../log";
import type { IndexerEventMap } from "../events";
import type { ContentSource, ModuleContext, StopModule } from "./module";

const MAX_DESCRIPTION = 2_000;

/**
 * PodRegistry's start hook: every published pod (`podPublished`, after its commit) gets its
 * description from its recipe on Swarm. Nothing to do without Swarm (`startIndexer({ swarm: false })`).
 */
export function startPodDescriptions({ db, events, swarm, log }: ModuleContext): StopModule | undefined {
  if (!swarm) return undefined;
  const enricher = new DescriptionEnricher(db, swarm, log);
  const onPublished = (pod: IndexerEventMap["podPublished"]) => enricher.enqueue(pod.podId, pod.manifestRef);
  events.on("podPublished", onPublished);
  return () => {
    events.off("podPublished", onPublished);
    enricher.stop();
    return Promise.resolve();
  };
}

/**
 * Fills `pods.description` from the `description` of the pod's recipe.json on Swarm, best-effort.
 * It runs beside ingest, never inside an indexing transaction: a slow or absent Swarm node delays
 * nothing and fails nothing, a missing or malformed recipe just leaves the description empty. The
 * queue is bounded (a backfill of many pods drops the excess rather than grow without limit), and
 * the update only lands while the pod still points at the manifest that was read.
 */
class DescriptionEnricher {
  private readonly queue = new Map<string, string>();
  private active = 0;
  private stopped = false;
  dropped = 0;

  constructor(
    private readonly db: Queryable,
    private readonly source: ContentSource,
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
        this.pump();
      });
    }
  }

  private async describe(podId: string, manifestRef: string): Promise<void> {
    try {
      const { data } = await this.source.downloadFile(manifestRef.replace(/^0x/, ""), "recipe.json");
      const recipe: unknown = JSON.parse(Buffer.from(data).toString("utf8"));
      const description = typeof recipe === "object" && recipe !== null && "description" in recipe ? recipe.description : undefined;
      if (typeof description !== "string" || description.trim() === "") return;
      if (this.stopped) return;
      await this.db.query(`UPDATE pods SET description = $1 WHERE id = $2 AND latest_ref = $3`, [description.slice(0, MAX_DESCRIPTION), podId, manifestRef]);
    } catch (error) {
      this.log.debug({ podId, manifestRef, error: (error as Error).message }, "no description from Swarm");
    }
  }
}
