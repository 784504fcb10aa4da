import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import express, { type Express, type Request, type Response } from "express";
import { BeeResponseError, MantarayNode } from "@ethersphere/bee-js";
import { Interface } from "ethers";
import { loadConfig, rpcUrlFor, type LureConfig } from "../../config";
import { readDeployment } from "../../chain/deployments";
import { postJsonRpc } from "../../chain/rpc";
import { createSwarmClient, SwarmRequestError, type SwarmClient } from "../../swarm";
import type { Database } from "../../database";
import type { ApiIndexerStatus } from "../events";

/**
 * What the API serves for the web app (docs/web.md): the built app at `/` (dist/web), its
 * configuration at `/app-config.json`, a read-only Swarm proxy at `/swarm/...` and the health of
 * the parts at `/status.json`. The app itself reads everything else through GraphQL.
 */
export interface WebOptions {
  /** The built app (index.html and assets/); default `<project>/dist/web`. */
  webDir?: string;
  /** Default: `loadConfig()` (BEE_URL, the RPC URL, NETWORK, DEPLOYMENTS_DIR, BEE_TIMEOUT_MS). */
  config?: LureConfig;
  /** The most the Swarm proxy passes on for one file or blob; default 16 MiB. */
  swarmMaxBytes?: number;
  /** Timeout of every Swarm and chain request made for the app; default 10 s. */
  timeoutMs?: number;
}

export interface WebDeps {
  db: Database;
  status: () => ApiIndexerStatus;
}

/** The shape of `/app-config.json`: web/src/app-config.ts's `AppConfig` (kept in step by hand, both sides typed). */
export interface AppConfigJson {
  chainId: number;
  chainName: string;
  rpcUrl: string;
  contracts: Record<string, string>;
  graphqlUrl: string;
  swarmProxyUrl: string;
  beeUrl: string;
  nativeSymbol: string;
  /** Payment tokens the app knows by symbol and decimals, by lower-case address (the native coin at 0x000…0). */
  tokens: Record<string, { symbol: string; decimals: number }>;
  /** The network name of the deployments file the contracts come from. */
  network: string;
  /** Where the app uploads a message body (`POST`, the raw bytes, `?name=<file name>`), or null when the API takes no uploads. */
  uploadUrl: string | null;
}

const NATIVE = "0x0000000000000000000000000000000000000000";
const CHAIN_NAMES: Record<number, string> = { 31337: "Lure dev chain", 137: "Polygon", 80002: "Polygon Amoy" };
const NATIVE_SYMBOLS: Record<number, string> = { 31337: "ETH", 137: "POL", 80002: "POL" };
/** A Swarm reference: 64 hex (128 for an encrypted one), 0x optional. */
const SWARM_REF = /^(0x)?([0-9a-fA-F]{64}|[0-9a-fA-F]{128})$/;
const HASHED_ASSET = /^\/assets\/.+-[0-9A-Z]{8,}\.[a-z0-9]+$/i;

/** The project root (the folder of package.json), the same from services/ under ts-node and from dist/. */
function projectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}

function defaultWebDir(): string {
  return join(projectRoot(__dirname), "dist", "web");
}

/** `ref` checked as a Swarm reference; else a 400 naming it. */
function swarmRef(value: unknown, res: Response): string | undefined {
  if (typeof value === "string" && SWARM_REF.test(value)) return value.toLowerCase().replace(/^0x/, "");
  res.status(400).json({ error: `"${String(value)}" is not a Swarm reference (64 or 128 hex characters, 0x optional)` });
  return undefined;
}

