import { task } from "hardhat/config";
import { loadConfig } from "../services/config";
import { createSwarmClient, SwarmRequestError } from "../services/swarm";
import "./lib/command-line";
import { InvalidArgumentError, LureTaskError } from "./lib/errors";
import { print } from "./lib/output";

/**
 * Postage stamps for the configured Swarm node (BEE_URL: the dev node by default, or a real Bee).
 * Lure's uploads use BEE_POSTAGE_BATCH, else the node's first usable batch; this is how to get one.
 */

function parsePositiveInteger(name: string, value: string): bigint {
  if (!/^\d+$/.test(value) || BigInt(value) === 0n) throw new InvalidArgumentError(`--${name}: expected a positive integer, got ${JSON.stringify(value)}`);
  return BigInt(value);
}

function parseDepth(value: string): number {
  const depth = Number(value);
  if (!/^\d+$/.test(value) || depth < 17 || depth > 255) throw new InvalidArgumentError(`--depth: expected an integer from 17 to 255 (Bee's range), got ${JSON.stringify(value)}`);
  return depth;
}

task("swarm:buy-stamp", "Buys a postage batch on the Swarm node at BEE_URL and waits until it is usable")
  .addOptionalParam("amount", "Amount per chunk, in PLUR (at least one day at the node's current price)", "1000000000")
  .addOptionalParam("depth", "Batch depth: the batch stamps up to 2^depth chunks of 4 KiB (17 to 255)", "22")
  .addFlag("json", "Print JSON")
  .setAction(async (args: { amount: string; depth: string; json: boolean }) => {
    const amount = parsePositiveInteger("amount", args.amount);
    const depth = parseDepth(args.depth);
    const config = loadConfig();
    const client = createSwarmClient({ url: config.BEE_URL, timeoutMs: config.BEE_TIMEOUT_MS });
    try {
      const batchId = await client.buyStamp(amount, depth);
      print({ batchId, amount: amount.toString(), depth, capacityChunks: 2 ** depth, node: client.url }, { json: args.json, title: "Postage batch bought" });
      if (!args.json) console.log(`\nUse it with BEE_POSTAGE_BATCH=${batchId} (or leave it unset: Lure picks the first usable batch).`);
    } catch (error) {
      if (error instanceof SwarmRequestError) throw new LureTaskError(error.message);
      throw error;
    }
  });

task("swarm:stamps", "Lists the postage batches of the Swarm node at BEE_URL")
  .addFlag("json", "Print JSON")
  .setAction(async (args: { json: boolean }) => {
    const config = loadConfig();
    const client = createSwarmClient({ url: config.BEE_URL, timeoutMs: config.BEE_TIMEOUT_MS });
    try {
      const batches = await client.bee.getPostageBatches(client.requestOptions());
      const rows = batches.map((batch) => ({
        batchId: batch.batchID.toHex(),
        usable: batch.usable,
        depth: batch.depth,
        amount: batch.amount,
        usage: batch.usageText,
        label: batch.label,
      }));
      if (args.json) console.log(JSON.stringify({ node: client.url, batches: rows }, null, 2));
      else if (rows.length === 0) console.log(`No postage batches on ${client.url}; buy one with \`npx hardhat swarm:buy-stamp\`.`);
      else for (const row of rows) print(row, { json: false, title: `Batch ${row.batchId}` });
    } catch (error) {
      throw new LureTaskError(new SwarmRequestError(`listing postage batches at ${client.url}`, error).message);
    }
  });
