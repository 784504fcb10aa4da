import type { PodContracts } from "../chain/contracts";
import { refHex, VISIBILITY_PRIVATE, VISIBILITY_PUBLIC } from "../chain/refs";
import { NATIVE_TOKEN } from "../chain/tokens";
import { read } from "../chain/transact";
import { logger } from "../log";
import { currentListing, listPod, type ListingTerms } from "../market/listings";
import { requireErc20 } from "../market/tokens-check";
import { prePublishProblems, PrePublishError, requirePodFolder, type SwarmProbe } from "./checks";
import { PodError } from "./errors";
import { readPodFolder, type PodFile } from "./pack";
import { contentHash, loadKey, saveKey, sealPod } from "./private";
import { loadRecipe, type ForkedFrom } from "./recipe";
import { publishPod, publishVersion } from "./registry";
import { POD_INDEX_DOCUMENT, type PodStorage } from "./storage";
import { collectionReference } from "../swarm/collection-reference";
import { deterministicTar } from "./tar";

const log = logger("pods");
const MAX_COLLECTION_PATH_BYTES = 100;


export interface PersistOptions {
  dir: string;
  storage: PodStorage;
  contracts: PodContracts;
  /** Encrypt before upload. Also implied by `"public": false` in the recipe or a private pod on chain. */
  private?: boolean;
  listing?: ListingTerms;
  /**
   * What forks of a new pod will owe it, in basis points (new pods only). Default: 0 for an
   * original, what it owes its parent for a fork (the least a fork may ask).
   */
  forkRoyaltyBps?: number;
  /** Where private pods' keys are kept. */
  keysDir: string;
  /** Progress lines for long work. */
  progress?: (line: string) => void;
  /**
   * Checks before anything is uploaded (services/pods/checks.ts): the folders and files the recipe
   * names, its external payloads and a task's pods on the Bee node (`probe`), a task's pod ids on
   * chain. Problems refuse the persist (PrePublishError) unless `force`, which publishes anyway and
   * returns them as warnings. Left out, nothing is checked (pods built by code, as tests do).
   */
  checks?: { probe?: SwarmProbe; force: boolean };
}

export interface PersistResult {
  podId: bigint;
  name: string;
  version: number;
  /** 64-hex Swarm reference of this version (the ciphertext's, for a private pod). */
  reference: string;
  visibility: "public" | "private";
  /** True when a new pod was minted. */
  created: boolean;
  /** True when the folder matched the latest version and no version was published. */
  unchanged: boolean;
  parent?: { podId: bigint; version: number };
  /** The pod's state: listed on these terms after this persist (by this step or already before it). */
  listed: boolean;
  /** Recipe fields that were ignored, and with `checks.force` the problems published anyway. */
  warnings: string[];
  /** Where the key of a private version was saved. */
  keyFile?: string;
  files: number;
  bytes: number;
  transactions: string[];
}

/**
 * Persists a pod folder: validate everything, upload, then publish (a new pod, or a new version of
 * the pod the signer published under that name, which it must still own) and optionally list it. Nothing is sent when the upload equals the
 * latest version on chain; every transaction is simulated before it is sent.
 */
