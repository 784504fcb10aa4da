/* eslint-disable @typescript-eslint/require-await -- the fakes answer at once but keep golem-js's async signatures */
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import {
  Activity,
  ActivityStateEnum,
  Agreement,
  Allocation,
  Demand,
  DemandSpecification,
  MarketModuleImpl,
  OfferProposal,
  PaymentModuleImpl,
  Result,
  type CreateAllocationParams,
  type GolemNetworkOptions,
  type IActivityApi,
  type IMarketApi,
  type IPaymentApi,
  type MarketModule,
  type StorageProvider,
  type YagnaApi,
} from "@golem-sdk/golem-js";
import { parseRecipe, type PodRecipe } from "../../services/pods/recipe";
import { ExecutorUnavailableError, type ExecutionLimits, type ExecutionResult } from "../../services/runner/executor";
import { GolemExecutor, type GolemExecutorOptions } from "../../services/runner/golem/executor";
import { rentSeconds } from "../../services/runner/golem/order";

/**
 * The Golem executor against golem-js's own orchestration (GolemNetwork.oneOf, the draft proposal
 * pool, ResourceRental, ExeUnit, the script executor's polling) with the network replaced through
 * `override`: a fake market that offers a provider (or none), a fake payment module, and a fake
 * activity API whose "VM" is a folder on this machine, where commands run with /golem/ mapped into it.
 * A last test runs against a real yagna when YAGNA_APPKEY is set.
 */

const MIB = 1024 * 1024;
const LIMITS: ExecutionLimits = {
  wallClockSeconds: 20,
  cpuSeconds: 20,
  memoryBytes: 256 * MIB,
  maxProcesses: 64,
  cpuCores: 1,
  outputBytes: 4 * MIB,
  logBytes: 64 * 1024,
  workBytes: 16 * MIB,
  provisionSeconds: 10,
};
const PRICING = { maxStartPrice: 0.1, maxCpuPerHour: 0.5, maxEnvPerHour: 0.2 };
const PLATFORM = "erc20-hoodi-tglm";

type AgreementPaymentProcess = ReturnType<PaymentModuleImpl["createAgreementPaymentProcess"]>;
type OrderDemandOptions = Parameters<MarketModuleImpl["buildDemandDetails"]>[0];
type ExeScriptRequest = Parameters<IActivityApi["executeScript"]>[1];

function recipe(golem: Record<string, unknown>): PodRecipe {
  const parsed = parseRecipe({ name: "golem-pod", golem });
  if (parsed.kind !== "pod") throw new Error("not a pod recipe");
  return parsed.recipe;
}

/** An rxjs-shaped source: golem-js only subscribes and unsubscribes. */
function source<T>(items: T[]): { subscribe(observer: { next?: (item: T) => void } | ((item: T) => void)): { unsubscribe(): void; closed: boolean } } {
  return {
    subscribe(observer) {
      const next = typeof observer === "function" ? observer : observer.next;
      for (const item of items) next?.(item);
      return { unsubscribe() {}, closed: false };
    },
  };
}

interface ProviderScript {
  /** Offers on the market: none means no provider answers. */
  offers: number;
  /** CPU threads of the offered provider (its price estimate uses all of them). */
  threads?: number;
  /** A download from the VM whose path contains this fails. */
  failDownload?: string;
}

/** What the fake network saw: the rental's life, for the checks that it was always ended. */
class FakeGolem {
  readonly vm: string;
  readonly demands: OrderDemandOptions[] = [];
  readonly allocations = { created: [] as CreateAllocationParams[], released: 0 };
  readonly agreements = new Map<string, Agreement>();
  readonly terminated = new Set<string>();
  readonly destroyed = new Set<string>();
  readonly commands: string[] = [];
  private readonly activities = new Map<string, Activity>();
  private readonly batches = new Map<string, Promise<Result[]>>();
  private readonly children = new Set<ChildProcess>();
  private counter = 0;

  constructor(
    root: string,
    readonly script: ProviderScript,
  ) {
    this.vm = root;
  }

  /** /golem/… inside the fake VM's folder. */
  private local(vmPath: string): string {
    return path.join(this.vm, vmPath);
  }

