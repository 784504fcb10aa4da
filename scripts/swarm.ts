/**
 * Runs the embedded Bee-compatible dev node alone:
 *   npm run swarm -- --port 1633 --data .data/swarm [--host 127.0.0.1] [--max-body-bytes N]
 * Prints one line with its URL on stdout once it listens; stops cleanly on SIGINT/SIGTERM.
 * Defaults come from the environment (SWARM_DEV_PORT, SWARM_DATA_DIR, SWARM_DEV_HOST).
 */
import { loadConfig } from "../services/config";
import { logger } from "../services/log";
import { startDevSwarmNode } from "../services/swarm-dev-node/server";

const log = logger("swarm-cli");

function parseArguments(argv: string[]): Record<string, string> {
  const known = new Set(["port", "data", "host", "max-body-bytes", "min-stamp-depth"]);
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i];
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(argument);
    if (!match || !known.has(match[1])) throw new Error(`unknown argument ${JSON.stringify(argument)}; expected --port N --data DIR [--host H] [--max-body-bytes N]`);
    const value = match[2] ?? argv[++i];
    if (value === undefined) throw new Error(`${argument} needs a value`);
    values[match[1]] = value;
  }
  return values;
}

function integer(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) throw new Error(`--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`);
  return value;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const args = parseArguments(process.argv.slice(2));
  const node = await startDevSwarmNode({
    dataDir: args.data ?? config.SWARM_DATA_DIR,
    host: args.host ?? config.SWARM_DEV_HOST,
    port: args.port !== undefined ? integer("port", args.port, 0, 65535) : config.SWARM_DEV_PORT,
    maxBodyBytes: args["max-body-bytes"] !== undefined ? integer("max-body-bytes", args["max-body-bytes"], 1, Number.MAX_SAFE_INTEGER) : undefined,
    minStampDepth: args["min-stamp-depth"] !== undefined ? integer("min-stamp-depth", args["min-stamp-depth"], 1, 255) : undefined,
  });
  process.stdout.write(`Swarm dev node listening on ${node.url}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping the Swarm dev node");
    node.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, "error while stopping");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((error: unknown) => {
  process.stderr.write(`swarm: ${(error as Error).message ?? String(error)}\n`);
  process.exit(1);
});
