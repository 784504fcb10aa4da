import type { Logger } from "../log";

type Stopper = { name: string; stop: () => Promise<void> };

/**
 * Stops what was started, newest first, once: on Ctrl-C, on SIGTERM, or after a failed start.
 * Each stop is bounded so one stuck service cannot keep the others (or the chain child) alive.
 */
export class Shutdown {
  private readonly stoppers: Stopper[] = [];
  private running: Promise<void> | undefined;
  private exiting = false;

  constructor(private readonly log: Logger) {}

  add(name: string, stop: () => Promise<void>): void {
    this.stoppers.push({ name, stop });
  }

  /** True once a stop has begun (a signal, a failed start): what ends after that was asked to. */
  get stopping(): boolean {
    return this.exiting || this.running !== undefined;
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
    process.on("SIGINT", () => this.stopAndExit({ signal: "SIGINT" }));
    process.on("SIGTERM", () => this.stopAndExit({ signal: "SIGTERM" }));
  }

  /**
   * For a child started with an IPC channel (`npm start` starts the indexer service so): the
   * channel closes when the parent ends, even by kill -9, and then this process stops too rather
   * than live on as an orphan holding its port. A no-op without a channel.
   */
  exitWithParent(): void {
    if (!process.send) return;
    process.once("disconnect", () => this.stopAndExit({ reason: "the parent process is gone" }));
  }

  private stopAndExit(why: Record<string, string>): void {
    if (this.exiting) return;
    this.exiting = true;
    this.log.info(why, "stopping");
    void this.run().then(() => process.exit(0));
  }
}
