import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { ClientRequest } from "node:http";
import type { Socket } from "node:net";
import { SingleBar } from "cli-progress";
import type { PodStorage } from "../../services/pods/storage";

/**
 * Progress bars for transfers to and from Swarm, on stderr and only on a terminal (stdout stays for
 * the result, and --json or a pipe gets no bar). A bar appears once a transfer has lasted a second,
 * and shows the bytes moved, of how many when known, MB/s and the time left.
 *
 * The services never print and report no byte counts, so the bytes are read where they move: the
 * sockets of the HTTP requests made to the Bee node while the transfer runs (Node's
 * `http.client.request.start` diagnostics channel; bee-js talks HTTP through Node's http module).
 */

/** Bytes in human units (decimal, as MB/s is): `512 B`, `1.5 kB`, `12.3 MB`, `1.02 GB`. */
export function humanBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)} ${units[unit]}`;
}

/** Bytes written to and read from the sockets of HTTP requests to one origin, from now on. */
class HttpBytes {
  private readonly open = new Map<Socket, { written: number; read: number }>();
  private settled = { sent: 0, received: 0 };
  private readonly onRequest = (message: unknown) => {
    const request = (message as { request: ClientRequest }).request;
    const host = request.getHeader("host");
    if (typeof host !== "string" || host.toLowerCase() !== this.host) return;
    const track = (socket: Socket) => {
      if (this.open.has(socket)) return;
      this.open.set(socket, { written: socket.bytesWritten, read: socket.bytesRead });
      socket.once("close", () => this.settle(socket));
    };
    if (request.socket) track(request.socket);
    else request.once("socket", track);
    request.once("close", () => {
      if (request.socket) this.settle(request.socket);
    });
  };

  constructor(private readonly host: string) {
    subscribe("http.client.request.start", this.onRequest);
  }

  private settle(socket: Socket): void {
    const base = this.open.get(socket);
    if (!base) return;
    this.settled = { sent: this.settled.sent + socket.bytesWritten - base.written, received: this.settled.received + socket.bytesRead - base.read };
    this.open.delete(socket);
  }

  counts(): { sent: number; received: number } {
    let { sent, received } = this.settled;
    for (const [socket, base] of this.open) {
      sent += socket.bytesWritten - base.written;
      received += socket.bytesRead - base.read;
    }
    return { sent, received };
  }

  stop(): void {
    unsubscribe("http.client.request.start", this.onRequest);
    this.open.clear();
  }
}

export interface TransferOptions {
  /** What the bar says it does: "uploading", "downloading payloads". */
  label: string;
  /** The Bee node's URL: only requests to it are counted. */
  url: string;
  direction: "up" | "down";
  /** Bytes to move, when known (an upload's); a download shows what arrived and the speed. */
  totalBytes?: number;
  /** Where the bar goes; default stderr. Nothing is drawn unless it is a terminal. */
  stream?: NodeJS.WriteStream;
  /** How long a transfer runs before its bar appears; default one second. */
  delayMs?: number;
}

/** Runs `work` (a transfer to or from the Bee node at `url`) with a progress bar once it lasts long enough. */
export async function withTransferProgress<T>(options: TransferOptions, work: () => Promise<T>): Promise<T> {
  const stream = options.stream ?? process.stderr;
  if (stream.isTTY !== true) return work();
  const bytes = new HttpBytes(new URL(options.url).host.toLowerCase());
  const started = Date.now();
  const total = options.totalBytes;
  let bar: SingleBar | undefined;
  const moved = () => {
    const counts = bytes.counts();
    const value = options.direction === "up" ? counts.sent : counts.received;
    return total === undefined ? value : Math.min(value, total);
  };
  const payload = (value: number) => {
    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    return { done: humanBytes(value), size: total === undefined ? "?" : humanBytes(total), speed: `${(value / 1e6 / seconds).toFixed(2)} MB/s` };
  };
  const draw = () => {
    const value = moved();
    if (!bar) {
      const arrow = options.direction === "up" ? "↑" : "↓";
      const format =
        total === undefined
          ? `${arrow} ${options.label} {done} | {speed} | {duration_formatted}`
          : `${arrow} ${options.label} [{bar}] {percentage}% | {done} of {size} | {speed} | {eta_formatted} left`;
      bar = new SingleBar({ stream, format, hideCursor: true, clearOnComplete: false, etaBuffer: 20, fps: 5, barsize: 24 });
      bar.start(total ?? 0, value, payload(value));
    } else {
      bar.update(value, payload(value));
    }
  };
  const timer = setInterval(() => {
    if (Date.now() - started >= (options.delayMs ?? 1000)) draw();
  }, 200);
  try {
    const result = await work();
    // A transfer that kept the event loop busy past the delay (no tick drew it) still ends with its bar.
    if (!bar && Date.now() - started >= (options.delayMs ?? 1000)) draw();
    if (bar) {
      const value = total ?? moved();
      bar.update(value, payload(value));
    }
    return result;
  } finally {
    clearInterval(timer);
    bar?.stop();
    bytes.stop();
  }
}

/**
 * A PodStorage whose transfers show progress bars (on a terminal, unless `json`): uploads of
 * `label`, downloads of `label`. The services use it as any other PodStorage.
 */
export function storageWithProgress(
  storage: PodStorage,
  options: { url: string; json: boolean; label?: string } & Pick<TransferOptions, "stream" | "delayMs">,
): PodStorage {
  if (options.json) return storage;
  const label = options.label ?? "";
  const shared = { url: options.url, stream: options.stream, delayMs: options.delayMs };
  const up = (totalBytes: number) => ({ ...shared, label: `uploading${label}`, direction: "up" as const, totalBytes });
  const down = { ...shared, label: `downloading${label}`, direction: "down" as const };
  return {
    uploadBytes: (data) => withTransferProgress(up(data.length), () => storage.uploadBytes(data)),
    uploadCollection: (entries, collectionOptions) =>
      withTransferProgress(up(entries.reduce((sum, entry) => sum + entry.data.length, 0)), () => storage.uploadCollection(entries, collectionOptions)),
    downloadBytes: (ref) => withTransferProgress(down, () => storage.downloadBytes(ref)),
    downloadFile: (ref, path) => withTransferProgress(down, () => storage.downloadFile(ref, path)),
    downloadCollection: (ref) => withTransferProgress(down, () => storage.downloadCollection(ref)),
  };
}
