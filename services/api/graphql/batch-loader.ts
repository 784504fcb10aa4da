import type { Queryable } from "../../database";

/**
 * A per-operation loader: the keys asked for in one tick are read with one statement and cached for
 * the operation, so a list of N items with a nested field costs one statement for the field, not N.
 * Domains make theirs per operation (see the runs and groups domains' loaders).
 */
export class BatchLoader<Value> {
  private readonly cache = new Map<string, Promise<Value>>();
  private pending = new Map<string, { resolve: (value: Value) => void; reject: (error: unknown) => void }[]>();
  private scheduled = false;

  constructor(
    private readonly tx: () => Promise<Queryable>,
    /** Reads the values of `keys`; a key it leaves out gets `missing`. */
    private readonly read: (tx: Queryable, keys: string[]) => Promise<Map<string, Value>>,
    private readonly missing: Value,
  ) {}

  load(key: string): Promise<Value> {
    const cached = this.cache.get(key);
    if (cached) return cached;
    const promise = new Promise<Value>((resolve, reject) => {
      const waiting = this.pending.get(key) ?? [];
      waiting.push({ resolve, reject });
      this.pending.set(key, waiting);
    });
    this.cache.set(key, promise);
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(() => void this.flush());
    }
    return promise;
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    this.scheduled = false;
    try {
      const values = await this.read(await this.tx(), [...batch.keys()]);
      for (const [key, waiting] of batch) for (const waiter of waiting) waiter.resolve(values.get(key) ?? this.missing);
    } catch (error) {
      for (const waiting of batch.values()) for (const waiter of waiting) waiter.reject(error);
    }
  }
}
