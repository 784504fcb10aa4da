import os from "node:os";
import path from "node:path";
import { z } from "zod";

/**
 * The one typed view of Lure's environment. Every service reads its settings from here, so a
 * bad value is reported at start-up with the variable's name instead of failing later.
 */
const optionalUrl = z.string().url().optional();
const port = z.coerce.number().int().min(0).max(65535);
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x-prefixed 20-byte address");

/** A 32-byte private key in hex, 0x optional: the one rule for DEPLOYER_PRIVATE_KEY and any signer key. */
export const PRIVATE_KEY_PATTERN = /^(0x)?[0-9a-fA-F]{64}$/;

const settingsSchema = z.object({
  // Unset: "warn" when stderr is a terminal (people read the commands' own output there), else "info".
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional(),

  // Chain
  NETWORK: z.enum(["hardhat", "localhost", "amoy", "polygon"]).default("localhost"),
  RPC_URL: optionalUrl,
  LOCAL_RPC_URL: z.string().url().default("http://127.0.0.1:8545"),
  AMOY_RPC_URL: optionalUrl,
  POLYGON_RPC_URL: optionalUrl,
  DEPLOYER_PRIVATE_KEY: z.string().regex(PRIVATE_KEY_PATTERN, "must be 32 bytes of hex").optional(),
  DEPLOYMENTS_DIR: z.string().default("deployments"),
  // The dev chain's journal (`npm start`): its genesis time and every block mined, replayed on restart.
  DEV_CHAIN_DIR: z.string().default(".data/chain"),
  // The genesis time (unix seconds) of a `hardhat node`: set by `npm start` to bring a recorded chain back.
  DEV_CHAIN_GENESIS_TIME: z.coerce.number().int().positive().optional(),

  // Deployment (scripts/deploy.ts). On amoy/polygon nothing is sent without LURE_DEPLOY_YES=1 (the
  // plan is printed), and the role holders must be given: distinct accounts, none the deployer.
  LURE_DEPLOY_YES: z.enum(["0", "1"]).default("0"),
  LURE_ADMIN: address.optional(),
  LURE_PAUSER: address.optional(),
  LURE_FEE_RECIPIENT: address.optional(),
  LURE_TIMELOCK_PROPOSER: address.optional(),
  LURE_FEE_BPS: z.coerce.number().int().min(0).max(1000).default(250),
  LURE_ADMIN_DELAY: z.coerce.number().int().min(0).default(3 * 86_400),
  LURE_TIMELOCK_DELAY: z.coerce.number().int().min(0).default(2 * 86_400),
  LURE_FEE_CHANGE_DELAY: z.coerce.number().int().min(86_400).default(2 * 86_400),
  // RunMarket's settings at deployment: seconds a claim holds without a report (at least 60), seconds
  // between a runner's unregistering and its bond's return, the bond (wei of the native coin) and what
  // a lapsed claim costs of it (at most the bond).
  LURE_RUN_CLAIM_WINDOW: z.coerce.number().int().min(60).max(2 ** 32 - 1).default(600),
  LURE_RUN_UNBONDING_DELAY: z.coerce.number().int().min(0).max(2 ** 32 - 1).default(86_400),
  LURE_RUN_MIN_BOND: z.string().regex(/^[0-9]+$/, "must be a whole number of wei").default("100000000000000000"),
  LURE_RUN_SLASH: z.string().regex(/^[0-9]+$/, "must be a whole number of wei").default("10000000000000000"),
  // MessageBus's native protocol floor at deployment: wei every message pays the fee recipient. Dev
  // chains default to 0.0001 of the coin (scripts/deploy.ts); amoy and polygon require it.
  LURE_MESSAGE_FLOOR: z.string().regex(/^[0-9]+$/, "must be a whole number of wei").optional(),
  // Overrides the network's minimum priority fee (polygon and amoy: 30 gwei; dev chains: 0).
  LURE_PRIORITY_FEE_FLOOR_GWEI: z.coerce.number().min(0).optional(),
  // Contract verification (hardhat-verify): one Etherscan v2 key serves Polygonscan and Amoy.
  ETHERSCAN_API_KEY: z.string().min(1).optional(),

  // Swarm
  BEE_URL: z.string().url().default("http://127.0.0.1:1633"),
  BEE_POSTAGE_BATCH: z.string().regex(/^[0-9a-fA-F]{64}$/, "must be a 64-hex postage batch id").optional(),
  BEE_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
  SWARM_DEV_HOST: z.string().default("127.0.0.1"),
  SWARM_DEV_PORT: port.default(1633),
  SWARM_DATA_DIR: z.string().default(".data/swarm"),

  // Database
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL").optional(),
  PGLITE_DIR: z.string().default(".data/pglite"),
  // PGlite's WebAssembly memory never shrinks and its shared buffers are touched in full at start-up:
  // each MB here is a MB of the indexer's RSS. 4 MB measured no slower than 16 for a backfill
  // (misses are served from the OS page cache) and saves 12 MB; PostgreSQL's default is 128 MB.
  PGLITE_SHARED_BUFFERS_MB: z.coerce.number().int().min(1).max(4096).default(4),

  // Indexer and GraphQL
  GRAPHQL_HOST: z.string().default("127.0.0.1"),
  GRAPHQL_PORT: port.default(4000),
  // GraphQL API processes sharing GRAPHQL_PORT (node:cluster); more than one needs DATABASE_URL.
  API_WORKERS: z.coerce.number().int().min(1).max(64).default(1),
  // The web app's message bodies: the API uploads one file of at most this many bytes to BEE_URL,
  // stamped with its postage batch (POST /swarm/messages), so browsers never call the Bee node
  // (which then needs neither CORS nor a public API). 0 turns the route off.
  WEB_UPLOAD_MAX_BYTES: z.coerce.number().int().min(0).max(16 * 1024 * 1024).default(256 * 1024),
  INDEXER_POLL_MS: z.coerce.number().int().positive().default(250),
  INDEXER_FINALITY_DEPTH: z.coerce.number().int().positive().optional(),
  // Logs per backfill range (the block range adapts around it): bounds the indexer's memory. 10k is
  // also the result cap common among hosted RPCs; fewer per range cost the node more per log (−8% events/s at 4k).
  INDEXER_TARGET_LOGS: z.coerce.number().int().positive().default(10_000),

  // Pods (services/pods): where private pods' keys live, and what an external payload may unpack to
  POD_KEYS_DIR: z.string().optional(),
  PAYLOAD_MAX_BYTES: z.coerce.number().int().positive().default(2 * 1024 ** 3),
  PAYLOAD_MAX_ENTRIES: z.coerce.number().int().positive().default(100_000),

  // Runner (services/runner, `npm run runner`). Its account: RUNNER_PRIVATE_KEY, or an encrypted
  // JSON keystore; on the dev chains the public Hardhat account #15 when neither is set.
  RUNNER_PRIVATE_KEY: z.string().regex(PRIVATE_KEY_PATTERN, "must be 32 bytes of hex").optional(),
  RUNNER_KEYSTORE: z.string().min(1).optional(),
  RUNNER_KEYSTORE_PASSWORD: z.string().optional(),
  // The journal of claimed runs and the follower's cursor: what a restarted runner resumes from.
  RUNNER_DATA_DIR: z.string().default(".data/runner"),
  // Runs executed at once by one runner process; more requests wait unclaimed (another runner may take them).
  RUNNER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  RUNNER_POLL_MS: z.coerce.number().int().positive().default(250),
  // Blocks a request must be under before it is claimed (0 on dev chains; a few on Polygon).
  RUNNER_CONFIRMATIONS: z.coerce.number().int().min(0).max(1000).default(0),
  // First block to follow when the runner has no cursor yet (default: RunMarket's deployment block).
  RUNNER_START_BLOCK: z.coerce.number().int().min(0).optional(),
  // The limits every run is held to (docs/runs.md says how each is enforced); a recipe may ask for less time.
  RUNNER_WALL_CLOCK_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  RUNNER_CPU_SECONDS: z.coerce.number().int().min(1).default(300),
  RUNNER_MEMORY_MB: z.coerce.number().int().min(16).default(512),
  RUNNER_MAX_PROCESSES: z.coerce.number().int().min(4).max(100_000).default(64),
  RUNNER_CPU_CORES: z.coerce.number().int().min(1).max(256).default(1),
  RUNNER_OUTPUT_MB: z.coerce.number().int().min(1).max(16_384).default(64),
  RUNNER_LOG_KB: z.coerce.number().int().min(1).default(1024),
  // Work (a sized tmpfs) plus output: 1 GiB, what a scaffolded pod asks for (minStorageGib: 1).
  RUNNER_WORK_MB: z.coerce.number().int().min(1).default(960),

  // Courier (services/courier, `npm run courier`): posts every new message of these groups (ids,
  // comma-separated) and inboxes (addresses, comma-separated) as JSON to the webhook, in chain order,
  // at least once; its cursor (the last message delivered) lives in the data folder.
  COURIER_GROUPS: z.string().regex(/^\s*[1-9][0-9]*(\s*,\s*[1-9][0-9]*)*\s*$/, "must be group ids separated by commas, such as 1,4").optional(),
  COURIER_INBOXES: z.string().regex(/^\s*0x[0-9a-fA-F]{40}(\s*,\s*0x[0-9a-fA-F]{40})*\s*$/, "must be 0x addresses separated by commas").optional(),
  COURIER_WEBHOOK_URL: z.string().url().regex(/^https?:\/\//i, "must be an http(s) URL").optional(),
  COURIER_DATA_DIR: z.string().default(".data/courier"),
  COURIER_POLL_MS: z.coerce.number().int().positive().default(1_000),
  // Blocks a message must be under before it is delivered (0 on dev chains; a few on Polygon).
  COURIER_CONFIRMATIONS: z.coerce.number().int().min(0).max(1000).default(0),
  // First block to follow when the courier has no cursor yet (default: MessageBus's deployment block).
  COURIER_START_BLOCK: z.coerce.number().int().min(0).optional(),
  // One webhook call's timeout; the wait between retries doubles up to COURIER_RETRY_MAX_MS.
  COURIER_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
  COURIER_RETRY_MAX_MS: z.coerce.number().int().positive().default(60_000),

  // Scout (services/scout, `npm run scout`; docs/messages.md "Scout"): follows newly published public
  // pods that match its filter, optionally runs a test pod on each, and reports to a group. Its account:
  // SCOUT_PRIVATE_KEY, on the dev chains the public Hardhat account #14 when unset.
  SCOUT_PRIVATE_KEY: z.string().regex(PRIVATE_KEY_PATTERN, "must be 32 bytes of hex").optional(),
  // The cursor and the findings not reported yet: what a restarted scout resumes from.
  SCOUT_DATA_DIR: z.string().default(".data/scout"),
  // The filter: every one that is set must match (name: a JavaScript regular expression).
  SCOUT_NAME_PATTERN: z.string().refine((text) => { try { new RegExp(text); return true; } catch { return false; } }, "must be a valid regular expression").optional(),
  SCOUT_AUTHOR: address.optional(),
  SCOUT_GROUP: z.string().regex(/^[1-9][0-9]*$/, "must be a group id (a positive integer)").optional(),
  SCOUT_FORKS_OF: z.string().regex(/^[1-9][0-9]*$/, "must be a pod id (a positive integer)").optional(),
  // The group the reports are sent to (required), and the most one report's fee may be (in the group's fee token).
  SCOUT_REPORT_GROUP: z.string().regex(/^[1-9][0-9]*$/, "must be a group id (a positive integer)").optional(),
  SCOUT_MAX_FEE: z.string().regex(/^[0-9]+(\.[0-9]+)?$/, "must be an amount such as 0.01").optional(),
  // A pod run on every new pod (its manifest reference is the run's input), and the most one such run
  // escrows (in the test pod's price token; required with SCOUT_TEST_POD).
  SCOUT_TEST_POD: z.string().regex(/^[1-9][0-9]*$/, "must be a pod id (a positive integer)").optional(),
  SCOUT_MAX_PAY: z.string().regex(/^[0-9]+(\.[0-9]+)?$/, "must be an amount such as 0.01").optional(),
  SCOUT_POLL_MS: z.coerce.number().int().positive().default(1000),
  SCOUT_CONFIRMATIONS: z.coerce.number().int().min(0).max(1000).default(0),
  // First block to follow when the scout has no cursor yet (default: the chain's head then: new pods only).
  SCOUT_START_BLOCK: z.coerce.number().int().min(0).optional(),

  // Compute
  YAGNA_APPKEY: z.string().min(1).optional(),
  GOLEM_PAYMENT_NETWORK: z.enum(["hoodi", "polygon"]).default("hoodi"),
  // The Golem executor (services/runner/golem, docs/runs.md "Runs on Golem"): yagna's REST API, the
  // most a provider may charge (GLM, linear pricing: start, per CPU-thread hour, per hour of the
  // rental) and the most one run may cost, which is also its payment allocation.
  YAGNA_API_URL: z.string().url().default("http://127.0.0.1:7465"),
  GOLEM_MAX_START_PRICE: z.coerce.number({ error: "must be an amount of GLM such as 0.25" }).min(0, "must be 0 GLM or more").default(0.5),
  GOLEM_MAX_CPU_PER_HOUR: z.coerce.number({ error: "must be an amount of GLM such as 0.25" }).min(0, "must be 0 GLM or more").default(1),
  GOLEM_MAX_ENV_PER_HOUR: z.coerce.number({ error: "must be an amount of GLM such as 0.25" }).min(0, "must be 0 GLM or more").default(0.5),
  GOLEM_BUDGET_PER_RUN: z.coerce.number({ error: "must be an amount of GLM such as 0.25" }).positive("must be above 0 GLM").default(1),
  // Which executor runs pods: the local sandbox or Golem (default: golem when YAGNA_APPKEY is set).
  RUNNER_EXECUTOR: z.enum(["sandbox", "golem"]).optional(),
});

const configSchema = settingsSchema.superRefine((config, context) => {
  // PGlite lives inside one process: other processes cannot open it.
  if (config.API_WORKERS > 1 && !config.DATABASE_URL) {
    context.addIssue({ code: "custom", path: ["API_WORKERS"], message: "more than one API worker needs PostgreSQL (set DATABASE_URL); embedded PGlite serves one process" });
  }
});

export type LureConfig = z.infer<typeof configSchema>;

/** Thrown when the environment does not validate; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid configuration:\n  ${issues.join("\n  ")}`);
    this.name = "ConfigError";
  }
}

/** Empty strings count as unset, as in most .env files. */
function withoutEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ""));
}

