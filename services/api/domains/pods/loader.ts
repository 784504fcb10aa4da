import type { Queryable } from "../../../database";
import { POD_COLUMNS } from "./columns";
import type { PodRow } from "./models";

/**
 * Loads pods by id for one operation, batching the ids asked for in the same tick into one
 * query (so `pods { items { parent { … } } }` is two queries, not 101) and caching them.
 */
export class PodLoader {
  private readonly cache = new Map<string, Promise<PodRow | null>>();
  private pending = new Map<string, { resolve: (row: PodRow | null) => void; reject: (error: unknown) => void }[]>();
  private scheduled = false;

  constructor(private readonly tx: () => Promise<Queryable>) {}

  load(id: string): Promise<PodRow | null> {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const promise = new Promise<PodRow | null>((resolve, reject) => {
      const waiting = this.pending.get(id) ?? [];
      waiting.push({ resolve, reject });
      this.pending.set(id, waiting);
    });
    this.cache.set(id, promise);
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(() => void this.flush());
    }
    return promise;
  }

  /** Rows read by other queries of the same snapshot are reused. */
  prime(row: PodRow): void {
    if (!this.cache.has(row.id)) this.cache.set(row.id, Promise.resolve(row));
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    this.scheduled = false;
    try {
      const tx = await this.tx();
      const rows = await tx.query<PodRow>(`SELECT ${POD_COLUMNS} FROM pods WHERE id = ANY($1::numeric[])`, [[...batch.keys()]]);
      const byId = new Map(rows.map((row) => [row.id, row]));
      for (const [id, waiting] of batch) for (const waiter of waiting) waiter.resolve(byId.get(id) ?? null);
    } catch (error) {
      for (const waiting of batch.values()) for (const waiter of waiting) waiter.reject(error);
    }
  }
}

/** The pod a row refers to (a version's, a licence's, a purchase's), through the operation's loader. */
export async function referencedPod(ctx: { pods: PodLoader }, id: string): Promise<PodRow> {
  const pod = await ctx.pods.load(id);
  // Rows refer to pods by foreign key within the same snapshot, so a miss is a data bug.
  if (!pod) throw new Error(`pod ${id} is referenced but not indexed`);
  return pod;
}
