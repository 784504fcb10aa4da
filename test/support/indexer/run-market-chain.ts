import { JsonRpcProvider, ZeroAddress, ethers, type ContractTransactionResponse, type JsonRpcSigner } from "ethers";
import type { Deployment } from "../../../services/chain/deployments";
import type { PodKeyGrants, PodLicenses, PodMarket, PodRegistry, RunMarket } from "../../../typechain-types";
import { PodLicenses__factory } from "../../../typechain-types/factories/contracts/PodLicenses__factory";
import { PodMarket__factory } from "../../../typechain-types/factories/contracts/PodMarket__factory";
import { PodRegistry__factory } from "../../../typechain-types/factories/contracts/PodRegistry__factory";
import { PodKeyGrants__factory } from "../../../typechain-types/factories/contracts/PodKeyGrants__factory";
import { RunMarketLib__factory } from "../../../typechain-types/factories/contracts/RunMarket.sol/RunMarketLib__factory";
import { RunMarket__factory } from "../../../typechain-types/factories/contracts/RunMarket.sol/RunMarket__factory";

/**
 * The real pod contracts and RunMarket (linked to RunMarketLib) on a `hardhat node`, for the
 * indexer's and the API's run tests, with the settings of test/support/contracts.ts' run fixture.
 * alice owns "alpha" (RUN_PRICE per run, native coin), bob owns "beta" (free); carol holds a licence
 * of both. runner1 (named-runner fee RUNNER_FEE), runner2 (twice that) and runner3 (free) are registered.
 */

export const RUN_FEE_BPS = 500n;
export const MIN_BOND = ethers.parseEther("1");
export const SLASH = ethers.parseEther("0.1");
const CLAIM_WINDOW = 600;
const UNBONDING_DELAY = 24 * 3600;
export const RUN_PRICE = ethers.parseEther("0.01");
export const RUNNER_FEE = ethers.parseEther("0.002");
export const X25519_KEY = ethers.keccak256(ethers.toUtf8Bytes("runner key"));
const DAY = 24 * 3600;
const PUBLIC = 1;

/** IRunMarket.FailPhase by name, in the contract's order. */
export const FAIL_PHASES = ["FETCH_POD", "RESOLVE_PAYLOAD", "PROVISION", "EXECUTE", "TIMEOUT", "OUTPUT_TOO_LARGE", "UPLOAD_OUTPUT"] as const;

export const swarmRef = (label: string) => ethers.keccak256(ethers.toUtf8Bytes(label));

export interface RunMarketChain {
  provider: JsonRpcProvider;
  deployment: Deployment;
  registry: PodRegistry;
  licenses: PodLicenses;
  market: PodMarket;
  keyGrants: PodKeyGrants;
  runMarket: RunMarket;
  treasury: JsonRpcSigner;
  alice: JsonRpcSigner;
  bob: JsonRpcSigner;
  carol: JsonRpcSigner;
  runner1: JsonRpcSigner;
  runner2: JsonRpcSigner;
  runner3: JsonRpcSigner;
  alpha: bigint;
  beta: bigint;
}

/** Waits until a transaction is mined. */
export async function mined(sent: Promise<ContractTransactionResponse>): Promise<void> {
  await (await sent).wait();
}

async function deployedAt(contract: { deploymentTransaction(): ContractTransactionResponse | null; getAddress(): Promise<string> }) {
  const receipt = (await contract.deploymentTransaction()!.wait())!;
  return { address: await contract.getAddress(), blockNumber: receipt.blockNumber, txHash: receipt.hash };
}