  override(): NonNullable<GolemNetworkOptions["override"]> {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the module classes below are built per fake network
    const fake = this;
    const quiet = <T>() => source<T>([]);
    const yagna = { connect: async () => ({}), disconnect: async () => undefined, yagnaOptions: { apiKey: "test", basePath: "http://fake" } } as unknown as YagnaApi;
    const paymentApi = { connect: async () => undefined, receivedInvoices$: quiet(), receivedDebitNotes$: quiet() } as unknown as IPaymentApi;
    const marketApi = {
      collectAgreementEvents: () => quiet(),
      proposeAgreement: async (proposal: OfferProposal) => fake.agree(proposal),
      getAgreement: async (id: string) => fake.agreements.get(id)!,
      terminateAgreement: async (agreement: Agreement) => {
        fake.terminated.add(agreement.id);
        fake.agreements.set(agreement.id, new Agreement(agreement.id, { ...modelOf(agreement), state: "Terminated" } as unknown as ConstructorParameters<typeof Agreement>[1], agreement.demand));
        return true;
      },
    } as unknown as IMarketApi;
    const storageProvider: StorageProvider = {
      init: async () => undefined,
      isReady: () => true,
      close: async () => undefined,
      receiveFile: async (destination) => `fake-local:${destination}`,
      receiveData: async () => Promise.reject(new Error("not used")),
      publishFile: async (sourcePath) => `fake-local:${sourcePath}`,
      publishData: async () => Promise.reject(new Error("not used")),
      release: async () => undefined,
    };
    class Market extends MarketModuleImpl {
      async buildDemandDetails(demandOptions: OrderDemandOptions): Promise<DemandSpecification> {
        fake.demands.push(demandOptions);
        return new DemandSpecification({ properties: [], constraints: [] }, PLATFORM);
      }
      collectDraftOfferProposals(options: Parameters<MarketModule["collectDraftOfferProposals"]>[0]): ReturnType<MarketModule["collectDraftOfferProposals"]> {
        const demand = new Demand("demand-1", options.demandSpecification);
        const offers = Array.from({ length: fake.script.offers }, (_, index) => fake.offer(demand, index)).filter((offer) => options.filter?.(offer) ?? true);
        return source(offers) as unknown as ReturnType<MarketModule["collectDraftOfferProposals"]>;
      }
    }
    class Payment extends PaymentModuleImpl {
      async createAllocation(params: CreateAllocationParams): Promise<Allocation> {
        fake.allocations.created.push(params);
        const now = new Date().toISOString();
        return new Allocation({ allocationId: `allocation-${fake.allocations.created.length}`, address: "0x1", paymentPlatform: PLATFORM, totalAmount: String(params.budget), spentAmount: "0", remainingAmount: String(params.budget), timestamp: now, timeout: now, makeDeposit: false, deposit: undefined });
      }
      async releaseAllocation(): Promise<void> {
        fake.allocations.released += 1;
      }
      createAgreementPaymentProcess(agreement: Agreement): AgreementPaymentProcess {
        // The invoice "arrives" once the agreement is terminated.
        const process: Pick<AgreementPaymentProcess, "isFinished" | "stop"> = { isFinished: () => fake.terminated.has(agreement.id), stop: () => undefined };
        return process as AgreementPaymentProcess;
      }
    }
    return { yagna, paymentApi, marketApi, activityApi: this.activityApi(), storageProvider, market: Market, payment: Payment };
  }

  private offer(demand: Demand, index: number): OfferProposal {
    return new OfferProposal(
      {
        proposalId: `offer-${index}`,
        issuerId: `provider-${index}`,
        state: "Draft",
        timestamp: new Date().toISOString(),
        properties: {
          "golem.node.id.name": `fake-provider-${index}`,
          "golem.inf.cpu.threads": this.script.threads ?? 1,
          "golem.com.usage.vector": ["golem.usage.cpu_sec", "golem.usage.duration_sec"],
          // Per second: CPU, env; then start. Well under the caps.
          "golem.com.pricing.model.linear.coeffs": [0.1 / 3600, 0.05 / 3600, 0.01],
        },
        constraints: "",
      } as unknown as ConstructorParameters<typeof OfferProposal>[0],
      demand,
    );
  }

