/**
 * The app's GraphQL client: queries over POST /graphql, and subscriptions over SSE (POST with
 * `Accept: text/event-stream`, yoga's distinct-connections mode). Variables always travel as
 * variables, so the API parses and validates each document once (docs/graphql.md).
 */
import { appConfig } from "./app-config";

class GraphQLError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = "GraphQLError";
  }
}

interface GraphQLBody<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

function firstError<T>(body: GraphQLBody<T>): GraphQLError | undefined {
  const error = body.errors?.[0];
  return error ? new GraphQLError(error.message, error.extensions?.code) : undefined;
}

/** Runs a query; `T` is the shape of `data` the document selects (picked from graphql/generated/client.ts). */
export async function gql<T>(query: string, variables: Record<string, unknown> = {}, signal?: AbortSignal): Promise<T> {
  const { graphqlUrl } = await appConfig();
  const response = await fetch(graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json" },
    body: JSON.stringify({ query, variables }),
    signal,
  });
  let body: GraphQLBody<T>;
  try {
    body = (await response.json()) as GraphQLBody<T>;
  } catch {
    throw new GraphQLError(`the API answered HTTP ${response.status} without JSON`);
  }
  const error = firstError(body);
  if (error) throw error;
  if (!body.data) throw new GraphQLError(`the API answered HTTP ${response.status} without data`);
  return body.data;
}

export interface Subscription {
  close(): void;
}

/**
 * Subscribes with SSE; `onData` gets each event's `data`. A dropped stream is reopened after a
 * growing pause (1 s to 15 s), and `onOpen` runs on every (re)connection, so a page can reload what it
 * may have missed while disconnected.
 */
export function subscribe<T>(query: string, variables: Record<string, unknown>, onData: (data: T) => void, onOpen?: () => void): Subscription {
  let closed = false;
  let controller: AbortController | undefined;
  let pause = 1000;

  const connect = async (): Promise<void> => {
    const { graphqlUrl } = await appConfig();
    controller = new AbortController();
    const response = await fetch(graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ query, variables }),
      signal: controller.signal,
    });
    if (!response.ok || !response.body) throw new GraphQLError(`subscription refused: HTTP ${response.status}`);
    pause = 1000;
    onOpen?.();
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let boundary: number;
      while ((boundary = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        const event = /^event: ?(.*)$/m.exec(block)?.[1];
        const data = block
          .split("\n")
          .filter((line) => line.startsWith("data:"))
          .map((line) => line.slice(5).trimStart())
          .join("\n");
        if (event === "complete") return;
        if (event === "next" && data) {
          const body = JSON.parse(data) as GraphQLBody<T>;
          if (body.data) onData(body.data);
        }
      }
    }
  };

  const loop = async (): Promise<void> => {
    while (!closed) {
      try {
        await connect();
      } catch {
        // dropped or refused: try again below
      }
      if (closed) return;
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, 15_000);
    }
  };
  void loop();
  return {
    close() {
      closed = true;
      controller?.abort();
    },
  };
}
