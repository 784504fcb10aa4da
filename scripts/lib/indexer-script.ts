import { readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { projectRoot } from "./project-root";

/**
 * How `npm run indexer` starts the indexer service, read from package.json's `indexer` script
 * (`VAR=value … node --flags … dist/scripts/indexer.js`). `npm start` and the benches start the
 * service from it, so what runs next to the dev chain and what is measured are the service as
 * deployed: one place sets its Node flags and environment.
 */
export interface IndexerScript {
  /** Variables the script sets before `node` (e.g. MALLOC_ARENA_MAX=1). */
  environment: Record<string, string>;
  /** Node's flags (`--max-old-space-size=…`). */
  nodeFlags: string[];
  /** Absolute path of the compiled entry point. */
  entry: string;
}

const ASSIGNMENT = /^([A-Z_][A-Z0-9_]*)=(.*)$/;

/** Parses an `indexer` script line; throws naming the word it cannot place. */
export function parseIndexerScript(script: string, root = projectRoot()): IndexerScript {
  const words = script.trim().split(/\s+/);
  const nodeAt = words.indexOf("node");
  if (nodeAt < 0) throw new Error(`the indexer script ${JSON.stringify(script)} has no \`node\` command`);
  const environment: Record<string, string> = {};
  for (const word of words.slice(0, nodeAt)) {
    const assignment = ASSIGNMENT.exec(word);
    if (!assignment) throw new Error(`the indexer script's word ${JSON.stringify(word)} before \`node\` is not a VAR=value assignment`);
    environment[assignment[1]] = assignment[2];
  }
  const args = words.slice(nodeAt + 1);
  const entries = args.filter((word) => !word.startsWith("-"));
  if (entries.length !== 1 || !entries[0].endsWith(".js")) {
    throw new Error(`the indexer script ${JSON.stringify(script)} must name exactly one .js entry point after its Node flags`);
  }
  return {
    environment,
    nodeFlags: args.filter((word) => word.startsWith("--")),
    entry: isAbsolute(entries[0]) ? entries[0] : join(root, entries[0]),
  };
}

/** The `indexer` script of this project's package.json. */
export function indexerScript(root = projectRoot()): IndexerScript {
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts?: Record<string, string> };
  const script = manifest.scripts?.indexer;
  if (!script) throw new Error(`${join(root, "package.json")} has no \`indexer\` script`);
  return parseIndexerScript(script, root);
}

/**
 * The Node flags a benchmark's measured child runs with: BENCH_CHILD_NODE_FLAGS when set (to try
 * other flags), otherwise those of `npm run indexer`, so the bench measures the service as deployed.
 */
export function benchChildNodeFlags(root = projectRoot()): string[] {
  const override = process.env.BENCH_CHILD_NODE_FLAGS;
  if (override !== undefined) return override.split(/\s+/).filter(Boolean);
  return indexerScript(root).nodeFlags;
}
