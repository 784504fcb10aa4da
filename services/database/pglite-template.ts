import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/**
 * A fresh PGlite data directory is a copy of a template, made once per installed PGlite version by
 * `npm run build:services`. Making one means running initdb inside PGlite's WebAssembly: 6–11 s and
 * ~820 MB of RSS in a child process. Copying the template takes well under a second, so a new
 * database (a first start, `npm start -- --fresh`, every test and bench phase) pays neither.
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

/** Makes the template unless it exists; returns its folder. Safe against a concurrent maker (the first rename wins). */
export function ensurePgliteTemplate(): string {
  const template = pgliteTemplateDir();
  if (isDataDir(template)) return template;
  mkdirSync(dirname(template), { recursive: true });
  const staging = `${template}.init-${process.pid}-${Date.now()}`;
  try {
    initdbInChild(staging, template);
    try {
      renameSync(staging, template);
    } catch (error) {
      if (!isDataDir(template)) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return template;
}

/** Fills `staging` with a new data directory: a copy of the template when there is one, else initdb. */
export function createPgliteDataDir(staging: string, label: string): "template" | "initdb" {
  const template = resolve(pgliteTemplateDir());
  if (isDataDir(template)) {
    cpSync(template, staging, { recursive: true });
    return "template";
  }
  initdbInChild(staging, label);
  return "initdb";
}