  private agree(proposal: OfferProposal): Agreement {
    const id = `agreement-${++this.counter}`;
    const agreement = new Agreement(id, { agreementId: id, state: "Approved", offer: { providerId: proposal.provider.id, properties: proposal.properties }, demand: {} } as unknown as ConstructorParameters<typeof Agreement>[1], proposal.demand);
    this.agreements.set(id, agreement);
    return agreement;
  }

  private activityApi(): IActivityApi {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the API object's methods are not arrows, so `this` is theirs
    const fake = this;
    const activity = (id: string, state: ActivityStateEnum, previous: ActivityStateEnum) => {
      const old = fake.activities.get(id)!;
      const next = new Activity(id, old.agreement, state, previous, { timestamp: Date.now() });
      fake.activities.set(id, next);
      return next;
    };
    return {
      async getActivity(id) {
        return fake.activities.get(id)!;
      },
      async createActivity(agreement) {
        const created = new Activity(`activity-${++fake.counter}`, agreement, ActivityStateEnum.Initialized, ActivityStateEnum.New, { timestamp: Date.now() });
        fake.activities.set(created.id, created);
        return created;
      },
      async destroyActivity(target) {
        fake.destroyed.add(target.id);
        for (const child of fake.children) child.kill("SIGKILL");
        return activity(target.id, ActivityStateEnum.Terminated, target.getState());
      },
      async getActivityState(id) {
        return fake.activities.get(id)!.getState();
      },
      async executeScript(target, script: ExeScriptRequest) {
        const batchId = `batch-${++fake.counter}`;
        const commands = JSON.parse(script.text) as Record<string, Record<string, unknown>>[];
        fake.batches.set(batchId, fake.runBatch(target, commands));
        return batchId;
      },
      async getExecBatchResults(_target, batchId) {
        return fake.batches.get(batchId)!;
      },
      getExecBatchEvents() {
        throw new Error("the Golem executor polls for results");
      },
    };
  }

  private async runBatch(target: Activity, commands: Record<string, Record<string, unknown>>[]): Promise<Result[]> {
    const results: Result[] = [];
    for (const [index, command] of commands.entries()) {
      const [name, args] = Object.entries(command)[0];
      let outcome: { ok: boolean; stdout?: string; stderr?: string; message?: string };
      if (name === "deploy" || name === "start") {
        if (name === "start") this.activities.set(target.id, new Activity(target.id, target.agreement, ActivityStateEnum.Ready, ActivityStateEnum.Deployed, { timestamp: Date.now() }));
        outcome = { ok: true };
      } else if (name === "transfer") {
        outcome = await this.transfer(String(args.from), String(args.to));
      } else if (name === "run") {
        outcome = await this.shell(args.args as string[], (args.env ?? {}) as Record<string, string>);
      } else {
        outcome = { ok: false, message: `unknown command ${name}` };
      }
      results.push(new Result({ index, eventDate: new Date().toISOString(), result: outcome.ok ? "Ok" : "Error", stdout: outcome.stdout ?? "", stderr: outcome.stderr ?? "", message: outcome.message ?? null, isBatchFinished: index === commands.length - 1 }));
      if (!outcome.ok) break;
    }
    return results;
  }

  private async transfer(from: string, to: string): Promise<{ ok: boolean; message?: string }> {
    const resolve = (url: string) => (url.startsWith("container:") ? this.local(url.slice("container:".length)) : url.replace(/^fake-local:/, ""));
    if (this.script.failDownload && from.startsWith("container:") && from.includes(this.script.failDownload)) return { ok: false, message: `transfer of ${from} failed: connection reset by the provider` };
    try {
      await mkdir(path.dirname(resolve(to)), { recursive: true });
      await copyFile(resolve(from), resolve(to));
      return { ok: true };
    } catch (error) {
      return { ok: false, message: String(error) };
    }
  }

