import path from "node:path";
import { task, types } from "hardhat/config";
import { refHex } from "../services/chain/refs";
import { loadConfig, payloadLimits, podKeysDir } from "../services/config";
import type { ListingTerms } from "../services/market/listings";
import { PodError } from "../services/pods/errors";
import type { PodStorage } from "../services/pods/storage";
import { lureContracts } from "./lib/contracts";
import "./lib/command-line";
import { InvalidArgumentError, LureTaskError, explained as explainedAs } from "./lib/errors";
import { humanBytes, storageWithProgress } from "./lib/progress";
import { parentOf, print } from "./lib/output";
import { MAX_FORK_ROYALTY_BPS, parseForkRoyalty, parsePodId, parsePrice, parseToken, parseUint } from "./lib/validate";

/**
 * The pod life cycle on the command line: init, persist, fork, share. Each task validates its
 * arguments and the recipe before anything is uploaded or sent, and prints one result (`--json`).
 */

/**
 * Service errors become one-line task errors (no stack trace); anything else is a bug and keeps its
 * trace. The pod tasks run several steps, so a chain refusal names the step.
 */
function explained<T>(work: () => Promise<T>): Promise<T> {
  return explainedAs(work, { namesTheStep: true });
}

function requireDir(value: unknown, argument = "dir"): string {
  if (typeof value !== "string" || value.trim() === "") throw new InvalidArgumentError(`--${argument}: expected a folder path, got ${JSON.stringify(value ?? null)}`);
  return path.resolve(value);
}

function keysDirOf(value: unknown): string {
  return typeof value === "string" && value !== "" ? path.resolve(value) : podKeysDir();
}

/**
 * Swarm through bee-js: `--bee-url`, else BEE_URL (default the dev node on 127.0.0.1:1633). Its
 * transfers show a progress bar on a terminal when they last over a second (not with --json).
 */
async function storageFor(beeUrl: unknown, options: { json: boolean; label?: string }): Promise<PodStorage> {
  const { podStorage } = await import("../services/pods/swarm-storage");
  const config = loadConfig();
  const url = typeof beeUrl === "string" && beeUrl !== "" ? beeUrl : config.BEE_URL;
  return storageWithProgress(podStorage({ url, postageBatchId: config.BEE_POSTAGE_BATCH, timeoutMs: config.BEE_TIMEOUT_MS }), { url, ...options });
}

/**
 * The pre-publish checks' view of the same Bee node: HEAD requests, each with a timeout of at most
 * 15 s (a Bee node may look far for a reference it does not hold).
 */
async function checksFor(beeUrl: unknown, force: boolean) {
  const { swarmProbe } = await import("../services/pods/checks");
  const config = loadConfig();
  const url = typeof beeUrl === "string" && beeUrl !== "" ? beeUrl : config.BEE_URL;
  return { probe: swarmProbe(url, Math.min(config.BEE_TIMEOUT_MS, 15_000)), force };
}

/** stderr progress, so stdout stays one parseable document with --json. */
function progress(json: boolean): (line: string) => void {
  return (line) => {
    if (!json) console.error(`  … ${line}`);
  };
}

/** Arguments as Hardhat passes them: every parameter is a string (its default when left out), every flag a boolean. */
interface InitArgs {
  name: string;
  dir?: string;
  json: boolean;
}

interface PersistArgs {
  dir: string;
  private: boolean;
  price?: string;
  token?: string;
  podPrice?: string;
  transferable: boolean;
  forkRoyalty?: string;
  keysDir?: string;
  beeUrl?: string;
  account?: string;
  force: boolean;
  json: boolean;
}

interface ForkArgs {
  pod: string;
  dir: string;
  podVersion?: string;
  name?: string;
  beeUrl?: string;
  account?: string;
  json: boolean;
}

interface ShareArgs {
  pod: string;
  private: boolean;
  keysDir?: string;
  beeUrl?: string;
  account?: string;
  json: boolean;
}

interface PayloadsArgs {
  dir: string;
  beeUrl?: string;
  json: boolean;
}

task("pod:init", "Creates a new pod folder with a runnable hello example")
  .addParam("name", "Pod name (1-64 bytes)")
  .addOptionalParam("dir", "Folder to create (default: ./<name>)", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: InitArgs) => {
    const { scaffoldPod } = await import("../services/pods/scaffold");
    const dir = path.resolve(args.dir ?? args.name);
    const result = await explained(() => scaffoldPod(args.name, dir));
    print({ name: args.name, dir: result.dir, files: result.files }, { json: args.json, title: `Created pod "${args.name}" in ${result.dir}` });
    return result;
  });

