import { createYoga, type YogaServerInstance } from "graphql-yoga";
import { logger } from "../../log";
import { createOperationContext, type ApiContext, type ApiDependencies } from "../graphql/context";
import { buildApiSchema } from "../graphql/schema";
import { snapshotPlugin } from "../graphql/snapshot/plugin";
import { costLimitPlugin } from "./cost";
import { armorPlugin, nameBadArgumentsPlugin, noIntrospectionPlugin, type GuardLimits } from "./guards";
import type { ApiMetrics } from "./metrics";

const log = logger("api");

export type ApiYoga = YogaServerInstance<Record<string, unknown>, ApiContext>;

export interface ApiYogaOptions {
  deps: ApiDependencies;
  limits: GuardLimits;
  /** GraphiQL at /graphql, introspection and field suggestions. Off in production. */
  dev: boolean;
  metrics: ApiMetrics;
}

/** The GraphQL server: the schema of every domain, one context per operation, the guards. */
export function createApiYoga(options: ApiYogaOptions): ApiYoga {
  const { deps, limits, dev, metrics } = options;
  return createYoga<Record<string, unknown>, ApiContext>({
    schema: buildApiSchema(),
    graphqlEndpoint: "/graphql",
    // graphql-route.ts reads and bounds the body itself (every transfer encoding).
    maxRequestBodySize: false,
    context: () => createOperationContext(deps),
    graphiql: dev ? { title: "Lure GraphQL" } : false,
    landingPage: false,
    plugins: [
      armorPlugin(limits, dev),
      nameBadArgumentsPlugin(),
      costLimitPlugin(limits.maxCost),
      snapshotPlugin((type, failed) => metrics.operations.inc({ type, outcome: failed ? "error" : "ok" })),
      ...(dev ? [] : [noIntrospectionPlugin()]),
    ],
    logging: {
      debug: (...args) => log.debug({ args }, "yoga"),
      info: (...args) => log.info({ args }, "yoga"),
      warn: (...args) => log.warn({ args }, "yoga"),
      error: (...args) => log.error({ args }, "yoga"),
    },
  });
}
