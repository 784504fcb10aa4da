import { expect } from "chai";
import hre from "hardhat";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deployLure } from "../../scripts/deploy";
import { DEV_ROLE_ACCOUNTS } from "../../services/chain/deployments";
import { runTask, taskError } from "../support/capture";

const REF = "92672a471f4419b255d7cb0cf313474a6f5856fb347c5ece85fb706d644b630f";

/**
 * Issue 12 §3: market:allow-token and market:list --token take only a contract that answers as an
 * ERC-20 (decimals, balanceOf, allowance), so a later market:buy cannot fail on it. Every refusal
 * names the address and sends nothing; allowing a token already allowed sends nothing either.
 */
describe("Hardhat tasks: ERC-20 checks (market:allow-token, market:list --token)", function () {
  const previousDir = process.env.DEPLOYMENTS_DIR;
  let registryAddress: string;
  let plainAccount: string;

  before(async function () {
    process.env.DEPLOYMENTS_DIR = mkdtempSync(join(tmpdir(), "lure-deployments-"));
    const deployed = await deployLure(hre, { verbose: false });
    if (!deployed) throw new Error("nothing deployed");
    registryAddress = await deployed.registry.getAddress();
    plainAccount = (await hre.ethers.getSigners())[9].address;
  });

  after(function () {
    if (previousDir === undefined) delete process.env.DEPLOYMENTS_DIR;
    else process.env.DEPLOYMENTS_DIR = previousDir;
  });

  async function nonce(index: number): Promise<number> {
    const signers = await hre.ethers.getSigners();
    return hre.ethers.provider.getTransactionCount(signers[index].address);
  }

  /** The task fails with `expected` in its message, and neither account #0 nor the governor sent anything. */
  async function refused(task: string, args: Record<string, unknown>, expected: string): Promise<void> {
    const before = [await nonce(0), await nonce(DEV_ROLE_ACCOUNTS.governor)];
    expect(await taskError(task, args)).to.contain(expected);
    expect([await nonce(0), await nonce(DEV_ROLE_ACCOUNTS.governor)]).to.deep.equal(before);
  }

  it("market:allow-token refuses an address without code, naming it (lower-case input, checksummed in the message)", async function () {
    await refused("market:allow-token", { token: plainAccount.toLowerCase() }, `token ${plainAccount} is not a contract (no code at this address on this chain)`);
  });

  it("market:allow-token refuses a contract that is no ERC-20 (the pod registry), naming what it does not answer", async function () {
    await refused("market:allow-token", { token: registryAddress }, `token ${registryAddress} is a contract but does not answer as an ERC-20: decimals()`);
    const message = await taskError("market:allow-token", { token: registryAddress });
    expect(message).to.contain("allowance(address,address)");
  });

  it("market:allow-token allows a real ERC-20 with its symbol and decimals; allowing it again sends nothing", async function () {
    const token = await (await hre.ethers.getContractFactory("MockERC20")).deploy("Test USD", "TUSD");
    const address = await token.getAddress();
    const allowed = await runTask<{ token: string; symbol: string; decimals: number; changed: boolean; tx: string | null }>("market:allow-token", { token: address });
    expect(allowed).to.include({ token: address, symbol: "TUSD", decimals: 18, changed: true });
    expect(allowed.tx).to.match(/^0x[0-9a-f]{64}$/);
    const before = await nonce(DEV_ROLE_ACCOUNTS.governor);
    const again = await runTask<{ changed: boolean; tx: string | null }>("market:allow-token", { token: address });
    expect(again).to.include({ changed: false, tx: null });
    expect(await nonce(DEV_ROLE_ACCOUNTS.governor)).to.equal(before);
    // Removing needs no ERC-20 check (a broken token must be removable), and an unlisted one sends nothing.
    const removedTwice = await runTask<{ changed: boolean }>("market:allow-token", { token: registryAddress, disallow: true });
    expect(removedTwice.changed).to.equal(false);
  });

  it("market:list --token refuses an address without code and a contract that is no ERC-20, before its decimals are trusted", async function () {
    const podId = (await runTask<{ podId: string }>("pod:publish", { name: "tokens-list", ref: REF })).podId;
    await refused("market:list", { pod: podId, price: "1", token: plainAccount }, `token ${plainAccount} is not a contract`);
    await refused("market:list", { pod: podId, price: "1", token: registryAddress }, `token ${registryAddress} is a contract but does not answer as an ERC-20`);
    // A real ERC-20 that the market has not allowed is still the contract's refusal, named.
    const other = await (await hre.ethers.getContractFactory("MockERC20")).deploy("Other", "OTH");
    await refused("market:list", { pod: podId, price: "1", token: await other.getAddress() }, "PodMarketTokenNotAllowed");
  });
});