/** Parses `env` (default: process.env). Empty strings count as unset, as in most .env files. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): LureConfig {
  const cleaned = withoutEmpty(env);
  const parsed = configSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join(".")}=${JSON.stringify(cleaned[String(issue.path[0])] ?? null)}: ${issue.message}`),
    );
  }
  return parsed.data;
}

/**
 * One variable, parsed by the same rule and default as in `loadConfig`, without reading the others.
 * For code that runs at module load or in every process (the logger, the deployments folder), where
 * an unrelated bad variable must not stop it; a bad value of this one throws a ConfigError naming it.
 */
export function setting<Name extends keyof LureConfig>(name: Name, env: NodeJS.ProcessEnv = process.env): LureConfig[Name] {
  const result = trySetting(name, env);
  if (!result.ok) throw new ConfigError([result.problem]);
  return result.value;
}

/** Like `setting`, but a bad value is returned as a one-line problem instead of thrown. */
export function trySetting<Name extends keyof LureConfig>(
  name: Name,
  env: NodeJS.ProcessEnv = process.env,
): { ok: true; value: LureConfig[Name] } | { ok: false; problem: string } {
  const raw = withoutEmpty(env)[name];
  const parsed = settingsSchema.shape[name].safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data as LureConfig[Name] };
  return { ok: false, problem: `${name}=${JSON.stringify(raw ?? null)}: ${parsed.error.issues[0]?.message ?? "invalid"}` };
}

