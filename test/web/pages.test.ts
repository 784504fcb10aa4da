/**
 * The web app in a real Chromium (Debian's, driven by playwright-core) against a stack where the
 * demo has run: every page shows what GraphQL answers, the lineage tree is followed by clicking, a
 * run requested during the test changes state on the runs page without a reload, the keyboard
 * reaches everything, and a phone-sized window lays the pages out without sideways scrolling.
 * Screenshots of each page go to test-artifacts/web/. The pods page's first render over 10,000
 * indexed pods is measured and printed (not asserted: docs/performance.md).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import type { Page } from "playwright-core";
import type { AppConfig } from "../../web/src/app-config";
import { formatAmount, formatRate, shortAddress } from "../../web/src/format";
import { demoStack, type DemoStack } from "../support/demo-stack";
import { browserUnavailable, launchBrowser, screenshot, type TestBrowser } from "./support/browser";

const hardhatCli = join(require.resolve("hardhat/package.json"), "..", "internal", "cli", "bootstrap.js");
const BOB = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
const ALICE = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
const PHONE = { width: 390, height: 844 };

interface PodRow {
  id: string;
  name: string;
  owner: string;
  versionCount: number;
  runCount: number;
  runSuccessRate: number | null;
  listing: { token: string; price: string } | null;
}

describe("web app in Chromium", function () {
  let stack: DemoStack;
  let browser: TestBrowser;
  let base: string;
  let config: AppConfig;

  async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const response = await fetch(`${base}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }) });
    const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
    if (body.errors?.length) throw new Error(`GraphQL: ${JSON.stringify(body.errors)}`);
    return body.data as T;
  }

  /** Opens `#<path>` and waits for `selector`. */
  async function open(page: Page, path: string, selector: string): Promise<void> {
    await page.goto(`${base}/#${path}`);
    await page.waitForSelector(selector, { timeout: 30_000 });
  }

  const texts = (page: Page, selector: string) => page.$$eval(selector, (nodes) => nodes.map((node) => (node.textContent ?? "").trim()));
  const attrs = (page: Page, selector: string, name: string) => page.$$eval(selector, (nodes, attr) => nodes.map((node) => node.getAttribute(attr) ?? ""), name);

  before(async function () {
    this.timeout(600_000);
    const reason = browserUnavailable();
    if (reason) {
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
    stack = await demoStack();
    expect(stack.demo.code, `the demo failed:\n${stack.demo.output}`).to.equal(0);
    base = `http://127.0.0.1:${stack.ports.graphql}`;
    config = (await (await fetch(`${base}/app-config.json`)).json()) as AppConfig;
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  /** Closes the tab; errors the page reported (uncaught exceptions, console errors) fail the test. */
  async function done(page: Page): Promise<void> {
    await page.close();
    const problems = browser.problems.splice(0);
    expect(problems, "errors the page reported").to.deep.equal([]);
  }

  it("is served with its assets, configuration, status and Swarm proxy", async () => {
    const index = await fetch(`${base}/`);
    expect(index.status).to.equal(200);
    expect(index.headers.get("cache-control")).to.equal("no-cache");
    const html = await index.text();
    const script = /src="(\/assets\/main-[A-Z0-9]+\.js)"/.exec(html)?.[1];
    expect(script, html).to.be.a("string");
    const asset = await fetch(`${base}${script}`);
    expect(asset.status).to.equal(200);
    expect(asset.headers.get("cache-control")).to.match(/immutable/);
    expect(html).to.not.match(/https?:\/\//); // nothing from the internet

    expect(config.chainId).to.equal(31337);
    expect(config.contracts.PodRegistry).to.match(/^0x[0-9a-fA-F]{40}$/);
    expect(config.graphqlUrl).to.equal(`${base}/graphql`);
    expect(config.nativeSymbol).to.equal("ETH");

    const status = (await (await fetch(`${base}/status.json`)).json()) as { chain: { ok: boolean; chainId: number; headBlock: number }; swarm: { ok: boolean }; runners: { address: string }[] };
    expect(status.chain.ok).to.equal(true);
    expect(status.chain.chainId).to.equal(31337);
    expect(status.swarm.ok).to.equal(true);
    expect(status.runners).to.have.length.greaterThan(0);

    const bad = await fetch(`${base}/swarm/bytes/not-a-ref`);
    expect(bad.status).to.equal(400);
    expect(((await bad.json()) as { error: string }).error).to.include('"not-a-ref"');
    const missing = await fetch(`${base}/swarm/list/${"ab".repeat(32)}`);
    expect(missing.status).to.equal(404);
    const queryPage = await fetch(`${base}/query`);
    expect(await queryPage.text()).to.match(/Lure GraphQL/);
  });

  it("pods: the rows, search and filters match GraphQL", async function () {
    this.timeout(120_000);
    const page = await browser.page();
    await open(page, "/pods", "table#pods tbody tr[data-pod-id]");
    const fields = "id name owner versionCount runCount runSuccessRate listing { token price }";
    const expected = await gql<{ pods: { items: PodRow[]; totalCount: number } }>(`{ pods(orderBy: id, orderDirection: desc, first: 25) { items { ${fields} } totalCount } }`);
    expect(await attrs(page, "table#pods tbody tr", "data-pod-id")).to.deep.equal(expected.pods.items.map((pod) => pod.id));
    expect(await page.getAttribute("#pods-count", "data-total")).to.equal(String(expected.pods.totalCount));
    const rows = await page.$$eval("table#pods tbody tr", (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => (td.textContent ?? "").trim())));
    expected.pods.items.forEach((pod, index) => {
      const [name, owner, price, versions, runs, success] = rows[index];
      expect(name).to.include(pod.name);
      expect(owner).to.equal(shortAddress(pod.owner));
      expect(price).to.equal(pod.listing ? formatAmount(config, pod.listing.token, pod.listing.price) : "not listed");
      expect(versions).to.equal(String(pod.versionCount));
      expect(runs).to.equal(String(pod.runCount));
      expect(success).to.equal(formatRate(pod.runSuccessRate));
    });
    expect(await attrs(page, "table#pods tbody tr td:nth-child(2) a", "title")).to.deep.equal(expected.pods.items.map((pod) => pod.owner));
    await screenshot(page, "pods");

    // Search through the API's search.
    await page.fill("#pods-q", "remix");
    await page.click("form.filters button[type=submit]");
    await page.waitForFunction(() => window.location.hash.includes("q=remix"));
    await page.waitForSelector("#pods-ranked");
    const hits = await gql<{ search: { items: { pod: { id: string } }[] } }>(`{ search(text: "remix", first: 25) { items { pod { id } } } }`);
    expect(hits.search.items.length).to.be.greaterThan(0);
    await page.waitForFunction((count) => document.querySelectorAll("table#pods tbody tr[data-pod-id]").length === count, hits.search.items.length);
    expect(await attrs(page, "table#pods tbody tr", "data-pod-id")).to.deep.equal(hits.search.items.map((hit) => hit.pod.id));

    // Filters: forks of the demo's original pod (its remix, sold whole, is no longer listed), then listed pods in a price range.
    const remix = await gql<{ pods: { items: { id: string; forkedFrom: string }[] } }>(`{ pods(where: { name_starts_with: "remix-" }, first: 1) { items { id forkedFrom } } }`);
    const { forkedFrom } = remix.pods.items[0];
    const shown = () => page.$$eval("table#pods tbody tr[data-pod-id]", (trs) => trs.map((tr) => tr.getAttribute("data-pod-id")).join());
    await page.goto(`${base}/#/pods?forkOf=${forkedFrom}&listed=false`);
    const forks = await gql<{ pods: { items: { id: string }[] } }>(`query ($f: BigInt!) { pods(where: { forkedFrom: $f, listed: false }, orderDirection: desc) { items { id } } }`, { f: forkedFrom });
    expect(forks.pods.items.map((pod) => pod.id)).to.include(remix.pods.items[0].id);
    await page.waitForFunction((ids) => [...document.querySelectorAll("table#pods tbody tr[data-pod-id]")].map((tr) => tr.getAttribute("data-pod-id")).join() === ids, forks.pods.items.map((pod) => pod.id).join());
    expect(await page.inputValue("#pods-fork")).to.equal(forkedFrom);
    await page.goto(`${base}/#/pods?listed=true&min=0.05&max=0.2&token=native`);
    const priced = await gql<{ pods: { items: { id: string }[] } }>(
      `{ pods(where: { listed: true, token: "0x0000000000000000000000000000000000000000", listingPrice_gte: "50000000000000000", listingPrice_lte: "200000000000000000" }, orderDirection: desc) { items { id } } }`,
    );
    expect(priced.pods.items.length).to.be.greaterThan(0); // Alice's hello pod at 0.1
    await page.waitForFunction((ids) => [...document.querySelectorAll("table#pods tbody tr[data-pod-id]")].map((tr) => tr.getAttribute("data-pod-id")).join() === ids, priced.pods.items.map((pod) => pod.id).join());
    expect(await shown()).to.equal(priced.pods.items.map((pod) => pod.id).join());

    // A bad filter value is named, not sent.
    await page.goto(`${base}/#/pods?owner=0x123`);
    await page.waitForSelector("main .error");
    expect(await page.textContent("main .error")).to.include('"0x123"');

    // Pagination with the API's cursors: page 2 starts after page 1's last pod, and Previous comes back.
    await open(page, "/pods?sort=id&dir=asc", "table#pods tbody tr[data-pod-id]");
    const all = await gql<{ pods: { items: { id: string }[] } }>(`{ pods(orderBy: id, orderDirection: asc, first: 1000) { items { id } } }`);
    if (all.pods.items.length > 25) {
      await page.click("nav.pager button:has-text('Next')");
      await page.waitForFunction((first) => document.querySelector("table#pods tbody tr")?.getAttribute("data-pod-id") === first, all.pods.items[25].id);
      await page.click("nav.pager button:has-text('Previous')");
      await page.waitForFunction((first) => document.querySelector("table#pods tbody tr")?.getAttribute("data-pod-id") === first, all.pods.items[0].id);
    } else {
      expect(await page.isDisabled("nav.pager button:has-text('Next')")).to.equal(true);
    }
    await done(page);
  });

  interface PodFacts {
    id: string;
    name: string;
    forkedFrom: string | null;
    visibility: string;
    listing: { price: string; podPrice: string; token: string; transferable: boolean } | null;
    versions: { items: { manifestRef: string }[] };
  }
  const podQuery = `query ($id: BigInt!) {
    pod(id: $id) { id name forkedFrom visibility listing { price podPrice token transferable } versions(orderDirection: desc) { items { manifestRef } } }
    purchases(where: { podId: $id }) { totalCount items { price } }
    royaltyPayments(where: { podId: $id }, orderDirection: desc) { items { ancestorPodId amount token } }
    runs(where: { podId: $id }, orderDirection: desc, first: 20) { items { id status } }
    lineage(podId: $id) { ancestors { id } descendants { pod { id } } }
  }`;
  type PodAnswer = {
    pod: PodFacts;
    purchases: { totalCount: number; items: { price: string }[] };
    royaltyPayments: { items: { ancestorPodId: string; amount: string; token: string }[] };
    runs: { items: { id: string; status: string }[] };
    lineage: { ancestors: { id: string }[]; descendants: { pod: { id: string } }[] };
  };

  async function checkPodPage(page: Page, id: string): Promise<PodAnswer> {
    await open(page, `/pods/${id}`, `article[data-pod-id="${id}"]`);
    const answer = await gql<PodAnswer>(podQuery, { id });
    const { pod } = answer;
    expect(await page.textContent("main h1")).to.include(pod.name);
    expect(await attrs(page, "#versions tbody tr [data-hash]", "data-hash")).to.deep.equal(pod.versions.items.map((version) => version.manifestRef));
    if (pod.listing) {
      const listing = await page.textContent("#listing");
      expect(listing).to.include(formatAmount(config, pod.listing.token, pod.listing.price));
      expect(listing).to.include(`Licences transferable${pod.listing.transferable ? "yes" : "no"}`);
      if (pod.listing.podPrice !== "0") expect(listing).to.include(formatAmount(config, pod.listing.token, pod.listing.podPrice));
    } else {
      expect(await page.textContent("#listing")).to.include("Not listed");
    }
    if (pod.visibility === "PRIVATE") await page.waitForSelector("#recipe-private");
    else expect(await (await page.waitForSelector("#recipe")).getAttribute("data-recipe-name")).to.be.a("string").and.not.equal("");
    expect(await page.$$("#sales tbody tr[data-tx]")).to.have.length(Math.min(answer.purchases.totalCount, 50));
    expect(await attrs(page, "#royalties-paid tbody tr[data-ancestor]", "data-ancestor")).to.deep.equal(answer.royaltyPayments.items.map((share) => share.ancestorPodId));
    expect(await texts(page, "#royalties-paid tbody tr td:nth-child(4)")).to.deep.equal(
      answer.royaltyPayments.items.length ? answer.royaltyPayments.items.map((share) => formatAmount(config, share.token, share.amount)) : [],
    );
    expect(await attrs(page, "#pod-runs tbody tr[data-run-id]", "data-run-id")).to.deep.equal(answer.runs.items.map((run) => run.id));
    return answer;
  }

  it("a pod: versions, listing, recipe, sales, royalties up the lineage and runs match GraphQL", async function () {
    this.timeout(120_000);
    const page = await browser.page();
    const { pods } = await gql<{ pods: { items: { id: string }[] } }>(`{ pods(where: { name_starts_with: "remix-" }, first: 1) { items { id } } }`);
    const remix = await checkPodPage(page, pods.items[0].id);
    expect(remix.purchases.totalCount).to.be.greaterThan(0); // Dave bought it whole
    expect(remix.royaltyPayments.items.length).to.be.greaterThan(0); // and Alice's pod was paid
    await screenshot(page, "pod");
    const original = await checkPodPage(page, remix.pod.forkedFrom!);
    expect(original.runs.items.length).to.be.greaterThan(0);
    expect(await page.textContent("#royalties-received")).to.include(formatAmount(config, remix.royaltyPayments.items[0].token, remix.royaltyPayments.items[0].amount));
    await done(page);
  });

  it("the lineage tree is followed by clicking, both ways", async function () {
    this.timeout(60_000);
    const page = await browser.page();
    const { pods } = await gql<{ pods: { items: { id: string; name: string; parent: { id: string; name: string } } [] } }>(
      `{ pods(where: { name_starts_with: "remix-" }, first: 1) { items { id name parent { id name } } } }`,
    );
    const remix = pods.items[0];
    await open(page, `/pods/${remix.id}`, ".lineage");
    expect(await page.getAttribute(".lineage [aria-current=page]", "data-pod-id")).to.equal(remix.id);
    await page.click(`.lineage a[data-pod-id="${remix.parent.id}"]`);
    await page.waitForSelector(`article[data-pod-id="${remix.parent.id}"] .lineage`);
    expect(await page.textContent("main h1")).to.include(remix.parent.name);
    expect(await page.getAttribute(".lineage [aria-current=page]", "data-pod-id")).to.equal(remix.parent.id);
    const { lineage } = await gql<{ lineage: { descendants: { pod: { id: string } }[] } }>(`query ($id: BigInt!) { lineage(podId: $id) { descendants { pod { id } } } }`, { id: remix.parent.id });
    for (const node of lineage.descendants) expect(await page.$(`.lineage a[data-pod-id="${node.pod.id}"]`), `fork ${node.pod.id} in the tree`).to.not.equal(null);
    await page.click(`.lineage a[data-pod-id="${remix.id}"]`);
    await page.waitForSelector(`article[data-pod-id="${remix.id}"] .lineage`);
    expect(await page.textContent("main h1")).to.include(remix.name);
    await done(page);
  });

  it("runs: the list matches GraphQL and a new run changes state live, without a reload", async function () {
    this.timeout(240_000);
    const page = await browser.page();
    await open(page, "/runs", "table#runs tbody tr[data-run-id]");
    await page.waitForSelector("#runs-live[data-live=true]");
    const { runs } = await gql<{ runs: { items: { id: string; status: string; runnerAddress: string | null }[] } }>(`{ runs(orderDirection: desc, first: 50) { items { id status runnerAddress } } }`);
    expect(await attrs(page, "table#runs tbody tr", "data-run-id")).to.deep.equal(runs.items.map((run) => run.id));
    expect(await attrs(page, "table#runs tbody tr", "data-status")).to.deep.equal(runs.items.map((run) => run.status));
    await screenshot(page, "runs");

    // Record every status the page shows for each run, and mark the document to detect a reload.
    await page.evaluate(() => {
      const seen: Record<string, string[]> = {};
      (window as unknown as { __seen: typeof seen; __marker: boolean }).__seen = seen;
      (window as unknown as { __marker: boolean }).__marker = true;
      const record = () => {
        for (const row of document.querySelectorAll("table#runs tbody tr[data-run-id]")) {
          const id = row.getAttribute("data-run-id")!;
          const status = row.getAttribute("data-status")!;
          const list = (seen[id] ??= []);
          if (list.at(-1) !== status) list.push(status);
        }
      };
      new MutationObserver(record).observe(document.querySelector("main")!, { subtree: true, childList: true, attributes: true });
    });
    const { pods } = await gql<{ pods: { items: { id: string }[] } }>(`{ pods(where: { name_starts_with: "hello-" }, first: 1) { items { id } } }`);
    const requested = await hardhatTask(stack, ["pod:run", "--pod", pods.items[0].id, "--max-pay", "0.01", "--account", "1", "--json"]);
    const runId = (JSON.parse(requested.slice(requested.indexOf("{"))) as { runId: string }).runId;
    await page.waitForSelector(`table#runs tbody tr[data-run-id="${runId}"]`, { timeout: 60_000 });
    await page.waitForSelector(`table#runs tbody tr[data-run-id="${runId}"][data-status=COMPLETED]`, { timeout: 120_000 });
    const seen = await page.evaluate((id) => (window as unknown as { __seen: Record<string, string[]> }).__seen[id], runId);
    console.log(`      run ${runId} on the page: ${seen.join(" → ")}`);
    expect(seen.length, `statuses seen: ${seen.join(", ")}`).to.be.greaterThan(1);
    expect(seen.at(-1)).to.equal("COMPLETED");
    expect(await page.evaluate(() => (window as unknown as { __marker?: boolean }).__marker)).to.equal(true);
    const { run } = await gql<{ run: { status: string; runnerAddress: string } }>(`query ($id: BigInt!) { run(id: $id) { status runnerAddress } }`, { id: runId });
    expect(run.status).to.equal("COMPLETED");
    expect(await page.getAttribute(`table#runs tbody tr[data-run-id="${runId}"] td:nth-child(6) a`, "title")).to.equal(run.runnerAddress);
    await done(page);
  });

  it("a run: stages, payments, output files and logs shown inline", async function () {
    this.timeout(60_000);
    const page = await browser.page();
    const { runs } = await gql<{ runs: { items: { id: string; stages: { outputRef: string | null }[] }[] } }>(
      `{ runs(where: { status: COMPLETED, requester: "${BOB}" }, first: 1) { items { id stages { outputRef } } } }`,
    );
    const run = runs.items[0];
    await open(page, `/runs/${run.id}`, `article[data-run-id="${run.id}"] .file-list`);
    const ref = run.stages[0].outputRef!;
    expect(await page.getAttribute(".files", "data-ref")).to.equal(ref);
    const list = (await (await fetch(`${base}/swarm/list/${ref.slice(2)}`)).json()) as { files: { path: string }[] };
    expect(await attrs(page, ".file-list li", "data-path")).to.deep.equal(list.files.map((file) => file.path));
    expect(list.files.map((file) => file.path)).to.include("output/hello.txt");
    await page.waitForSelector(".file-list pre.log");
    const inline = await texts(page, '.file-list li[data-path="output/hello.txt"] pre');
    const served = await (await fetch(`${base}/swarm/bzz/${ref.slice(2)}/output/hello.txt`)).text();
    expect(inline[0]).to.equal(served.trim());
    await screenshot(page, "run");
    await done(page);
  });

  it("a group: banner, members, catalogue, fees and the message feed with the decoder's result", async function () {
    this.timeout(90_000);
    const page = await browser.page();
    await open(page, "/groups", "table#groups tbody tr[data-group-id]");
    const { groups } = await gql<{ groups: { items: { id: string; name: string }[] } }>(`{ groups(orderDirection: desc) { items { id name } } }`);
    expect(await attrs(page, "table#groups tbody tr", "data-group-id")).to.deep.equal(groups.items.map((group) => group.id));
    await screenshot(page, "groups");
    const id = groups.items.find((group) => group.name.startsWith("demo-"))!.id;
    await page.click(`table#groups a[href="#/groups/${id}"]`);
    await page.waitForSelector(`article[data-group-id="${id}"]`);
    const { group } = await gql<{
      group: { banner: { title: string }; joinFee: string; publicMessageFee: string; token: string; members: { items: { account: string }[] }; messages: { items: { id: string; decoderPodId: string | null }[] } };
    }>(`query ($id: BigInt!) { group(id: $id) { banner { title } joinFee publicMessageFee token members(where: { status: MEMBER }) { items { account } } messages(orderDirection: desc) { items { id decoderPodId } } } }`, { id });
    expect(await page.textContent("#banner h2")).to.equal(group.banner.title);
    expect(await attrs(page, "#members tbody tr", "data-account")).to.deep.equal(group.members.items.map((member) => member.account));
    expect(await page.textContent("main")).to.include(formatAmount(config, group.token, group.publicMessageFee));
    expect(await attrs(page, "#messages > li", "data-message-id")).to.deep.equal(group.messages.items.map((message) => message.id));
    await page.waitForSelector("#messages .message-body");
    expect(await texts(page, "#messages .message-body")).to.include("hello from the demo");
    await page.waitForSelector("#messages .decoded pre");
    expect((await texts(page, "#messages .decoded pre")).join("\n")).to.include("HELLO FROM THE DEMO");
    await page.waitForSelector("#messages-live[data-live=true]");
    await screenshot(page, "group");

    // The catalogue, browsed with the pod filters: one query (PodWhere.inGroup), the demo's decoder pod in it.
    const catalogue = await gql<{ pods: { items: { id: string }[] } }>(`query ($g: BigInt!) { pods(where: { inGroup: $g }, orderDirection: desc) { items { id } } }`, { g: id });
    expect(catalogue.pods.items.length, "the demo posts its decoder pod to the group").to.be.greaterThan(0);
    await page.click(`a[href="#/pods?group=${id}"]`);
    await page.waitForFunction((ids) => [...document.querySelectorAll("table#pods tbody tr[data-pod-id]")].map((tr) => tr.getAttribute("data-pod-id")).join() === ids, catalogue.pods.items.map((pod) => pod.id).join());
    expect(await page.getAttribute("#pods-count", "data-total")).to.equal(String(catalogue.pods.items.length));
    await page.goto(`${base}/#/pods?group=x1`);
    await page.waitForSelector("main .error");
    expect(await page.textContent("main .error")).to.include('"x1"');
    await done(page);
  });

  it("an account: pods, licences, runs, earnings per token, messages and inbox match GraphQL", async function () {
    this.timeout(60_000);
    const page = await browser.page();
    for (const address of [BOB, ALICE]) {
      await open(page, `/accounts/${address}`, `article[data-account="${address}"]`);
      const data = await gql<{
        account: { pods: { items: { id: string }[] }; licenses: { items: { podId: string }[] }; balances: { token: string; withdrawable: string }[]; inbox: { totalCount: number } };
        runs: { items: { id: string }[] };
        messages: { items: { id: string }[] };
      }>(
        `query ($a: Address!) { account(address: $a) { pods(orderDirection: desc) { items { id } } licenses(orderDirection: desc) { items { podId } } balances { token withdrawable } inbox { totalCount } }
          runs(where: { requester: $a }, orderDirection: desc, first: 50) { items { id } } messages(where: { sender: $a }, orderDirection: desc) { items { id } } }`,
        { a: address },
      );
      expect(await attrs(page, "#account-pods tbody tr[data-pod-id]", "data-pod-id")).to.deep.equal(data.account.pods.items.map((pod) => pod.id));
      expect(await attrs(page, "#licences tbody tr[data-pod-id]", "data-pod-id")).to.deep.equal(data.account.licenses.items.map((licence) => licence.podId));
      expect(await attrs(page, "#account-runs tbody tr[data-run-id]", "data-run-id")).to.deep.equal(data.runs.items.map((run) => run.id));
      expect(await texts(page, "#balances tbody tr[data-token] td:nth-child(2)")).to.deep.equal(data.account.balances.map((balance) => formatAmount(config, balance.token, balance.withdrawable)));
      expect(await attrs(page, "#sent > li", "data-message-id")).to.deep.equal(data.messages.items.map((message) => message.id));
      expect(await page.textContent("#inbox-h")).to.include(`(${data.account.inbox.totalCount})`);
      await screenshot(page, address === BOB ? "account-bob" : "account-alice");
    }
    expect(await page.$$("#licences tbody tr[data-pod-id]")).to.have.length(0); // Alice owns, Bob holds licences
    await done(page);
  });

  it("status: the indexed block, chain id, indexing errors and the health of chain, Swarm and runners", async function () {
    this.timeout(60_000);
    const page = await browser.page();
    await open(page, "/status", "#indexer [data-indexed-block]");
    const { _meta, runners } = await gql<{ _meta: { block: { number: number }; chainId: number; hasIndexingErrors: boolean }; runners: { items: { address: string }[] } }>(
      `{ _meta { block { number } chainId hasIndexingErrors } runners { items { address } } }`,
    );
    expect(Number(await page.getAttribute("[data-indexed-block]", "data-indexed-block"))).to.be.at.most(_meta.block.number).and.greaterThan(0);
    expect(await page.getAttribute("[data-chain-id]", "data-chain-id")).to.equal(String(_meta.chainId));
    expect(await page.getAttribute("[data-indexing-errors]", "data-indexing-errors")).to.equal(String(_meta.hasIndexingErrors));
    expect(await page.getAttribute("#chain [data-ok]", "data-ok")).to.equal("true");
    expect(await page.getAttribute("#swarm [data-ok]", "data-ok")).to.equal("true");
    expect(await attrs(page, "#runners tbody tr[data-runner]", "data-runner")).to.have.members(runners.items.map((runner) => runner.address));
    await screenshot(page, "status");
    await done(page);
  });

  it("is usable with the keyboard alone, with the focus visible", async function () {
    this.timeout(60_000);
    const page = await browser.page();
    await open(page, "/pods", "table#pods tbody tr[data-pod-id]");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).to.equal("Skip to content");
    await page.keyboard.press("Enter");
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal("main");
    // The focus ring is drawn on whatever the keyboard reaches.
    await page.keyboard.press("Tab");
    const outline = await page.evaluate(() => {
      const style = getComputedStyle(document.activeElement!);
      return { style: style.outlineStyle, width: style.outlineWidth, tag: document.activeElement!.tagName };
    });
    expect(outline.style, JSON.stringify(outline)).to.not.equal("none");
    // Tab until the first pod's link, open it with Enter: the new page's heading takes the focus.
    const firstPod = await page.getAttribute("table#pods tbody tr", "data-pod-id");
    for (let presses = 0; presses < 60; presses++) {
      const at = await page.evaluate(() => document.activeElement?.getAttribute("data-pod-id") ?? null);
      if (at === firstPod && (await page.evaluate(() => document.activeElement?.tagName)) === "A") break;
      await page.keyboard.press("Tab");
    }
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-pod-id"))).to.equal(firstPod);
    await page.keyboard.press("Enter");
    await page.waitForFunction((id) => document.activeElement?.tagName === "H1" && document.querySelector(`article[data-pod-id="${id}"]`) !== null, firstPod);
    // Every form control has a label.
    await open(page, "/pods", "form.filters");
    const unlabelled = await page.$$eval("input, select", (controls) =>
      controls.filter((control) => !control.id || !document.querySelector(`label[for="${control.id}"]`)).map((control) => control.outerHTML),
    );
    expect(unlabelled).to.deep.equal([]);
    await done(page);
  });

  it("lays every page out for a phone (390×844) without sideways scrolling", async function () {
    this.timeout(120_000);
    const page = await browser.page(PHONE);
    const { pods } = await gql<{ pods: { items: { id: string }[] } }>(`{ pods(where: { name_starts_with: "remix-" }, first: 1) { items { id } } }`);
    const { groups } = await gql<{ groups: { items: { id: string }[] } }>(`{ groups(first: 1) { items { id } } }`);
    const { runs } = await gql<{ runs: { items: { id: string }[] } }>(`{ runs(where: { status: COMPLETED }, first: 1) { items { id } } }`);
    const pages: [string, string, string][] = [
      ["pods", "/pods", "table#pods tbody tr"],
      ["pod", `/pods/${pods.items[0].id}`, ".lineage"],
      ["runs", "/runs", "table#runs tbody tr"],
      ["run", `/runs/${runs.items[0].id}`, ".stages"],
      ["groups", "/groups", "table#groups tbody tr"],
      ["group", `/groups/${groups.items[0].id}`, "#messages"],
      ["account", `/accounts/${BOB}`, "#licences"],
      ["status", "/status", "#runners"],
    ];
    for (const [name, path, selector] of pages) {
      await open(page, path, selector);
      const width = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
      expect(width.scroll, `${name}: the page is ${width.scroll}px wide in a ${width.inner}px window`).to.be.at.most(width.inner);
      await screenshot(page, `phone-${name}`);
    }
    await done(page);
  });

  it("renders the pods page over 10,000 indexed pods (first render measured, printed)", async function () {
    this.timeout(300_000);
    const { openDatabase, migrate } = await import("../../services/database");
    const { seedPodsAsBackfill } = await import("../../scripts/lib/pods-seed");
    const { logger } = await import("../../services/log");
    const { startTestApi } = await import("../support/api/client");
    const { loadConfig } = await import("../../services/config");
    const dir = mkdtempSync(join(tmpdir(), "lure-web-10k-"));
    const db = await openDatabase({ pgliteDir: join(dir, "pglite") });
    try {
      await migrate(db);
      await seedPodsAsBackfill(db, logger("web-test").child({}, { level: "warn" }), 10_000, 50);
      const api = await startTestApi(db, { web: { config: loadConfig({ ...process.env, ...stack.env }) } });
      try {
        const page = await browser.page();
        const started = Date.now();
        await page.goto(`${api.running.url}/#/pods`);
        await page.waitForSelector("table#pods tbody tr[data-pod-id]");
        const wall = Date.now() - started;
        const mark = await page.evaluate(() => performance.getEntriesByName("lure:pods-first-render")[0]?.startTime ?? null);
        expect(mark).to.be.a("number");
        expect(await page.getAttribute("#pods-count", "data-total")).to.equal("10000");
        expect(await page.$$("table#pods tbody tr[data-pod-id]")).to.have.length(25);
        expect(await page.getAttribute("table#pods tbody tr", "data-pod-id")).to.equal("10000");
        console.log(`      pods page first render over 10,000 pods: ${mark.toFixed(0)} ms after navigation start (${wall} ms until the rows were seen by the test)`);
        await screenshot(page, "pods-10k");
        await done(page);
      } finally {
        await api.close();
      }
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Runs one Hardhat task against the stack's chain, as a user would; resolves with its stdout. */
function hardhatTask(stack: DemoStack, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [hardhatCli, "--network", "localhost", ...args], {
      env: { ...process.env, ...stack.env, LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.once("exit", (code) => (code === 0 ? resolve(stdout) : reject(new Error(`hardhat ${args.join(" ")} exited ${code}:\n${stdout}\n${stderr}`))));
  });
}