export async function persistPod(options: PersistOptions): Promise<PersistResult> {
  const { contracts, storage } = options;
  const say = options.progress ?? (() => undefined);

  // 1. Validate everything that can be checked before touching Swarm or the chain.
  await requirePodFolder(options.dir);
  const parsed = await loadRecipe(options.dir);
  const recipe = parsed.recipe;
  const maxRoyalty = Number(await read(() => contracts.registry.MAX_ROYALTY_BPS(), { action: "MAX_ROYALTY_BPS" }));
  if (options.forkRoyaltyBps !== undefined) {
    const asked = options.forkRoyaltyBps;
    if (!Number.isInteger(asked) || asked < 0 || asked > maxRoyalty) throw new PodError(`fork royalty: expected whole basis points from 0 to ${maxRoyalty}, got ${asked}`);
  }
  if (options.listing && options.listing.price <= 0n) throw new PodError(`price: must be greater than zero, got ${options.listing.price}`);

  const existingId = await read(() => contracts.registry.podIdOf(contracts.account, recipe.name), { action: "podIdOf" });
  const existing = existingId === 0n ? undefined : await read(() => contracts.registry.pod(existingId), { action: `pod ${existingId}` });
  if (existing) {
    // Names stay with their creator: a pod the account published and then sold is still found
    // under its name, but only its new owner may add versions.
    const owner = await read(() => contracts.registry.ownerOf(existingId), { action: `owner of pod ${existingId}` });
    if (owner.toLowerCase() !== contracts.account.toLowerCase()) {
      throw new PodError(
        `you published pod ${existingId} as "${recipe.name}", but it now belongs to ${owner}: names stay with their creator, so give this folder another name in recipe.json to publish it as a new pod`,
      );
    }
  }
  const onChainPrivate = existing !== undefined && Number(existing.visibility) === VISIBILITY_PRIVATE;
  const wantsPrivate = options.private === true || recipe.public === false || onChainPrivate;
  if (existing && wantsPrivate && !onChainPrivate) {
    throw new PodError(
      `pod ${existingId} "${recipe.name}" is public on chain, but this persist is private; run \`pod:share --pod ${existingId} --private\` first (versions already published stay readable)`,
    );
  }
  if (existing && options.forkRoyaltyBps !== undefined && BigInt(options.forkRoyaltyBps) !== existing.forkRoyaltyBps) {
    say(`fork royalty ${options.forkRoyaltyBps} ignored: pod ${existingId} already exists with ${existing.forkRoyaltyBps} bps, fixed at its first publish`);
  }
  const parent = await checkParent(recipe.forkedFrom, existingId, existing?.parentPodId, contracts, recipe.name);
  // A fork owes its parent the parent's fork royalty, and may not ask its own forks for less (the
  // royalty then flows up the whole lineage): by default it asks exactly that.
  const owed = parent?.owedBps ?? 0;
  const royalty = options.forkRoyaltyBps ?? owed;
  if (!existing && royalty < owed) {
    throw new PodError(
      `fork royalty: ${royalty} bps is below the ${owed} bps this fork owes pod ${parent?.podId}; a fork may not ask its own forks for less than it owes (leave it out to ask ${owed})`,
    );
  }
  if (options.listing) await checkListable(options.listing, contracts);

  // 2. Read the folder (symlinks and special files are refused here, before any upload).
  const files = await readPodFolder(options.dir, recipe);
  if (!files.some((file) => file.path === POD_INDEX_DOCUMENT)) {
    throw new PodError(`${options.dir}: recipe.json is excluded by .podignore; a pod must carry its recipe`);
  }
  if (!wantsPrivate) {
    // Collections travel as plain ustar, whose name field holds 100 bytes.
    const tooLong = files.find((file) => Buffer.byteLength(file.path, "utf8") > MAX_COLLECTION_PATH_BYTES);
    if (tooLong) throw new PodError(`${options.dir}: "${tooLong.path}" is longer than ${MAX_COLLECTION_PATH_BYTES} bytes, the limit for a path in a Swarm collection`);
  }
  const warnings = [...parsed.warnings];
  for (const warning of parsed.warnings) say(`warning: ${warning}`);
  if (options.checks) {
    const problems = await prePublishProblems({
      dir: options.dir,
      parsed,
      files,
      probe: options.checks.probe,
      podExists: (podId) => read(() => contracts.registry.exists(podId), { action: `exists ${podId}` }),
    });
    if (problems.length > 0 && !options.checks.force) throw new PrePublishError(options.dir, problems);
    for (const problem of problems) say(`warning: ${problem}`);
    warnings.push(...problems);
  }
  const bytes = files.reduce((sum, file) => sum + file.data.length, 0);
  say(`${recipe.name}: ${files.length} files, ${bytes} bytes${wantsPrivate ? ", private (encrypted)" : ""}`);

  // 3. Upload, unless the content is already the latest version.
  const latestRef = existing ? refHex(existing.latestRef) : undefined;
  const upload = wantsPrivate ? await uploadPrivate(files, recipe.name, latestRef, options) : await uploadPublic(files, storage, latestRef);
  const unchanged = latestRef !== undefined && upload.reference === latestRef;

  const result: PersistResult = {
    podId: existingId,
    name: recipe.name,
    version: existing ? Number(existing.versionCount) : 0,
    reference: upload.reference,
    visibility: wantsPrivate ? "private" : "public",
    created: false,
    unchanged,
    parent: parent && { podId: parent.podId, version: parent.version },
    listed: false,
    warnings,
    keyFile: upload.keyFile,
    files: files.length,
    bytes,
    transactions: [],
  };

  // 4. Publish.
  if (!existing) {
    say(`publishing new pod "${recipe.name}" → ${upload.reference}`);
    const published = await publishPod(contracts, {
      name: recipe.name,
      ref: upload.reference,
      visibility: wantsPrivate ? VISIBILITY_PRIVATE : VISIBILITY_PUBLIC,
      parentPodId: parent?.podId ?? 0n,
      parentVersion: BigInt(parent?.version ?? 0),
      forkRoyaltyBps: royalty,
    });
    result.podId = published.podId;
    result.version = 1;
    result.created = true;
    result.transactions.push(published.tx);
  } else if (!unchanged) {
    say(`publishing version ${Number(existing.versionCount) + 1} of pod ${existingId} → ${upload.reference}`);
    const published = await publishVersion(contracts, existingId, upload.reference);
    result.version = Number(published.version);
    result.transactions.push(published.tx);
  } else {
    say(`pod ${existingId} is unchanged (version ${result.version}); nothing published`);
  }

  // 5. List, in the same step (approving the market for the pod first when the pod itself is for sale).
  // An unchanged pod already listed on the same terms sends nothing.
  if (options.listing && unchanged && (await listedOn(contracts, result.podId, options.listing))) {
    say(`pod ${result.podId} is already listed on these terms; nothing sent`);
    result.listed = true;
  } else if (options.listing) {
    const listed = await listPod(contracts, result.podId, options.listing);
    if (listed.approvalTx) result.transactions.push(listed.approvalTx);
    result.transactions.push(listed.tx);
    result.listed = true;
  }
  log.info({ podId: result.podId.toString(), version: result.version, reference: result.reference, unchanged }, "pod persisted");
  return result;
}

