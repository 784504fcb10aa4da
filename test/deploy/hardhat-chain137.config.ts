import path from "node:path";
import type { HardhatUserConfig } from "hardhat/config";
import base from "../../hardhat.config";

/**
 * The project's Hardhat config with the in-process network on chainId 137, for the Polygon rehearsal
 * (test/deploy/rehearsal.test.ts starts `hardhat node` with it through HARDHAT_CONFIG). Nothing else
 * differs; the project root stays the repository's.
 */
const config: HardhatUserConfig = {
  ...base,
  paths: { ...base.paths, root: path.resolve(__dirname, "..", "..") },
  networks: { ...base.networks, hardhat: { ...base.networks?.hardhat, chainId: 137 } },
};

export default config;
