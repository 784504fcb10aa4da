import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { deployLure } from "../../scripts/deploy";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEV_ROLE_ACCOUNTS, readDeployment, writeDeployment } from "../../services/chain/deployments";

describe("scripts/deploy.ts on the in-process dev chain", function () {
  it("deploys registry, licences, market and the linked run market with the roles on distinct dev accounts, the market as minter", async function () {
    const deployed = await deployLure(hre, { write: false, verbose: false });
    expect(deployed).not.to.equal(undefined);
    const { deployment, market, licenses, registry, runMarket, groups, messages } = deployed!;
    expect(Object.keys(deployment.contracts)).to.deep.equal(["PodRegistry", "PodLicenses", "PodMarket", "PodKeyGrants", "RunMarketLib", "RunMarket", "GroupRegistry", "MessageBus"]);
    expect(deployment.chainId).to.equal(31337);
    const signers = await ethers.getSigners();
    const [deployer] = signers;
    const admin = signers[DEV_ROLE_ACCOUNTS.admin].address;
    expect(await market.defaultAdmin()).to.equal(admin);
    expect(await licenses.defaultAdmin()).to.equal(admin);
    expect(await market.hasRole(await market.GOVERNOR_ROLE(), signers[DEV_ROLE_ACCOUNTS.governor].address)).to.equal(true);
    expect(await market.hasRole(await market.PAUSER_ROLE(), signers[DEV_ROLE_ACCOUNTS.pauser].address)).to.equal(true);
    expect(await market.feeRecipient()).to.equal(signers[DEV_ROLE_ACCOUNTS.feeRecipient].address);
    expect(await licenses.hasRole(await licenses.MINTER_ROLE(), await market.getAddress())).to.equal(true);
    for (const role of [ethers.ZeroHash, await market.GOVERNOR_ROLE(), await market.PAUSER_ROLE()]) {
      expect(await market.hasRole(role, deployer.address)).to.equal(false);
    }
    expect(await market.registry()).to.equal(await registry.getAddress());
    expect(await market.licenses()).to.equal(await licenses.getAddress());
    expect(await runMarket.registry()).to.equal(await registry.getAddress());
    expect(await runMarket.keyGrants()).to.equal(deployment.contracts.PodKeyGrants.address);
    expect(await deployed!.keyGrants.registry()).to.equal(await registry.getAddress());
    expect(await runMarket.defaultAdmin()).to.equal(admin);
    expect(await runMarket.hasRole(await runMarket.GOVERNOR_ROLE(), signers[DEV_ROLE_ACCOUNTS.governor].address)).to.equal(true);
    expect(await runMarket.hasRole(await runMarket.PAUSER_ROLE(), signers[DEV_ROLE_ACCOUNTS.pauser].address)).to.equal(true);
    expect((await runMarket.settings()).feeRecipient).to.equal(signers[DEV_ROLE_ACCOUNTS.feeRecipient].address);
    for (const role of [ethers.ZeroHash, await runMarket.GOVERNOR_ROLE(), await runMarket.PAUSER_ROLE()]) {
      expect(await runMarket.hasRole(role, deployer.address)).to.equal(false);
    }
    // Groups and messages: the same admin and governor, the dev fee recipient, a small non-zero floor.
    const governor = signers[DEV_ROLE_ACCOUNTS.governor].address;
    expect(await groups.podRegistry()).to.equal(await registry.getAddress());
    expect(await groups.defaultAdmin()).to.equal(admin);
    expect(await groups.hasRole(await groups.GOVERNOR_ROLE(), governor)).to.equal(true);
    expect(await messages.podRegistry()).to.equal(await registry.getAddress());
    expect(await messages.groups()).to.equal(await groups.getAddress());
    expect(await messages.defaultAdmin()).to.equal(admin);
    expect(await messages.hasRole(await messages.GOVERNOR_ROLE(), governor)).to.equal(true);
    expect(await messages.feeRecipient()).to.equal(signers[DEV_ROLE_ACCOUNTS.feeRecipient].address);
    expect(await messages.floorOf(ethers.ZeroAddress)).to.equal(ethers.parseEther("0.0001"));
    for (const role of [ethers.ZeroHash, await groups.GOVERNOR_ROLE()]) {
      expect(await groups.hasRole(role, deployer.address)).to.equal(false);
      expect(await messages.hasRole(role, deployer.address)).to.equal(false);
    }
  });

  it("adds GroupRegistry and MessageBus to an earlier live deployment, sending nothing else", async function () {
    const dir = mkdtempSync(join(tmpdir(), "lure-deploy-upgrade-"));
    const previous = process.env.DEPLOYMENTS_DIR;
    process.env.DEPLOYMENTS_DIR = dir;
    try {
      const first = (await deployLure(hre, { verbose: false }))!;
      // The file as a deployment made before groups and messages existed wrote it (their code on chain is not named).
      const earlier = { chainId: first.deployment.chainId, contracts: { ...first.deployment.contracts } };
      delete earlier.contracts.GroupRegistry;
      delete earlier.contracts.MessageBus;
      writeDeployment("hardhat", earlier, dir);
      const [deployer] = await ethers.getSigners();
      const nonce = await ethers.provider.getTransactionCount(deployer.address);
      const upgraded = (await deployLure(hre, { verbose: false }))!;
      expect(await ethers.provider.getTransactionCount(deployer.address)).to.equal(nonce + 2);
      expect(upgraded.reused).to.equal(false);
      expect(Object.keys(upgraded.deployment.contracts)).to.deep.equal(["PodRegistry", "PodLicenses", "PodMarket", "PodKeyGrants", "RunMarketLib", "RunMarket", "GroupRegistry", "MessageBus"]);
      for (const name of ["PodRegistry", "PodLicenses", "PodMarket", "PodKeyGrants", "RunMarketLib", "RunMarket"]) {
        expect(upgraded.deployment.contracts[name]).to.deep.equal(first.deployment.contracts[name]);
      }
      expect(upgraded.deployment.contracts.GroupRegistry.address).not.to.equal(first.deployment.contracts.GroupRegistry.address);
      expect(await upgraded.groups.podRegistry()).to.equal(first.deployment.contracts.PodRegistry.address);
      expect(await upgraded.messages.groups()).to.equal(upgraded.deployment.contracts.GroupRegistry.address);
      expect(readDeployment("hardhat", dir)).to.deep.equal(upgraded.deployment);
      expect((await deployLure(hre, { verbose: false }))!.reused).to.equal(true);
    } finally {
      if (previous === undefined) delete process.env.DEPLOYMENTS_DIR;
      else process.env.DEPLOYMENTS_DIR = previous;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