interface Upload {
  reference: string;
  keyFile?: string;
}

async function uploadPublic(files: PodFile[], storage: PodStorage, latestRef: string | undefined): Promise<Upload> {
  const entries = files.map((file) => ({ path: file.path, data: file.data }));
  // With a version on chain, hash offline first: an unchanged folder costs no postage and sends
  // nothing. A new pod has nothing to compare with, so it is hashed once, by the node.
  const expected = latestRef === undefined ? undefined : await collectionReference(entries, { indexDocument: POD_INDEX_DOCUMENT });
  if (expected !== undefined && expected === latestRef) return { reference: expected };
  const reference = await storage.uploadCollection(entries, { indexDocument: POD_INDEX_DOCUMENT });
  if (expected !== undefined && reference !== expected) {
    // The node is the authority on what it stored; a difference means its manifest encoding
    // (content types, metadata) differs from ours, which only costs the offline shortcut.
    log.warn({ expected, reference }, "the Swarm node's collection reference differs from the offline computation");
  }
  return { reference };
}

/**
 * A private version is a sealed tar. Ciphertexts differ on every upload (random key and IV), so
 * "unchanged" is decided by the plaintext hash kept with the latest version's key, before uploading.
 */
async function uploadPrivate(files: PodFile[], podName: string, latestRef: string | undefined, options: PersistOptions): Promise<Upload> {
  const archive = await deterministicTar(files);
  const hash = contentHash(archive);
  if (latestRef) {
    const latestKey = await loadKey(options.keysDir, latestRef);
    if (latestKey?.contentSha256 === hash) return { reference: latestRef };
  }
  const sealed = sealPod(archive);
  const reference = await options.storage.uploadBytes(sealed.ciphertext);
  // The key is saved before anything is published, so a published version never lacks its key.
  const keyFile = await saveKey(options.keysDir, {
    format: "lure-pod-key/1",
    ref: reference,
    podName,
    key: Buffer.from(sealed.key).toString("hex"),
    contentSha256: hash,
    createdAt: new Date().toISOString(),
  });
  return { reference, keyFile };
}