  /** `/bin/sh -c script` with every /golem path moved into the VM's folder. */
  private async shell(args: string[], env: Record<string, string>): Promise<{ ok: boolean; stdout: string; stderr: string; message?: string }> {
    const script = args[args.length - 1].replace(/(?<![\w./])\/golem(?=[/'\s]|$)/g, `${this.vm}/golem`);
    this.commands.push(args[args.length - 1]);
    return new Promise((resolve) => {
      const child = spawn("/bin/sh", ["-c", script], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env } });
      this.children.add(child);
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
      child.on("close", (code, signal) => {
        this.children.delete(child);
        resolve({ ok: code === 0, stdout, stderr, ...(code === 0 ? {} : { message: `ExeScript command exited with code ${code ?? signal}` }) });
      });
    });
  }

  /** Every agreement terminated, every activity destroyed, every allocation released. */
  expectEnded(): void {
    expect([...this.agreements.keys()].every((id) => this.terminated.has(id)), "agreements terminated").to.equal(true);
    expect(this.destroyed.size, "activities destroyed").to.equal(this.activities.size);
    expect(this.allocations.released, "allocations released").to.equal(this.allocations.created.length);
  }
}

function modelOf(agreement: Agreement): Record<string, unknown> {
  return (agreement as unknown as { model: Record<string, unknown> }).model;
}

describe("GolemExecutor (golem-js orchestration, fake network)", function () {
  this.timeout(60_000);
  let root: string;
  const executors: GolemExecutor[] = [];

  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), "lure-golem-test-"));
  });
  afterEach(async () => {
    for (const executor of executors.splice(0)) await executor.close();
    await rm(root, { recursive: true, force: true });
  });

  async function setup(script: ProviderScript, options: Partial<GolemExecutorOptions> = {}) {
    const fake = new FakeGolem(path.join(root, "vm"), script);
    await mkdir(fake.vm, { recursive: true });
    const executor = new GolemExecutor({ limits: LIMITS, apiUrl: "http://127.0.0.1:9", appKey: "test", paymentNetwork: "hoodi", pricing: PRICING, budgetPerRun: 1, override: fake.override(), finalizeTimeoutMs: 5_000, ...options });
    executors.push(executor);
    return { fake, executor };
  }

  async function pod(files: Record<string, string>): Promise<string> {
    const dir = path.join(root, "pod");
    for (const [name, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
      await writeFile(path.join(dir, name), content);
    }
    return dir;
  }

  async function run(executor: GolemExecutor, podRecipe: PodRecipe, podDir: string, signal = new AbortController().signal, limits = LIMITS, payloads: { hostDir: string; podPath: string }[] = []): Promise<ExecutionResult> {
    const admission = executor.admit(podRecipe);
    if (!admission.admitted) throw new Error(admission.reason);
    return executor.run({ runId: "run-1", podDir, recipe: podRecipe, payloads, outputDir: path.join(root, "out"), logDir: path.join(root, "logs"), limits: { ...admission.limits, ...limits, wallClockSeconds: Math.min(limits.wallClockSeconds, admission.limits.wallClockSeconds) } }, signal);
  }

  it("rents a provider, runs the pod in /golem/work and brings back output and logs", async () => {
    const { fake, executor } = await setup({ offers: 1 });
    const podRecipe = recipe({ exec: "sh [@]script/main.sh", image: "golem/alpine:latest", resources: { minCpuCores: 1, minMemGib: 0.5, minStorageGib: 1 }, timeout: 30 });
    const podDir = await pod({ "script/main.sh": "echo hello from $(pwd); echo to-stderr >&2; cat payload/external/data.txt > output/copied.txt; echo pod-log > logs/pod.log; echo secret > ../output/x.txt\n", ".lure/key": "never uploaded" });
    const payload = path.join(root, "payload-src");
    await mkdir(payload, { recursive: true });
    await writeFile(path.join(payload, "data.txt"), "payload data\n");
    const result = await run(executor, podRecipe, podDir, undefined, LIMITS, [{ hostDir: payload, podPath: "payload/external" }]);
    expect(result.reason).to.equal("the pod exited with 0");
    expect(result.ok).to.equal(true);
    expect(result.exitCode).to.equal(0);
    expect(await readFile(path.join(root, "out", "copied.txt"), "utf8")).to.equal("payload data\n");
    expect(await readFile(path.join(root, "logs", "stdout.log"), "utf8")).to.equal(`hello from ${fake.vm}/golem/work\n`);
    expect(await readFile(path.join(root, "logs", "stderr.log"), "utf8")).to.equal("to-stderr\n");
    expect(await readFile(path.join(root, "logs", "files", "pod.log"), "utf8")).to.equal("pod-log\n");
    expect(await readFile(path.join(root, "logs", "sandbox.log"), "utf8")).to.match(/rented provider fake-provider-0/).and.match(/rental stopped and finalised/);
    expect(result.output.files).to.equal(2);
    // The order: the recipe's image and resources, a rental of whole seconds, at least five minutes.
    expect(fake.demands[0].workload).to.include({ imageTag: "golem/alpine:latest", minCpuCores: 1, minMemGib: 0.5, minStorageGib: 1 });
    expect(fake.allocations.created[0].budget).to.equal(1);
    // .lure (where keys may sit beside a pod) never leaves the runner.
    expect(await readFile(path.join(fake.vm, "golem", "work", ".lure", "key")).then(() => true, () => false)).to.equal(false);
    fake.expectEnded();
  });

  it("ends as Provision when no offer comes within the provisioning time", async () => {
    const { fake, executor } = await setup({ offers: 0 });
    const started = Date.now();
    const result = await run(executor, recipe({ exec: "true" }), await pod({ "a.txt": "a" }), undefined, { ...LIMITS, provisionSeconds: 2 });
    expect(result.phase).to.equal("Provision");
    expect(result.reason).to.match(/no provider offer was signed within 2 s/);
    expect(Date.now() - started).to.be.below(10_000);
    expect(fake.agreements.size).to.equal(0);
    fake.expectEnded();
  });

  it("takes no offer whose full price could exceed the budget", async () => {
    const { fake, executor } = await setup({ offers: 1, threads: 4096 });
    const result = await run(executor, recipe({ exec: "true" }), await pod({ "a.txt": "a" }), undefined, { ...LIMITS, provisionSeconds: 2 });
    expect(result.phase).to.equal("Provision");
    fake.expectEnded();
  });

  it("ends as Execute when the command fails, keeping its logs", async () => {
    const { fake, executor } = await setup({ offers: 1 });
    const result = await run(executor, recipe({ exec: "echo partial; echo broken >&2; echo note > [@]logs/x.log; exit 3" }), await pod({ "a.txt": "a" }));
    expect(result.phase).to.equal("Execute");
    expect(result.exitCode).to.equal(3);
    expect(result.reason).to.equal("the pod exited with 3");
    expect(await readFile(path.join(root, "logs", "stdout.log"), "utf8")).to.equal("partial\n");
    expect(await readFile(path.join(root, "logs", "stderr.log"), "utf8")).to.equal("broken\n");
    expect(await readFile(path.join(root, "logs", "files", "x.log"), "utf8")).to.equal("note\n");
    fake.expectEnded();
  });

  it("ends as UploadOutput when the output cannot be downloaded", async () => {
    const { fake, executor } = await setup({ offers: 1, failDownload: "result.tar" });
    const result = await run(executor, recipe({ exec: "echo done > /golem/output/r.txt" }), await pod({ "a.txt": "a" }));
    expect(result.phase).to.equal("UploadOutput");
    expect(result.reason).to.match(/downloading \/golem\/output failed: .*connection reset/);
    fake.expectEnded();
  });

  it("ends as Timeout when the run's deadline aborts it, and when the wall clock runs out", async () => {
    const { fake, executor } = await setup({ offers: 1 });
    const deadline = new AbortController();
    setTimeout(() => deadline.abort(new Error("the run's deadline passed")), 2_500);
    const started = Date.now();
    const aborted = await run(executor, recipe({ exec: "sleep 30" }), await pod({ "a.txt": "a" }), deadline.signal);
    expect(aborted.phase).to.equal("Timeout");
    expect(aborted.reason).to.match(/the run's deadline passed/);
    expect(Date.now() - started).to.be.below(15_000);
    fake.expectEnded();

    await rm(path.join(root, "out"), { recursive: true });
    await rm(path.join(root, "logs"), { recursive: true });
    const wall = await run(executor, recipe({ exec: "sleep 30", timeout: 2 }), path.join(root, "pod"));
    expect(wall.phase).to.equal("Timeout");
    expect(wall.exceeded).to.include("wallClock");
    fake.expectEnded();
  });

  it("admits by the price caps and the budget, naming the settings", async () => {
    const { executor } = await setup({ offers: 0 });
    const small = executor.admit(recipe({ exec: "true", timeout: 60 }));
    expect(small.admitted).to.equal(true);
    const big = executor.admit(recipe({ exec: "true", resources: { minCpuCores: 64 }, timeout: 3600 }));
    expect(big.admitted).to.equal(false);
    if (!big.admitted) expect(big.reason).to.match(/64 CPU thread\(s\).*GOLEM_MAX_CPU_PER_HOUR=0\.5.*above GOLEM_BUDGET_PER_RUN=1/);
    // Memory far above this machine's is the provider's to give, not a refusal.
    expect(executor.admit(recipe({ exec: "true", resources: { minMemGib: 512 }, timeout: 60 })).admitted).to.equal(true);
  });

  it("rents whole seconds, at least five minutes", () => {
    expect(rentSeconds({ wallClockSeconds: 1, provisionSeconds: 1 })).to.equal(300);
    for (const wall of [301, 777, 1234, 86_399]) {
      const seconds = rentSeconds({ wallClockSeconds: wall, provisionSeconds: 60 });
      expect(seconds).to.be.at.least(wall + 60);
      expect((seconds / 3600) * 60 * 60).to.equal(seconds);
    }
  });

  it("check() names YAGNA_API_URL when yagna is unreachable or refuses the key", async () => {
    const unreachable = new GolemExecutor({ limits: LIMITS, apiUrl: "http://127.0.0.1:9", appKey: "k", paymentNetwork: "hoodi", pricing: PRICING, budgetPerRun: 1, probeTimeoutMs: 2_000 });
    const error = await unreachable.check().then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(ExecutorUnavailableError);
    expect((error as Error).message).to.match(/not reachable at YAGNA_API_URL=http:\/\/127\.0\.0\.1:9/);

    const server = http.createServer((_request, response) => response.writeHead(401).end());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const refused = new GolemExecutor({ limits: LIMITS, apiUrl: url, appKey: "wrong", paymentNetwork: "hoodi", pricing: PRICING, budgetPerRun: 1 });
      const refusal = await refused.check().then(() => undefined, (e: unknown) => e);
      expect((refusal as Error).message).to.include(`YAGNA_API_URL=${url} refused the app key`);
    } finally {
      server.close();
    }
  });
});

