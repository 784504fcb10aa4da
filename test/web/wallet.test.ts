import { expect } from "chai";
import { HDNodeWallet, JsonRpcProvider, Mnemonic, NonceManager, Wallet, ZeroAddress, hexlify, parseEther, randomBytes, type Signer } from "ethers";
import type { Page } from "playwright-core";
import type { GroupRegistry, MessageBus, PodLicenses, PodMarket, PodRegistry, RunMarket } from "../../typechain-types";
import { GroupRegistry__factory } from "../../typechain-types/factories/contracts/GroupRegistry__factory";
import { MessageBus__factory } from "../../typechain-types/factories/contracts/MessageBus__factory";
import { PodLicenses__factory } from "../../typechain-types/factories/contracts/PodLicenses__factory";
import { PodMarket__factory } from "../../typechain-types/factories/contracts/PodMarket__factory";
import { PodRegistry__factory } from "../../typechain-types/factories/contracts/PodRegistry__factory";
import { RunMarket__factory } from "../../typechain-types/factories/contracts/RunMarket.sol/RunMarket__factory";
import { demoStack, type DemoStack } from "../support/demo-stack";
import { browserUnavailable, launchBrowser, screenshot, type TestBrowser } from "./support/browser";
import { installTestWallet, type TestWallet } from "./support/test-wallet";

/**
 * The wallet actions of the web app (issue 17 §2), performed through the UI in Chromium with an
 * injected EIP-1193 test wallet (EIP-6963) signing with Hardhat dev keys #5 (the buyer) and #6 (a
 * seller), against the stack the demo has run on; every action is checked on chain afterwards.
 */
const MNEMONIC = Mnemonic.fromPhrase("test test test test test test test test test test test junk");
const devKey = (index: number) => HDNodeWallet.fromMnemonic(MNEMONIC, `m/44'/60'/0'/0/${index}`).privateKey;
const BUYER_KEY = devKey(5);
const SELLER_KEY = devKey(6);

interface Contracts {
  registry: PodRegistry;
  licenses: PodLicenses;
  market: PodMarket;
  runMarket: RunMarket;
  groups: GroupRegistry;
  messages: MessageBus;
}

function connect(addresses: Record<string, string>, runner: Signer | JsonRpcProvider): Contracts {
  return {
    registry: PodRegistry__factory.connect(addresses.PodRegistry, runner),
    licenses: PodLicenses__factory.connect(addresses.PodLicenses, runner),
    market: PodMarket__factory.connect(addresses.PodMarket, runner),
    runMarket: RunMarket__factory.connect(addresses.RunMarket, runner),
    groups: GroupRegistry__factory.connect(addresses.GroupRegistry, runner),
    messages: MessageBus__factory.connect(addresses.MessageBus, runner),
  };
}

/** Every request the page makes straight to the Bee node: the app should make none (its uploads go through the API). */
function watchBeeRequests(page: Page, beeUrl: string): string[] {
  const seen: string[] = [];
  page.on("request", (request) => {
    if (request.url().startsWith(beeUrl)) seen.push(`${request.method()} ${request.url()}`);
  });
  return seen;
}

