import { expect } from "chai";
import hre from "hardhat";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEther } from "ethers";
import { deployLure } from "../../scripts/deploy";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { DEV_ROLE_ACCOUNTS, deploymentSchema } from "../../services/chain/deployments";
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
      expect(Object.keys(deployment.contracts)).to.deep.equal(["PodRegistry", "PodLicenses", "PodMarket", "PodKeyGrants", "RunMarketLib", "RunMarket", "GroupRegistry", "MessageBus"]);
      expect(deployment.contracts.PodRegistry.blockNumber).to.be.greaterThan(0);
    });

    it("is idempotent: a second run sends nothing", async function () {
      const before = await nonce();
      const again = await deployLure(hre, { verbose: false });
      expect(again?.reused).to.equal(true);
      expect(await nonce()).to.equal(before);
    });

    it("lure:deploy runs the same deployment as a task and reports the addresses; nothing is sent again", async function () {
      const before = await nonce();
      const printed = await runTask<{ network: string; chainId: number; reused: boolean; PodRegistry: string; PodLicenses: string; PodMarket: string }>("lure:deploy", {});
      const deployment = deploymentSchema.parse(JSON.parse(readFileSync(join(deploymentsDir, "hardhat.json"), "utf8")) as unknown);
      expect(printed).to.deep.include({ network: "hardhat", chainId: 31337, reused: true, PodMarket: deployment.contracts.PodMarket.address });
      expect(await nonce()).to.equal(before);
    });

    it("lure:deploy --account deploys from that account; a role holder or an unknown account is refused with nothing sent", async function () {
      const elsewhere = mkdtempSync(join(tmpdir(), "lure-deployments-account-"));
      process.env.DEPLOYMENTS_DIR = elsewhere;
      try {
        const before = await nonce(5);
        const unknown = await taskError("lure:deploy", { account: "99" });
        expect(unknown).to.contain("--account: index 99 is out of range");
        const roleHolder = await taskError("lure:deploy", { account: String(DEV_ROLE_ACCOUNTS.admin) });
        expect(roleHolder).to.contain("the deployer and the role holders must be distinct accounts");
        expect(await nonce(5)).to.equal(before);
        const printed = await runTask<{ reused: boolean; PodRegistry: string }>("lure:deploy", { account: "5" });
        expect(printed.reused).to.equal(false);
        const deployment = deploymentSchema.parse(JSON.parse(readFileSync(join(elsewhere, "hardhat.json"), "utf8")) as unknown);
        const creation = await hre.ethers.provider.getTransaction(deployment.contracts.PodRegistry.txHash);
        expect(creation?.from).to.equal((await hre.ethers.getSigners())[5].address);
        expect(await nonce(5)).to.be.greaterThan(before);
      } finally {
        process.env.DEPLOYMENTS_DIR = deploymentsDir;
      }
    });
  });

  describe("pod:publish / pod:version / pod:show", function () {
    it("publishes, appends a version and shows both", async function () {
      const published = await runTask<{ podId: string; version: number; ref: string }>("pod:publish", { name: "tasks-hello", ref: REF_A });
      expect(published.ref).to.equal(REF_A);
      const versioned = await runTask<{ version: string }>("pod:version", { pod: published.podId, ref: `0x${REF_B.toUpperCase()}` });
      expect(versioned.version).to.equal("2");
      const shown = await runTask<{ name: string; versions: string; revision: string; latestRef: string; url: string; history: { ref: string }[] }>("pod:show", { pod: published.podId });
      expect(shown.name).to.equal("tasks-hello");
      expect(shown.versions).to.equal("2");
      expect(shown.revision).to.equal("2");
      expect(shown.latestRef).to.equal(REF_B);
      expect(shown.url).to.equal(`bzz://${REF_B}`);
      expect(shown.history.map((entry) => entry.ref)).to.deep.equal([REF_A, REF_B]);
    });

    it("records lineage for a fork of a public pod", async function () {
      const parent = await runTask<{ podId: string }>("pod:publish", { name: "tasks-parent", ref: REF_A, forkRoyalty: "500" });
      const child = await runTask<{ podId: string }>("pod:publish", { name: "tasks-child", ref: REF_B, parent: parent.podId, parentVersion: "1", account: "1" });
      const shown = await runTask<{ parent: unknown; royaltyBps: string; forkRoyaltyBps: string }>("pod:show", { pod: child.podId });
      expect(shown.parent).to.deep.equal({ podId: parent.podId, version: "1" });
      expect(shown.royaltyBps).to.equal("500");
      // Without --fork-royalty a fork asks its forks for what it owes; asking less is refused by the registry.
      expect(shown.forkRoyaltyBps).to.equal("500");
      expect(
        await taskError("pod:publish", { name: "tasks-cheap-child", ref: REF_B, parent: parent.podId, parentVersion: "1", forkRoyalty: "100", account: "1" }),
      ).to.equal("refused: PodRegistry: PodRegistryForkRoyaltyBelowOwn(forkRoyaltyBps=100, royaltyBps=500)");
    });

    for (const [label, args, expected] of [
      ["a short ref", { name: "x", ref: "xyz" }, '--ref: expected a 64-hex Swarm reference, got "xyz"'],
      ["the zero ref", { name: "x", ref: "0".repeat(64) }, "--ref: the zero reference is not a pod"],
      ["an empty name", { name: "", ref: REF_A }, "--name: expected 1 to 64 bytes"],
      ["a bad visibility", { name: "x", ref: REF_A, visibility: "secret" }, '--visibility: expected "public" or "private", got "secret"'],
      ["a bad parent", { name: "x", ref: REF_A, parent: "-1" }, '--parent: expected a pod id (a positive integer), got "-1"'],
      ["a parent without version", { name: "x", ref: REF_A, parent: "1" }, "--parent-version: required"],
      ["a royalty over the registry's 25%", { name: "x", ref: REF_A, forkRoyalty: "2501" }, 'fork royalty: expected whole basis points from 0 to 2500, got 2501'],
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
      expect(await taskError("pod:publish", { name: "tasks-dup", ref: REF_B })).to.match(/PodRegistry: PodRegistryNameTaken\(creator=0x[0-9a-fA-F]{40}, name=tasks-dup\)/);
      // Names are unique per creator: another account may use the same one.
      await runTask("pod:publish", { name: "tasks-dup", ref: REF_B, account: "3" });
      expect(await taskError("pod:show", { pod: "9999" })).to.equal("PodRegistry: ERC721NonexistentToken(tokenId=9999) — pod 9999 does not exist");
      expect(await taskError("pod:version", { pod: "1", ref: REF_A, account: "3" })).to.match(/PodRegistryUnauthorized\(podId=1, caller=0x[0-9a-fA-F]{40}\)/);
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
      expect(await taskError("market:buy", { pod: podId, account: buyer })).to.contain("PodMarketListingPaused");
      await runTask("market:pause", { pod: podId, resume: true });

      expect(await taskError("market:buy", { pod: podId, account: buyer, maxPrice: "0.1" })).to.equal(`the price of pod ${podId} is 0.25, above --max-price 0.1`);
      const bought = await runTask<{ paid: string; buyer: string; revision: string; transferable: boolean }>("market:buy", { pod: podId, account: buyer });
      expect(bought.paid).to.equal("0.25");
      expect(bought.revision).to.equal("1");
      expect(bought.transferable).to.equal(false);
      const deployed = await deployLure(hre, { verbose: false });
      expect(await deployed!.licenses.hasLicense(bought.buyer, podId)).to.equal(true);
      expect(await taskError("market:buy", { pod: podId, account: buyer })).to.contain("PodMarket: PodMarketAlreadyLicensed");

      const signers = await hre.ethers.getSigners();
      const balance = await runTask<{ wei: string }>("market:balance", { address: signers[seller].address });
      // The fee (2.5%) goes to the dev fee recipient, account #19; the seller is credited the rest.
      expect(balance.wei).to.equal(parseEther("0.24375").toString());
      expect((await runTask<{ wei: string }>("market:balance", { address: signers[DEV_ROLE_ACCOUNTS.feeRecipient].address })).wei).to.equal(parseEther("0.00625").toString());
      const withdrawn = await runTask<{ amount: string; recipient: string }>("market:withdraw", {});
      expect(withdrawn.amount).to.equal("0.24375");
      expect(withdrawn.recipient).to.equal(signers[seller].address);
      expect(await taskError("market:withdraw", {})).to.contain("nothing to withdraw");

      // The fee recipient sends its credit elsewhere with --to (withdrawTo).
      const before = await hre.ethers.provider.getBalance(signers[5].address);
      const forwarded = await runTask<{ amount: string; recipient: string; account: string }>("market:withdraw", {
        account: String(DEV_ROLE_ACCOUNTS.feeRecipient),
        to: signers[5].address,
      });
      expect(forwarded).to.include({ amount: "0.00625", recipient: signers[5].address, account: signers[DEV_ROLE_ACCOUNTS.feeRecipient].address });
      expect(await hre.ethers.provider.getBalance(signers[5].address)).to.equal(before + parseEther("0.00625"));
    });

    it("sells the pod itself and voids the old listing", async function () {
      const signers = await hre.ethers.getSigners();
      const bought = await runTask<{ paid: string; revision: string }>("market:buy-pod", { pod: podId, account: "2" });
      expect(bought.paid).to.equal("3.0");
      expect(bought.revision).to.equal("1");
      const shown = await runTask<{ owner: string; listing: unknown }>("pod:show", { pod: podId });
      expect(shown.owner).to.equal(signers[2].address);
      expect(shown.listing).to.equal(null);
      expect(await taskError("market:buy", { pod: podId, account: "3" })).to.contain("is not listed");
    });

    it("sells a licence for an allow-listed ERC-20, approving the market first", async function () {
      const signers = await hre.ethers.getSigners();
      const token = await (await hre.ethers.getContractFactory("MockERC20")).deploy("Test USD", "TUSD");
      const tokenAddress = await token.getAddress();
      await token.mint(signers[1].address, parseEther("10"));
      const erc20Pod = (await runTask<{ podId: string }>("pod:publish", { name: "tasks-erc20", ref: REF_B })).podId;
      expect(await taskError("market:list", { pod: erc20Pod, price: "2", token: tokenAddress })).to.contain("PodMarketTokenNotAllowed");
      const before = await nonce(1);
      expect(await taskError("market:allow-token", { token: tokenAddress, account: "1" })).to.equal(
        `allow token ${tokenAddress} needs the market's GOVERNOR_ROLE, which ${signers[1].address} does not hold; sign with the governor account: pass --account (on hardhat/localhost the governor is account #17, the default); on amoy/polygon the governor is the TimelockController, so schedule the call through it`,
      );
      expect(await nonce(1)).to.equal(before);
      // On the dev chain the governor, account #17, signs by default.
      const allowed = await runTask<{ governor: string }>("market:allow-token", { token: tokenAddress });
      expect(allowed.governor).to.equal(signers[DEV_ROLE_ACCOUNTS.governor].address);
      await runTask("market:list", { pod: erc20Pod, price: "2", token: tokenAddress });
      const bought = await runTask<{ paid: string; approvalTx: string; token: string }>("market:buy", { pod: erc20Pod, account: buyer });
      expect(bought.token).to.equal(tokenAddress);
      expect(bought.approvalTx).to.match(/^0x[0-9a-f]{64}$/);
      expect(await token.balanceOf(signers[1].address)).to.equal(parseEther("8"));
      const withdrawn = await runTask<{ amount: string }>("market:withdraw", { token: tokenAddress });
      expect(withdrawn.amount).to.equal("1.95");
      expect(await token.balanceOf(signers[0].address)).to.equal(parseEther("1.95"));
    });

    it("delists", async function () {
      const other = (await runTask<{ podId: string }>("pod:publish", { name: "tasks-delist", ref: REF_B })).podId;
      await runTask("market:list", { pod: other, price: "1" });
      await runTask("market:delist", { pod: other });
      expect(await taskError("market:buy", { pod: other, account: buyer })).to.contain("is not listed");
    });

    it("lists with --transferable; pod:show shows the revision, the licences and their transferability", async function () {
      const signers = await hre.ethers.getSigners();
      const resale = (await runTask<{ podId: string }>("pod:publish", { name: "tasks-resale", ref: REF_A })).podId;
      const listed = await runTask<{ transferable: boolean; feeBps: number }>("market:list", { pod: resale, price: "1", transferable: true });
      expect(listed).to.include({ transferable: true, feeBps: 250 });
      const bought = await runTask<{ transferable: boolean }>("market:buy", { pod: resale, account: buyer });
      expect(bought.transferable).to.equal(true);
      const shown = await runTask<{ revision: string; licences: Record<string, unknown>; listing: { transferable: boolean; feeBps: number } }>("pod:show", {
        pod: resale,
        address: signers[1].address,
      });
      expect(shown.revision).to.equal("1");
      expect(shown.licences).to.deep.equal({ transferable: true, sold: 1, account: signers[1].address, licensed: true });
      expect(shown.listing).to.include({ transferable: true, feeBps: 250 });
      // The default: licences stay with their buyer.
      const kept = (await runTask<{ podId: string }>("pod:publish", { name: "tasks-kept", ref: REF_A })).podId;
      expect((await runTask<{ transferable: boolean }>("market:list", { pod: kept, price: "1" })).transferable).to.equal(false);
      const keptShown = await runTask<{ licences: Record<string, unknown> }>("pod:show", { pod: kept, address: signers[1].address });
      expect(keptShown.licences).to.deep.equal({ transferable: false, sold: 0, account: signers[1].address, licensed: false });
    });

    it("refuses, sending nothing, a purchase after the seller added a version since the revision the buyer saw", async function () {
      const changing = (await runTask<{ podId: string }>("pod:publish", { name: "tasks-changing", ref: REF_A })).podId;
      await runTask("market:list", { pod: changing, price: "1" });
      const seen = await runTask<{ revision: string }>("pod:show", { pod: changing });
      expect(seen.revision).to.equal("1");
      await runTask("pod:version", { pod: changing, ref: REF_B });
      const before = await nonce(1);
      expect(await taskError("market:buy", { pod: changing, revision: seen.revision, account: buyer })).to.equal(
        `pod ${changing} changed since the quote: you were quoted revision 1, it is now at revision 2 (a version was added or its visibility changed); nothing was bought, check the pod and buy again`,
      );
      expect(await taskError("market:buy", { pod: changing, revision: "x", account: buyer })).to.contain('--revision: expected a whole number');
      expect(await nonce(1)).to.equal(before);
      const bought = await runTask<{ revision: string }>("market:buy", { pod: changing, revision: "2", account: buyer });
      expect(bought.revision).to.equal("2");
    });

    it("market:fee: the governor proposes, the change waits for the delay, then applies to new listings only", async function () {
      const signers = await hre.ethers.getSigners();
      const shown = await runTask<{ feeBps: number; delaySeconds: number; pending: unknown }>("market:fee", {});
      expect(shown).to.include({ feeBps: 250, pending: null });
      expect(await taskError("market:fee", { propose: "300", account: "1" })).to.contain("needs the market's GOVERNOR_ROLE");
      expect(await taskError("market:fee", { propose: "300", cancel: true })).to.contain("give one of them");
      expect(await taskError("market:fee", { cancel: true })).to.equal("no fee change is pending; nothing to cancel");
      expect(await taskError("market:fee", { execute: true })).to.equal("no fee change is pending; propose one first");

      // Listed before the change: keeps 2.5%.
      const early = (await runTask<{ podId: string }>("pod:publish", { name: "tasks-fee-early", ref: REF_A })).podId;
      await runTask("market:list", { pod: early, price: "1" });

      const proposed = await runTask<{ proposedBps: number; executableAt: string; pending: { bps: number } }>("market:fee", { propose: "300" });
      expect(proposed.proposedBps).to.equal(300);
      expect(proposed.pending.bps).to.equal(300);
      const governorNonce = await nonce(DEV_ROLE_ACCOUNTS.governor);
      expect(await taskError("market:fee", { execute: true })).to.match(/PodMarketFeeChangeNotReady\(executableAt=\d+\) — the fee change may be executed from /);
      expect(await nonce(DEV_ROLE_ACCOUNTS.governor)).to.equal(governorNonce);

      await time.increase(shown.delaySeconds);
      const executed = await runTask<{ previousBps: number; feeBps: number; pending: unknown }>("market:fee", { execute: true });
      expect(executed).to.include({ previousBps: 250, feeBps: 300, pending: null });

      const late = (await runTask<{ podId: string }>("pod:publish", { name: "tasks-fee-late", ref: REF_A })).podId;
      expect((await runTask<{ feeBps: number }>("market:list", { pod: late, price: "1" })).feeBps).to.equal(300);
      expect((await runTask<{ listing: { feeBps: number } }>("pod:show", { pod: early })).listing.feeBps).to.equal(250);

      // Cancel: a proposal dropped before it is due.
      await runTask("market:fee", { propose: "100" });
      const cancelled = await runTask<{ cancelledBps: number; feeBps: number; pending: unknown }>("market:fee", { cancel: true });
      expect(cancelled).to.include({ cancelledBps: 100, feeBps: 300, pending: null });
      expect(signers.length).to.be.greaterThan(DEV_ROLE_ACCOUNTS.governor);
    });

    it("market:royalties previews each ancestor's share along the lineage", async function () {
      const signers = await hre.ethers.getSigners();
      const root = (await runTask<{ podId: string }>("pod:publish", { name: "tasks-root", ref: REF_A, forkRoyalty: "1000", account: "4" })).podId;
      const middle = (await runTask<{ podId: string }>("pod:publish", { name: "tasks-middle", ref: REF_A, parent: root, parentVersion: "1", account: "5" })).podId;
      const leaf = (await runTask<{ podId: string }>("pod:publish", { name: "tasks-leaf", ref: REF_A, parent: middle, parentVersion: "1", account: "6" })).podId;
      const preview = await runTask<{ fee: string; feeBps: number; ancestors: { depth: number; podId: string; receiver: string; amount: string }[]; royalty: string; seller: string }>(
        "market:royalties",
        { pod: leaf, price: "10" },
      );
      // The parent receives 10% of 10 = 1 and passes 10% of that to the root.
      expect(preview.ancestors).to.deep.equal([
        { depth: 1, podId: middle, receiver: signers[5].address, amount: "0.9" },
        { depth: 2, podId: root, receiver: signers[4].address, amount: "0.1" },
      ]);
      expect(preview.royalty).to.equal("1.0");
      expect(`${preview.fee} ${preview.feeBps}`).to.match(/^0\.3 300$|^0\.25 250$/);
      expect((await runTask<{ ancestors: unknown[] }>("market:royalties", { pod: root, price: "10" })).ancestors).to.deep.equal([]);
      expect(await taskError("market:royalties", { pod: leaf, price: "0" })).to.contain("--price: must be greater than zero");
    });

    for (const [task, args, expected] of [
      ["market:list", { pod: "abc", price: "1" }, '--pod: expected a pod id (a positive integer), got "abc"'],
      ["market:list", { pod: "1", price: "-1" }, '--price: expected a decimal amount such as 1.5, got "-1"'],
      ["market:list", { pod: "1", price: "0" }, "--price: must be greater than zero"],
      ["market:list", { pod: "1", price: "1.0000000000000000001" }, "has more than 18 decimal places"],
      ["market:list", { pod: "1", price: "1", token: "0x1234" }, '--token: expected a 20-byte 0x address, got "0x1234"'],
      ["market:balance", { address: "0xnotanaddress" }, "--address: expected a 20-byte 0x address"],
      ["market:withdraw", { token: "0x0000000000000000000000000000000000000001x" }, "--token: expected a 20-byte 0x address"],
      ["market:withdraw", { to: "0x1234" }, '--to: expected a 20-byte 0x address, got "0x1234"'],
      ["market:fee", { propose: "ten" }, '--propose: expected a whole number from 0 to 10000, got "ten"'],
    ] as const) {
      it(`${task} refuses ${JSON.stringify(args)} before sending anything`, async function () {
        const before = await nonce();
        expect(await taskError(task, args)).to.contain(expected);
        expect(await nonce()).to.equal(before);
      });
    }
  });
});
