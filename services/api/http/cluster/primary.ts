import cluster, { type Worker } from "node:cluster";
import { AggregatorRegistry, type Registry } from "prom-client";
import { logger } from "../../../log";
import type { ApiEventMap, ApiEventSource, ApiIndexerStatus } from "../../events";
import { SUBSCRIBED_EVENTS } from "../../subscriptions";
import type { RunningApi } from "../server";
import { isFromWorker, toWire, WORKER_SETTINGS_ENV, type FromWorker, type ToWorker, type WorkerSettings } from "./messages";

const log = logger("api-cluster");

/** How often the primary looks for a status change to push (head and lag move between blocks too). */
const STATUS_PUSH_MS = 200;
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 5_000;
const REPLY_TIMEOUT_MS = 2_000;
const MAX_RESTART_DELAY_MS = 30_000;

export interface ApiClusterOptions {
  /** Number of API processes; each opens its own connection pool to `settings.databaseUrl`. */
  workers: number;
  settings: WorkerSettings;
  /** The indexer's events: forwarded to every worker, in order, as they are emitted (after commit). */
  events: ApiEventSource;
  status: () => ApiIndexerStatus;
  /** The indexer's metrics, served on every worker's /metrics with the workers' summed API metrics. */
  registry?: Registry;
}

export interface RunningApiCluster extends RunningApi {
  /** Process ids of the workers alive now. */
  workerPids(): number[];
  /** CPU time (µs) used so far by this process and every live worker: benchmarks divide it by requests. */
  cpuMicros(): Promise<number>;
}

/** The worker's entry: the same file type as this one (TypeScript under ts-node, JavaScript when built). */
function workerEntry(): { exec: string; execArgv: string[] } {
  const exec = require.resolve("./worker");
  const execArgv = [...process.execArgv];
  // `ts-node script.ts` registers itself without leaving a flag behind: the worker needs it explicitly.
  if (exec.endsWith(".ts") && !execArgv.some((arg) => arg.includes("ts-node"))) execArgv.push("-r", "ts-node/register/transpile-only");
  return { exec, execArgv };
}

interface Member {
  worker: Worker;
  /** Its listeners are in place: it gets status and events from now on. */
  greeted: boolean;
  listening: boolean;
  startedAt: number;
}

/**
 * Runs the GraphQL API in `workers` processes sharing one port (node:cluster hands connections
 * to them in turn). This process, where the indexer runs, stays the only writer: it forwards the
 * indexer's events and status to the workers over IPC, answers /metrics for all of them, and
 * replaces a worker that dies.
 */