task("pod:persist", "Uploads a pod folder to Swarm and publishes it on chain (a new pod or a new version)")
  .addParam("dir", "Pod folder (with recipe.json)")
  .addFlag("private", "Encrypt the pod; only key holders can read it")
  .addOptionalParam("price", "List it for licences at this price (whole token units, e.g. 1.5)", undefined, types.string)
  .addOptionalParam("token", "Listing token: native or an allow-listed ERC-20 address", undefined, types.string)
  .addOptionalParam("podPrice", "Also offer the whole pod at this price (needs --price)", undefined, types.string)
  .addFlag("transferable", "With --price: let buyers transfer (resell) their licences (default: a licence stays with its buyer)")
  .addOptionalParam(
    "forkRoyalty",
    `Basis points forks of this new pod will owe it, 0 to ${MAX_FORK_ROYALTY_BPS} (default: 0 for an original; for a fork what it owes its parent, the least it may ask)`,
    undefined,
    types.string,
  )
  .addOptionalParam("keysDir", "Where private pods' keys are kept (default POD_KEYS_DIR or ~/.lure/keys)", undefined, types.string)
  .addOptionalParam("beeUrl", "Bee API URL (default BEE_URL)", undefined, types.string)
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("force", "Publish even when the checks before publishing find problems (missing folders or files, payloads not on the Bee node); they are printed as warnings")
  .addFlag("json", "Print JSON")
  .setAction(async (args: PersistArgs, hre) => {
    const { persistPod } = await import("../services/pods/persist");
    const dir = requireDir(args.dir);
    if (args.token !== undefined && args.price === undefined) throw new InvalidArgumentError("--token: only meaningful with --price");
    if (args.podPrice !== undefined && args.price === undefined) throw new InvalidArgumentError("--pod-price: needs --price (the licence price)");
    if (args.transferable && args.price === undefined) throw new InvalidArgumentError("--transferable: only meaningful with --price");
    const forkRoyaltyBps = args.forkRoyalty === undefined ? undefined : parseForkRoyalty(args.forkRoyalty);
    const contracts = await lureContracts(hre, args.account);
    let listing: ListingTerms | undefined;
    if (args.price !== undefined) {
      const token = parseToken(args.token);
      const { NATIVE_TOKEN } = await import("../services/chain/tokens");
      const { requireErc20 } = await import("../services/market/tokens-check");
      // An ERC-20 is checked before its decimals are trusted: an address that is no token is named here.
      const decimals = token === NATIVE_TOKEN ? 18 : (await explained(() => requireErc20(token, hre.ethers.provider))).decimals;
      listing = {
        token,
        price: parsePrice(args.price, decimals),
        podPrice: args.podPrice === undefined ? 0n : parsePrice(args.podPrice, decimals, "pod-price", { allowZero: true }),
        transferable: args.transferable,
      };
    }
    const storage = await storageFor(args.beeUrl, { json: args.json, label: " the pod" });
    const { PrePublishError } = await import("../services/pods/checks");
    const checks = await checksFor(args.beeUrl, args.force);
    const result = await explained(() =>
      persistPod({
        dir,
        storage,
        contracts,
        private: args.private,
        listing,
        forkRoyaltyBps,
        keysDir: keysDirOf(args.keysDir),
        progress: progress(args.json),
        checks,
      }).catch((error: unknown) => {
        if (error instanceof PrePublishError) throw new LureTaskError(`${error.message} (fix them, or pass --force to publish anyway)`);
        throw error;
      }),
    );
    const title = result.unchanged
      ? `Pod ${result.podId} "${result.name}" is unchanged at version ${result.version}`
      : result.created
        ? `Published pod ${result.podId} "${result.name}"`
        : `Published version ${result.version} of pod ${result.podId} "${result.name}"`;
    print(
      {
        podId: result.podId,
        name: result.name,
        version: result.version,
        reference: result.reference,
        visibility: result.visibility,
        created: result.created,
        unchanged: result.unchanged,
        parent: parentOf(result.parent?.podId, result.parent?.version),
        listed: result.listed,
        ...(result.warnings.length > 0 ? { warnings: result.warnings } : {}),
        ...(listing ? { transferable: listing.transferable } : {}),
        ...(result.keyFile ? { keyFile: result.keyFile } : {}),
        files: result.files,
        bytes: result.bytes,
        transactions: result.transactions,
      },
      {
        json: args.json,
        title,
        text: { bytes: humanBytes(result.bytes), ...(listing ? { transferable: listing.transferable ? "licences transferable" : "licences not transferable" } : {}) },
      },
    );
    return result;
  });

