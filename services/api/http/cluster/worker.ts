import cluster from "node:cluster";
import { EventEmitter } from "node:events";
import { openDatabase } from "../../../database";
import { logger } from "../../../log";
import type { ApiIndexerStatus } from "../../events";
import { createApiServer } from "../server";
import { isToWorker, WORKER_SETTINGS_ENV, type FromWorker, type WorkerSettings } from "./messages";

const log = logger("api-worker");

/** Until the primary's first status arrives (it follows the hello at once), the API is not ready. */
const UNKNOWN_STATUS: ApiIndexerStatus = { chainId: 0, headBlock: 0, indexedBlock: null, backfilling: true, hasIndexingErrors: false };

/** Asks the primary for the whole cluster's metrics (its indexer's and every worker's API metrics). */
function metricsFromPrimary(send: (message: FromWorker) => void, pending: Map<number, (text: string) => void>): () => Promise<string> {
  let next = 0;
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error("the primary did not answer a metrics request within 5 s"));
      }, 5000);
      pending.set(id, (text) => {
        clearTimeout(timer);
        resolve(text);
      });
      send({ type: "lure:metrics-wanted", id });
    });
}

/**
 * One API worker: its own connection pool, the real API server, indexer events and status fed
 * by the primary over IPC. It serves until the primary says shutdown or the channel closes.
 */
export async function runApiWorker(settings: WorkerSettings): Promise<void> {
  const send = (message: FromWorker) => {
    if (process.connected) process.send!(message);
  };
  const events = new EventEmitter();
  // One listener per open subscription: many clients are normal, not a leak.
  events.setMaxListeners(0);
  let status = UNKNOWN_STATUS;
  const pendingMetrics = new Map<number, (text: string) => void>();
  const db = await openDatabase({ databaseUrl: settings.databaseUrl, schema: settings.schema });
  const api = createApiServer({
    db,
    events,
    status: () => status,
    dev: settings.dev,
    limits: settings.limits,
    metricsText: metricsFromPrimary(send, pendingMetrics),
    workerId: cluster.worker?.id,
  });

  // Assigned once listening, but `stop` may run before that (a shutdown during start-up): not a const.
  // eslint-disable-next-line prefer-const
  let running: Awaited<ReturnType<typeof api.listen>> | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await running?.close().catch(() => undefined);
    await db.close().catch(() => undefined);
    process.exit(code);
  };

  process.on("message", (message: unknown) => {
    if (!isToWorker(message)) return;
    switch (message.type) {
      case "lure:event":
        events.emit(message.event, message.payload);
        break;
      case "lure:status":
        status = message.status;
        break;
      case "lure:metrics":
        pendingMetrics.get(message.id)?.(message.text);
        pendingMetrics.delete(message.id);
        break;
      case "lure:metrics-request":
        void api.metrics.registry.getMetricsAsJSON().then((metrics) => send({ type: "lure:metrics-json", id: message.id, metrics }));
        break;
      case "lure:cpu-request": {
        const usage = process.cpuUsage();
        send({ type: "lure:cpu", id: message.id, micros: usage.user + usage.system });
        break;
      }
      case "lure:shutdown":
        void stop(0);
        break;
    }
  });
  // The primary is gone (crashed or killed): nobody feeds events or status any more.
  process.on("disconnect", () => void stop(0));
  // Ctrl-C reaches the whole process group: the primary orders the shutdown (workers first).
  process.on("SIGINT", () => undefined);
  send({ type: "lure:hello" });

  running = await api.listen(settings.host, settings.port);
  send({ type: "lure:listening", port: running.port });
  log.debug({ pid: process.pid, port: running.port }, "API worker listening");
}

if (require.main === module) {
  const raw = process.env[WORKER_SETTINGS_ENV];
  if (!raw) {
    console.error(`${WORKER_SETTINGS_ENV} is not set: this file is started by services/api/http/cluster/primary.ts`);
    process.exit(2);
  }
  runApiWorker(JSON.parse(raw) as WorkerSettings).catch((error: unknown) => {
    log.error({ err: error }, "API worker failed to start");
    process.exit(1);
  });
}
