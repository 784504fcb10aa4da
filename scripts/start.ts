/**
 * `npm start`: the whole Lure stack on one machine with no outside service — a Hardhat chain on
 * 127.0.0.1:8545 with the contracts deployed, the Swarm dev node on 127.0.0.1:1633, the indexer and
 * the GraphQL API on 127.0.0.1:4000, and one runner. Prints `Lure devnet ready` once everything
 * answers, and stops every part cleanly on Ctrl-C.
 *
 * The chain keeps its state across restarts: every block is recorded in DEV_CHAIN_DIR and replayed,
 * with its timestamp, into the next start's node (services/devnet/chain-journal.ts), so the chain,
 * the database and Swarm's data still agree. `npm start -- --fresh` wipes all of them and starts over.
 * The node is tied to this process: it ends with it, even on kill -9.
 *
 * The indexer and API run as `npm run indexer` runs them, in a child process of their own (compiled
 * dist/, the script's Node flags and environment): the service next to the dev chain is the one the
 * benchmarks measure, and it does not share a heap with the Hardhat runtime used for deploying.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { loadConfig, type LureConfig } from "../services/config";
import { logger } from "../services/log";
import { deploymentPath, DEV_ROLE_ACCOUNTS } from "../services/chain/deployments";
import { devAccounts } from "../services/devnet/accounts";
import { startHardhatNode } from "../services/devnet/hardhat-node";
import { ChainJournal, ChainRecorder, replayChain } from "../services/devnet/chain-journal";
import { Shutdown } from "../services/process/shutdown";
import { startIndexerServiceChild } from "./lib/indexer-service-child";
import { startRunnerChild } from "./lib/runner-child";

const log = logger("devnet");

/** What `npm start` did with the dev chain: a new one, or the recorded one brought back. */
type ChainOrigin = { kind: "new" } | { kind: "restored"; blocks: number } | { kind: "diverged"; blocks: number; at: number };

async function startChain(config: LureConfig, shutdown: Shutdown, fresh: boolean) {
  const url = new URL(config.LOCAL_RPC_URL);
  const journal = new ChainJournal(config.DEV_CHAIN_DIR);
  const recorded = fresh ? undefined : journal.genesis();
  const blocks = recorded ? journal.blocks() : [];
  const genesisTime = recorded?.genesisTime ?? Math.floor(Date.now() / 1000);
  const chain = await startHardhatNode({
    host: url.hostname,
    port: Number(url.port || 8545),
    logFile: join(".data", "hardhat-node.log"),
    tiedToParent: true,
    env: { DEV_CHAIN_GENESIS_TIME: String(genesisTime) },
  });
  shutdown.add("chain", chain.stop);
  log.debug({ url: chain.url }, "chain up");

  let origin: ChainOrigin = { kind: "new" };
  if (recorded) {
    const replayed = await replayChain(chain.url, blocks);
    origin = replayed.divergedAt === undefined ? { kind: "restored", blocks: replayed.blocks } : { kind: "diverged", blocks: replayed.blocks, at: replayed.divergedAt };
    // What did not replay is dropped from the journal: the chain goes on from what matched.
    if (replayed.divergedAt !== undefined) journal.keep(replayed.blocks);
  } else {
    journal.begin({ chainId: 31337, genesisTime });
  }
  const recorder = new ChainRecorder(chain.url, journal, (origin.kind === "new" ? 0 : origin.blocks) + 1);
  recorder.start();
  // Added after the chain, so stopped before it: the last blocks are recorded on a clean stop.
  shutdown.add("chain journal", () => recorder.stop());

  // The Hardhat runtime is loaded only now, pointed at the node that was just started.
  process.env.HARDHAT_NETWORK = "localhost";
  const { default: hre } = await import("hardhat");
  await hre.run("compile", { quiet: true });
  const { deployLure } = await import("./deploy");
  // Quiet: the plan and the progress lines are for `hardhat run scripts/deploy.ts`. A restored chain
  // still holds the contracts: nothing is sent then.
  const deployed = await deployLure(hre, { verbose: false });
  if (!deployed) throw new Error("the deploy script sent nothing to the dev chain");
  return { url: chain.url, deployment: deployed.deployment, origin };
}