describe("GolemExecutor against a real yagna", function () {
  this.timeout(15 * 60_000);

  it("runs a pod on a provider (YAGNA_APPKEY set)", async function () {
    const appKey = process.env.YAGNA_APPKEY;
    if (!appKey) {
      console.log("    skipped: YAGNA_APPKEY is not set, so the run against a real yagna and provider is not made");
      this.skip();
    }
    const root = await mkdtemp(path.join(os.tmpdir(), "lure-golem-real-"));
    const executor = new GolemExecutor({
      limits: { ...LIMITS, provisionSeconds: 300 },
      apiUrl: process.env.YAGNA_API_URL ?? "http://127.0.0.1:7465",
      appKey: appKey ?? "",
      paymentNetwork: process.env.GOLEM_PAYMENT_NETWORK === "polygon" ? "polygon" : "hoodi",
      pricing: { maxStartPrice: 0.5, maxCpuPerHour: 1, maxEnvPerHour: 0.5 },
      budgetPerRun: 1,
    });
    try {
      await executor.check();
      const podDir = path.join(root, "pod");
      await mkdir(podDir, { recursive: true });
      await writeFile(path.join(podDir, "hello.txt"), "hello golem\n");
      const podRecipe = recipe({ exec: "cat [@]hello.txt > /golem/output/out.txt && echo ran", image: "golem/alpine:latest", timeout: 60 });
      const admission = executor.admit(podRecipe);
      if (!admission.admitted) throw new Error(admission.reason);
      const result = await executor.run({ runId: "real-1", podDir, recipe: podRecipe, payloads: [], outputDir: path.join(root, "out"), logDir: path.join(root, "logs"), limits: admission.limits }, new AbortController().signal);
      expect(result.reason).to.equal("the pod exited with 0");
      expect(await readFile(path.join(root, "out", "out.txt"), "utf8")).to.equal("hello golem\n");
    } finally {
      await executor.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
