import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const MIGRATIONS_DIR = join(__dirname, "migrations");
const MIGRATION_FILE = /^(\d{3})_([a-z0-9_]+)\.sql$/;

/** One versioned migration: `NNN_name.sql` in services/database/migrations. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The versioned migrations shipped with the code, in order. */
export function listMigrations(): Migration[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((file) => MIGRATION_FILE.test(file))
    .sort()
    .map((file) => {
      const [, version, name] = MIGRATION_FILE.exec(file)!;
      return { version: Number(version), name, sql: readFileSync(join(MIGRATIONS_DIR, file), "utf8") };
    });
}

/**
 * 16 hex digits that change whenever a migration is added, removed, renamed or edited: the name of
 * the schema a migrated PGlite template holds (pglite-template.ts), so that no database is ever
 * made from a template of other migrations.
 */
export function migrationsFingerprint(migrations: readonly Migration[] = listMigrations()): string {
  const hash = createHash("sha256");
  for (const migration of migrations) hash.update(`${migration.version}\0${migration.name}\0${migration.sql}\0`);
  return hash.digest("hex").slice(0, 16);
}