/** `npm start -- --fresh`: the chain, its journal, the database, Swarm's data and the runner's journal go together. */
function wipeDevData(config: LureConfig): string[] {
  const wiped = [config.DEV_CHAIN_DIR, config.PGLITE_DIR, config.SWARM_DATA_DIR, config.RUNNER_DATA_DIR, deploymentPath("localhost", config.DEPLOYMENTS_DIR)];
  for (const target of wiped) rmSync(target, { recursive: true, force: true });
  return wiped;
}

function describeChain(origin: ChainOrigin): string {
  switch (origin.kind) {
    case "new":
      return "a new chain (recorded in DEV_CHAIN_DIR; the next start brings it back)";
    case "restored":
      return `restored: ${origin.blocks} blocks replayed; \`npm start -- --fresh\` starts over`;
    case "diverged":
      return `restored up to block ${origin.blocks}: block ${origin.at} did not replay the same and the chain goes on from there; \`npm start -- --fresh\` starts over`;
  }
}

async function startSwarm(config: LureConfig, shutdown: Shutdown) {
  const swarm = await import("../services/swarm");
  const defaultUrl = `http://${config.SWARM_DEV_HOST}:${config.SWARM_DEV_PORT}`;
  // A BEE_URL that points elsewhere means a real Bee node: use it, start nothing.
  if (new URL(config.BEE_URL).origin === new URL(defaultUrl).origin) {
    const node = await (await import("../services/swarm-dev-node/server")).startDevSwarmNode({ dataDir: config.SWARM_DATA_DIR, host: config.SWARM_DEV_HOST, port: config.SWARM_DEV_PORT });
    shutdown.add("swarm", node.close);
    log.debug({ url: node.url }, "swarm dev node up");
  }
  const client = swarm.createSwarmClient({ url: config.BEE_URL, postageBatchId: config.BEE_POSTAGE_BATCH, timeoutMs: config.BEE_TIMEOUT_MS });
  let batch: string;
  try {
    batch = await client.postageBatch();
  } catch {
    batch = await client.buyStamp(1_000_000_000n, 22);
    log.debug({ batch }, "bought a postage batch on the dev node");
  }
  return { url: config.BEE_URL, batch };
}

async function startIndexer(config: LureConfig, shutdown: Shutdown) {
  const url = `http://${config.GRAPHQL_HOST}:${config.GRAPHQL_PORT}`;
  // The child reads the same environment, so it loads the same configuration and deployment.
  const service = await startIndexerServiceChild({ apiUrl: url });
  shutdown.add("indexer", () => service.stop());
  void service.exited.then(async (code) => {
    // Ctrl-C in a terminal signals the child too: it may end before this process begins to stop.
    await new Promise((resolve) => setTimeout(resolve, 500));
    if (shutdown.stopping) return;
    log.error({ code }, "the indexer service stopped on its own; stopping the devnet");
    await shutdown.run();
    process.exit(1);
  });
  log.debug({ url, pid: service.pid }, "indexer and GraphQL API up");
  return { url, pid: service.pid };
}

/** The dev runner's fee per run, in the native coin: small, and not zero, so that the demo shows it paid. */
const DEV_RUNNER_FEE = 10n ** 15n;

/**
 * Registers the dev runner (Hardhat account #15) when it is not yet, then starts `npm run runner`
 * in a child process. A runner that cannot start (no bubblewrap) leaves the rest of the stack up:
 * the banner says why, and nothing is ever run unsandboxed.
 */
async function startRunner(config: LureConfig, shutdown: Shutdown): Promise<{ address: string; pid: number } | { unavailable: string }> {
  const { JsonRpcProvider, ZeroAddress } = await import("ethers");
  const { connectLure } = await import("../services/chain/contracts");
  const { signerFromPrivateKey } = await import("../services/chain/signers");
  const { DEV_RUNNER_ACCOUNT } = await import("../services/runner");
  const { loadOrCreateRunnerKey, readRunner, registerRunner } = await import("../services/market/runners");
  const provider = new JsonRpcProvider(config.LOCAL_RPC_URL, undefined, { staticNetwork: true });
  try {
    const signer = signerFromPrivateKey(devAccounts(DEV_RUNNER_ACCOUNT + 1)[DEV_RUNNER_ACCOUNT].privateKey, provider);
    const contracts = await connectLure(signer, { network: "localhost", deploymentsDir: config.DEPLOYMENTS_DIR });
    if (!(await readRunner(contracts, signer.address)).registered) {
      const key = await loadOrCreateRunnerKey(config.RUNNER_DATA_DIR);
      await registerRunner(contracts, { publicKey: key.publicKey, fees: [{ token: ZeroAddress, fee: DEV_RUNNER_FEE }] });
      log.debug({ runner: signer.address }, "dev runner registered");
    }
  } finally {
    provider.destroy();
  }
  let runner;
  try {
    runner = await startRunnerChild({ env: { NETWORK: "localhost" } });
  } catch (error) {
    return { unavailable: (error as Error).message };
  }
  shutdown.add("runner", () => runner.stop());
  void runner.exited.then((code) => {
    if (!shutdown.stopping) log.error({ code }, "the runner stopped on its own; the rest of the devnet stays up");
  });
  return { address: runner.address, pid: runner.pid };
}