task("pod:fork", "Copies a public pod into a new folder and records its lineage in the recipe")
  .addParam("pod", "Pod id (a positive integer), or the 64-hex Swarm reference of a pod collection")
  .addParam("dir", "New or empty folder")
  .addOptionalParam("podVersion", "Version of the pod to fork (default: the latest)", undefined, types.string)
  .addOptionalParam("name", "Name of the fork (default: the parent's)", undefined, types.string)
  .addOptionalParam("beeUrl", "Bee API URL (default BEE_URL)", undefined, types.string)
  .addOptionalParam("account", "Account the registry is read as: account index or address (as every task takes it)", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: ForkArgs, hre) => {
    const { forkPod } = await import("../services/pods/fork");
    const dir = requireDir(args.dir);
    const text = String(args.pod ?? "").trim();
    const isRef = /^(0x)?[0-9a-fA-F]{64}$/.test(text);
    if (isRef && args.podVersion !== undefined) throw new InvalidArgumentError("--pod-version: only meaningful with a pod id, not a reference");
    if (!isRef && !/^[0-9]+$/.test(text)) {
      throw new InvalidArgumentError(`--pod: expected a pod id (a positive integer) or a pod's 64-hex Swarm reference, got ${JSON.stringify(args.pod ?? null)}`);
    }
    const source = isRef
      ? { ref: refHex(text) }
      : { podId: parsePodId(text), version: args.podVersion === undefined ? undefined : Number(parseUint(args.podVersion, "pod-version", 2n ** 32n)) };
    if (args.name !== undefined && (typeof args.name !== "string" || args.name.trim() === "")) {
      throw new InvalidArgumentError(`--name: expected a pod name, got ${JSON.stringify(args.name)}`);
    }
    const contracts = isRef ? undefined : await lureContracts(hre, args.account);
    const storage = await storageFor(args.beeUrl, { json: args.json, label: " the pod" });
    const result = await explained(() => forkPod({ source, dir, storage, contracts, name: args.name, limits: payloadLimits() }));
    print(
      { dir: result.dir, name: result.name, parent: parentOf(result.forkedFrom.podId, result.forkedFrom.version), forkedFrom: result.forkedFrom, files: result.files, bytes: result.bytes },
      { json: args.json, text: { bytes: humanBytes(result.bytes) }, title: `Forked ${"podId" in source ? `pod ${source.podId}` : source.ref} into ${result.dir}` },
    );
    return result;
  });

task("pod:share", "Makes a pod public (readable by anyone with its id or reference), or private with --private")
  .addParam("pod", "Pod id")
  .addFlag("private", "Make the pod private instead")
  .addOptionalParam("keysDir", "Where private pods' keys are kept (default POD_KEYS_DIR or ~/.lure/keys)", undefined, types.string)
  .addOptionalParam("beeUrl", "Bee API URL (default BEE_URL)", undefined, types.string)
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: ShareArgs, hre) => {
    const { sharePod } = await import("../services/pods/share");
    const podId = parsePodId(args.pod);
    const contracts = await lureContracts(hre, args.account);
    const visibility = args.private ? "private" : "public";
    const storage = await storageFor(args.beeUrl, { json: args.json, label: " the pod" });
    const result = await explained(() =>
      sharePod({
        podId,
        visibility,
        contracts,
        storage,
        keysDir: keysDirOf(args.keysDir),
        limits: payloadLimits(),
        progress: progress(args.json),
      }),
    );
    print(
      {
        podId,
        visibility,
        changed: result.changed,
        ...(result.publishedVersion ? { publishedVersion: result.publishedVersion.version, reference: result.publishedVersion.reference } : {}),
        transactions: result.transactions,
      },
      { json: args.json, title: result.changed ? `Pod ${podId} is now ${visibility}` : `Pod ${podId} was already ${visibility}` },
    );
    return result;
  });

task("pod:payloads", "Fetches a pod's external payloads from Swarm into payload/external/")
  .addParam("dir", "Pod folder (with recipe.json)")
  .addOptionalParam("beeUrl", "Bee API URL (default BEE_URL)", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: PayloadsArgs) => {
    const { loadRecipe } = await import("../services/pods/recipe");
    const { resolveExternalPayloads } = await import("../services/pods/payloads");
    const dir = requireDir(args.dir);
    const { requirePodFolder } = await import("../services/pods/checks");
    const resolved = await explained(async () => {
      await requirePodFolder(dir);
      const parsed = await loadRecipe(dir);
      // A task's payload is its own `payload`; a pod's is `golem.payload`.
      const field = parsed.kind === "pod" ? "golem.payload" : "payload";
      const payload = parsed.kind === "pod" ? parsed.recipe.golem.payload : parsed.recipe.payload;
      if (payload === undefined) throw new PodError(`${dir}: the ${parsed.kind} recipe has no external payloads (${field} is not set)`);
      if (!Array.isArray(payload)) throw new PodError(`${dir}: the ${parsed.kind} recipe has no external payloads (${field} is the folder ${JSON.stringify(payload)})`);
      return resolveExternalPayloads({ root: dir, payloads: payload, storage: await storageFor(args.beeUrl, { json: args.json, label: " payloads" }), limits: payloadLimits() });
    });
    print({ dir, payloads: resolved }, { json: args.json, title: `Resolved ${resolved.length} external payloads into ${path.join(dir, "payload/external")}` });
    return resolved;
  });
