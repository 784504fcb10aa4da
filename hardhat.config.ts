import "dotenv/config";
import { subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, TASK_TEST_GET_TEST_FILES } from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig } from "hardhat/config";
import "@nomicfoundation/hardhat-toolbox";
import "./tasks";
import { ConfigurationError } from "./tasks/lib/errors";

/** The one compiler version Lure builds with; it must match the pinned `solc` npm package. */
const SOLC_VERSION = "0.8.28";

// There is no route to the compiler download site from these machines, so Hardhat is given
// the solc-js build that ships inside the pinned `solc` npm package instead.
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }) => {
  if (args.solcVersion !== SOLC_VERSION) {
    throw new Error(`solc ${args.solcVersion} requested, but only the pinned solc ${SOLC_VERSION} is installed`);
  }
  const compilerPath = require.resolve("solc/soljson.js");
  return { compilerPath, isSolcJs: true, version: SOLC_VERSION, longVersion: require("solc/package.json").version };
});

// `hardhat test` alone would load every file under test/, helpers and child-process entry points
// included; only `*.test.ts` files are suites.
subtask(TASK_TEST_GET_TEST_FILES).setAction(async (args: { testFiles: string[] }, _hre, runSuper) => {
  const files: string[] = await runSuper(args);
  return args.testFiles.length > 0 ? files : files.filter((file) => file.endsWith(".test.ts")).sort();
});

/**
 * Remote networks read their RPC URL and key lazily: a missing variable is an error only when
 * that network is actually selected, and the error names the variable.
 */
function remoteNetwork(chainId: number, urlVariable: string) {
  const selected = process.argv.includes("--network") && process.argv[process.argv.indexOf("--network") + 1];
  const wanted = selected === (chainId === 137 ? "polygon" : "amoy") || process.env.HARDHAT_NETWORK === (chainId === 137 ? "polygon" : "amoy");
  const url = process.env[urlVariable];
  const key = process.env.DEPLOYER_PRIVATE_KEY;
  if (wanted) {
    if (!url) throw new ConfigurationError(`${urlVariable} is not set: it is required for the ${chainId === 137 ? "polygon" : "amoy"} network`);
    if (!key) throw new ConfigurationError("DEPLOYER_PRIVATE_KEY is not set: it is required to send transactions on a remote network");
    if (!/^(0x)?[0-9a-fA-F]{64}$/.test(key)) throw new ConfigurationError("DEPLOYER_PRIVATE_KEY must be 32 bytes of hex");
  }
  return {
    chainId,
    url: url ?? "http://127.0.0.1:0",
    accounts: key && /^(0x)?[0-9a-fA-F]{64}$/.test(key) ? [key.startsWith("0x") ? key : `0x${key}`] : [],
  };
}

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: {
      optimizer: { enabled: true, runs: 10_000 },
      evmVersion: "cancun",
    },
  },
  networks: {
    hardhat: { chainId: 31337 },
    localhost: { url: process.env.LOCAL_RPC_URL ?? "http://127.0.0.1:8545", chainId: 31337 },
    amoy: remoteNetwork(80002, "AMOY_RPC_URL"),
    polygon: remoteNetwork(137, "POLYGON_RPC_URL"),
  },
  typechain: { outDir: "typechain-types", target: "ethers-v6" },
  gasReporter: {
    enabled: process.env.REPORT_GAS === "true",
    currency: "USD",
    // hardhat-gas-reporter v1: a plain-text table, written to a file when GAS_REPORT_FILE is set.
    outputFile: process.env.GAS_REPORT_FILE,
    noColors: true,
    // Test doubles under contracts/test/ (matched by contract name in v1).
    excludeContracts: ["MockERC20", "FalseReturningERC20", "FeeOnTransferERC20", "ReentrantERC20", "ReentrantWithdrawer", "ReentrantPodBuyer"],
  },
  mocha: { timeout: 120_000 },
};

export default config;
