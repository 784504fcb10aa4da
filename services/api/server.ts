import type { AddressInfo } from "node:net";
import { createServer, type Server } from "node:http";
import express, { type Express } from "express";
import { NoSchemaIntrospectionCustomRule, type DocumentNode, type OperationDefinitionNode } from "graphql";
import { createYoga, type Plugin, type YogaServerInstance } from "graphql-yoga";
import type { Registry } from "prom-client";
import type { Database } from "../database";
import { logger } from "../log";
import { createOperationContext, type ApiContext } from "./context";
import type { ApiEventSource, ApiIndexerStatus } from "./events";
import { costLimitPlugin } from "./cost";
import { explorerHtml } from "./explorer";
import { graphqlRoute, isGraphqlPath, type NodeHandler } from "./graphql-route";
import { armorPlugin, DEFAULT_LIMITS, nameBadArgumentsPlugin, type GuardLimits } from "./guards";
import { ApiMetrics, routeLabel } from "./metrics";
import { buildApiSchema } from "./schema";
import { statementsOf } from "./statements";

const log = logger("api");

export interface ApiServerOptions {
  db: Database;
  events: ApiEventSource;
  status: () => ApiIndexerStatus;
  /** The indexer's metrics registry, served on /metrics next to the API's own. */
  registry?: Registry;
  /** GraphiQL at / and /graphql, introspection and field suggestions. Off in production. */
  dev: boolean;
  limits?: Partial<GuardLimits>;
  /** Replaces this server's own /metrics text (an API worker asks the cluster's primary). */
  metricsText?: () => Promise<string>;
  /** Set in an API worker: sent as `x-lure-api-worker` so a client (or test) can tell who answered. */
  workerId?: number;
}

export interface RunningApi {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface ApiServer {
  /** Everything but the GraphQL endpoint: /health, /ready, /metrics and the dev page. */
  app: Express;
  /** The whole API as a Node request handler: /graphql goes straight to yoga, the rest to `app`. */
  handler: NodeHandler;
  yoga: YogaServerInstance<Record<string, unknown>, ApiContext>;
  metrics: ApiMetrics;
  /** Listens on host:port (0 = any free port) and resolves once accepting connections. */
  listen(host: string, port: number): Promise<RunningApi>;
}

/**
 * Reads an operation of at most one SQL statement without a transaction, releases the snapshot of
 * the others as soon as their result is ready, and counts operations.
 */
function snapshotPlugin(metrics: ApiMetrics): Plugin<ApiContext> {
  // Yoga caches parsed documents, so the same query text reuses its count.
  const oneStatement = new WeakMap<DocumentNode, Map<string, boolean>>();
  return {
    onExecute({ args }) {
      const operation = args.document.definitions.find((d: { kind: string }): d is OperationDefinitionNode => d.kind === "OperationDefinition");
      const byName = oneStatement.get(args.document) ?? new Map<string, boolean>();
      oneStatement.set(args.document, byName);
      const name = args.operationName ?? "";
      let single = byName.get(name);
      if (single === undefined) {
        single = statementsOf(args.schema, args.document, args.operationName) <= 1;
        byName.set(name, single);
      }
      if (single) args.contextValue.snapshot.readWithoutTransaction();
      return {
        onExecuteDone({ result }) {
          const failed = "errors" in result && Array.isArray(result.errors) && result.errors.length > 0;
          metrics.operations.inc({ type: operation?.operation ?? "unknown", outcome: failed ? "error" : "ok" });
          // The answer is complete: send it without waiting for the read-only COMMIT round trip.
          args.contextValue.snapshot.release().catch((error: unknown) => log.warn({ err: error }, "closing a read snapshot failed"));
        },
      };
    },
  };
}

function noIntrospectionPlugin(): Plugin {
  return { onValidate: ({ addValidationRule }) => addValidationRule(NoSchemaIntrospectionCustomRule) };
}

export function createApiServer(options: ApiServerOptions): ApiServer {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const metrics = new ApiMetrics();
  const deps = { db: options.db, events: options.events, status: options.status };

  const yoga = createYoga<Record<string, unknown>, ApiContext>({
    schema: buildApiSchema(),
    graphqlEndpoint: "/graphql",
    // graphql-route.ts reads and bounds the body itself (every transfer encoding).
    maxRequestBodySize: false,
    context: () => createOperationContext(deps),
    graphiql: options.dev ? { title: "Lure GraphQL" } : false,
    landingPage: false,
    plugins: [armorPlugin(limits, options.dev), nameBadArgumentsPlugin(), costLimitPlugin(limits.maxCost), snapshotPlugin(metrics), ...(options.dev ? [] : [noIntrospectionPlugin()])],
    logging: {
      debug: (...args) => log.debug({ args }, "yoga"),
      info: (...args) => log.info({ args }, "yoga"),
      warn: (...args) => log.warn({ args }, "yoga"),
      error: (...args) => log.error({ args }, "yoga"),
    },
  });

  const graphql = graphqlRoute(yoga, metrics, options.workerId);
  const app = express();
  app.disable("x-powered-by");
  // Yoga stays mounted on the express app, so an app embedded elsewhere serves GraphQL too; the
  // server's own handler below reaches the same route without express's per-request cost.
  app.all(yoga.graphqlEndpoint, (req, res) => graphql(req, res));
  if (options.workerId !== undefined) {
    const worker = String(options.workerId);
    app.use((_req, res, next) => {
      res.setHeader("x-lure-api-worker", worker);
      next();
    });
  }
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on("finish", () => {
      const route = routeLabel(req.path);
      metrics.requests.inc({ method: req.method, route, status: String(res.statusCode) });
      metrics.duration.observe({ route }, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  });

  app.get("/health", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/ready", (_req, res) => {
    const status = options.status();
    const lag = status.indexedBlock ? Math.max(0, status.headBlock - status.indexedBlock.number) : null;
    const body = {
      chainId: status.chainId,
      headBlock: status.headBlock,
      indexedBlock: status.indexedBlock?.number ?? null,
      lag,
      backfilling: status.backfilling,
      hasIndexingErrors: status.hasIndexingErrors,
    };
    if (!status.indexedBlock) res.status(503).json({ ready: false, reason: "no block indexed yet", ...body });
    else if (status.backfilling) res.status(503).json({ ready: false, reason: "backfilling", ...body });
    else res.status(200).json({ ready: true, ...body });
  });
  app.get("/metrics", async (_req, res) => {
    const text = options.metricsText ? await options.metricsText() : await metrics.render(options.registry ? [options.registry] : []);
    res.type("text/plain; version=0.0.4; charset=utf-8").send(text);
  });
  if (options.dev) app.get("/", (_req, res) => res.type("html").send(explorerHtml()));
  const handler: NodeHandler = (req, res) => (isGraphqlPath(req.url, yoga.graphqlEndpoint) ? graphql(req, res) : app(req, res));

  return {
    app,
    handler,
    yoga,
    metrics,
    listen: (host, port) =>
      new Promise<RunningApi>((resolve, reject) => {
        const server: Server = createServer(handler);
        server.once("error", reject);
        server.listen(port, host, () => {
          const address = server.address() as AddressInfo;
          const url = `http://${host.includes(":") ? `[${host}]` : host}:${address.port}`;
          log.debug({ url: `${url}/graphql` }, "GraphQL API listening");
          resolve({
            url,
            port: address.port,
            close: () =>
              new Promise<void>((done) => {
                // Subscriptions keep connections open; close them so shutdown is immediate.
                server.close(() => done());
                server.closeAllConnections();
              }),
          });
        });
      }),
  };
}
