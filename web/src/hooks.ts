import { useEffect, useState } from "preact/hooks";

export type Loaded<T> = { state: "loading" } | { state: "error"; error: Error } | { state: "ready"; value: T };

/**
 * Runs `load` whenever `deps` change; the latest answer wins (an earlier, slower one is dropped).
 * `reload()` runs it again without showing "loading" (live pages refresh in place).
 */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): [Loaded<T>, () => void] {
  const [result, setResult] = useState<Loaded<T>>({ state: "loading" });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    load(controller.signal).then(
      (value) => {
        if (!controller.signal.aborted) setResult({ state: "ready", value });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setResult({ state: "error", error: error instanceof Error ? error : new Error(String(error)) });
      },
    );
    return () => controller.abort();
  }, [...deps, tick]); // the caller names the dependencies
  return [result, () => setTick((n) => n + 1)];
}