export async function deployRunMarketChain(url: string): Promise<RunMarketChain> {
  const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true, cacheTimeout: -1 });
  const signers = await Promise.all(Array.from({ length: 10 }, (_, index) => provider.getSigner(index)));
  const [admin, governor, pauser, treasury, alice, bob, carol, runner1, runner2, runner3] = signers;
  const registry = await new PodRegistry__factory(admin).deploy();
  const licenses = await new PodLicenses__factory(admin).deploy(await registry.getAddress(), DAY, admin.address, ZeroAddress);
  await licenses.waitForDeployment();
  const market = await new PodMarket__factory(admin).deploy(
    await registry.getAddress(),
    await licenses.getAddress(),
    DAY,
    admin.address,
    governor.address,
    pauser.address,
    treasury.address,
    250,
    DAY,
  );
  await market.waitForDeployment();
  const lib = await new RunMarketLib__factory(admin).deploy();
  await lib.waitForDeployment();
  const keyGrants = await new PodKeyGrants__factory(admin).deploy(await registry.getAddress());
  await keyGrants.waitForDeployment();
  const settings = {
    feeRecipient: treasury.address,
    feeBps: Number(RUN_FEE_BPS),
    claimWindow: CLAIM_WINDOW,
    unbondingDelay: UNBONDING_DELAY,
    minBond: MIN_BOND,
    slashAmount: SLASH,
  };
  const runMarket = await new RunMarket__factory({ "contracts/RunMarket.sol:RunMarketLib": await lib.getAddress() }, admin).deploy(
    await registry.getAddress(),
    await licenses.getAddress(),
    await keyGrants.getAddress(),
    DAY,
    admin.address,
    governor.address,
    pauser.address,
    settings,
  );
  await runMarket.waitForDeployment();
  const deployment: Deployment = {
    chainId: 31337,
    contracts: { PodRegistry: await deployedAt(registry), PodLicenses: await deployedAt(licenses), PodMarket: await deployedAt(market), PodKeyGrants: await deployedAt(keyGrants), RunMarket: await deployedAt(runMarket) },
  };

  await mined(licenses.connect(admin).grantRole(await licenses.MINTER_ROLE(), await market.getAddress()));
  await mined(registry.connect(alice).publish("alpha", swarmRef("alpha v1"), PUBLIC, 0, 0, 1000));
  await mined(registry.connect(bob).publish("beta", swarmRef("beta v1"), PUBLIC, 0, 0, 1000));
  const [alpha, beta] = [1n, 2n];
  await mined(market.connect(alice).list(alpha, ZeroAddress, 1000, 0, false));
  await mined(market.connect(bob).list(beta, ZeroAddress, 1000, 0, false));
  await mined(market.connect(carol).buy(alpha, 1, ZeroAddress, 1000, { value: 1000 }));
  await mined(market.connect(carol).buy(beta, 1, ZeroAddress, 1000, { value: 1000 }));
  await mined(runMarket.connect(alice).setRunPrice(alpha, ZeroAddress, RUN_PRICE));
  await mined(runMarket.connect(runner1).registerRunner(X25519_KEY, [ZeroAddress], [RUNNER_FEE], { value: MIN_BOND }));
  await mined(runMarket.connect(runner2).registerRunner(X25519_KEY, [ZeroAddress], [2n * RUNNER_FEE], { value: MIN_BOND }));
  await mined(runMarket.connect(runner3).registerRunner(X25519_KEY, [ZeroAddress], [0n], { value: MIN_BOND }));
  return { provider, deployment, registry, licenses, market, keyGrants, runMarket, treasury, alice, bob, carol, runner1, runner2, runner3, alpha, beta };
}

/** The chain's clock moved `seconds` ahead, and a block mined at the new time. */
async function advanceTime(chain: RunMarketChain, seconds: number): Promise<void> {
  await chain.provider.send("evm_increaseTime", [seconds]);
  await chain.provider.send("evm_mine", []);
}

/** A deadline an hour after the chain's latest block. */
export async function deadline(chain: RunMarketChain): Promise<number> {
  const block = await chain.provider.getBlock("latest");
  return block!.timestamp + 3600;
}

/** What the budget of an any-runner request escrows beside the pod price. */
export const ANY_RUNNER_BUDGET = ethers.parseEther("0.005");

