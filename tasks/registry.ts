import { task, types } from "hardhat/config";
import { formatUnits } from "ethers";
import { refHex, VISIBILITIES } from "../services/chain/refs";
import { lureContracts } from "./lib/contracts";
import "./lib/command-line";
import { InvalidArgumentError, explained } from "./lib/errors";
import { parentOf, print } from "./lib/output";
import { MAX_FORK_ROYALTY_BPS, parseAddress, parseForkRoyalty, parsePodId, parseRef, parseUint } from "./lib/validate";

/** services/pods/registry and friends, loaded when a task runs (they use the generated bindings, made by compiling). */
/**
 * The Bee node must hold a reference before it is registered: one it says it lacks is refused
 * (nothing sent) unless `force`. When the node cannot tell (unreachable), a warning is printed and
 * the registration goes on, as it does with `force`.
 */
async function checkReferenceOnNode(ref: string, beeUrl: string | undefined, force: boolean): Promise<string[]> {
  const { referenceProblem, swarmProbe } = await import("../services/pods/checks");
  const { loadConfig } = await import("../services/config");
  const config = loadConfig();
  const problem = await referenceProblem(swarmProbe(beeUrl ?? config.BEE_URL, Math.min(config.BEE_TIMEOUT_MS, 5_000)), ref);
  if (!problem) return [];
  if (problem.kind === "missing" && !force) throw new InvalidArgumentError(`--ref: ${problem.message}; nothing was sent (--force registers it anyway)`);
  console.error(`warning: ${problem.message}`);
  return [problem.message];
}

async function registryServices() {
  const [tokens, licenses, registry] = await Promise.all([
    import("../services/chain/tokens"),
    import("../services/market/licenses"),
    import("../services/pods/registry"),
  ]);
  return { ...tokens, ...licenses, ...registry };
}

/** The registry and market tasks print the chain's reason alone: each does one thing. */
const ONE_STEP = { namesTheStep: false };

function parseVisibility(value: string): number {
  const index = VISIBILITIES.indexOf(value.toLowerCase() as (typeof VISIBILITIES)[number]);
  if (index < 0) throw new InvalidArgumentError(`--visibility: expected "public" or "private", got ${JSON.stringify(value)}`);
  return index;
}

function parseName(value: string): string {
  const bytes = Buffer.byteLength(value, "utf8");
  if (bytes === 0 || bytes > 64) throw new InvalidArgumentError(`--name: expected 1 to 64 bytes, got ${JSON.stringify(value)} (${bytes} bytes)`);
  return value;
}

/** Arguments as Hardhat passes them: every parameter is a string (its default when left out), every flag a boolean. */
interface PublishArgs {
  name: string;
  ref: string;
  visibility: string;
  parent: string;
  parentVersion: string;
  forkRoyalty?: string;
  account?: string;
  beeUrl?: string;
  force: boolean;
  json: boolean;
}

interface VersionArgs {
  pod: string;
  ref: string;
  account?: string;
  json: boolean;
  beeUrl?: string;
  force: boolean;
}

interface ShowArgs {
  pod: string;
  address?: string;
  account?: string;
  json: boolean;
}

task("pod:publish", "Registers a Swarm manifest reference as a new pod (an ERC-721 token)")
  .addParam("name", "Pod name, unique among the pods you publish and fixed for good (1-64 bytes)")
  .addParam("ref", "64-hex Swarm reference of the pod's manifest")
  .addOptionalParam("visibility", "public or private", "public")
  .addOptionalParam("parent", "Pod id this pod was forked from (0 = original)", "0")
  .addOptionalParam("parentVersion", "Version of the parent that was forked", "0")
  .addOptionalParam(
    "forkRoyalty",
    `Basis points that forks of this pod will owe it, 0 to ${MAX_FORK_ROYALTY_BPS} (default: 0 for an original, for a fork what it owes its parent, the least it may ask)`,
    undefined,
    types.string,
  )
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addOptionalParam("beeUrl", "Bee API URL the reference is checked on (default BEE_URL)", undefined, types.string)
  .addFlag("force", "Register the reference even when the Bee node does not have it")
  .addFlag("json", "Print JSON")
  .setAction(async (args: PublishArgs, hre) => {
    const { publishPod } = await registryServices();
    const name = parseName(args.name);
    const ref = parseRef(args.ref);
    const visibility = parseVisibility(args.visibility);
    const parent = args.parent === "0" ? 0n : parsePodId(args.parent, "parent");
    const parentVersion = parseUint(args.parentVersion, "parent-version", (1n << 64n) - 1n);
    if (parent !== 0n && parentVersion === 0n) throw new InvalidArgumentError("--parent-version: required (1 or more) when --parent is given");
    const forkRoyalty = args.forkRoyalty === undefined ? undefined : BigInt(parseForkRoyalty(args.forkRoyalty));
    const warnings = await checkReferenceOnNode(refHex(ref), args.beeUrl, args.force);

    const contracts = await lureContracts(hre, args.account);
    const { podId, tx } = await explained(
      () => publishPod(contracts, { name, ref, visibility, parentPodId: parent, parentVersion, forkRoyaltyBps: forkRoyalty }),
      ONE_STEP,
    );
    print(
      { podId, name, owner: contracts.account, version: 1, ref: refHex(ref), visibility: VISIBILITIES[visibility], parent: parentOf(parent, parentVersion), warnings, tx },
      { json: args.json, title: `Published pod ${podId}` },
    );
  });

