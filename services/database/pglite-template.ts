import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { migrationsFingerprint } from "./migrations";

/**
 * A fresh PGlite data directory is a copy of a template, made once per installed PGlite version by
 * `npm run build:services`. Making one means running initdb inside PGlite's WebAssembly: 6–11 s and
 * ~820 MB of RSS in a child process. Copying the template takes well under a second, so a new
 * database (a first start, `npm start -- --fresh`, every test and bench phase) pays neither.
 *
 * The build also makes a second template from the first with every migration applied, named after
 * the migrations' fingerprint: applying them to a new database costs ~0.5 s of a cold start
 * (PGlite's commits and catalogue writes in WebAssembly). A database made from it finds every
 * migration recorded in `schema_migrations`, so migrate() has nothing to do; when the migrations
 * change and no build has run since, no template of that fingerprint exists and a new database is a
 * copy of the bare template, migrated when opened, as before.
 */

/** PGlite's package folder (its package.json is not among its exports, so it is found from the entry point). */
function pglitePackage(): { dir: string; version: string } {
  for (let dir = dirname(require.resolve("@electric-sql/pglite")); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (!existsSync(manifest)) continue;
    const parsed = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string; version?: string };
    if (parsed.name === "@electric-sql/pglite" && parsed.version) return { dir, version: parsed.version };
  }
  throw new Error("cannot find @electric-sql/pglite's package.json");
}

/** node_modules/.cache/lure/pglite-<version>: rebuilt with the install, never shared across versions. */
function pgliteTemplateDir(): string {
  const pglite = pglitePackage();
  return join(pglite.dir, "..", "..", ".cache", "lure", `pglite-${pglite.version}`);
}

/** node_modules/.cache/lure/pglite-<version>-schema-<fingerprint>: the bare template with the migrations of that fingerprint applied. */
function migratedTemplateDir(fingerprint: string): string {
  return `${pgliteTemplateDir()}-schema-${fingerprint}`;
}

function isDataDir(dir: string): boolean {
  return existsSync(join(dir, "PG_VERSION"));
}

/**
 * Runs initdb in a child process into `staging` (the WebAssembly heap never shrinks: done in a
 * long-lived process it would keep ~300 MB for good). Throws with the child's error.
 */
function initdbInChild(staging: string, label: string): void {
  const modulePath = require.resolve("@electric-sql/pglite");
  const code =
    `const { PGlite } = require(${JSON.stringify(modulePath)});` +
    `(async () => { const pg = new PGlite(${JSON.stringify(staging)}); await pg.waitReady; await pg.close(); })()` +
    `.catch((error) => { console.error(error); process.exit(1); });`;
  const child = spawnSync(process.execPath, ["-e", code], { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  if (child.status !== 0) throw new Error(`could not initialise the PGlite data directory ${label}: ${child.error?.message ?? child.stderr.trim().slice(-500)}`);
}

/**
 * Fills a staging folder beside `template` with `fill`, then renames it into place: a kill at any
 * moment leaves no template or a whole one. Safe against a concurrent maker (the first rename wins).
 */
async function makeWhole(template: string, fill: (staging: string) => void | Promise<void>): Promise<void> {
  mkdirSync(dirname(template), { recursive: true });
  const staging = `${template}.init-${process.pid}-${Date.now()}`;
  try {
    await fill(staging);
    try {
      renameSync(staging, template);
    } catch (error) {
      if (!isDataDir(template)) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Makes the template unless it exists; returns its folder. */
export async function ensurePgliteTemplate(): Promise<string> {
  const template = pgliteTemplateDir();
  if (!isDataDir(template)) await makeWhole(template, (staging) => initdbInChild(staging, template));
  return template;
}

/**
 * Makes the migrated template unless one of the current migrations' fingerprint exists; returns its
 * folder. `migrateDataDir` opens the data directory it is given, applies every migration and closes
 * it (the database module's openDatabase and migrate: this module cannot import them without a cycle).
 * Templates of other fingerprints are removed: they can never be used again by this checkout.
 */
export async function ensureMigratedPgliteTemplate(migrateDataDir: (dataDir: string) => Promise<void>): Promise<string> {
  const template = migratedTemplateDir(migrationsFingerprint());
  if (!isDataDir(template)) {
    const bare = await ensurePgliteTemplate();
    await makeWhole(template, async (staging) => {
      cpSync(bare, staging, { recursive: true });
      await migrateDataDir(staging);
      if (existsSync(join(staging, "postmaster.pid"))) throw new Error(`the migrated PGlite template ${staging} was left open (postmaster.pid): close the database before returning`);
    });
  }
  const prefix = `${basename(pgliteTemplateDir())}-schema-`;
  for (const name of readdirSync(dirname(template))) {
    if (name.startsWith(prefix) && name !== basename(template) && !name.includes(".init-")) rmSync(join(dirname(template), name), { recursive: true, force: true });
  }
  return template;
}

/**
 * Fills `staging` with a new data directory: a copy of the migrated template of the current
 * migrations when there is one, else of the bare template, else initdb.
 */
export function createPgliteDataDir(staging: string, label: string): "migrated template" | "template" | "initdb" {
  const migrated = resolve(migratedTemplateDir(migrationsFingerprint()));
  if (isDataDir(migrated)) {
    cpSync(migrated, staging, { recursive: true });
    return "migrated template";
  }
  const template = resolve(pgliteTemplateDir());
  if (isDataDir(template)) {
    cpSync(template, staging, { recursive: true });
    return "template";
  }
  initdbInChild(staging, label);
  return "initdb";
}
