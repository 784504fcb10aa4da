import { graphQLResponse, type GraphQLResponse } from "./client";

/** A minimal GraphQL-over-SSE client (yoga's "distinct connections" mode) for tests. */
export interface SseSubscription {
  /** The next `next` payload, or throws after `timeoutMs`. `T` is the shape of `data` the subscription asks for. */
  next<T = Record<string, unknown>>(timeoutMs?: number): Promise<GraphQLResponse<T>>;
  close(): void;
  /** The API worker that holds the stream (x-lure-api-worker), when the API runs in a cluster. */
  worker: string | null;
}

export async function subscribe(url: string, query: string, variables?: Record<string, unknown>): Promise<SseSubscription> {
  const abort = new AbortController();
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream" },
    body: JSON.stringify({ query, variables }),
    signal: abort.signal,
  });
  if (!response.ok || !response.body) throw new Error(`subscription failed: HTTP ${response.status} ${await response.text()}`);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const messages: unknown[] = [];
  const waiters: (() => void)[] = [];
  let buffer = "";
  let ended = false;

  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let boundary: number;
        while ((boundary = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, boundary);
          buffer = buffer.slice(boundary + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = block
            .split("\n")
            .filter((line) => line.startsWith("data:"))
            .map((line) => line.slice(5).trimStart())
            .join("\n");
          if (event === "next" && data) messages.push(JSON.parse(data) as unknown);
          if (event === "complete") ended = true;
          waiters.splice(0).forEach((wake) => wake());
        }
      }
    } catch {
      // aborted by close()
    } finally {
      ended = true;
      waiters.splice(0).forEach((wake) => wake());
    }
  })();

  return {
    async next<T>(timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length === 0) {
        if (ended) throw new Error("subscription ended");
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no subscription message within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return graphQLResponse<T>(messages.shift());
    },
    close() {
      abort.abort();
    },
    worker: response.headers.get("x-lure-api-worker"),
  };
}