function swarmFailure(res: Response, error: unknown, what: string): void {
  const status = error instanceof SwarmRequestError ? error.status : error instanceof BeeResponseError ? error.status : undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (status === 404) res.status(404).json({ error: `${what} was not found on Swarm` });
  else res.status(502).json({ error: `${what}: ${message}` });
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lure: web app not built</title></head>
<body style="font: 16px system-ui, sans-serif; max-width: 40em; margin: 3em auto; padding: 0 1em">
<h1>The web app is not built</h1>
<p>Build it with <code>npm run build:web</code> (or <code>npm run build:services</code>, which builds it too), then reload.</p>
<p>The GraphQL API is at <a href="/graphql">/graphql</a>; the query page at <a href="/query">/query</a> (in dev).</p>
</body></html>`;

/** An ERC-20's symbol and decimals, as the app shows amounts in it. */
interface TokenMetadata {
  symbol: string;
  decimals: number;
}

const ERC20_METADATA = new Interface(["function symbol() view returns (string)", "function decimals() view returns (uint8)"]);
/** The most allow-listed tokens named in /app-config.json (each costs two eth_calls once). */
const MAX_CONFIG_TOKENS = 50;

/**
 * The symbol and decimals of the tokens the market allows (indexed `market_tokens`), read from the
 * chain once per token (`eth_call`) and kept: a token's symbol and decimals do not change. A token
 * that does not answer as an ERC-20 is left out, and asked again next time; the app then shows its
 * address and raw units.
 */
class Erc20Metadata {
  private readonly known = new Map<string, TokenMetadata>();

  constructor(private readonly timeoutMs: number) {}

  async ofAllowedTokens(db: Database, rpcUrl: string): Promise<Record<string, TokenMetadata>> {
    let tokens: string[];
    try {
      const rows = await db.query<{ token: string }>(`SELECT token FROM market_tokens WHERE allowed ORDER BY token LIMIT ${MAX_CONFIG_TOKENS}`);
      tokens = rows.map((row) => row.token.toLowerCase());
    } catch {
      return {};
    }
    const entries = await Promise.all(tokens.map(async (token) => [token, await this.of(rpcUrl, token)] as const));
    return Object.fromEntries(entries.filter((entry): entry is readonly [string, TokenMetadata] => entry[1] !== undefined));
  }

  private async of(rpcUrl: string, token: string): Promise<TokenMetadata | undefined> {
    const cached = this.known.get(token);
    if (cached) return cached;
    try {
      const call = async (name: "symbol" | "decimals") => {
        const response = await postJsonRpc(rpcUrl, "eth_call", [{ to: token, data: ERC20_METADATA.encodeFunctionData(name) }, "latest"], this.timeoutMs);
        const body = (await response.json()) as { result?: string };
        if (typeof body.result !== "string" || body.result === "0x") throw new Error(`${name}() answered nothing`);
        return ERC20_METADATA.decodeFunctionResult(name, body.result)[0] as unknown;
      };
      const [symbol, decimals] = await Promise.all([call("symbol"), call("decimals")]);
      if (typeof symbol !== "string" || typeof decimals !== "bigint" || decimals > 36n) return undefined;
      const metadata = { symbol, decimals: Number(decimals) };
      this.known.set(token, metadata);
      return metadata;
    } catch {
      return undefined;
    }
  }
}

/** Mounts the web app's routes on `app`. */
export function mountWeb(app: Express, deps: WebDeps, options: WebOptions = {}): void {
  const webDir = options.webDir ?? defaultWebDir();
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBytes = options.swarmMaxBytes ?? 16 * 1024 * 1024;
  let config: LureConfig | undefined = options.config;
  const settings = (): LureConfig => (config ??= loadConfig());
  let swarm: SwarmClient | undefined;
  const storage = (): SwarmClient =>
    (swarm ??= createSwarmClient({ url: settings().BEE_URL, postageBatchId: settings().BEE_POSTAGE_BATCH, timeoutMs: Math.min(timeoutMs, settings().BEE_TIMEOUT_MS) }));

  const erc20 = new Erc20Metadata(timeoutMs);
  app.get("/app-config.json", async (req, res) => {
    const current = settings();
    const deployment = readDeployment(current.NETWORK, current.DEPLOYMENTS_DIR);
    const chainId = deployment?.chainId ?? deps.status().chainId;
    const nativeSymbol = NATIVE_SYMBOLS[chainId] ?? "ETH";
    const origin = `${req.protocol}://${req.get("host") ?? "127.0.0.1"}`;
    const body: AppConfigJson = {
      chainId,
      chainName: CHAIN_NAMES[chainId] ?? `chain ${chainId}`,
      rpcUrl: rpcUrlFor(current),
      contracts: Object.fromEntries(Object.entries(deployment?.contracts ?? {}).map(([name, entry]) => [name, entry.address])),
      graphqlUrl: `${origin}/graphql`,
      swarmProxyUrl: `${origin}/swarm`,
      beeUrl: current.BEE_URL,
      nativeSymbol,
      tokens: { [NATIVE]: { symbol: nativeSymbol, decimals: 18 }, ...(await erc20.ofAllowedTokens(deps.db, rpcUrlFor(current))) },
      network: current.NETWORK,
      uploadUrl: current.WEB_UPLOAD_MAX_BYTES > 0 ? `${origin}/swarm/messages` : null,
    };
    res.setHeader("cache-control", "no-cache");
    res.json(body);
  });

  app.get("/status.json", async (_req, res) => {
    res.setHeader("cache-control", "no-store");
    res.json(await statusReport(deps, settings(), storage(), timeoutMs));
  });

  // The read-only Swarm proxy: the app fetches recipes, output, logs and message bodies through it.
  const sendFile = (res: Response, data: Uint8Array, contentType: string | undefined, what: string) => {
    if (data.byteLength > maxBytes) {
      res.status(413).json({ error: `${what} is ${data.byteLength} bytes, more than the proxy's ${maxBytes}` });
      return;
    }
    // Served as data, never as a page of this origin: Swarm content is anyone's.
    res.setHeader("content-type", contentType && /^text\/|json/.test(contentType) ? contentType : "application/octet-stream");
    res.setHeader("x-content-type-options", "nosniff");
    res.setHeader("content-security-policy", "sandbox; default-src 'none'");
    res.setHeader("cache-control", "public, max-age=31536000, immutable");
    res.send(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  };
  app.get("/swarm/bytes/:ref", async (req, res) => {
    const ref = swarmRef(req.params.ref, res);
    if (!ref) return;
    try {
      sendFile(res, await storage().downloadBytes(ref), undefined, `bytes ${ref}`);
    } catch (error) {
      swarmFailure(res, error, `bytes ${ref}`);
    }
  });
  app.get("/swarm/bzz/:ref{/*path}", async (req, res) => {
    const ref = swarmRef(req.params.ref, res);
    if (!ref) return;
    const segments = (req.params as { path?: string[] }).path ?? [];
    const path = segments.join("/");
    if (segments.some((segment) => segment === ".." || segment === ".")) {
      res.status(400).json({ error: `"${path}" is not a path inside a collection` });
      return;
    }
    try {
      const file = await storage().downloadFile(ref, path);
      sendFile(res, file.data, file.contentType, `${path || "/"} of ${ref}`);
    } catch (error) {
      swarmFailure(res, error, `${path || "/"} of ${ref}`);
    }
  });
  app.get("/swarm/list/:ref", async (req, res) => {
    const ref = swarmRef(req.params.ref, res);
    if (!ref) return;
    try {
      const client = storage();
      const root = await MantarayNode.unmarshal(client.bee, ref, undefined, client.requestOptions());
      await root.loadRecursively(client.bee, undefined, client.requestOptions());
      const files = root
        .collect()
        .map((node) => ({ path: node.fullPathString, contentType: node.metadata?.["Content-Type"] ?? null }))
        .filter((file) => file.path !== "")
        .sort((a, b) => a.path.localeCompare(b.path));
      res.setHeader("cache-control", "public, max-age=31536000, immutable");
      res.json({ ref, files });
    } catch (error) {
      swarmFailure(res, error, `collection ${ref}`);
    }
  });
  // A message body from the web app, uploaded as the command line uploads one (services/market/
  // messages.ts): a one-file collection, the file its index document. The app then sends the message
  // with its wallet; the API holds no key and pays only the Swarm postage of a small file.
  const uploadLimit = settings().WEB_UPLOAD_MAX_BYTES;
  app.post("/swarm/messages", express.raw({ type: () => true, limit: Math.max(uploadLimit, 1) }), async (req, res) => {
    if (uploadLimit === 0) {
      res.status(404).json({ error: "this API takes no uploads (WEB_UPLOAD_MAX_BYTES=0)" });
      return;
    }
    const name = typeof req.query.name === "string" ? req.query.name : "message.txt";
    if (!/^[\w][\w.-]{0,99}$/.test(name)) {
      res.status(400).json({ error: `name: ${JSON.stringify(name)} is not a file name (letters, digits, '_', '.', '-'; at most 100)` });
      return;
    }
    const body = req.body as unknown;
    if (!Buffer.isBuffer(body) || body.length === 0) {
      res.status(400).json({ error: "the message body is empty: send its bytes as the request body" });
      return;
    }
    try {
      const reference = await storage().uploadCollection([{ path: name, data: new Uint8Array(body) }], { indexDocument: name });
      res.status(201).json({ reference, name, bytes: body.length });
    } catch (error) {
      swarmFailure(res, error, `uploading ${name}`);
    }
  });
  // express.raw refuses a body above the limit with a 413 before the route: said in words the app shows.
  app.use("/swarm/messages", (error: unknown, _req: Request, res: Response, next: (error?: unknown) => void) => {
    if ((error as { type?: string } | undefined)?.type === "entity.too.large") {
      res.status(413).json({ error: `the message body is above the ${uploadLimit} bytes this API uploads (WEB_UPLOAD_MAX_BYTES)` });
      return;
    }
    next(error);
  });

  app.all("/swarm/{*rest}", (req, res) => {
    res.status(404).json({ error: `${req.path} is not a Swarm proxy route: /swarm/bzz/<ref>/<path>, /swarm/bytes/<ref>, /swarm/list/<ref>, POST /swarm/messages` });
  });

  // The app itself: hashed assets are immutable, index.html is always revalidated.
  const assets = express.static(webDir, {
    index: false,
    fallthrough: true,
    setHeaders: (res, path) => {
      const relative = path.slice(webDir.length).replace(/\\/g, "/");
      res.setHeader("cache-control", HASHED_ASSET.test(relative) ? "public, max-age=31536000, immutable" : "no-cache");
    },
  });
  app.use("/assets", (req, res, next) => {
    req.url = `/assets${req.url}`;
    assets(req, res, next);
  });
  const sendIndex = (_req: Request, res: Response) => {
    const index = join(webDir, "index.html");
    if (!existsSync(index) || !statSync(index).isFile()) {
      res.status(503).type("html").setHeader("cache-control", "no-store").send(NOT_BUILT_PAGE);
      return;
    }
    res.setHeader("cache-control", "no-cache");
    res.type("html").send(readFileSync(index));
  };
  app.get(["/", "/index.html"], sendIndex);
}

