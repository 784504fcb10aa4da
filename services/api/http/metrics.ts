import { Counter, Histogram, Registry } from "prom-client";

/** The API's own request metrics, on a registry per server (no global state between servers or tests). */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: "lure_api_http_requests_total",
    help: "HTTP requests served by the API, by route and status code",
    labelNames: ["method", "route", "status"] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: "lure_api_http_request_duration_seconds",
    help: "HTTP request latency of the API, by route",
    labelNames: ["route"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly operations = new Counter({
    name: "lure_api_graphql_operations_total",
    help: "GraphQL operations executed, by type and outcome",
    labelNames: ["type", "outcome"] as const,
    registers: [this.registry],
  });

  /** Prometheus text of this registry followed by the others' (e.g. the indexer's). */
  async render(others: readonly Registry[]): Promise<string> {
    const parts = await Promise.all([this.registry, ...others].map((registry) => registry.metrics()));
    return parts.map((part) => part.trimEnd()).filter(Boolean).join("\n") + "\n";
  }
}

/** Known routes only, so label cardinality stays bounded whatever URLs clients send. */
export function routeLabel(path: string): string {
  if (path === "/graphql" || path.startsWith("/graphql?")) return "/graphql";
  if (["/", "/health", "/ready", "/metrics"].includes(path)) return path;
  return "other";
}
