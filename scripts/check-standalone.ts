/**
 * `npm run check:standalone`: fails when anything in the repository points outside it. A user who
 * clones only this repository must be able to run the README's commands, so no file may read,
 * import or link to a path beyond the repository's root (a sibling folder, an absolute path of the
 * machine it was written on). The test suite runs the same check (test/scripts/standalone.test.ts).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, extname, isAbsolute, join, relative, resolve } from "node:path";
import { projectRoot } from "./lib/project-root";

/** Generated, installed or runtime folders: not part of what a clone holds. */
const SKIPPED_DIRS = new Set([".git", "node_modules", "dist", "artifacts", "cache", "typechain-types", "coverage", ".data", "deployments", ".scratch", "generated"]);
/** Generated files at the top level (git-ignored): the coverage report names this machine's paths. */
const SKIPPED_FILES = new Set(["coverage.json", ".env"]);
const TEXT_EXTENSIONS = new Set([".ts", ".js", ".mjs", ".cjs", ".json", ".md", ".sol", ".sql", ".graphql", ".yml", ".yaml", ".sh", ".example", ""]);
/** Larger files are data (the lock file, fixtures), not code that could point anywhere. */
const MAX_TEXT_BYTES = 512 * 1024;

export interface OutsideReference {
  file: string;
  line: number;
  text: string;
  reason: string;
}

/** A relative path that climbs above the root, or an absolute path of a machine's work folders. */
const ESCAPES = [
  { pattern: /(?:^|[\s"'`(=])(?:\.\.\/)+shared\//, reason: "a sibling shared/ folder" },
  { pattern: /(?:^|[\s"'`(=])\/(?:work|home)\/[\w.-]+/, reason: "an absolute path of one machine" },
];

const MARKDOWN_LINK = /\]\(([^)\s#]+)(?:#[^)]*)?\)/g;
const IMPORT_SPECIFIER = /(?:from\s+|import\s*\(\s*|require(?:\.resolve)?\s*\(\s*)["'](\.{1,2}\/[^"']+)["']/g;

function listFiles(root: string, dir = root, found: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) listFiles(root, join(dir, entry.name), found);
    } else if (entry.isFile() && !SKIPPED_FILES.has(entry.name) && TEXT_EXTENSIONS.has(extname(entry.name)) && statSync(join(dir, entry.name)).size <= MAX_TEXT_BYTES) {
      found.push(join(dir, entry.name));
    }
  }
  return found;
}

function outsideRoot(root: string, target: string): boolean {
  const path = relative(root, target);
  return path.startsWith("..") || isAbsolute(path);
}

/** Every place under `root` that reads, imports or links to something outside `root`. */
export function findOutsideReferences(root: string): OutsideReference[] {
  const problems: OutsideReference[] = [];
  for (const file of listFiles(root)) {
    const name = relative(root, file);
    const lines = readFileSync(file, "utf8").split("\n");
    lines.forEach((text, index) => {
      const report = (reason: string) => problems.push({ file: name, line: index + 1, text: text.trim(), reason });
      for (const { pattern, reason } of ESCAPES) if (pattern.test(text)) report(reason);
      if (file.endsWith(".md")) {
        for (const [, target] of text.matchAll(MARKDOWN_LINK)) {
          if (/^[a-z]+:/i.test(target)) continue; // a URL
          if (outsideRoot(root, resolve(dirname(file), target))) report(`a link to ${target}, outside the repository`);
        }
      } else {
        for (const [, specifier] of text.matchAll(IMPORT_SPECIFIER)) {
          if (outsideRoot(root, resolve(dirname(file), specifier))) report(`an import of ${specifier}, outside the repository`);
        }
      }
    });
  }
  return problems;
}

if (require.main === module) {
  const problems = findOutsideReferences(projectRoot(__dirname));
  for (const problem of problems) console.error(`${problem.file}:${problem.line}: ${problem.reason}: ${problem.text}`);
  if (problems.length > 0) {
    console.error(`check:standalone: ${problems.length} reference(s) outside the repository`);
    process.exit(1);
  }
  console.log("check:standalone: nothing points outside the repository");
}
