import { expect } from "chai";
import hre from "hardhat";
import { BrowserProvider, Wallet } from "ethers";
import { connectContract, connectLure } from "../../services/chain/contracts";
import { readDeployment, writeDeployment, type Deployment } from "../../services/chain/deployments";
import { ChainError } from "../../services/chain/errors";
import { deployToOwnFolder } from "../support/deployment";

async function connectError(work: () => Promise<unknown>): Promise<ChainError> {
  try {
    await work();
  } catch (error) {
    expect(error).to.be.instanceOf(ChainError);
    return error as ChainError;
  }
  throw new Error("expected the connection to be refused");
}

describe("services/chain: connecting Lure's contracts from a deployments file", function () {
  const network = hre.network.name;
  let deployment: Deployment;
  let deploymentsDir: string;

  before(async function () {
    ({ deployment, deploymentsDir } = await deployToOwnFolder());
  });

  it("connects through Hardhat's signer, typed by typechain", async function () {
    const [signer] = await hre.ethers.getSigners();
    const lure = await connectLure(signer, { network, deploymentsDir });
    expect(lure.account).to.equal(signer.address);
    expect(lure.chainId).to.equal(31337);
    expect(await lure.registry.getAddress()).to.equal(deployment.contracts.PodRegistry.address);
    expect(await lure.market.registry()).to.equal(deployment.contracts.PodRegistry.address);
    expect(await lure.licenses.getAddress()).to.equal(deployment.contracts.PodLicenses.address);
    expect(await lure.market.licenses()).to.equal(deployment.contracts.PodLicenses.address);
  });

  it("accepts a deployments file that also records the TimelockController (real networks)", async function () {
    const [signer] = await hre.ethers.getSigners();
    const otherDir = (await deployToOwnFolder()).deploymentsDir;
    const timelock = { address: Wallet.createRandom().address, blockNumber: 1, txHash: `0x${"ab".repeat(32)}` };
    writeDeployment(network, { ...deployment, contracts: { TimelockController: timelock, ...deployment.contracts } }, otherDir);
    expect(readDeployment(network, otherDir)?.contracts.TimelockController).to.deep.equal(timelock);
    const lure = await connectLure(signer, { network, deploymentsDir: otherDir });
    expect(await lure.licenses.getAddress()).to.equal(deployment.contracts.PodLicenses.address);
  });

  it("connects without Hardhat's ethers: a plain ethers provider for reads, a Wallet to sign", async function () {
    const provider = new BrowserProvider(hre.network.provider);
    const market = await connectContract("PodMarket", provider, { network, deploymentsDir });
    expect(await market.getAddress()).to.equal(deployment.contracts.PodMarket.address);
    const reader = await connectLure(provider, { network, deploymentsDir });
    expect(reader.account).to.equal("0x0000000000000000000000000000000000000000");
    const wallet = Wallet.createRandom().connect(provider);
    expect((await connectLure(wallet, { network, deploymentsDir })).account).to.equal(wallet.address);
  });

  it("refuses a deployments file written for another chain", async function () {
    const [signer] = await hre.ethers.getSigners();
    const otherDir = (await deployToOwnFolder()).deploymentsDir;
    writeDeployment(network, { ...deployment, chainId: 137 }, otherDir);
    const error = await connectError(() => connectLure(signer, { network, deploymentsDir: otherDir }));
    expect(error.kind).to.equal("connect");
    expect(error.message).to.equal(`deployments/${network}.json is for chainId 137, but the node reports 31337`);
  });

  it("says the chain was reset when the recorded address holds no code", async function () {
    const [signer] = await hre.ethers.getSigners();
    const otherDir = (await deployToOwnFolder()).deploymentsDir;
    const empty = Wallet.createRandom().address;
    writeDeployment(network, { ...deployment, contracts: { ...deployment.contracts, PodMarket: { ...deployment.contracts.PodMarket, address: empty } } }, otherDir);
    const error = await connectError(() => connectLure(signer, { network, deploymentsDir: otherDir }));
    expect(error.message).to.equal(
      `no PodMarket code at ${empty} on ${network}: the chain was reset; run \`npx hardhat run scripts/deploy.ts --network ${network}\``,
    );
    // The registry alone is still there and connects.
    expect(await (await connectContract("PodRegistry", signer, { network, deploymentsDir: otherDir })).totalPods()).to.be.a("bigint");
  });

  it("says how to deploy when there is no deployments file", async function () {
    const [signer] = await hre.ethers.getSigners();
    const error = await connectError(() => connectLure(signer, { network: "nowhere", deploymentsDir }));
    expect(error.message).to.equal('PodRegistry is not deployed on network "nowhere": run `npx hardhat run scripts/deploy.ts --network nowhere`');
  });
});
