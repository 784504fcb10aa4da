import { EventEmitter } from "node:events";
import type { Database } from "../../../services/database";
import type { ApiIndexerStatus } from "../../../services/api/events";
import { createApiServer, type ApiServerOptions, type RunningApi } from "../../../services/api/http/server";

export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/**
 * A parsed GraphQL response body, checked to be an object whose `errors`, when present, is a list.
 * `data` is typed as `T`, the shape the caller's query asks for: the test's assertions check it.
 */
export function graphQLResponse<T = Record<string, unknown>>(body: unknown): GraphQLResponse<T> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new Error(`not a GraphQL response: ${JSON.stringify(body)}`);
  if ("errors" in body && body.errors !== undefined && !Array.isArray(body.errors)) throw new Error(`GraphQL errors that are not a list: ${JSON.stringify(body)}`);
  const response: GraphQLResponse<unknown> = body;
  return response as GraphQLResponse<T>;
}

/** A page of a list field, as the API answers `{ items { ... } totalCount pageInfo { ... } }` (whichever the query selects). */
export interface Page<T> {
  items: T[];
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export interface TestApi {
  running: RunningApi;
  events: EventEmitter;
  status: ApiIndexerStatus;
  /** `T` is the shape of `data` the query asks for. */
  query<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  /** Like query, but fails the test on GraphQL errors. */
  data<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

/** Starts the real API (express + yoga) on an ephemeral port of 127.0.0.1 over `db`. */
export async function startTestApi(db: Database, overrides: Partial<ApiServerOptions> = {}): Promise<TestApi> {
  const events = new EventEmitter();
  const status: ApiIndexerStatus = {
    chainId: 31337,
    headBlock: 100,
    indexedBlock: { number: 100, hash: `0x${"ab".repeat(32)}`, timestamp: 1_700_000_100 },
    backfilling: false,
    hasIndexingErrors: false,
  };
  const server = createApiServer({ db, events, status: () => status, dev: true, ...overrides });
  const running = await server.listen("127.0.0.1", 0);
  const query = async <T>(text: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>> => {
    const response = await fetch(`${running.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json" },
      body: JSON.stringify({ query: text, variables }),
    });
    return graphQLResponse<T>(await response.json());
  };
  return {
    running,
    events,
    status,
    query,
    async data<T>(text: string, variables?: Record<string, unknown>) {
      const result = await query<T>(text, variables);
      if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
      return result.data as T;
    },
    close: () => running.close(),
  };
}
