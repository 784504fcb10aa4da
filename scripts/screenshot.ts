/**
 * `npm run docs:screenshot`: the README's pictures of the web app, taken from a running stack.
 *   npm run docs:screenshot [-- --url http://127.0.0.1:4000/] [--pod ID] [--out docs/images]
 *
 * Start the stack first (`npm start`) and run `npm run demo` so that there is something to show.
 * Headless Debian Chromium (playwright-core, a fresh temporary profile, no background traffic)
 * opens the pods page and one pod's page at 1280×800 and saves `web-pods.png` and `web-pod.png`.
 * The pod is `--pod`, else the first fork that has forks of its own (its lineage is drawn both
 * ways), else the first pod. Exit codes: 0 saved, 1 a page did not render, 2 a bad
 * argument or no stack answering at the URL.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { chromium, type Page } from "playwright-core";

const CHROMIUM = "/usr/bin/chromium";
const VIEWPORT = { width: 1280, height: 800 };
const USAGE = "npm run docs:screenshot [-- --url http://127.0.0.1:4000/] [--pod ID] [--out DIR]";

/** A bad argument, or nothing to take a picture of: exit code 2. */
class UsageError extends Error {}

interface Options {
  url: URL;
  pod?: string;
  out: string;
}

function parseArguments(argv: string[]): Options {
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const match = /^--(url|pod|out)(?:=(.*))?$/.exec(argv[i]);
    if (!match) throw new UsageError(`unknown argument ${JSON.stringify(argv[i])}; usage: ${USAGE}`);
    const value = match[2] ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${match[1]} needs a value`);
    values[match[1]] = value;
  }
  let url: URL;
  try {
    url = new URL(values.url ?? "http://127.0.0.1:4000/");
  } catch {
    throw new UsageError(`--url must be a URL such as http://127.0.0.1:4000/, got ${JSON.stringify(values.url)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`--url must be an http(s) URL, got ${JSON.stringify(values.url)}`);
  if (values.pod !== undefined && !/^[1-9][0-9]*$/.test(values.pod)) throw new UsageError(`--pod must be a pod id (a positive integer), got ${JSON.stringify(values.pod)}`);
  return { url, pod: values.pod, out: resolve(values.out ?? join(__dirname, "..", "docs", "images")) };
}

async function graphql<T>(base: URL, query: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(new URL("graphql", base), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query }), signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new UsageError(`no Lure API answers at ${base.href} (${(error as Error).message}); start the stack first: npm start`);
  }
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (!response.ok || body.errors?.length || body.data === undefined) {
    throw new Error(`GraphQL at ${base.href} answered ${response.status}: ${body.errors?.map((error) => error.message).join("; ") ?? "no data"}`);
  }
  return body.data;
}

/** The pod whose page is shown: a fork with forks of its own, else the first pod; undefined when there is none. */
async function pickPod(base: URL): Promise<string | undefined> {
  const answer = await graphql<{ pods: { items: { id: string; forks: { totalCount: number } }[] } }>(
    base,
    "{ pods(where: { forkedFrom_not: null }, first: 100) { items { id forks(first: 1) { totalCount } } } }",
  );
  const forked = answer.pods.items.find((pod) => pod.forks.totalCount > 0) ?? answer.pods.items[0];
  if (forked) return forked.id;
  return (await graphql<{ pods: { items: { id: string }[] } }>(base, "{ pods(first: 1) { items { id } } }")).pods.items[0]?.id;
}

/** Opens `#<path>`, waits for `selector` and for the page to stop fetching, and saves the viewport. */
async function shoot(page: Page, base: URL, path: string, selector: string, file: string): Promise<void> {
  await page.goto(new URL(`#${path}`, base).href, { waitUntil: "load" });
  await page.waitForSelector(selector, { timeout: 30_000 });
  await page.waitForLoadState("networkidle", { timeout: 15_000 }).catch(() => undefined);
  // Live lists and fonts settle; the picture is of the page at rest.
  await page.waitForTimeout(500);
  await page.screenshot({ path: file });
  console.log(`saved ${relative(process.cwd(), file)} (${page.url()})`);
}

async function main(): Promise<void> {
  const options = parseArguments(process.argv.slice(2));
  if (!existsSync(CHROMIUM)) throw new UsageError(`${CHROMIUM} is missing: install Debian's chromium package`);
  const podId = options.pod ?? (await pickPod(options.url));
  if (podId === undefined) throw new UsageError(`no pod is indexed at ${options.url.href}: run npm run demo first`);
  mkdirSync(options.out, { recursive: true });

  // launch() gives the browser a fresh profile in a temporary folder and removes it on close.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  try {
    const page = await browser.newPage({ viewport: VIEWPORT, deviceScaleFactor: 1, colorScheme: "light" });
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    await shoot(page, options.url, "/pods", "table#pods tbody tr[data-pod-id]", join(options.out, "web-pods.png"));
    await shoot(page, options.url, `/pods/${podId}`, `article[data-pod-id="${podId}"] .lineage`, join(options.out, "web-pod.png"));
    if (problems.length) throw new Error(`the web app reported errors: ${problems.join("; ")}`);
  } finally {
    await browser.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`docs:screenshot: ${(error as Error).message}`);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
