import type { LureConfig } from "../../services/config";
import type { Shutdown } from "../../services/process/shutdown";

/**
 * The indexer and the GraphQL API over its database, as `npm start` and `npm run indexer` run
 * them. With API_WORKERS > 1 (PostgreSQL only, checked by the config) the API runs in worker
 * processes fed by this process's indexer.
 */
export async function startIndexerAndApi(config: LureConfig, shutdown: Shutdown, options: { dev: boolean }): Promise<{ url: string }> {
  const { startIndexer, indexerMetrics } = await import("../../services/indexer");
  const { createApiServer } = await import("../../services/api/http/server");
  const indexer = await startIndexer({ config });
  shutdown.add("indexer", () => indexer.stop());
  const shared = { events: indexer.events, status: () => indexer.status(), registry: indexerMetrics.registry };
  const server =
    config.API_WORKERS > 1 && config.DATABASE_URL
      ? await (await import("../../services/api/http/cluster/primary")).startApiCluster({
          workers: config.API_WORKERS,
          settings: { databaseUrl: config.DATABASE_URL, host: config.GRAPHQL_HOST, port: config.GRAPHQL_PORT, dev: options.dev },
          ...shared,
        })
      : await createApiServer({ db: indexer.db, ...shared, dev: options.dev }).listen(config.GRAPHQL_HOST, config.GRAPHQL_PORT);
  shutdown.add("graphql", () => server.close());
  return { url: `http://${config.GRAPHQL_HOST}:${config.GRAPHQL_PORT}` };
}