/** Where private pods' keys live: POD_KEYS_DIR (resolved against the working folder), else ~/.lure/keys. */
export function podKeysDir(env: NodeJS.ProcessEnv = process.env): string {
  const configured = setting("POD_KEYS_DIR", env);
  return configured !== undefined ? path.resolve(configured) : path.join(os.homedir(), ".lure", "keys");
}

/** What an external payload may unpack to: PAYLOAD_MAX_BYTES and PAYLOAD_MAX_ENTRIES (2 GiB and 100,000 by default). */
export function payloadLimits(config: Pick<LureConfig, "PAYLOAD_MAX_BYTES" | "PAYLOAD_MAX_ENTRIES"> = loadConfig()): { maxBytes: number; maxEntries: number } {
  return { maxBytes: config.PAYLOAD_MAX_BYTES, maxEntries: config.PAYLOAD_MAX_ENTRIES };
}

/** The limits a runner holds every run to, from the RUNNER_* settings. */
export function runnerLimits(config: LureConfig = loadConfig()) {
  const MIB = 1024 * 1024;
  return {
    wallClockSeconds: config.RUNNER_WALL_CLOCK_SECONDS,
    cpuSeconds: config.RUNNER_CPU_SECONDS,
    memoryBytes: config.RUNNER_MEMORY_MB * MIB,
    maxProcesses: config.RUNNER_MAX_PROCESSES,
    cpuCores: config.RUNNER_CPU_CORES,
    outputBytes: config.RUNNER_OUTPUT_MB * MIB,
    logBytes: config.RUNNER_LOG_KB * 1024,
    workBytes: config.RUNNER_WORK_MB * MIB,
    provisionSeconds: 60,
  };
}

