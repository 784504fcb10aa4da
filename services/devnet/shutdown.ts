import type { Logger } from "../log";

type Stopper = { name: string; stop: () => Promise<void> };

/**
 * Stops what was started, newest first, once: on Ctrl-C, on SIGTERM, or after a failed start.
 * Each stop is bounded so one stuck service cannot keep the others (or the chain child) alive.
 */
export class Shutdown {
  private readonly stoppers: Stopper[] = [];
  private running: Promise<void> | undefined;

  constructor(private readonly log: Logger) {}

  add(name: string, stop: () => Promise<void>): void {
    this.stoppers.push({ name, stop });
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const { name, stop } of [...this.stoppers].reverse()) {
        try {
          await Promise.race([stop(), new Promise((_resolve, reject) => setTimeout(() => reject(new Error("timed out after 10 s")), 10_000))]);
          this.log.info({ service: name }, "stopped");
        } catch (error) {
          this.log.error({ service: name, err: error }, "stop failed");
        }
      }
    })();
    return this.running;
  }

  /** On the first SIGINT or SIGTERM: stop everything, then exit 0. Later signals are ignored. */
  exitOnSignals(): void {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      this.log.info({ signal }, "stopping");
      void this.run().then(() => process.exit(0));
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
  }
}
