import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";
import { setting } from "../config";

/**
 * The names of the contracts Lure's services use, in deployment order. On real networks the deploy
 * script also records the TimelockController that holds the market's GOVERNOR_ROLE: a deployments
 * file may name contracts beyond these (the schema takes any name), and services use only these.
 */
export const LURE_CONTRACTS = ["PodRegistry", "PodLicenses", "PodMarket", "PodKeyGrants", "RunMarket", "GroupRegistry", "MessageBus"] as const;
export type LureContractName = (typeof LURE_CONTRACTS)[number];

/** The networks whose deployments the deploy script makes with the dev accounts below. */
export const DEV_NETWORKS: readonly string[] = ["hardhat", "localhost"];

/**
 * Role holders on the dev chains (hardhat, localhost), by Hardhat account index: the deploy script
 * gives them the roles, and governance tasks sign with them by default there. On amoy and polygon
 * the roles sit with LURE_ADMIN, LURE_PAUSER, LURE_FEE_RECIPIENT and a TimelockController (governor).
 */
export const DEV_ROLE_ACCOUNTS = { admin: 16, governor: 17, pauser: 18, feeRecipient: 19 } as const;

const hex = (bytes: number) => z.string().regex(new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`));
const deployedContractSchema = z.object({
  address: hex(20),
  blockNumber: z.number().int().nonnegative(),
  txHash: hex(32),
});

/** The fixed shape of `deployments/<network>.json` (see docs/interfaces.md). */
export const deploymentSchema = z.object({
  chainId: z.number().int().positive(),
  contracts: z.record(z.string(), deployedContractSchema),
});

export type DeployedContract = z.infer<typeof deployedContractSchema>;
export type Deployment = z.infer<typeof deploymentSchema>;

export function deploymentPath(network: string, dir = defaultDeploymentsDir()): string {
  return join(dir, `${network}.json`);
}

/** Reads and validates a deployment file; returns undefined when there is none. */
export function readDeployment(network: string, dir = defaultDeploymentsDir()): Deployment | undefined {
  const path = deploymentPath(network, dir);
  if (!existsSync(path)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = deploymentSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${path}: ${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

/** Writes the file through a rename, so a reader never sees half of it. */
export function writeDeployment(network: string, deployment: Deployment, dir = defaultDeploymentsDir()): string {
  const path = deploymentPath(network, dir);
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(deployment, null, 2)}\n`);
  renameSync(temporary, path);
  return path;
}

/** The entry for one contract, or an error that says how to deploy. */
export function requireContract(deployment: Deployment | undefined, network: string, name: LureContractName): DeployedContract {
  const entry = deployment?.contracts[name];
  if (!entry) {
    throw new Error(`${name} is not deployed on network "${network}": run \`npx hardhat run scripts/deploy.ts --network ${network}\``);
  }
  return entry;
}

/** `DEPLOYMENTS_DIR` lets tests and side-by-side devnets keep their files apart. */
function defaultDeploymentsDir(): string {
  return setting("DEPLOYMENTS_DIR");
}