export async function startApiCluster(options: ApiClusterOptions): Promise<RunningApiCluster> {
  if (!cluster.isPrimary) throw new Error("startApiCluster must run in the primary process");
  if (!Number.isInteger(options.workers) || options.workers < 1) throw new Error(`workers must be a positive integer, got ${options.workers}`);
  cluster.setupPrimary({ ...workerEntry(), serialization: "json" });

  const members = new Map<number, Member>();
  let closing = false;
  let port = options.settings.port;
  let lastStatus = "";
  let restartDelay = 100;
  let nextRequest = 0;
  /** Replies the primary waits for (metrics and CPU of each worker), by request id. */
  const waiting = new Map<number, (message: FromWorker) => void>();

  const send = (member: Member, message: ToWorker) => {
    if (member.worker.isConnected()) member.worker.send(message);
  };
  const broadcast = (message: ToWorker) => {
    for (const member of members.values()) if (member.greeted) send(member, message);
  };
  const pushStatus = (force = false) => {
    const status = options.status();
    const text = JSON.stringify(status);
    if (!force && text === lastStatus) return;
    lastStatus = text;
    broadcast({ type: "lure:status", status });
  };

  /** Asks every greeted worker and collects the replies that arrive in time. */
  const askAll = async (request: (id: number) => ToWorker): Promise<FromWorker[]> => {
    const replies = [...members.values()]
      .filter((member) => member.greeted && member.worker.isConnected())
      .map(
        (member) =>
          new Promise<FromWorker | undefined>((resolve) => {
            const id = nextRequest++;
            const timer = setTimeout(() => {
              waiting.delete(id);
              resolve(undefined);
            }, REPLY_TIMEOUT_MS);
            waiting.set(id, (message) => {
              clearTimeout(timer);
              waiting.delete(id);
              resolve(message);
            });
            send(member, request(id));
          }),
      );
    return (await Promise.all(replies)).filter((reply): reply is FromWorker => reply !== undefined);
  };

  const clusterMetrics = async (): Promise<string> => {
    const replies = await askAll((id) => ({ type: "lure:metrics-request", id }));
    const perWorker = replies.flatMap((reply) => (reply.type === "lure:metrics-json" ? [reply.metrics] : []));
    const parts = [await AggregatorRegistry.aggregate(perWorker).metrics()];
    if (options.registry) parts.push(await options.registry.metrics());
    return parts.map((part) => part.trimEnd()).filter(Boolean).join("\n") + "\n";
  };

  const onMessage = (member: Member, message: unknown) => {
    if (!isFromWorker(message)) return;
    switch (message.type) {
      case "lure:hello":
        member.greeted = true;
        send(member, { type: "lure:status", status: options.status() });
        break;
      case "lure:listening":
        member.listening = true;
        port = message.port;
        // A worker that came up is healthy: the next crash starts the back-off from scratch.
        restartDelay = 100;
        break;
      case "lure:metrics-wanted":
        clusterMetrics()
          .then((text) => send(member, { type: "lure:metrics", id: message.id, text }))
          .catch((error: unknown) => log.warn({ err: error }, "collecting the workers' metrics failed"));
        break;
      case "lure:metrics-json":
      case "lure:cpu":
        waiting.get(message.id)?.(message);
        break;
    }
  };

  const fork = (): Member => {
    // Every worker asks for the configured port, 0 included: the primary keys the shared listening
    // socket by address and requested port, so listen(0) in each worker joins the same random port.
    const worker = cluster.fork({ [WORKER_SETTINGS_ENV]: JSON.stringify(options.settings) });
    const member: Member = { worker, greeted: false, listening: false, startedAt: Date.now() };
    members.set(worker.id, member);
    worker.on("message", (message: unknown) => onMessage(member, message));
    worker.on("exit", (code, signal) => {
      members.delete(worker.id);
      if (closing) return;
      log.warn({ pid: worker.process.pid, code, signal }, "an API worker exited; starting another");
      const delay = restartDelay;
      restartDelay = Math.min(restartDelay * 2, MAX_RESTART_DELAY_MS);
      setTimeout(() => {
        if (!closing) fork();
      }, delay).unref();
    });
    return member;
  };

  // The events the subscriptions stream (services/api/subscriptions.ts): workers need no others.
  const forwarders = SUBSCRIBED_EVENTS.map((event) => {
    const listener = (payload: ApiEventMap[typeof event]) => {
      pushStatus();
      broadcast({ type: "lure:event", event, payload: toWire(payload) } as ToWorker);
    };
    options.events.on(event, listener);
    return () => options.events.off(event, listener);
  });
  const statusTimer = setInterval(() => pushStatus(), STATUS_PUSH_MS);
  statusTimer.unref();

  const close = async (): Promise<void> => {
    if (closing) return;
    closing = true;
    clearInterval(statusTimer);
    for (const stop of forwarders) stop();
    await Promise.all(
      [...members.values()].map(
        ({ worker }) =>
          new Promise<void>((resolve) => {
            if (worker.isDead()) return resolve();
            const timer = setTimeout(() => worker.process.kill("SIGKILL"), STOP_TIMEOUT_MS);
            worker.once("exit", () => {
              clearTimeout(timer);
              resolve();
            });
            if (worker.isConnected()) worker.send({ type: "lure:shutdown" } satisfies ToWorker);
            else worker.process.kill("SIGTERM");
          }),
      ),
    );
  };

  try {
    await Promise.all(Array.from({ length: options.workers }, () => listening(fork())));
  } catch (error) {
    await close();
    throw error;
  }
  const host = options.settings.host;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  log.debug({ url: `${url}/graphql`, workers: options.workers }, "GraphQL API cluster listening");

  return {
    url,
    port,
    close,
    workerPids: () => [...members.values()].flatMap(({ worker }) => (worker.process.pid === undefined || worker.isDead() ? [] : [worker.process.pid])),
    async cpuMicros() {
      const own = process.cpuUsage();
      const replies = await askAll((id) => ({ type: "lure:cpu-request", id }));
      return replies.reduce((sum, reply) => sum + (reply.type === "lure:cpu" ? reply.micros : 0), own.user + own.system);
    },
  };
}

/** Resolves once the worker listens; rejects if it exits first or takes too long. */
function listening(member: Member): Promise<void> {
  return new Promise((resolve, reject) => {
    const { worker } = member;
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`an API worker did not start listening within ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);
    const onMessage = (message: unknown) => {
      if (isFromWorker(message) && message.type === "lure:listening") {
        cleanup();
        resolve();
      }
    };
    const onExit = (code: number | null, signal: string | null) => {
      cleanup();
      reject(new Error(`an API worker exited during start-up (code ${code}, signal ${signal}); see its log above`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      worker.off("message", onMessage);
      worker.off("exit", onExit);
    };
    worker.on("message", onMessage);
    worker.on("exit", onExit);
  });
}
