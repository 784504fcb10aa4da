import { expect } from "chai";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ethers } from "ethers";
import { deploymentSchema } from "../../services/chain/deployments";
import { startHardhatNode, type RunningChain } from "../../services/devnet/hardhat-node";
import { freePort } from "../support/hardhat-node";
import { GroupRegistry__factory, MessageBus__factory, PodLicenses__factory, PodMarket__factory, PodRegistry__factory, RunMarket__factory, TimelockController__factory } from "../../typechain-types";

/**
 * The Polygon rehearsal: a local `hardhat node` on chainId 137, and scripts/deploy.ts run against it as
 * the `polygon` network (POLYGON_RPC_URL pointing at the node, a dev key as DEPLOYER_PRIVATE_KEY), in a
 * child process exactly as an operator would run it. Nothing is sent to a real network.
 * Accounts (the node's dev mnemonic): #0 deployer, #1 default admin, #2 pauser, #3 fee recipient,
 * #4 timelock proposer; #5..#9 alice, bob, carol, dave, erin.
 */
const MNEMONIC = "test test test test test test test test test test test junk";
const wallet = (index: number, provider: ethers.JsonRpcProvider) =>
  ethers.HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`).connect(provider);
const hardhatBin = join(dirname(require.resolve("hardhat/package.json")), "internal", "cli", "bootstrap.js");

function runDeploy(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [hardhatBin, "run", "scripts/deploy.ts", "--network", "polygon"], {
      cwd: join(__dirname, "..", ".."),
      env: { ...process.env, HARDHAT_NETWORK: undefined, LURE_DEPLOY_YES: undefined, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("exit", (code) => resolve({ code, output }));
  });
}

describe("Polygon rehearsal: deploy with the polygon settings on a chainId 137 node, then the demo's money flows", function () {
  this.timeout(300_000);
  let node: RunningChain;
  let url: string;
  let provider: ethers.JsonRpcProvider;
  let deploymentsDir: string;
  let env: Record<string, string>;

  before(async function () {
    const port = await freePort();
    const logDir = mkdtempSync(join(tmpdir(), "lure-rehearsal-"));
    node = await startHardhatNode({
      host: "127.0.0.1",
      port,
      logFile: join(logDir, "node.log"),
      readyTimeoutMs: 120_000,
      env: { HARDHAT_CONFIG: join(__dirname, "hardhat-chain137.config.ts") },
    });
    url = node.url;
    // A plain chainId 137 network: ethers' built-in "matic" network would ask the Polygon gas station for fees.
    const network = new ethers.Network("polygon-rehearsal", 137n);
    provider = new ethers.JsonRpcProvider(url, network, { staticNetwork: network, cacheTimeout: -1 });
    deploymentsDir = mkdtempSync(join(tmpdir(), "lure-rehearsal-deployments-"));
    const address = (index: number) => wallet(index, provider).address;
    env = {
      POLYGON_RPC_URL: url,
      DEPLOYER_PRIVATE_KEY: wallet(0, provider).privateKey,
      DEPLOYMENTS_DIR: deploymentsDir,
      LURE_ADMIN: address(1),
      LURE_PAUSER: address(2),
      LURE_FEE_RECIPIENT: address(3),
      LURE_TIMELOCK_PROPOSER: address(4),
      LURE_TIMELOCK_DELAY: "3600",
      LURE_MESSAGE_FLOOR: "50000000000000000",
    };
  });

  after(async function () {
    provider?.destroy();
    await node?.stop();
    if (deploymentsDir) rmSync(deploymentsDir, { recursive: true, force: true });
  });

  it("prints the plan and sends nothing without LURE_DEPLOY_YES=1", async function () {
    expect(Number((await provider.getNetwork()).chainId)).to.equal(137);
    // Every message's protocol floor must be named on a real network.
    const noFloor = await runDeploy({ ...env, LURE_MESSAGE_FLOOR: "" });
    expect(noFloor.code, noFloor.output).to.equal(1);
    expect(noFloor.output).to.contain("LURE_MESSAGE_FLOOR is not set: it is required to deploy on polygon");
    const { code, output } = await runDeploy(env);
    expect(code, output).to.equal(0);
    expect(output).to.contain("Lure deployment plan for polygon (chainId 137)");
    for (const name of ["TimelockController", "PodRegistry", "PodLicenses", "PodMarket", "PodKeyGrants", "RunMarketLib", "RunMarket", "GroupRegistry", "MessageBus"]) expect(output).to.contain(name);
    expect(output).to.match(/runs: claim window 600s/);
    expect(output).to.contain("messages: protocol floor 0.05 (native coin) per message");
    expect(output).to.match(/priority 30\.00 gwei \(floor 30\.00 gwei\)/);
    expect(output).to.match(/total gas ~\d+; cost ~/);
    expect(output).to.contain("Nothing sent: set LURE_DEPLOY_YES=1");
    expect(existsSync(join(deploymentsDir, "polygon.json"))).to.equal(false);
    expect(await provider.getTransactionCount(wallet(0, provider).address)).to.equal(0);
  });

  it("deploys with LURE_DEPLOY_YES=1: the deployments file, the timelock as governor, distinct role holders", async function () {
    const { code, output } = await runDeploy({ ...env, LURE_DEPLOY_YES: "1" });
    expect(code, output).to.equal(0);
    const file = deploymentSchema.parse(JSON.parse(readFileSync(join(deploymentsDir, "polygon.json"), "utf8")));
    expect(file.chainId).to.equal(137);
    expect(Object.keys(file.contracts)).to.deep.equal(["TimelockController", "PodRegistry", "PodLicenses", "PodMarket", "PodKeyGrants", "RunMarketLib", "RunMarket", "GroupRegistry", "MessageBus"]);
    for (const entry of Object.values(file.contracts)) {
      expect(entry.address).to.match(/^0x[0-9a-fA-F]{40}$/);
      expect(entry.txHash).to.match(/^0x[0-9a-f]{64}$/);
      expect(await provider.getCode(entry.address)).not.to.equal("0x");
      const tx = await provider.getTransaction(entry.txHash);
      expect(tx?.blockNumber).to.equal(entry.blockNumber);
      expect(tx?.maxPriorityFeePerGas).to.equal(30_000_000_000n);
    }
    const market = PodMarket__factory.connect(file.contracts.PodMarket.address, provider);
    const licenses = PodLicenses__factory.connect(file.contracts.PodLicenses.address, provider);
    const timelock = TimelockController__factory.connect(file.contracts.TimelockController.address, provider);
    const deployer = wallet(0, provider).address;
    expect(await market.defaultAdmin()).to.equal(wallet(1, provider).address);
    expect(await licenses.defaultAdmin()).to.equal(wallet(1, provider).address);
    expect(await market.hasRole(await market.GOVERNOR_ROLE(), file.contracts.TimelockController.address)).to.equal(true);
    expect(await market.hasRole(await market.PAUSER_ROLE(), wallet(2, provider).address)).to.equal(true);
    expect(await market.feeRecipient()).to.equal(wallet(3, provider).address);
    expect(await licenses.hasRole(await licenses.MINTER_ROLE(), file.contracts.PodMarket.address)).to.equal(true);
    expect(await timelock.hasRole(await timelock.PROPOSER_ROLE(), wallet(4, provider).address)).to.equal(true);
    expect(await timelock.hasRole(await timelock.EXECUTOR_ROLE(), ethers.ZeroAddress)).to.equal(true);
    expect(await timelock.hasRole(await timelock.DEFAULT_ADMIN_ROLE(), deployer)).to.equal(false);
    for (const role of [ethers.ZeroHash, await market.GOVERNOR_ROLE(), await market.PAUSER_ROLE()]) {
      expect(await market.hasRole(role, deployer)).to.equal(false);
    }
    expect(await timelock.getMinDelay()).to.equal(3600n);
    // The run market: linked to the library deployed with it, governed by the same timelock.
    const runMarket = RunMarket__factory.connect(file.contracts.RunMarket.address, provider);
    expect(await runMarket.registry()).to.equal(file.contracts.PodRegistry.address);
    expect(await runMarket.defaultAdmin()).to.equal(wallet(1, provider).address);
    expect(await runMarket.hasRole(await runMarket.GOVERNOR_ROLE(), file.contracts.TimelockController.address)).to.equal(true);
    expect(await runMarket.hasRole(await runMarket.PAUSER_ROLE(), wallet(2, provider).address)).to.equal(true);
    const settings = await runMarket.settings();
    expect(settings.feeRecipient).to.equal(wallet(3, provider).address);
    expect(settings.claimWindow).to.equal(600n);
    for (const role of [ethers.ZeroHash, await runMarket.GOVERNOR_ROLE(), await runMarket.PAUSER_ROLE()]) {
      expect(await runMarket.hasRole(role, deployer)).to.equal(false);
    }
    // Groups and messages: the same admin, the timelock as governor, the fee recipient, LURE_MESSAGE_FLOOR.
    const groups = GroupRegistry__factory.connect(file.contracts.GroupRegistry.address, provider);
    const messages = MessageBus__factory.connect(file.contracts.MessageBus.address, provider);
    expect(await groups.defaultAdmin()).to.equal(wallet(1, provider).address);
    expect(await groups.hasRole(await groups.GOVERNOR_ROLE(), file.contracts.TimelockController.address)).to.equal(true);
    expect(await messages.groups()).to.equal(file.contracts.GroupRegistry.address);
    expect(await messages.defaultAdmin()).to.equal(wallet(1, provider).address);
    expect(await messages.hasRole(await messages.GOVERNOR_ROLE(), file.contracts.TimelockController.address)).to.equal(true);
    expect(await messages.feeRecipient()).to.equal(wallet(3, provider).address);
    expect(await messages.floorOf(ethers.ZeroAddress)).to.equal(50_000_000_000_000_000n);
    for (const role of [ethers.ZeroHash, await groups.GOVERNOR_ROLE()]) {
      expect(await groups.hasRole(role, deployer)).to.equal(false);
      expect(await messages.hasRole(role, deployer)).to.equal(false);
    }
  });

  it("sends nothing when the deployments file already points at live code", async function () {
    const nonce = await provider.getTransactionCount(wallet(0, provider).address);
    const { code, output } = await runDeploy({ ...env, LURE_DEPLOY_YES: "1" });
    expect(code, output).to.equal(0);
    expect(output).to.contain("already deployed on polygon (chainId 137); nothing sent");
    expect(await provider.getTransactionCount(wallet(0, provider).address)).to.equal(nonce);
  });

  it("runs the demo's money flows: a fork chain of 3, licences and a pod sold, royalties to every ancestor, withdrawals", async function () {
    const file = deploymentSchema.parse(JSON.parse(readFileSync(join(deploymentsDir, "polygon.json"), "utf8")));
    const [alice, bob, carol, dave, erin] = [5, 6, 7, 8, 9].map((i) => wallet(i, provider));
    const treasury = wallet(3, provider);
    const registry = PodRegistry__factory.connect(file.contracts.PodRegistry.address, provider);
    const market = PodMarket__factory.connect(file.contracts.PodMarket.address, provider);
    const licenses = PodLicenses__factory.connect(file.contracts.PodLicenses.address, provider);
    const marketAddress = file.contracts.PodMarket.address;
    const ref = (label: string) => ethers.keccak256(ethers.toUtf8Bytes(label));
    const send = async (promise: Promise<ethers.ContractTransactionResponse>) => (await (await promise).wait())!;

    await send(registry.connect(alice).publish("hello", ref("hello"), 1, 0, 0, 1000));
    await send(registry.connect(bob).publish("remix", ref("remix"), 1, 1, 1, 1200));
    await send(registry.connect(carol).publish("remix-2", ref("remix-2"), 1, 2, 1, 1500));
    await send(registry.connect(dave).publish("remix-3", ref("remix-3"), 1, 3, 1, 2000));
    const price = ethers.parseEther("1");
    const podPrice = ethers.parseEther("10");
    await send(market.connect(alice).list(1, ethers.ZeroAddress, price, 0, true));
    await send(market.connect(dave).list(4, ethers.ZeroAddress, price, podPrice, false));
    await send(registry.connect(dave).setApprovalForAll(marketAddress, true));

    await send(market.connect(bob).buy(1, 1, ethers.ZeroAddress, price, { value: price }));
    const licence = await send(market.connect(erin).buy(4, 1, ethers.ZeroAddress, price, { value: price }));
    const paid = licence.logs.flatMap((log) => {
      const event = log.address.toLowerCase() === marketAddress.toLowerCase() ? market.interface.parseLog(log) : null;
      return event?.name === "RoyaltyPaid" ? [[event.args.ancestorPodId as bigint, event.args.receiver as string, event.args.amount as bigint]] : [];
    });
    // Pod 4 owes 15% (carol's rate) to pod 3; pod 3 passes 12% of that to pod 2, which passes 10% of its share to pod 1.
    const u1 = (price * 1500n) / 10_000n;
    const u2 = (u1 * 1200n) / 10_000n;
    const u3 = (u2 * 1000n) / 10_000n;
    expect(paid).to.deep.equal([
      [3n, carol.address, u1 - u2],
      [2n, bob.address, u2 - u3],
      [1n, alice.address, u3],
    ]);
    expect(await licenses.hasLicense(erin.address, 4)).to.equal(true);
    await send(market.connect(erin).buyPod(4, 1, ethers.ZeroAddress, podPrice, { value: podPrice }));
    expect(await registry.ownerOf(4)).to.equal(erin.address);

    const payees = [alice, bob, carol, dave, treasury];
    const credits = await Promise.all(payees.map((p) => market.creditOf(p.address, ethers.ZeroAddress)));
    expect(credits.reduce((a, b) => a + b, 0n)).to.equal(await provider.getBalance(marketAddress));
    expect(credits.reduce((a, b) => a + b, 0n)).to.equal(2n * price + podPrice);
    for (const [index, payee] of payees.entries()) {
      if (credits[index] === 0n) continue;
      await send(market.connect(payee).withdraw(ethers.ZeroAddress));
    }
    expect(await provider.getBalance(marketAddress)).to.equal(0n);
  });

  it("governs through the timelock: a proposer schedules, anyone executes after the delay; the pauser pauses", async function () {
    const file = deploymentSchema.parse(JSON.parse(readFileSync(join(deploymentsDir, "polygon.json"), "utf8")));
    const market = PodMarket__factory.connect(file.contracts.PodMarket.address, provider);
    const timelock = TimelockController__factory.connect(file.contracts.TimelockController.address, provider);
    const token = "0x000000000000000000000000000000000000dEaD";
    const call = market.interface.encodeFunctionData("setTokenAllowed", [token, true]);
    const salt = ethers.ZeroHash;
    await (await timelock.connect(wallet(4, provider)).schedule(file.contracts.PodMarket.address, 0, call, ethers.ZeroHash, salt, 3600)).wait();
    let early: unknown;
    await timelock.connect(wallet(9, provider)).execute.staticCall(file.contracts.PodMarket.address, 0, call, ethers.ZeroHash, salt).catch((error: unknown) => (early = error));
    expect(early, "execution before the delay").not.to.equal(undefined);
    await provider.send("evm_increaseTime", [3601]);
    await provider.send("evm_mine", []);
    await (await timelock.connect(wallet(9, provider)).execute(file.contracts.PodMarket.address, 0, call, ethers.ZeroHash, salt)).wait();
    expect(await market.isTokenAllowed(token)).to.equal(true);
    await (await market.connect(wallet(2, provider)).pause()).wait();
    expect(await market.paused()).to.equal(true);
    await (await market.connect(wallet(2, provider)).unpause()).wait();
  });
});