/** One step of the start, announced when it begins and when it is done, with its time. */
async function step<T>(index: number, title: string, work: () => Promise<T>): Promise<T> {
  const label = `[${index}/${STEP_COUNT}] ${title}`;
  console.log(`${label}…`);
  const started = Date.now();
  const result = await work();
  console.log(`${label}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}
const STEP_COUNT = 4;

async function main(): Promise<void> {
  // The step lines say what happens; the services' JSON logs (the children inherit this) show only
  // warnings and errors unless LOG_LEVEL asks for more.
  process.env.LOG_LEVEL ??= "warn";
  const config = loadConfig();
  const shutdown = new Shutdown(log);
  shutdown.exitOnSignals();
  const fresh = process.argv.includes("--fresh");

  try {
    if (fresh) wipeDevData(config);
    const chain = await step(1, "chain and contracts", () => startChain(config, shutdown, fresh));
    const swarm = await step(2, "Swarm", () => startSwarm(config, shutdown));
    const api = await step(3, "indexer, GraphQL API and web app", () => startIndexer(config, shutdown));
    const runner = await step(4, "runner", () => startRunner(config, shutdown));

    const lines = [
      "",
      `Web app   ${api.url}/`,
      `GraphQL   ${api.url}/graphql  (query page ${api.url}/query; indexer service pid ${api.pid})`,
      `Chain     ${chain.url} (chainId ${chain.deployment.chainId}): ${describeChain(chain.origin)}`,
      ...Object.entries(chain.deployment.contracts).map(([name, entry]) => `  ${name.padEnd(14)} ${entry.address} (block ${entry.blockNumber})`),
      `Roles     admin #${DEV_ROLE_ACCOUNTS.admin}, governor #${DEV_ROLE_ACCOUNTS.governor} (governance tasks sign with it by default), pauser #${DEV_ROLE_ACCOUNTS.pauser}, fee recipient #${DEV_ROLE_ACCOUNTS.feeRecipient}`,
      `Swarm     ${swarm.url} (postage batch ${swarm.batch})`,
      "address" in runner
        ? `Runner    ${runner.address} (account #15, local sandbox, runner pid ${runner.pid}): runs pods for \`npx hardhat pod:run --network localhost\``
        : `Runner    not started: ${runner.unavailable}`,
      "Funded dev accounts (public test keys, never use them elsewhere):",
      ...devAccounts(5).map((account) => `  #${account.index} ${account.address}  ${account.privateKey}`),
      "",
      "Three things to try:",
      "  1. npm run demo    the whole story: a pod published, licensed, run, forked and sold with royalties, a task, a group and a paid message",
      `  2. open ${api.url}/    browse the pods, runs and groups; a browser wallet on chain ${chain.deployment.chainId} can buy, run and send`,
      "  3. your own pod:   npx hardhat pod:init --name hello --dir ./hello",
      "                     npx hardhat pod:persist --network localhost --dir ./hello --price 0.1",
      "                     npx hardhat pod:run --network localhost --pod <id> --max-pay 0.01 --wait",
      "",
      "Lure devnet ready. Ctrl-C stops everything; `npm start` again brings the same chain back.",
    ];
    console.log(lines.join("\n"));
  } catch (error) {
    log.error({ err: error }, "start failed");
    console.error(`Lure could not start: ${(error as Error).message}`);
    await shutdown.run();
    process.exit(1);
  }
}

void main();
