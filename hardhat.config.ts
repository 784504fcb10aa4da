import "dotenv/config";
import { subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, TASK_TEST_GET_TEST_FILES } from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig } from "hardhat/config";
import "@nomicfoundation/hardhat-toolbox";
import "./tasks";
import { version as solcPackageVersion } from "solc/package.json";
import { networkAccess, type RpcNetwork } from "./services/config/networks";
import { ConfigurationError } from "./tasks/lib/errors";
import { trySetting } from "./services/config";

/** The one compiler version Lure builds with; it must match the pinned `solc` npm package. */
const SOLC_VERSION = "0.8.28";

// There is no route to the compiler download site from these machines, so Hardhat is given
// the solc-js build that ships inside the pinned `solc` npm package instead.
// (Hardhat wants a Promise from a task action; nothing here is awaited.)
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, (args: { solcVersion: string }) => {
  if (args.solcVersion !== SOLC_VERSION) {
    return Promise.reject(new Error(`solc ${args.solcVersion} requested, but only the pinned solc ${SOLC_VERSION} is installed`));
  }
  const compilerPath = require.resolve("solc/soljson.js");
  return Promise.resolve({ compilerPath, isSolcJs: true, version: SOLC_VERSION, longVersion: solcPackageVersion });
});

// `hardhat test` alone would load every file under test/, helpers and child-process entry points
// included; only `*.test.ts` files are suites.
subtask(TASK_TEST_GET_TEST_FILES).setAction(async (args: { testFiles: string[] }, _hre, runSuper) => {
  // runSuper is typed Promise<any>; the built-in subtask resolves to the list of test file paths.
  const files = (await runSuper(args)) as string[];
  return args.testFiles.length > 0 ? files : files.filter((file) => file.endsWith(".test.ts")).sort();
});

/**
 * Each JSON-RPC network reads its URL (and, remote ones, the deployer key) through services/config,
 * lazily: a missing or malformed variable is an error only when that network is actually selected,
 * and the error names the variable.
 */
function rpcNetwork(name: RpcNetwork, chainId: number) {
  const selectedByFlag = process.argv.includes("--network") && process.argv[process.argv.indexOf("--network") + 1] === name;
  const selected = selectedByFlag || process.env.HARDHAT_NETWORK === name;
  const access = networkAccess(name);
  if (selected && access.problem) throw new ConfigurationError(access.problem);
  return name === "localhost" ? { url: access.url, chainId } : { url: access.url, chainId, accounts: access.accounts };
}

function genesisDate(): { initialDate?: string } {
  const genesis = trySetting("DEV_CHAIN_GENESIS_TIME");
  if (!genesis.ok) throw new ConfigurationError(genesis.problem);
  return genesis.value === undefined ? {} : { initialDate: new Date(genesis.value * 1000).toISOString() };
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
    // `npm start` restores a recorded dev chain by starting its node at the recorded genesis time
    // (services/devnet/chain-journal.ts); otherwise the node starts now, as Hardhat does by default.
    hardhat: { chainId: 31337, ...genesisDate() },
    localhost: rpcNetwork("localhost", 31337),
    amoy: rpcNetwork("amoy", 80002),
    polygon: rpcNetwork("polygon", 137),
  },
  typechain: { outDir: "typechain-types", target: "ethers-v6" },
  // `npx hardhat verify --network polygon|amoy <address> <constructor args...>` (hardhat-verify from the
  // toolbox). One Etherscan v2 API key (ETHERSCAN_API_KEY) serves Polygonscan and Amoy: hardhat-verify
  // picks the chain by chainId (137 and 80002 are built in). Nothing is verified by the tests.
  etherscan: { apiKey: (() => { const key = trySetting("ETHERSCAN_API_KEY"); return key.ok ? (key.value ?? "") : ""; })() },
  sourcify: { enabled: false },
  gasReporter: {
    enabled: process.env.REPORT_GAS === "true",
    currency: "USD",
    // hardhat-gas-reporter v1: a plain-text table, written to a file when GAS_REPORT_FILE is set.
    outputFile: process.env.GAS_REPORT_FILE,
    noColors: true,
    // Test doubles under contracts/test/ (matched by contract name in v1).
    excludeContracts: [
      "MockERC20",
      "FalseReturningERC20",
      "FeeOnTransferERC20",
      "ReentrantERC20",
      "ReentrantWithdrawer",
      "ReentrantPodBuyer",
      "ReentrantLicenseBuyer",
      "ERC721ReceiverMock",
      "ERC1155ReceiverMock",
      "ReentrantRunner",
      "ReentrantGroupOwner",
    ],
  },
  mocha: { timeout: 120_000 },
};

export default config;
