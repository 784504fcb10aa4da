/**
 * `npm run scout`: the indexing bot and volunteer tester against the chain, Bee node and account the
 * environment names (NETWORK, BEE_URL, SCOUT_* ; see docs/messages.md "Scout"). It follows newly
 * published public pods that match its filter, runs SCOUT_TEST_POD on each when set, and reports
 * every one to SCOUT_REPORT_GROUP, until Ctrl-C; stopped at any point, it resumes from its cursor.
 */
import { ConfigError, loadConfig } from "../services/config";
import { logger } from "../services/log";
import { Shutdown } from "../services/process/shutdown";

const log = logger("scout-service");

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : `configuration: ${(error as Error).message}`);
    process.exit(2);
  }
  const shutdown = new Shutdown(log);
  shutdown.exitOnSignals();
  shutdown.exitWithParent();
  try {
    const { createScout } = await import("../services/scout");
    const scout = await createScout({ config });
    await scout.start();
    shutdown.add("scout", () => scout.stop());
    console.log(`Lure scout ${scout.address} on ${config.NETWORK}: ${scout.filter}, reported to group ${config.SCOUT_REPORT_GROUP}${config.SCOUT_TEST_POD ? `, tested with pod ${config.SCOUT_TEST_POD}` : ""} (Ctrl-C stops)`);
    process.send?.({ ready: true, address: scout.address });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      await shutdown.run();
      process.exit(2);
    }
    log.error({ err: error }, "scout start failed");
    console.error(`Lure scout could not start: ${(error as Error).message}`);
    await shutdown.run();
    process.exit(1);
  }
}

void main();
