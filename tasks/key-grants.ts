import path from "node:path";
import { task, types } from "hardhat/config";
import { loadConfig, podKeysDir } from "../services/config";
import type { PodStorage } from "../services/pods/storage";
import { lureContracts } from "./lib/contracts";
import "./lib/command-line";
import { explained } from "./lib/errors";
import { print } from "./lib/output";
import { storageWithProgress } from "./lib/progress";
import { parseAddress, parsePodId, parseUint } from "./lib/validate";

/**
 * Key grants of private pods on the command line: the owner chooses the runners that may run a
 * private pod's version (`pod:grant-key`) and withdraws that choice (`pod:revoke-key`). The rules
 * live in services/market/key-grants.ts; Hardhat owns `--version`, so a pod's version is `--pod-version`.
 */

/** Loaded when a task runs: the services use the generated bindings, which exist once Hardhat has compiled. */
const keyGrantServices = () => import("../services/market/key-grants");

async function storageFor(beeUrl: string | undefined, json: boolean): Promise<PodStorage> {
  const { podStorage } = await import("../services/pods/swarm-storage");
  const config = loadConfig();
  const url = beeUrl ?? config.BEE_URL;
  return storageWithProgress(podStorage({ url, postageBatchId: config.BEE_POSTAGE_BATCH, timeoutMs: config.BEE_TIMEOUT_MS }), { url, json });
}

const parseVersion = (value: string | undefined) => (value === undefined ? undefined : parseUint(value, "pod-version", 2n ** 64n - 1n));

task("pod:grant-key", "Lets a runner run a version of your private pod: seals the version's key to the runner's key and records the grant")
  .addParam("pod", "Pod id", undefined, types.string)
  .addParam("runner", "The runner's address (registered on the run market, with its X25519 key)", undefined, types.string)
  .addOptionalParam("podVersion", "Version (default: the latest)", undefined, types.string)
  .addOptionalParam("keysDir", "Where private pods' keys are kept (default POD_KEYS_DIR or ~/.lure/keys)", undefined, types.string)
  .addOptionalParam("beeUrl", "Bee API URL (default BEE_URL)", undefined, types.string)
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: { pod: string; runner: string; podVersion?: string; keysDir?: string; beeUrl?: string; account?: string; json: boolean }, hre) => {
    const podId = parsePodId(args.pod);
    const runner = parseAddress(args.runner, "runner");
    const version = parseVersion(args.podVersion);
    const keysDir = args.keysDir ? path.resolve(args.keysDir) : podKeysDir();
    const { grantPodKey } = await keyGrantServices();
    const contracts = await lureContracts(hre, args.account);
    const storage = await storageFor(args.beeUrl, args.json);
    const progress = (line: string) => {
      if (!args.json) console.error(`  … ${line}`);
    };
    const result = await explained(
      () => grantPodKey(contracts, { podId, runner, ...(version === undefined ? {} : { version }), keysDir, storage, chainId: BigInt(contracts.chainId), progress }),
      { namesTheStep: true },
    );
    print(
      { podId: result.podId.toString(), version: result.version.toString(), runner: result.runner, sealedKeyRef: result.sealedKeyRef, podRef: result.podRef, tx: result.tx },
      { json: args.json, title: `Key of pod ${result.podId} version ${result.version} granted to ${result.runner}` },
    );
  });

task("pod:revoke-key", "Stops a runner from running a version of your private pod (later runs, and runs it has not claimed yet)")
  .addParam("pod", "Pod id", undefined, types.string)
  .addParam("runner", "The runner's address", undefined, types.string)
  .addOptionalParam("podVersion", "Version (default: the latest)", undefined, types.string)
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: { pod: string; runner: string; podVersion?: string; account?: string; json: boolean }, hre) => {
    const podId = parsePodId(args.pod);
    const runner = parseAddress(args.runner, "runner");
    const version = parseVersion(args.podVersion);
    const { revokePodKey } = await keyGrantServices();
    const contracts = await lureContracts(hre, args.account);
    const result = await explained(() => revokePodKey(contracts, { podId, runner, ...(version === undefined ? {} : { version }) }), { namesTheStep: false });
    print(
      { podId: result.podId.toString(), version: result.version.toString(), runner: result.runner, sealedKeyRef: result.sealedKeyRef, tx: result.tx },
      { json: args.json, title: `Key of pod ${result.podId} version ${result.version} revoked from ${result.runner}` },
    );
  });
