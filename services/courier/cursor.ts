import { mkdirSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { readJsonFile, writeJsonAtomically } from "../process/json-file";

/**
 * The courier's cursor: how far it has read MessageBus's events and the last message the webhook
 * accepted (a 2xx). It is one small JSON file replaced atomically (write, fsync, rename) only after
 * a delivery, so a courier killed at any point resumes with the first message not yet accepted:
 * nothing is lost, and a message is delivered twice only when the kill fell between the webhook's
 * 2xx and the save.
 */

const positionSchema = z.object({
  blockNumber: z.number().int().min(0),
  logIndex: z.number().int().min(0),
  messageId: z.string().regex(/^[0-9]+$/),
});
export type LogPosition = z.infer<typeof positionSchema>;

const cursorSchema = z.object({
  chainId: z.number().int(),
  messageBus: z.string(),
  /** The next block to read; logs of it at or before `delivered` were delivered already. */
  nextBlock: z.number().int().min(0),
  /** The last message the webhook accepted. */
  delivered: positionSchema.optional(),
});
export type CourierCursor = z.infer<typeof cursorSchema>;

export class CursorFile {
  readonly file: string;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.file = path.join(dir, "cursor.json");
  }

  /** The saved cursor, or undefined when there is none (or it does not parse: it is then set aside, never deleted). */
  load(): CourierCursor | undefined {
    return readJsonFile(this.file, cursorSchema);
  }

  save(cursor: CourierCursor): void {
    writeJsonAtomically(this.file, cursor);
  }
}

/** True when the log at (blockNumber, logIndex) comes after `position` in chain order. */
export function isAfter(blockNumber: number, logIndex: number, position: LogPosition | undefined): boolean {
  if (!position) return true;
  return blockNumber > position.blockNumber || (blockNumber === position.blockNumber && logIndex > position.logIndex);
}
