import { mkdirSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { readJsonFile, writeJsonAtomically } from "../process/json-file";

/**
 * What a scout must not forget when it is stopped or killed: how far it has read the chain, and the
 * findings read but not reported yet (with the test run each one started, so a restart waits for
 * that run instead of paying for another). One small JSON file, replaced atomically (write, fsync,
 * rename), saved after every step: a restart neither misses nor repeats a pod.
 */

const decimal = z.string().regex(/^[0-9]+$/);
const ref = z.string().regex(/^[0-9a-f]{64}$/);

const testSchema = z.object({
  podId: decimal,
  /** The run requested, once its request was mined. */
  runId: decimal.optional(),
  /** Its end, once waited for. */
  status: z.string().optional(),
  outputRef: ref.optional(),
  logRef: ref.optional(),
  phase: z.string().optional(),
  /** Why no run could be requested (a refusal the chain would repeat: no licence, the maximum too low). */
  error: z.string().optional(),
});

const findingSchema = z.object({
  /** `<podId>/<version>` (or `<podId>/<version>@group` for a catalogue entry): what a report is about. */
  key: z.string(),
  /** A new pod, a new version of a pod, or a pod newly in SCOUT_GROUP's catalogue. */
  event: z.enum(["pod", "version", "catalogue"]),
  podId: decimal,
  name: z.string(),
  /** The creator for a new pod; the pod's owner for a new version or a catalogue entry. */
  creator: z.string(),
  version: decimal,
  manifestRef: ref,
  parentPodId: decimal,
  blockNumber: z.number().int(),
  tx: z.string(),
  test: testSchema.optional(),
  /** The block before the report was sent: a restart looks for it from there before sending again. */
  sendingFrom: z.number().int().optional(),
});
export type Finding = z.infer<typeof findingSchema>;

const stateSchema = z.object({
  chainId: z.number().int(),
  registry: z.string(),
  /** The next block to read. */
  nextBlock: z.number().int().min(0),
  /** Matching pods read up to nextBlock - 1 and not reported yet, oldest first. */
  pending: z.array(findingSchema),
});
export type ScoutState = z.infer<typeof stateSchema>;

export class ScoutJournal {
  private readonly file: string;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.file = path.join(dir, "scout.json");
  }

  /** The saved state, or undefined (none yet, or unreadable: set aside as `scout.json.unreadable`). */
  load(): ScoutState | undefined {
    return readJsonFile(this.file, stateSchema);
  }

  save(state: ScoutState): void {
    writeJsonAtomically(this.file, state);
  }
}