describe("web app: wallet actions through an injected wallet", function () {
  let stack: DemoStack;
  let browser: TestBrowser;
  let page: Page;
  let wallet: TestWallet;
  let provider: JsonRpcProvider;
  let chain: Contracts;
  let seller: Contracts;
  let appUrl: string;
  let config: { chainId: number; beeUrl: string; contracts: Record<string, string> };
  let helloPodId: bigint;
  let sellerPodId: bigint;
  let beeRequests: string[] = [];

  before(async function () {
    const unavailable = browserUnavailable();
    if (unavailable) {
      console.log(`      ${unavailable}`);
      this.skip();
    }
    this.timeout(600_000);
    stack = await demoStack();
    if (stack.demo.code !== 0) throw new Error(`the demo failed (exit ${stack.demo.code}):\n${stack.demo.output}`);
    appUrl = `http://127.0.0.1:${stack.ports.graphql}/`;
    config = (await (await fetch(`${appUrl}app-config.json`)).json()) as typeof config;
    provider = new JsonRpcProvider(stack.env.LOCAL_RPC_URL, undefined, { cacheTimeout: -1 });
    chain = connect(config.contracts, provider);
    seller = connect(config.contracts, new NonceManager(new Wallet(SELLER_KEY, provider)));

    // The demo's first pod ("hello-…", Alice's, run by the stack's runner) and a pod of the seller's own, listed with a pod price.
    const total = await chain.registry.totalPods();
    for (let id = 1n; id <= total && !helloPodId; id++) if ((await chain.registry.pod(id)).name.startsWith("hello-")) helloPodId = id;
    expect(helloPodId !== undefined, "the demo's hello pod is on chain").to.equal(true);
    const latestRef = (await chain.registry.pod(helloPodId)).latestRef;
    await (await seller.registry.publish(`wallet-test-${Date.now().toString(36)}`, latestRef, 1, 0, 0, 0)).wait();
    sellerPodId = await chain.registry.totalPods();
    await (await seller.registry.setApprovalForAll(config.contracts.PodMarket, true)).wait();
    await (await seller.market.list(sellerPodId, ZeroAddress, parseEther("0.05"), parseEther("0.3"), false)).wait();

    browser = await launchBrowser();
    page = await browser.page();
    // The wallet starts on another chain (1): connecting must offer the switch.
    wallet = await installTestWallet(page, { rpcUrl: stack.env.LOCAL_RPC_URL!, privateKey: BUYER_KEY, reportChainId: 1 });
    beeRequests = watchBeeRequests(page, config.beeUrl.replace(/\/+$/, ""));
  });

  after(async function () {
    await browser?.close();
  });

  /** Opens a page of the app and waits for an element. */
  async function open(hash: string, selector: string): Promise<void> {
    // Loaded afresh every time: going to the hash the page is already on would keep the last outcome on screen.
    await page.goto("about:blank");
    await page.goto(`${appUrl}#${hash}`);
    await page.locator(selector).first().waitFor({ timeout: 30_000 });
  }

  /**
   * Clicks an action's button, checks its plan shows `cost` while the wallet has been asked
   * nothing, confirms, and waits for the outcome: the done line or the error box.
   */
  async function act(action: string, cost: RegExp, options: { beforeConfirm?: () => Promise<void>; timeout?: number } = {}): Promise<{ done: boolean; text: string; kind?: string | null; revert?: string | null }> {
    const panel = page.locator(`[data-action="${action}"]`).first();
    await panel.locator("button.wallet-button").first().click();
    const plan = panel.locator(".wallet-plan");
    await plan.waitFor({ timeout: 30_000 });
    const asked = wallet.sendRequests().length;
    expect(await plan.locator(".wallet-costs").innerText()).to.match(cost);
    expect(wallet.sendRequests().length, "the wallet is asked nothing while the cost is shown").to.equal(asked);
    await options.beforeConfirm?.();
    await plan.locator("button.wallet-confirm").click();
    const outcome = panel.locator(".wallet-done, .wallet-error");
    await outcome.first().waitFor({ timeout: options.timeout ?? 60_000 });
    const error = panel.locator(".wallet-error");
    if ((await error.count()) > 0) return { done: false, text: await error.innerText(), kind: await error.getAttribute("data-kind"), revert: await error.getAttribute("data-revert") };
    return { done: true, text: await panel.locator(".wallet-done").innerText() };
  }

  async function closeOutcome(action: string): Promise<void> {
    await page.locator(`[data-action="${action}"] button.wallet-close`).first().click();
  }

  it("connects through EIP-6963 and switches a wallet on another chain to the app's", async function () {
    this.timeout(120_000);
    try {
      await open(`/pods/${helloPodId}`, "[data-wallet]");
      await page.getByRole("button", { name: "Connect wallet" }).click();
      const switchButton = page.locator("button.wallet-switch");
      await switchButton.waitFor({ timeout: 15_000 });
      // The pod's action panel says so too, once it has loaded the pod (it may render after the header).
      await page.locator(".wallet-hint[data-hint=wrong-chain]").first().waitFor({ timeout: 15_000 });
      expect(await page.locator(".wallet-hint[data-hint=wrong-chain]").count()).to.equal(1);
      await screenshot(page, "wallet-wrong-chain");
      await switchButton.click();
      await page.locator(`[data-wallet=connected][data-chain="${config.chainId}"]`).waitFor({ timeout: 15_000 });
      expect(wallet.requests.some((request) => request.method === "wallet_switchEthereumChain")).to.equal(true);
      expect(await page.locator("[data-wallet=connected]").getAttribute("data-account")).to.equal(wallet.address);
    } finally {
      // Whatever happened here, the later tests start with the wallet on the app's chain.
      wallet.chainId = config.chainId;
    }
  });

  it("buys a licence at the quoted price, the cost shown before the wallet is asked", async function () {
    this.timeout(120_000);
    await open(`/pods/${helloPodId}`, '[data-action="buy-licence"]');
    const before = await provider.getBalance(wallet.address);
    const outcome = await act("buy-licence", /Licence price\s*0\.1 ETH/);
    expect(outcome.done, outcome.text).to.equal(true);
    await page.locator('[data-action="buy-licence"] [data-tx]').first().waitFor({ timeout: 15_000 });
    await screenshot(page, "wallet-licence-bought");
    expect(await chain.licenses.hasLicense(wallet.address, helloPodId)).to.equal(true);
    expect(before - (await provider.getBalance(wallet.address)) >= parseEther("0.1")).to.equal(true);
    await closeOutcome("buy-licence");
    await page.locator('.wallet-standing[data-licensed="true"]').waitFor({ timeout: 15_000 });
  });

  it("requests a run with an escrowed maximum payment and watches the stack's runner complete it", async function () {
    this.timeout(300_000);
    await open(`/pods/${helloPodId}`, '[data-action="request-run"]');
    await page.getByLabel(/Maximum payment/).fill("0.01");
    const outcome = await act("request-run", /Escrow \(your maximum payment\)\s*0\.01 ETH/);
    expect(outcome.done, outcome.text).to.equal(true);
    const runId = BigInt(/Run (\d+) requested/.exec(outcome.text)?.[1] ?? "0");
    expect(runId > 0n, outcome.text).to.equal(true);
    const stored = await chain.runMarket.run(runId);
    expect(stored.requester).to.equal(wallet.address);
    await page.locator(`.wallet-run[data-run="${runId}"][data-run-status=completed]`).waitFor({ timeout: 240_000 });
    expect(Number((await chain.runMarket.run(runId)).status)).to.equal(3);
    await page.locator(`.wallet-run[data-run="${runId}"] a`, { hasText: "output" }).first().waitFor({ timeout: 15_000 });
    expect(await page.locator(`.wallet-run[data-run="${runId}"] a`, { hasText: "output" }).count()).to.equal(1);
    await screenshot(page, "wallet-run-completed");
  });

  it("shows the decoded custom error when the pod changed since the quote, and sends nothing", async function () {
    this.timeout(120_000);
    await open(`/pods/${sellerPodId}`, '[data-action="buy-licence"]');
    const sent = wallet.sent.length;
    const outcome = await act("buy-licence", /Licence price\s*0\.05 ETH/, {
      beforeConfirm: async () => {
        // The seller adds a version between the quote and the purchase.
        await (await seller.registry.publishVersion(sellerPodId, hexlify(randomBytes(32)))).wait();
      },
    });
    expect(outcome.done).to.equal(false);
    expect(outcome.kind).to.equal("refused");
    expect(outcome.revert).to.equal("PodMarketContentChanged");
    expect(outcome.text).to.contain("PodMarketContentChanged");
    expect(wallet.sent.length, "nothing sent").to.equal(sent);
    expect(await chain.licenses.hasLicense(wallet.address, sellerPodId)).to.equal(false);
    await screenshot(page, "wallet-revert");
  });

  it("says so when the wallet refuses (4001), and nothing is sent", async function () {
    this.timeout(120_000);
    await open(`/pods/${sellerPodId}`, '[data-action="buy-pod"]');
    const sent = wallet.sent.length;
    const asked = wallet.sendRequests().length;
    wallet.refuse = true;
    try {
      const outcome = await act("buy-pod", /Pod price\s*0\.3 ETH/);
      expect(outcome.done).to.equal(false);
      expect(outcome.kind).to.equal("declined");
      expect(outcome.text).to.match(/You declined .* in your wallet: nothing was sent/);
    } finally {
      wallet.refuse = false;
    }
    expect(wallet.sendRequests().length, "the wallet was asked").to.equal(asked + 1);
    expect(wallet.sent.length).to.equal(sent);
    expect(await chain.registry.ownerOf(sellerPodId)).to.not.equal(wallet.address);
    await screenshot(page, "wallet-refused");
  });

  it("buys the whole pod", async function () {
    this.timeout(120_000);
    await open(`/pods/${sellerPodId}`, '[data-action="buy-pod"]');
    const outcome = await act("buy-pod", /Pod price\s*0\.3 ETH/);
    expect(outcome.done, outcome.text).to.equal(true);
    expect(await chain.registry.ownerOf(sellerPodId)).to.equal(wallet.address);
    await screenshot(page, "wallet-pod-bought");
  });

  it("withdraws the seller's earnings after an account change in the wallet", async function () {
    this.timeout(120_000);
    const sellerAddress = new Wallet(SELLER_KEY).address;
    await open(`/accounts/${sellerAddress}`, "[data-wallet=connected]");
    await wallet.useKey(SELLER_KEY);
    await page.locator(`[data-wallet=connected][data-account="${sellerAddress}"]`).waitFor({ timeout: 15_000 });
    await page.locator('[data-action="withdraw-PodMarket"]').waitFor({ timeout: 30_000 });
    const credit = await chain.market.creditOf(sellerAddress, ZeroAddress);
    expect(credit > 0n).to.equal(true);
    const before = await provider.getBalance(sellerAddress);
    const outcome = await act("withdraw-PodMarket", /You receive/);
    expect(outcome.done, outcome.text).to.equal(true);
    expect(await chain.market.creditOf(sellerAddress, ZeroAddress)).to.equal(0n);
    const gained = (await provider.getBalance(sellerAddress)) - before;
    expect(gained > credit - parseEther("0.001") && gained <= credit, `gained ${gained} of ${credit}`).to.equal(true);
    await screenshot(page, "wallet-withdrawn");
    await wallet.useKey(BUYER_KEY);
  });

  it("joins the demo group and sends it a paid message at the quoted fee", async function () {
    this.timeout(180_000);
    const groupId = await chain.groups.groupCount();
    await open(`/groups/${groupId}`, '[data-action="join-group"]');
    await page.locator(`[data-wallet=connected][data-account="${wallet.address}"]`).waitFor({ timeout: 15_000 });
    const joined = await act("join-group", /Join fee/);
    expect(joined.done, joined.text).to.equal(true);
    expect((await chain.groups.member(groupId, wallet.address)).active).to.equal(true);
    await closeOutcome("join-group");
    await page.locator('.wallet-standing[data-member="member"]').waitFor({ timeout: 15_000 });

    const target = (2n << 248n) | groupId;
    const quoted = (await chain.messages.quote(wallet.address, target)).fee;
    await page.locator(`.wallet-quote[data-fee="${quoted}"]`).waitFor({ timeout: 15_000 });
    await page.getByLabel("Message", { exact: true }).fill("hello from the browser wallet");
    const fromBlock = await provider.getBlockNumber();
    const sent = await act("send-message", /Message fee\s*0\.0011 ETH/, { timeout: 90_000 });
    expect(sent.done, sent.text).to.equal(true);
    const events = await chain.messages.queryFilter(chain.messages.filters.MessageSent(), fromBlock + 1, "latest");
    const mine = events.filter((event) => event.args.sender === wallet.address);
    expect(mine.length).to.equal(1);
    expect(mine[0].args.fee).to.equal(quoted);
    const body = await fetch(`${config.beeUrl.replace(/\/+$/, "")}/bzz/${mine[0].args.contentRef.slice(2)}/`);
    expect(await body.text()).to.equal("hello from the browser wallet");
    // The body went up through the API's upload route; the browser never called the Bee node.
    expect(beeRequests, "requests from the page to the Bee node").to.deep.equal([]);
    await screenshot(page, "wallet-message-sent");
  });
});
