import express, { type Express } from "express";
import type { Registry } from "prom-client";
import type { ApiIndexerStatus } from "../events";
import type { NodeHandler } from "./graphql-route";
import type { ApiMetrics } from "./metrics";
import { routeLabel } from "./metrics";
import { queryPageHtml } from "./query-page";
import { readiness } from "./readiness";
import { mountWeb, type WebDeps, type WebOptions } from "./web";

export interface OperationsAppOptions {
  /** The GraphQL route, mounted on the app too so that an app embedded elsewhere serves GraphQL. */
  graphql: NodeHandler;
  graphqlEndpoint: string;
  metrics: ApiMetrics;
  status: () => ApiIndexerStatus;
  /** The indexer's registry, rendered after the API's own on /metrics. */
  registry?: Registry;
  /** Replaces the /metrics text (an API worker asks the cluster's primary). */
  metricsText?: () => Promise<string>;
  /** The offline query page at `/query`. */
  dev: boolean;
  workerId?: number;
  /** The web app at `/` with `/app-config.json`, `/status.json` and the Swarm proxy (web.ts); `false` leaves them out. */
  web?: (WebOptions & WebDeps) | false;
}

/** The express app: /health, /ready, /metrics, the web app at `/` and, in dev, the query page at `/query`. */
export function operationsApp(options: OperationsAppOptions): Express {
  const { graphql, metrics } = options;
  const app = express();
  app.disable("x-powered-by");
  // Yoga stays mounted on the express app, so an app embedded elsewhere serves GraphQL too; the
  // server's own handler (server.ts) reaches the same route without express's per-request cost.
  app.all(options.graphqlEndpoint, (req, res) => graphql(req, res));
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
    const { code, body } = readiness(options.status());
    res.status(code).json(body);
  });
  app.get("/metrics", async (_req, res) => {
    const text = options.metricsText ? await options.metricsText() : await metrics.render(options.registry ? [options.registry] : []);
    res.type("text/plain; version=0.0.4; charset=utf-8").send(text);
  });
  if (options.dev) app.get("/query", (_req, res) => res.type("html").send(queryPageHtml()));
  if (options.web) mountWeb(app, options.web, options.web);
  return app;
}
