import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { FAIL_PHASES } from "../chain/run-enums";
import { writeJsonAtomically } from "../process/json-file";

/**
 * What a runner must not forget when it is killed (kill -9, a power cut): the runs it claimed, what
 * each stage produced, and how far it has read the chain. Every record is one small JSON file,
 * replaced atomically (write, fsync, rename), so a crash leaves either the old record or the new one.
 *
 * The chain stays the authority: on restart a record is only a hint of what to resume (a run whose
 * claim is no longer this runner's is dropped), and the uploaded references it keeps spare a stage
 * from running twice when only its settlement was lost.
 */

const ref = z.string().regex(/^[0-9a-f]{64}$/);
const decimal = z.string().regex(/^[0-9]+$/);

const stagePlanSchema = z.object({ podId: decimal, version: decimal });

/** A run as its request events describe it: everything needed to execute it without the indexer. */
export const runPlanSchema = z.object({
  runId: decimal,
  requester: z.string(),
  /** The named runner, or the zero address. */
  runner: z.string(),
  token: z.string(),
  inputRef: ref.optional(),
  deadline: z.number().int(),
  requestBlock: z.number().int(),
  stages: z.array(stagePlanSchema).min(1),
});
export type RunPlan = z.infer<typeof runPlanSchema>;

const stageRecordSchema = z.object({
  /** The stage's output and logs were uploaded: settle with these, do not run it again. */
  outcome: z
    .union([
      z.object({ ok: z.literal(true), outputRef: ref, logRef: ref }),
      z.object({ ok: z.literal(false), phase: z.enum(FAIL_PHASES), logRef: ref.optional(), reason: z.string() }),
    ])
    .optional(),
  /** Times execution of this stage began (a second start means the runner died while running it). */
  attempts: z.number().int().min(0).default(0),
});

const claimRecordSchema = z.object({
  plan: runPlanSchema,
  /** The claim transaction, once sent. */
  claimTx: z.string().optional(),
  stages: z.record(z.string(), stageRecordSchema).default({}),
});
export type ClaimRecord = z.infer<typeof claimRecordSchema>;

const followStateSchema = z.object({
  chainId: z.number().int(),
  runMarket: z.string(),
  /** The next block to read. */
  nextBlock: z.number().int().min(0),
  /** Runs requested and not ended as of nextBlock - 1, with what is known of their claim. */
  open: z.array(z.object({ plan: runPlanSchema, claimant: z.string().optional(), claimedUntil: z.number().int().optional() })),
});
export type FollowState = z.infer<typeof followStateSchema>;

export class RunJournal {
  private readonly claimsDir: string;
  private readonly followFile: string;

  constructor(readonly dir: string) {
    this.claimsDir = path.join(dir, "claims");
    this.followFile = path.join(dir, "follow.json");
    mkdirSync(this.claimsDir, { recursive: true, mode: 0o700 });
  }

  /** Every claim record left by this runner, oldest run first; a record that does not parse is set aside, never deleted. */
  claims(): ClaimRecord[] {
    const records: ClaimRecord[] = [];
    for (const name of readdirSync(this.claimsDir).filter((file) => /^[0-9]+\.json$/.test(file))) {
      const file = path.join(this.claimsDir, name);
      const parsed = claimRecordSchema.safeParse(readJson(file));
      if (parsed.success) records.push(parsed.data);
      else renameSync(file, `${file}.unreadable`);
    }
    return records.sort((a, b) => (BigInt(a.plan.runId) < BigInt(b.plan.runId) ? -1 : 1));
  }

  claim(runId: bigint): ClaimRecord | undefined {
    const parsed = claimRecordSchema.safeParse(readJson(this.claimFile(runId)));
    return parsed.success ? parsed.data : undefined;
  }

  saveClaim(record: ClaimRecord): void {
    writeJsonAtomically(this.claimFile(BigInt(record.plan.runId)), record);
  }

  /** The run is settled (or no longer this runner's): nothing to resume. */
  forgetClaim(runId: bigint): void {
    rmSync(this.claimFile(runId), { force: true });
  }

  followState(): FollowState | undefined {
    const parsed = followStateSchema.safeParse(readJson(this.followFile));
    return parsed.success ? parsed.data : undefined;
  }

  saveFollowState(state: FollowState): void {
    writeJsonAtomically(this.followFile, state);
  }

  private claimFile(runId: bigint): string {
    return path.join(this.claimsDir, `${runId}.json`);
  }
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}