/** carol requests a run of `podId` for any runner (escrow: its price plus ANY_RUNNER_BUDGET); returns the run id. */
async function requestAnyRunner(chain: RunMarketChain, podId: bigint, podPrice: bigint, input = "input"): Promise<bigint> {
  const escrow = podPrice + ANY_RUNNER_BUDGET;
  await mined(chain.runMarket.connect(chain.carol).requestRun(podId, 0, swarmRef(input), ZeroAddress, escrow, await deadline(chain), ZeroAddress, { value: escrow }));
  return chain.runMarket.runCount();
}

/**
 * Every kind of run on the chain, in this order (run ids in brackets):
 * [1] alpha by runner1 (named), completed; [2..8] alpha by runner2, failed in each phase of
 * FAIL_PHASES; [9] alpha claimed by runner3, lapsed and expired (runner3 slashed); [10] beta,
 * cancelled; [11] a task alpha → beta claimed by runner1, both stages completed; [12] beta, claimed
 * by runner1 and left open; [13] beta, requested and left unclaimed. Then runner2 changes its fee and
 * key and pauses, runner1 adds to its bond, and runner3 leaves.
 */
export async function runEveryKind(chain: RunMarketChain): Promise<void> {
  const { runMarket, carol, runner1, runner2, runner3, alpha, beta } = chain;
  const named = RUN_PRICE + RUNNER_FEE;
  await mined(runMarket.connect(carol).requestRun(alpha, 0, swarmRef("input 1"), ZeroAddress, named, await deadline(chain), runner1.address, { value: named }));
  await mined(runMarket.connect(runner1).claim(1));
  await mined(runMarket.connect(runner1).complete(1, swarmRef("output 1"), swarmRef("log 1")));

  for (const [phase, name] of FAIL_PHASES.entries()) {
    const runId = await requestAnyRunner(chain, alpha, RUN_PRICE, `input ${name}`);
    await mined(runMarket.connect(runner2).claim(runId));
    await mined(runMarket.connect(runner2).fail(runId, phase, phase === 0 ? ethers.ZeroHash : swarmRef(`log ${name}`)));
  }

  const lapsing = await requestAnyRunner(chain, alpha, RUN_PRICE, "input lapsing");
  await mined(runMarket.connect(runner3).claim(lapsing));
  await advanceTime(chain, CLAIM_WINDOW + 1);
  await mined(runMarket.connect(carol).expire(lapsing));

  const cancelled = await requestAnyRunner(chain, beta, 0n, "input cancelled");
  await mined(runMarket.connect(carol).cancel(cancelled));

  const taskEscrow = RUN_PRICE + 2n * RUNNER_FEE;
  await mined(
    runMarket.connect(carol).requestTask(
      [
        { podId: alpha, version: 0 },
        { podId: beta, version: 0 },
      ],
      swarmRef("task input"),
      ZeroAddress,
      taskEscrow,
      await deadline(chain),
      runner1.address,
      { value: taskEscrow },
    ),
  );
  const task = await runMarket.runCount();
  await mined(runMarket.connect(runner1).claim(task));
  await mined(runMarket.connect(runner1).completeStage(task, 0, swarmRef("task output 0"), swarmRef("task log 0")));
  await mined(runMarket.connect(runner1).completeStage(task, 1, swarmRef("task output 1"), swarmRef("task log 1")));

  const open = await requestAnyRunner(chain, beta, 0n, "input open");
  await mined(runMarket.connect(runner1).claim(open));
  await requestAnyRunner(chain, beta, 0n, "input waiting");

  await mined(runMarket.connect(runner2).setRunnerFee(ZeroAddress, 3n * RUNNER_FEE, true));
  await mined(runMarket.connect(runner2).setRunnerKey(swarmRef("runner2 new key")));
  await mined(runMarket.connect(runner2).setRunnerPaused(true));
  await mined(runMarket.connect(runner1).addBond({ value: MIN_BOND }));
  await mined(runMarket.connect(runner3).requestUnregister());
  await advanceTime(chain, UNBONDING_DELAY);
  await mined(runMarket.connect(runner3).withdrawBond());
}