export interface StatusReport {
  chain: { ok: boolean; rpcUrl: string; chainId: number | null; headBlock: number | null; error?: string };
  swarm: { ok: boolean; beeUrl: string; version: string | null; error?: string };
  indexer: { chainId: number; indexedBlock: number | null; headBlock: number | null; backfilling: boolean; hasIndexingErrors: boolean };
  runners: {
    address: string;
    paused: boolean;
    unregistered: boolean;
    runsCompleted: number;
    runsFailed: number;
    /** The last block its registration or a run it held changed; its unix time when known. */
    lastActivityBlock: number;
    lastActivityAt: number | null;
  }[];
}

async function rpcResult(url: string, method: string, timeoutMs: number): Promise<string> {
  const response = await postJsonRpc(url, method, [], timeoutMs);
  const body = (await response.json()) as { result?: string; error?: { message: string } };
  if (body.error || typeof body.result !== "string") throw new Error(`${method}: ${body.error?.message ?? "no result"}`);
  return body.result;
}

async function statusReport(deps: WebDeps, config: LureConfig, swarm: SwarmClient, timeoutMs: number): Promise<StatusReport> {
  const rpcUrl = rpcUrlFor(config);
  const chain = (async (): Promise<StatusReport["chain"]> => {
    try {
      const [chainId, head] = await Promise.all([rpcResult(rpcUrl, "eth_chainId", timeoutMs), rpcResult(rpcUrl, "eth_blockNumber", timeoutMs)]);
      return { ok: true, rpcUrl, chainId: Number(BigInt(chainId)), headBlock: Number(BigInt(head)) };
    } catch (error) {
      return { ok: false, rpcUrl, chainId: null, headBlock: null, error: error instanceof Error ? error.message : String(error) };
    }
  })();
  const bee = (async (): Promise<StatusReport["swarm"]> => {
    try {
      const health = await swarm.bee.getHealth(swarm.requestOptions());
      return { ok: health.status === "ok", beeUrl: swarm.url, version: health.version };
    } catch (error) {
      return { ok: false, beeUrl: swarm.url, version: null, error: error instanceof Error ? error.message : String(error) };
    }
  })();
  const runners = deps.db
    .query<{ address: string; paused: boolean; unregistered: boolean; runs_completed: number; runs_failed: number; last_block: string; last_at: string | null }>(
      `SELECT r.address, r.paused, r.unregistered, r.runs_completed, r.runs_failed,
              GREATEST(r.block_number, COALESCE(a.last_block, 0))::text AS last_block,
              GREATEST(r.registered_at, COALESCE(a.last_at, 0))::text AS last_at
         FROM runners r
         LEFT JOIN (SELECT runner, max(GREATEST(claimed_block, COALESCE(ended_block, 0))) AS last_block,
                           max(GREATEST(claimed_at, COALESCE(ended_at, 0))) AS last_at
                      FROM runs WHERE runner IS NOT NULL GROUP BY runner) a ON a.runner = r.address
        ORDER BY r.runner_id`,
    )
    .then((rows) =>
      rows.map((row) => ({
        address: row.address,
        paused: row.paused,
        unregistered: row.unregistered,
        runsCompleted: Number(row.runs_completed),
        runsFailed: Number(row.runs_failed),
        lastActivityBlock: Number(row.last_block),
        lastActivityAt: row.last_at === null ? null : Number(row.last_at),
      })),
    );
  const status = deps.status();
  return {
    chain: await chain,
    swarm: await bee,
    indexer: {
      chainId: status.chainId,
      indexedBlock: status.indexedBlock?.number ?? null,
      headBlock: status.headBlock ?? null,
      backfilling: status.backfilling,
      hasIndexingErrors: status.hasIndexingErrors,
    },
    runners: await runners,
  };
}
