/**
 * `npm run build:services`: compiles scripts/ and services/ to JavaScript in dist/ (tsconfig.build.json)
 * and copies the files they read at run time next to them (SQL migrations, the GraphQL schema).
 *
 * Why: a service started through ts-node carries the TypeScript compiler in its heap (~50 MB live,
 * ~85 MB RSS) and pays to compile every module at start-up; the indexer's 300 MB budget and its
 * garbage collector both feel that. `npm run indexer` and bench:indexer's measured children run dist/.
 * dist/ is generated, never committed: it is rebuilt from scratch so no output of a deleted source lingers.
 * It also makes the PGlite data-directory templates (services/database/pglite-template.ts): one per
 * installed PGlite version, so that no service runs initdb when it opens a new database, and from it
 * one with the current migrations applied, so that a new database has nothing to migrate.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { prepareMigratedPgliteTemplate } from "../services/database";

const ROOT = join(__dirname, "..");
const OUT = join(ROOT, "dist");

/** Files read through __dirname at run time, by directory (relative to the project root) and suffix. */
const ASSETS: readonly { dir: string; suffix: string }[] = [
  { dir: "services/database/migrations", suffix: ".sql" },
  { dir: "graphql", suffix: ".graphql" },
];

async function main(): Promise<void> {
  const started = Date.now();
  rmSync(OUT, { recursive: true, force: true });
  const tsc = require.resolve("typescript/bin/tsc");
  const result = spawnSync(process.execPath, [tsc, "-p", join(ROOT, "tsconfig.build.json")], { cwd: ROOT, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`build:services: tsc failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
  let copied = 0;
  for (const { dir, suffix } of ASSETS) {
    const from = join(ROOT, dir);
    if (!existsSync(from)) throw new Error(`build:services: asset directory ${dir} is missing`);
    for (const file of readdirSync(from).filter((name) => name.endsWith(suffix))) {
      const target = join(OUT, dir, file);
      mkdirSync(dirname(target), { recursive: true });
      cpSync(join(from, file), target);
      copied++;
    }
  }
  // New PGlite databases are copies of this template: no initdb and no migrations when a service starts.
  const templateStarted = Date.now();
  const template = await prepareMigratedPgliteTemplate();
  const templateNote = Date.now() - templateStarted > 1_000 ? `; PGlite template made in ${((Date.now() - templateStarted) / 1000).toFixed(1)} s` : "";
  console.log(`build:services: ${relative(process.cwd(), OUT) || "."} built in ${((Date.now() - started) / 1000).toFixed(1)} s (${copied} assets copied${templateNote}; template ${relative(ROOT, template)})`);
}

main().catch((error: unknown) => {
  console.error(`build:services: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
