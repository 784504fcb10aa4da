import { expect } from "chai";
import hre from "hardhat";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEther } from "ethers";
import { deployLure } from "../../scripts/deploy";
import { deploymentSchema } from "../../services/chain/deployments";
import { runTask, taskError } from "../support/capture";

const REF_A = "92672a471f4419b255d7cb0cf313474a6f5856fb347c5ece85fb706d644b630f";
const REF_B = "680bb26ce329867d9063251135dea6f02b58d0ef3d4eb9076c3d5fc03fe54cf6";

describe("Hardhat tasks (registry and market)", function () {
  const previousDir = process.env.DEPLOYMENTS_DIR;
  let deploymentsDir: string;

  before(async function () {
    deploymentsDir = mkdtempSync(join(tmpdir(), "lure-deployments-"));
    process.env.DEPLOYMENTS_DIR = deploymentsDir;
    await deployLure(hre, { verbose: false });
  });

  after(function () {
    if (previousDir === undefined) delete process.env.DEPLOYMENTS_DIR;
    else process.env.DEPLOYMENTS_DIR = previousDir;
  });

  /** Nonce of account #0: proves that a refused command sent nothing. */
  async function nonce(index = 0): Promise<number> {
    const signers = await hre.ethers.getSigners();
    return hre.ethers.provider.getTransactionCount(signers[index].address);
  }

  describe("deploy", function () {
    it("writes deployments/<network>.json in the fixed shape", function () {
      const raw: unknown = JSON.parse(readFileSync(join(deploymentsDir, "hardhat.json"), "utf8"));
      const deployment = deploymentSchema.parse(raw);
      expect(deployment.chainId).to.equal(31337);
      expect(Object.keys(deployment.contracts)).to.have.members(["PodRegistry", "PodMarket"]);
      expect(deployment.contracts.PodRegistry.blockNumber).to.be.greaterThan(0);
    });

    it("is idempotent: a second run sends nothing", async function () {
      const before = await nonce();
      const again = await deployLure(hre, { verbose: false });
      expect(again.reused).to.equal(true);
      expect(await nonce()).to.equal(before);
    });
  });

  describe("pod:publish / pod:version / pod:show", function () {
    it("publishes, appends a version and shows both", async function () {
      const published = await runTask<{ podId: string; version: number; ref: string }>("pod:publish", { name: "tasks-hello", ref: REF_A });
      expect(published.ref).to.equal(REF_A);
      const versioned = await runTask<{ version: string }>("pod:version", { pod: published.podId, ref: `0x${REF_B.toUpperCase()}` });
      expect(versioned.version).to.equal("2");
      const shown = await runTask<{ name: string; versions: string; latestRef: string; tokenURI: string; history: { ref: string }[] }>("pod:show", { pod: published.podId });
      expect(shown.name).to.equal("tasks-hello");
      expect(shown.versions).to.equal("2");
      expect(shown.latestRef).to.equal(REF_B);
      expect(shown.tokenURI).to.equal(`bzz://${REF_B}`);
      expect(shown.history.map((entry) => entry.ref)).to.deep.equal([REF_A, REF_B]);
    });

    it("records lineage for a fork of a public pod", async function () {
      const parent = await runTask<{ podId: string }>("pod:publish", { name: "tasks-parent", ref: REF_A, forkRoyalty: "500" });
      const child = await runTask<{ podId: string }>("pod:publish", { name: "tasks-child", ref: REF_B, parent: parent.podId, parentVersion: "1", account: "1" });
      const shown = await runTask<{ parent: string; royaltyBps: string }>("pod:show", { pod: child.podId });
      expect(shown.parent).to.equal(`${parent.podId} v1`);
      expect(shown.royaltyBps).to.equal("500");
    });

    for (const [label, args, expected] of [
      ["a short ref", { name: "x", ref: "xyz" }, '--ref: expected a 64-hex Swarm reference, got "xyz"'],
      ["the zero ref", { name: "x", ref: "0".repeat(64) }, "--ref: the zero reference is not a pod"],
      ["an empty name", { name: "", ref: REF_A }, "--name: expected 1 to 64 bytes"],
      ["a bad visibility", { name: "x", ref: REF_A, visibility: "secret" }, '--visibility: expected "public" or "private", got "secret"'],
      ["a bad parent", { name: "x", ref: REF_A, parent: "-1" }, '--parent: expected a pod id (a positive integer), got "-1"'],
      ["a parent without version", { name: "x", ref: REF_A, parent: "1" }, "--parent-version: required"],
      ["a royalty over 100%", { name: "x", ref: REF_A, forkRoyalty: "10001" }, '--fork-royalty: expected a whole number from 0 to 10000, got "10001"'],
      ["an unknown account", { name: "x", ref: REF_A, account: "42" }, "--account: index 42 is out of range"],
    ] as const) {
      it(`refuses ${label} before sending anything`, async function () {
        const before = await nonce();
        expect(await taskError("pod:publish", args)).to.contain(expected);
        expect(await nonce()).to.equal(before);
      });
    }

    it("names the contract's custom error when the chain refuses", async function () {
      await runTask("pod:publish", { name: "tasks-dup", ref: REF_A });
      expect(await taskError("pod:publish", { name: "tasks-dup", ref: REF_B })).to.match(/PodRegistry: NameTaken\(owner=0x[0-9a-fA-F]{40}, name=tasks-dup\)/);
      expect(await taskError("pod:show", { pod: "9999" })).to.equal("PodRegistry: PodNotFound(podId=9999)");
      expect(await taskError("pod:version", { pod: "1", ref: REF_A, account: "3" })).to.contain("NotPodOwnerOrOperator");
    });
  });

  describe("market tasks", function () {
    let podId: string;
    const seller = 0;
    const buyer = "1";

    before(async function () {
      podId = (await runTask<{ podId: string }>("pod:publish", { name: "tasks-market", ref: REF_A })).podId;
    });

    it("lists, reprices, pauses, resumes and sells a licence, then the seller withdraws", async function () {
      const listed = await runTask<{ price: string; podPrice: string }>("market:list", { pod: podId, price: "0.5", podPrice: "3" });
      expect(listed.price).to.equal("0.5");
      await runTask("market:price", { pod: podId, price: "0.25", podPrice: "3" });
      await runTask("market:pause", { pod: podId });
      expect(await taskError("market:buy", { pod: podId, account: buyer })).to.contain("ListingIsPaused");
      await runTask("market:pause", { pod: podId, resume: true });

      expect(await taskError("market:buy", { pod: podId, account: buyer, maxPrice: "0.1" })).to.equal(`the price of pod ${podId} is 0.25, above --max-price 0.1`);
      const bought = await runTask<{ paid: string; buyer: string }>("market:buy", { pod: podId, account: buyer });
      expect(bought.paid).to.equal("0.25");
      const { market } = await deployLure(hre, { verbose: false });
      expect(await market.hasLicense(podId, bought.buyer)).to.equal(true);
      expect(await taskError("market:buy", { pod: podId, account: buyer })).to.contain("PodMarket: AlreadyLicensed");

      const signers = await hre.ethers.getSigners();
      const balance = await runTask<{ wei: string }>("market:balance", { address: signers[seller].address });
      // Seller and fee recipient are the same dev account here, so it is credited the whole price.
      expect(balance.wei).to.equal(parseEther("0.25").toString());
      const withdrawn = await runTask<{ amount: string }>("market:withdraw", {});
      expect(withdrawn.amount).to.equal("0.25");
      expect(await taskError("market:withdraw", {})).to.contain("nothing to withdraw");
    });

    it("sells the pod itself and voids the old listing", async function () {
      const signers = await hre.ethers.getSigners();
      const bought = await runTask<{ paid: string }>("market:buy-pod", { pod: podId, account: "2" });
      expect(bought.paid).to.equal("3.0");
      const shown = await runTask<{ owner: string; listing: unknown }>("pod:show", { pod: podId });
      expect(shown.owner).to.equal(signers[2].address);
      expect(shown.listing).to.equal("not listed");
      expect(await taskError("market:buy", { pod: podId, account: "3" })).to.contain("is not listed");
    });

    it("sells a licence for an allow-listed ERC-20, approving the market first", async function () {
      const signers = await hre.ethers.getSigners();
      const token = await (await hre.ethers.getContractFactory("MockERC20")).deploy("Test USD", "TUSD");
      const tokenAddress = await token.getAddress();
      await token.mint(signers[1].address, parseEther("10"));
      const erc20Pod = (await runTask<{ podId: string }>("pod:publish", { name: "tasks-erc20", ref: REF_B })).podId;
      expect(await taskError("market:list", { pod: erc20Pod, price: "2", token: tokenAddress })).to.contain("TokenNotAllowed");
      expect(await taskError("market:allow-token", { token: tokenAddress, account: "1" })).to.contain("AccessControlUnauthorizedAccount");
      await runTask("market:allow-token", { token: tokenAddress });
      await runTask("market:list", { pod: erc20Pod, price: "2", token: tokenAddress });
      const bought = await runTask<{ paid: string; approvalTx: string; token: string }>("market:buy", { pod: erc20Pod, account: buyer });
      expect(bought.token).to.equal(tokenAddress);
      expect(bought.approvalTx).to.match(/^0x[0-9a-f]{64}$/);
      expect(await token.balanceOf(signers[1].address)).to.equal(parseEther("8"));
      const withdrawn = await runTask<{ amount: string }>("market:withdraw", { token: tokenAddress });
      expect(withdrawn.amount).to.equal("2.0");
      expect(await token.balanceOf(signers[0].address)).to.equal(parseEther("2"));
    });

    it("delists", async function () {
      const other = (await runTask<{ podId: string }>("pod:publish", { name: "tasks-delist", ref: REF_B })).podId;
      await runTask("market:list", { pod: other, price: "1" });
      await runTask("market:delist", { pod: other });
      expect(await taskError("market:buy", { pod: other, account: buyer })).to.contain("is not listed");
    });

    for (const [task, args, expected] of [
      ["market:list", { pod: "abc", price: "1" }, '--pod: expected a pod id (a positive integer), got "abc"'],
      ["market:list", { pod: "1", price: "-1" }, '--price: expected a decimal amount such as 1.5, got "-1"'],
      ["market:list", { pod: "1", price: "0" }, "--price: must be greater than zero"],
      ["market:list", { pod: "1", price: "1.0000000000000000001" }, "has more than 18 decimal places"],
      ["market:list", { pod: "1", price: "1", token: "0x1234" }, '--token: expected a 20-byte 0x address, got "0x1234"'],
      ["market:balance", { address: "0xnotanaddress" }, "--address: expected a 20-byte 0x address"],
      ["market:withdraw", { token: "0x0000000000000000000000000000000000000001x" }, "--token: expected a 20-byte 0x address"],
    ] as const) {
      it(`${task} refuses ${JSON.stringify(args)} before sending anything`, async function () {
        const before = await nonce();
        expect(await taskError(task, args)).to.contain(expected);
        expect(await nonce()).to.equal(before);
      });
    }
  });
});
