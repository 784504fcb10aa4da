import { task, types } from "hardhat/config";
import { ZeroAddress, formatUnits } from "ethers";
import { lureContracts } from "./lib/contracts";
import { InvalidArgumentError } from "./lib/errors";
import { print } from "./lib/output";
import { readOrExplain, sendAndWait } from "./lib/send";
import { parsePodId, parseRef, parseUint } from "./lib/validate";

const VISIBILITY = ["private", "public"] as const;

function parseVisibility(value: string): number {
  const index = VISIBILITY.indexOf(value.toLowerCase() as (typeof VISIBILITY)[number]);
  if (index < 0) throw new InvalidArgumentError(`--visibility: expected "public" or "private", got ${JSON.stringify(value)}`);
  return index;
}

function parseName(value: string): string {
  const bytes = Buffer.byteLength(value, "utf8");
  if (bytes === 0 || bytes > 64) throw new InvalidArgumentError(`--name: expected 1 to 64 bytes, got ${JSON.stringify(value)} (${bytes} bytes)`);
  return value;
}

/** Strips the 0x so references read as Bee prints them. */
export function refHex(ref: string): string {
  return ref.replace(/^0x/, "").toLowerCase();
}

task("pod:publish", "Registers a Swarm manifest reference as a new pod (an ERC-721 token)")
  .addParam("name", "Pod name, unique among your pods (1-64 bytes)")
  .addParam("ref", "64-hex Swarm reference of the pod's manifest")
  .addOptionalParam("visibility", "public or private", "public")
  .addOptionalParam("parent", "Pod id this pod was forked from (0 = original)", "0")
  .addOptionalParam("parentVersion", "Version of the parent that was forked", "0")
  .addOptionalParam("forkRoyalty", "Basis points that forks of this pod will owe you (max set by the registry)", "0")
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args, hre) => {
    const name = parseName(args.name);
    const ref = parseRef(args.ref);
    const visibility = parseVisibility(args.visibility);
    const parent = args.parent === "0" ? 0n : parsePodId(args.parent, "parent");
    const parentVersion = parseUint(args.parentVersion, "parent-version", (1n << 64n) - 1n);
    if (parent !== 0n && parentVersion === 0n) throw new InvalidArgumentError("--parent-version: required (1 or more) when --parent is given");
    const forkRoyalty = parseUint(args.forkRoyalty, "fork-royalty", 10_000n);

    const contracts = await lureContracts(hre, args.account);
    const receipt = await sendAndWait(contracts, () =>
      contracts.registry.publish(name, ref, visibility, parent, parentVersion, forkRoyalty),
    );
    const event = receipt.logs
      .map((log) => {
        try {
          return contracts.registry.interface.parseLog(log);
        } catch {
          return null;
        }
      })
      .find((parsed) => parsed?.name === "PodPublished");
    const podId = event ? (event.args.podId as bigint) : await contracts.registry.podIdOf(contracts.signerAddress, name);
    print(
      { podId, name, owner: contracts.signerAddress, version: 1, ref: refHex(ref), visibility: VISIBILITY[visibility], parent, tx: receipt.hash },
      { json: args.json, title: `Published pod ${podId}` },
    );
  });

task("pod:version", "Appends a new version (Swarm reference) to a pod you own")
  .addParam("pod", "Pod id")
  .addParam("ref", "64-hex Swarm reference of the new manifest")
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args, hre) => {
    const podId = parsePodId(args.pod);
    const ref = parseRef(args.ref);
    const contracts = await lureContracts(hre, args.account);
    const receipt = await sendAndWait(contracts, () => contracts.registry.publishVersion(podId, ref));
    const pod = await contracts.registry.pod(podId);
    print({ podId, version: pod.versionCount, ref: refHex(ref), tx: receipt.hash }, { json: args.json, title: `Pod ${podId} is now at version ${pod.versionCount}` });
  });

task("pod:show", "Shows a pod: owner, versions, lineage, royalty and listing")
  .addParam("pod", "Pod id")
  .addFlag("json", "Print JSON")
  .setAction(async (args, hre) => {
    const podId = parsePodId(args.pod);
    const contracts = await lureContracts(hre);
    const { registry, market } = contracts;
    const pod = await readOrExplain(contracts, () => registry.pod(podId));
    const owner = await registry.ownerOf(podId);
    // The registry stores only the name hash (gas); name and creator come from PodPublished.
    // Public RPCs may refuse a long log range; the rest of the record is still worth showing.
    const published = await registry
      .queryFilter(registry.filters.PodPublished(podId), contracts.deployment.contracts.PodRegistry.blockNumber)
      .then(([event]) => event, () => undefined);
    const versions = [];
    for (let n = 1n; n <= pod.versionCount; n++) {
      const version = await registry.version(podId, n);
      versions.push({ version: n, ref: refHex(version.manifestRef), publishedAt: new Date(Number(version.publishedAt) * 1000).toISOString() });
    }
    const [listing, valid] = await market.listing(podId);
    const decimals = listing.token === ZeroAddress ? 18 : await tokenDecimals(hre, listing.token);
    print(
      {
        podId,
        name: published?.args.name ?? `(name hash ${pod.nameHash})`,
        owner,
        creator: published?.args.owner ?? "(unknown)",
        visibility: VISIBILITY[Number(pod.visibility)],
        versions: pod.versionCount,
        latestRef: refHex(pod.latestRef),
        tokenURI: await registry.tokenURI(podId),
        parent: pod.parentPodId === 0n ? "none (original)" : `${pod.parentPodId} v${pod.parentVersion}`,
        royaltyBps: pod.royaltyBps,
        forkRoyaltyBps: pod.forkRoyaltyBps,
        listing: valid
          ? {
              token: listing.token === ZeroAddress ? "native" : listing.token,
              price: formatUnits(listing.price, decimals),
              podPrice: listing.podPrice === 0n ? "not for sale" : formatUnits(listing.podPrice, decimals),
              paused: listing.paused,
            }
          : "not listed",
        history: versions,
      },
      { json: args.json, title: `Pod ${podId}` },
    );
  });

/** decimals() of an ERC-20, 18 when the token does not answer. */
export async function tokenDecimals(hre: { ethers: { getContractAt: (abi: string[], address: string) => Promise<unknown> } }, token: string): Promise<number> {
  const erc20 = (await hre.ethers.getContractAt(["function decimals() view returns (uint8)"], token)) as { decimals: () => Promise<bigint> };
  try {
    return Number(await erc20.decimals());
  } catch {
    return 18;
  }
}
