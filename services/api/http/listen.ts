import type { AddressInfo } from "node:net";
import { createServer, type Server } from "node:http";
import { logger } from "../../log";
import type { NodeHandler } from "./graphql-route";

const log = logger("api");

export interface RunningApi {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves `handler` on host:port (0 = any free port); resolves once accepting connections. */
export function listenOn(handler: NodeHandler, host: string, port: number): Promise<RunningApi> {
  return new Promise<RunningApi>((resolve, reject) => {
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
  });
}
