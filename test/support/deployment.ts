import hre from "hardhat";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deployLure } from "../../scripts/deploy";
import { writeDeployment, type Deployment } from "../../services/chain/deployments";

/**
 * Fresh PodRegistry, PodLicenses and PodMarket on the in-process Hardhat network, recorded in a deployments
 * folder of their own, so that services/chain connects to them as it would to any network.
 */
export async function deployToOwnFolder(): Promise<{ deployment: Deployment; deploymentsDir: string }> {
  const deploymentsDir = mkdtempSync(join(tmpdir(), "lure-chain-"));
  // A previous test file may have left a deployments/hardhat.json that deployLure would reuse;
  // nothing is written there (write: false), the folder above gets the record.
  const deployed = await deployLure(hre, { write: false, verbose: false });
  if (!deployed) throw new Error("deployLure sent nothing on the in-process network");
  const { deployment } = deployed;
  writeDeployment(hre.network.name, deployment, deploymentsDir);
  return { deployment, deploymentsDir };
}