/** The lineage to record, checked against the chain so that a bad `forkedFrom` fails before upload. */
async function checkParent(
  forkedFrom: ForkedFrom | undefined,
  existingId: bigint,
  existingParentId: bigint | undefined,
  contracts: PodContracts,
  name: string,
): Promise<{ podId: bigint; version: number; owedBps?: number } | undefined> {
  if (!forkedFrom || forkedFrom.podId === undefined || forkedFrom.version === undefined) return undefined;
  const podId = BigInt(forkedFrom.podId);
  const version = forkedFrom.version;
  if (existingId !== 0n) {
    if (existingParentId !== podId) {
      throw new PodError(
        `forkedFrom.podId: you already published pod ${existingId} named "${name}", which is not a fork of pod ${podId}; give the fork another name in recipe.json`,
      );
    }
    return { podId, version };
  }
  const exists = await read(() => contracts.registry.exists(podId), { action: "exists" });
  if (!exists) throw new PodError(`forkedFrom.podId: pod ${podId} does not exist on chain`);
  const parentPod = await read(() => contracts.registry.pod(podId), { action: `pod ${podId}` });
  if (Number(parentPod.visibility) !== VISIBILITY_PUBLIC) throw new PodError(`forkedFrom.podId: pod ${podId} is private and cannot be forked`);
  if (version > Number(parentPod.versionCount)) {
    throw new PodError(`forkedFrom.version: pod ${podId} has ${parentPod.versionCount} versions, not ${version}`);
  }
  const parentVersion = await read(() => contracts.registry.version(podId, version), { action: `version ${version} of pod ${podId}` });
  if (refHex(parentVersion.manifestRef) !== forkedFrom.ref) {
    throw new PodError(
      `forkedFrom.ref: version ${version} of pod ${podId} is ${refHex(parentVersion.manifestRef)}, not ${forkedFrom.ref}`,
    );
  }
  return { podId, version, owedBps: Number(parentPod.forkRoyaltyBps) };
}

/** True when the pod's active listing, by this account, has exactly these terms and is not paused. */
async function listedOn(contracts: PodContracts, podId: bigint, terms: ListingTerms): Promise<boolean> {
  if (podId === 0n) return false;
  const listing = await read(() => currentListing(contracts, podId), { action: `listing of pod ${podId}` });
  if (!listing || listing.paused || listing.seller.toLowerCase() !== contracts.account.toLowerCase()) return false;
  const sameTerms =
    listing.token.toLowerCase() === terms.token.toLowerCase() &&
    listing.price === terms.price &&
    listing.podPrice === terms.podPrice &&
    listing.transferable === (terms.transferable ?? false);
  if (!sameTerms) return false;
  // Offering the pod whole needs the market's approval, which a transfer or a new owner clears.
  if (terms.podPrice === 0n) return true;
  const market = await contracts.market.getAddress();
  const [approved, operator] = await read(
    () => Promise.all([contracts.registry.getApproved(podId), contracts.registry.isApprovedForAll(contracts.account, market)]),
    { action: `approval of pod ${podId}` },
  );
  return operator || approved.toLowerCase() === market.toLowerCase();
}

async function checkListable(listing: ListingTerms, contracts: PodContracts): Promise<void> {
  if (listing.token !== NATIVE_TOKEN) {
    await requireErc20(listing.token, contracts.market.runner);
    const allowed = await read(() => contracts.market.isTokenAllowed(listing.token), { action: "isTokenAllowed" });
    if (!allowed) throw new PodError(`token: ${listing.token} is not accepted by the market`);
  }
  if (await read(() => contracts.market.paused(), { action: "paused" })) throw new PodError("the market is paused; nothing was uploaded");
}
