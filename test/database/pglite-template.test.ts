import { expect } from "chai";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { listMigrations, migrate, openDatabase, prepareMigratedPgliteTemplate, type Database } from "../../services/database";
import { migrationsFingerprint } from "../../services/database/migrations";
import { createPgliteDataDir, ensurePgliteTemplate } from "../../services/database/pglite-template";

/** Tables, columns and index definitions of the public schema: what migrate() makes. */
async function schemaOf(db: Database): Promise<string[]> {
  const columns = await db.query<{ line: string }>(
    `SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') AS line
       FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, column_name`,
  );
  const indexes = await db.query<{ line: string }>(`SELECT indexdef AS line FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname`);
  const constraints = await db.query<{ line: string }>(
    `SELECT conrelid::regclass::text || ' ' || pg_get_constraintdef(oid) AS line FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1`,
  );
  return [...columns, ...indexes, ...constraints].map((row) => row.line);
}

async function appliedVersions(db: Database): Promise<number[]> {
  return (await db.query<{ version: number }>(`SELECT version FROM schema_migrations ORDER BY version`)).map((row) => Number(row.version));
}

describe("database: PGlite data directories from the build's migrated template", function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "lure-template-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("a new database holds every migration already, with the schema migrate() makes from the bare template", async () => {
    const template = await prepareMigratedPgliteTemplate();
    expect(basename(template)).to.match(new RegExp(`-schema-${migrationsFingerprint()}$`));
    expect(existsSync(join(template, "postmaster.pid")), "the template is closed").to.equal(false);

    const fromTemplate = await openDatabase({ pgliteDir: join(dir, "migrated") });
    // The bare template (initdb only), migrated when opened: what a checkout without a build gets.
    cpSync(await ensurePgliteTemplate(), join(dir, "bare"), { recursive: true });
    const fromBare = await openDatabase({ pgliteDir: join(dir, "bare") });
    try {
      const versions = listMigrations().map((migration) => migration.version);
      expect(await appliedVersions(fromTemplate)).to.deep.equal(versions);
      const appliedAt = await fromTemplate.query(`SELECT version, applied_at FROM schema_migrations ORDER BY version`);
      await migrate(fromTemplate);
      expect(await fromTemplate.query(`SELECT version, applied_at FROM schema_migrations ORDER BY version`), "nothing left to apply").to.deep.equal(appliedAt);

      expect(await fromBare.query(`SELECT to_regclass('schema_migrations') AS t`)).to.deep.equal([{ t: null }]);
      await migrate(fromBare);
      expect(await appliedVersions(fromBare)).to.deep.equal(versions);
      const schema = await schemaOf(fromTemplate);
      expect(schema.length).to.be.greaterThan(100);
      expect(schema).to.deep.equal(await schemaOf(fromBare));
    } finally {
      await fromTemplate.close();
      await fromBare.close();
    }
    // The template itself was never opened by the databases made from it.
    expect(existsSync(join(template, "postmaster.pid"))).to.equal(false);
  });

  it("the fingerprint changes with any migration added, removed, renamed or edited", () => {
    const migrations = listMigrations();
    const fingerprint = migrationsFingerprint(migrations);
    expect(fingerprint).to.match(/^[0-9a-f]{16}$/);
    expect(migrationsFingerprint(listMigrations())).to.equal(fingerprint);
    const last = migrations[migrations.length - 1];
    const variants = [
      [...migrations, { version: last.version + 1, name: "more", sql: "SELECT 1" }],
      migrations.slice(0, -1),
      [...migrations.slice(0, -1), { ...last, name: `${last.name}_renamed` }],
      [...migrations.slice(0, -1), { ...last, sql: `${last.sql}\n-- edited` }],
    ];
    const fingerprints = variants.map((variant) => migrationsFingerprint(variant));
    expect(new Set([fingerprint, ...fingerprints]).size).to.equal(5);
  });

  it("without a template of the current migrations a new database is a bare copy, and templates of other migrations are removed", async () => {
    const template = await prepareMigratedPgliteTemplate();
    // A template of migrations this checkout no longer has, left by an earlier build.
    const stale = join(dirname(template), basename(template).replace(/-schema-[0-9a-f]{16}$/, "-schema-0000000000000000"));
    mkdirSync(stale, { recursive: true });
    writeFileSync(join(stale, "PG_VERSION"), "17\n");
    // The current one moved aside (put back below, or made again by the next build).
    const aside = join(dir, "aside");
    renameSync(template, aside);
    try {
      expect(createPgliteDataDir(join(dir, "fallback"), "fallback")).to.equal("template");
      expect(readdirSync(join(dir, "fallback"))).to.include("PG_VERSION");
      const db = await openDatabase({ pgliteDir: join(dir, "fallback") });
      try {
        expect(await db.query(`SELECT to_regclass('schema_migrations') AS t`), "the bare template holds no schema").to.deep.equal([{ t: null }]);
      } finally {
        await db.close();
      }
    } finally {
      if (!existsSync(template)) renameSync(aside, template);
    }
    expect(createPgliteDataDir(join(dir, "again"), "again")).to.equal("migrated template");
    expect(existsSync(stale), "the stale template is still there until a build").to.equal(true);
    await prepareMigratedPgliteTemplate();
    expect(existsSync(stale), "removed by the next build").to.equal(false);
    expect(existsSync(join(template, "PG_VERSION"))).to.equal(true);
  });
});
