import pino, { type Logger } from "pino";
import { setting } from "../config";

export type { Logger };

/**
 * Structured JSON logs on stderr, so that stdout stays free for command output (`--json`).
 * Each subsystem asks for a child logger named after itself.
 */
const root: Logger = pino(
  { level: setting("LOG_LEVEL"), base: undefined, timestamp: pino.stdTimeFunctions.isoTime },
  pino.destination(2),
);

export function logger(subsystem: string): Logger {
  return root.child({ subsystem });
}
