import pino, { type Logger } from "pino";
import { setting } from "../config";

export type { Logger };

/**
 * Structured JSON logs on stderr, so that stdout stays free for command output (`--json`). On a
 * terminal only warnings and errors show unless LOG_LEVEL asks for more: the JSON lines are for log
 * collectors, not for the person running a command.
 * Each subsystem asks for a child logger named after itself.
 */
const root: Logger = pino(
  { level: setting("LOG_LEVEL") ?? (process.stderr.isTTY ? "warn" : "info"), base: undefined, timestamp: pino.stdTimeFunctions.isoTime },
  pino.destination(2),
);

export function logger(subsystem: string): Logger {
  return root.child({ subsystem });
}
