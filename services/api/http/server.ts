import type { Express } from "express";
import type { Registry } from "prom-client";
import type { Database } from "../../database";
import type { ApiEventSource, ApiIndexerStatus } from "../events";
import { operationsApp } from "./app";
import { graphqlRoute, isGraphqlPath, type NodeHandler } from "./graphql-route";
import { DEFAULT_LIMITS, type GuardLimits } from "./guards";
import { listenOn, type RunningApi } from "./listen";
import { ApiMetrics } from "./metrics";
import type { WebOptions } from "./web";
import { createApiYoga, type ApiYoga } from "./yoga";

export type { RunningApi } from "./listen";

export interface ApiServerOptions {
  db: Database;
  events: ApiEventSource;
  status: () => ApiIndexerStatus;
  /** The indexer's metrics registry, served on /metrics next to the API's own. */
  registry?: Registry;
  /** GraphiQL at /graphql, the query page at /query, introspection and field suggestions. Off in production. */
  dev: boolean;
  limits?: Partial<GuardLimits>;
  /** Replaces this server's own /metrics text (an API worker asks the cluster's primary). */
  metricsText?: () => Promise<string>;
  /** Set in an API worker: sent as `x-lure-api-worker` so a client (or test) can tell who answered. */
  workerId?: number;
  /** The web app and its endpoints (web.ts); on by default, `false` leaves them out. */
  web?: WebOptions | false;
}

export interface ApiServer {
  /** Everything but the GraphQL endpoint: /health, /ready, /metrics, the web app and the dev page. */
  app: Express;
  /** The whole API as a Node request handler: /graphql goes straight to yoga, the rest to `app`. */
  handler: NodeHandler;
  yoga: ApiYoga;
  metrics: ApiMetrics;
  /** Listens on host:port (0 = any free port) and resolves once accepting connections. */
  listen(host: string, port: number): Promise<RunningApi>;
}

/** The API of one process: the GraphQL server behind its fast route, and the express app beside it. */
export function createApiServer(options: ApiServerOptions): ApiServer {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const metrics = new ApiMetrics();
  const deps = { db: options.db, events: options.events, status: options.status };
  const yoga = createApiYoga({ deps, limits, dev: options.dev, metrics });
  const graphql = graphqlRoute(yoga, metrics, options.workerId);
  const app = operationsApp({
    graphql,
    graphqlEndpoint: yoga.graphqlEndpoint,
    metrics,
    status: options.status,
    registry: options.registry,
    metricsText: options.metricsText,
    dev: options.dev,
    workerId: options.workerId,
    web: options.web === false ? false : { ...options.web, db: options.db, status: options.status },
  });
  const handler: NodeHandler = (req, res) => {
    if (isGraphqlPath(req.url, yoga.graphqlEndpoint)) graphql(req, res);
    else app(req, res);
  };
  return { app, handler, yoga, metrics, listen: (host, port) => listenOn(handler, host, port) };
}