task("pod:version", "Appends a new version (Swarm reference) to a pod you own")
  .addParam("pod", "Pod id")
  .addParam("ref", "64-hex Swarm reference of the new manifest")
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addOptionalParam("beeUrl", "Bee API URL the reference is checked on (default BEE_URL)", undefined, types.string)
  .addFlag("force", "Register the reference even when the Bee node does not have it")
  .addFlag("json", "Print JSON")
  .setAction(async (args: VersionArgs, hre) => {
    const { publishVersion } = await registryServices();
    const podId = parsePodId(args.pod);
    const ref = parseRef(args.ref);
    const warnings = await checkReferenceOnNode(refHex(ref), args.beeUrl, args.force);
    const contracts = await lureContracts(hre, args.account);
    const { version, tx } = await explained(() => publishVersion(contracts, podId, ref), ONE_STEP);
    print({ podId, version, ref: refHex(ref), warnings, tx }, { json: args.json, title: `Pod ${podId} is now at version ${version}` });
  });

task("pod:show", "Shows a pod: owner, versions and revision, lineage, royalties, licences and listing")
  .addParam("pod", "Pod id")
  .addOptionalParam("address", "Also say whether this account is licensed to run the pod", undefined, types.string)
  .addOptionalParam("account", "Account the reads are made as: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: ShowArgs, hre) => {
    const { describePod, hasLicense, tokenLabel } = await registryServices();
    const podId = parsePodId(args.pod);
    const address = args.address === undefined ? undefined : parseAddress(args.address, "address");
    const contracts = await lureContracts(hre, args.account);
    const pod = await explained(() => describePod(contracts, podId, { fromBlock: contracts.deployment.contracts.PodRegistry.blockNumber }), ONE_STEP);
    const licensed = address === undefined ? undefined : await explained(() => hasLicense(contracts, address, podId), ONE_STEP);
    const listing = pod.listing;
    print(
      {
        podId,
        name: pod.name,
        owner: pod.owner,
        creator: pod.creator ?? null,
        visibility: pod.visibility,
        versions: pod.versionCount,
        revision: pod.revision,
        latestRef: pod.latestRef,
        url: pod.externalUrl ?? null,
        parent: parentOf(pod.parentPodId, pod.parentVersion),
        royaltyBps: pod.royaltyBps,
        forkRoyaltyBps: pod.forkRoyaltyBps,
        licences: {
          transferable: pod.licences.transferable,
          sold: pod.licences.sold ?? null,
          ...(address === undefined ? {} : { account: address, licensed: licensed === true }),
        },
        listing: listing
          ? {
              token: tokenLabel(listing.token),
              price: formatUnits(listing.price, listing.decimals),
              podPrice: listing.podPrice === 0n ? null : formatUnits(listing.podPrice, listing.decimals),
              feeBps: listing.feeBps,
              transferable: listing.transferable,
              paused: listing.paused,
            }
          : null,
        history: pod.history.map((entry) => ({ version: entry.version, ref: entry.ref, publishedAt: entry.publishedAt.toISOString() })),
      },
      { json: args.json, title: `Pod ${podId} "${pod.name}" at revision ${pod.revision}` },
    );
  });
