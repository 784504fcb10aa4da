/**
 * `npm run courier`: carries messages out of the chain. It follows MessageBus for the groups of
 * COURIER_GROUPS and the inboxes of COURIER_INBOXES and POSTs each new message, with its body from
 * Swarm, as JSON to COURIER_WEBHOOK_URL: one at a time, in chain order, at least once, retried until
 * the webhook answers 2xx (see docs/messages.md, "Courier"). Killed at any point, it resumes with the
 * first message the webhook did not accept when started again.
 */
import { ConfigError, loadConfig } from "../services/config";
import { logger } from "../services/log";
import { Shutdown } from "../services/process/shutdown";

const log = logger("courier-service");

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
    const { createCourier, courierTargets } = await import("../services/courier");
    const courier = await createCourier({ config });
    await courier.start();
    shutdown.add("courier", () => courier.stop());
    const targets = courierTargets(config).map((target) => (target.kind === "group" ? `group:${target.groupId}` : target.account));
    console.log(`Lure courier on ${config.NETWORK}: ${targets.join(", ")} → ${new URL(config.COURIER_WEBHOOK_URL!).origin} (Ctrl-C stops)`);
    process.send?.({ ready: true });
  } catch (error) {
    log.error({ err: error }, "courier start failed");
    console.error(`Lure courier could not start: ${(error as Error).message}`);
    await shutdown.run();
    process.exit(1);
  }
}

void main();