/** The JSON-RPC URL for the configured network, or an error naming the missing variable. */
export function rpcUrlFor(config: LureConfig): string {
  if (config.RPC_URL) return config.RPC_URL;
  switch (config.NETWORK) {
    case "hardhat":
    case "localhost":
      return config.LOCAL_RPC_URL;
    case "amoy":
      if (!config.AMOY_RPC_URL) throw new ConfigError(["AMOY_RPC_URL: required for NETWORK=amoy"]);
      return config.AMOY_RPC_URL;
    case "polygon":
      if (!config.POLYGON_RPC_URL) throw new ConfigError(["POLYGON_RPC_URL: required for NETWORK=polygon"]);
      return config.POLYGON_RPC_URL;
  }
}

/** The Golem executor's settings; the executor is chosen when RUNNER_EXECUTOR=golem, or by default when YAGNA_APPKEY is set. */
export function golemSettings(config: LureConfig = loadConfig()) {
  return {
    executor: config.RUNNER_EXECUTOR ?? (config.YAGNA_APPKEY ? "golem" : "sandbox"),
    apiUrl: config.YAGNA_API_URL,
    appKey: config.YAGNA_APPKEY,
    paymentNetwork: config.GOLEM_PAYMENT_NETWORK,
    pricing: { maxStartPrice: config.GOLEM_MAX_START_PRICE, maxCpuPerHour: config.GOLEM_MAX_CPU_PER_HOUR, maxEnvPerHour: config.GOLEM_MAX_ENV_PER_HOUR },
    budgetPerRun: config.GOLEM_BUDGET_PER_RUN,
  } as const;
}
