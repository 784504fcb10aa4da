import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase, type Database, type OpenDatabaseOptions } from "../../services/database";

/** A bench phase's own database: the backend the phase names, new, and removed by dispose(). */
export interface PhaseDatabase {
  db: Database;
  /** Where it lives: the PGlite data directory, or the PostgreSQL schema. */
  where: string;
  /** Closes it and removes it (the PGlite directory, or DROP SCHEMA ... CASCADE). */
  dispose(): Promise<void>;
}

/**
 * The options that open the database of `phase`. Nothing is taken from the environment: the
 * PGlite phase never sees DATABASE_URL (it once ran on that PostgreSQL, in the `public` schema, and
 * later rounds resumed from the cursor it had left there), and the PostgreSQL phase gets a schema
 * of its own, new for every phase.
 */
export function phaseDatabaseOptions(phase: "pglite" | "postgres", postgresUrl: string, pgliteSharedBuffersMb?: number): OpenDatabaseOptions {
  if (phase === "pglite") return { pgliteDir: join(mkdtempSync(join(tmpdir(), "lure-bench-pglite-")), "pglite"), pgliteSharedBuffersMb };
  return { databaseUrl: postgresUrl, schema: `lure_bench_${randomBytes(6).toString("hex")}` };
}

/** Removes the database `options` (from phaseDatabaseOptions) names: its PGlite directory, or its PostgreSQL schema (DROP SCHEMA ... CASCADE). */
export async function removePhaseDatabase(options: OpenDatabaseOptions, postgresUrl: string): Promise<void> {
  if (options.pgliteDir) rmSync(join(options.pgliteDir, ".."), { recursive: true, force: true });
  if (options.schema) {
    const admin = await openDatabase({ databaseUrl: postgresUrl });
    try {
      await admin.query(`DROP SCHEMA IF EXISTS "${options.schema}" CASCADE`);
    } finally {
      await admin.close();
    }
  }
}

/** Opens a new database of the backend `phase` names (see phaseDatabaseOptions). */
export async function openPhaseDatabase(phase: "pglite" | "postgres", postgresUrl: string, pgliteSharedBuffersMb?: number): Promise<PhaseDatabase> {
  const options = phaseDatabaseOptions(phase, postgresUrl, pgliteSharedBuffersMb);
  const remove = () => removePhaseDatabase(options, postgresUrl);
  let db: Database;
  try {
    db = await openDatabase(options);
  } catch (error) {
    await remove().catch(() => undefined);
    throw error;
  }
  if (db.dialect !== phase) {
    await db.close();
    await remove();
    throw new Error(`the ${phase} phase opened a ${db.dialect} database`);
  }
  return {
    db,
    where: options.schema ? `schema ${options.schema}` : options.pgliteDir!,
    async dispose() {
      try {
        await db.close();
      } finally {
        await remove();
      }
    },
  };
}
