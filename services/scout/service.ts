import { parseUnits, type Signer } from "ethers";
import type { LureConnection } from "../chain/contracts";
import { errorText, StoppedError, type RpcClient } from "../chain/rpc";
import { decimalsOf } from "../chain/tokens";
import type { Logger } from "../log";
import { MarketError } from "../market/errors";
import { quoteRun, requestRun, runPriceOf, waitForRun } from "../market/runs";
import type { PodStorage } from "../pods/storage";
import { findingOf, describeFilter, type ScoutFilter } from "./filter";
import { MAX_RANGE, PodFollower } from "./follower";
import { alreadyReported, reportOf, sendReport, type ScoutReport } from "./report";
import { ScoutJournal, type Finding, type ScoutState } from "./state";

/**
 * The scout: follows PodRegistry (and a group's catalogue) from its cursor, keeps the pods its
 * filter matches as findings, runs the test pod on each (when one is configured) and sends a report
 * per finding to the report group. Findings are handled one at a time, oldest first; every step is
 * saved before the next, so a stopped or killed scout resumes where it was: the range it had not
 * saved is read again, a test run it had requested is waited for (not requested again), and a
 * report it may have sent is looked for in the group before it is sent again.
 */

export type ScoutEvent =
  | { type: "found"; finding: Finding }
  | { type: "test-requested"; key: string; runId: bigint }
  | { type: "reported"; key: string; messageId?: bigint; report: ScoutReport }
  | { type: "error"; key?: string; error: string };

export interface ScoutOptions {
  contracts: LureConnection;
  signer: Signer;
  rpc: RpcClient;
  storage: PodStorage;
  dataDir: string;
  filter: ScoutFilter;
  reportGroup: bigint;
  /** SCOUT_MAX_FEE: the most one report pays, in the group's fee token. */
  maxFee?: string;
  test?: { podId: bigint; maxPay: string };
  /** Undefined: the chain's head at the first start (new pods only). */
  startBlock?: number;
  pollMs: number;
  confirmations: number;
  log: Logger;
  onEvent?: (event: ScoutEvent) => void;
}

export class ScoutService {
  private readonly journal: ScoutJournal;
  private readonly follower: PodFollower;
  private readonly stopping = new AbortController();
  private state!: ScoutState;
  private loop?: Promise<void>;
  address = "";

  constructor(private readonly options: ScoutOptions) {
    this.journal = new ScoutJournal(options.dataDir);
    const { registry, groups } = options.contracts;
    const registryAddress = options.contracts.deployment.contracts.PodRegistry.address;
    const groupsAddress = options.contracts.deployment.contracts.GroupRegistry?.address;
    const followed = options.filter.groupId;
    if (followed !== undefined && !groupsAddress) throw new Error("SCOUT_GROUP: this deployment has no GroupRegistry");
    this.follower = new PodFollower(
      options.rpc,
      { address: registryAddress, interface: registry.interface },
      followed !== undefined ? { address: groupsAddress, interface: groups.interface, groupId: followed } : undefined,
    );
  }

  get filter(): string {
    return describeFilter(this.options.filter);
  }

  /** The findings not reported yet (a copy). */
  pending(): Finding[] {
    return this.state.pending.map((finding) => ({ ...finding }));
  }

  get nextBlock(): number {
    return this.state.nextBlock;
  }

  /** Checks the report group exists, loads or starts the cursor (saved at once), and begins to follow. */
  async start(): Promise<void> {
    const { options } = this;
    const { contracts } = options;
    this.address = await options.signer.getAddress();
    const groupCount = await contracts.groups.groupCount();
    if (options.reportGroup > groupCount) throw new Error(`SCOUT_REPORT_GROUP: group ${options.reportGroup} does not exist (there are ${groupCount})`);
    if (options.filter.groupId !== undefined && options.filter.groupId > groupCount) throw new Error(`SCOUT_GROUP: group ${options.filter.groupId} does not exist (there are ${groupCount})`);
    if (options.test && !(await contracts.registry.exists(options.test.podId))) throw new Error(`SCOUT_TEST_POD: pod ${options.test.podId} does not exist`);
    const registry = contracts.deployment.contracts.PodRegistry.address;
    const head = await options.rpc.latestHeader();
    const saved = this.journal.load();
    const same = saved && saved.chainId === contracts.chainId && saved.registry.toLowerCase() === registry.toLowerCase();
    // A saved cursor past the head means a new chain (a restarted dev chain): start over.
    const usable = same && saved.nextBlock <= head.number + 1 ? saved : undefined;
    if (saved && !usable) options.log.warn({ savedBlock: saved.nextBlock, head: head.number }, "the saved cursor is for another chain or registry: following from the start");
    this.state = usable ?? { chainId: contracts.chainId, registry, nextBlock: options.startBlock ?? head.number + 1, pending: [] };
    this.journal.save(this.state);
    this.loop = this.follow();
    options.log.info({ scout: this.address, filter: this.filter, fromBlock: this.state.nextBlock, pending: this.state.pending.length }, "scout started");
  }

  /** Stops following; a test run being waited for is waited for again by the next start. */
  async stop(): Promise<void> {
    if (this.stopping.signal.aborted) return;
    this.stopping.abort();
    this.options.rpc.stop();
    await this.loop?.catch(() => undefined);
  }

  private emit(event: ScoutEvent): void {
    this.options.onEvent?.(event);
  }

  private async follow(): Promise<void> {
    const { options } = this;
    let failures = 0;
    while (!this.stopping.signal.aborted) {
      try {
        await this.catchUp();
        await this.handlePending();
        failures = 0;
      } catch (error) {
        if (error instanceof StoppedError || this.stopping.signal.aborted) return;
        failures++;
        options.log.error({ err: errorText(error) }, "scouting failed; trying again");
        this.emit({ type: "error", key: this.state.pending[0]?.key, error: errorText(error) });
      }
      await sleep(failures > 0 ? Math.min(30_000, options.pollMs * 2 ** failures) : options.pollMs, this.stopping.signal);
    }
  }

  /** Reads every range up to the safe head; a range's findings and the cursor past it are saved together. */
  private async catchUp(): Promise<void> {
    const { options } = this;
    const head = await options.rpc.latestHeader();
    const safeHead = head.number - options.confirmations;
    while (this.state.nextBlock <= safeHead && !this.stopping.signal.aborted) {
      const toBlock = Math.min(safeHead, this.state.nextBlock + MAX_RANGE - 1);
      const events = await this.follower.read(this.state.nextBlock, toBlock);
      const found: Finding[] = [];
      for (const event of events) {
        const finding = await findingOf(options.contracts, options.filter, event);
        if (finding && !this.state.pending.some((entry) => entry.key === finding.key)) found.push(finding);
      }
      this.state = { ...this.state, nextBlock: toBlock + 1, pending: [...this.state.pending, ...found] };
      this.journal.save(this.state);
      for (const finding of found) {
        options.log.info({ podId: finding.podId, name: finding.name, event: finding.event }, "found a pod");
        this.emit({ type: "found", finding });
      }
    }
  }

  private save(finding: Finding): void {
    this.state = { ...this.state, pending: this.state.pending.map((entry) => (entry.key === finding.key ? finding : entry)) };
    this.journal.save(this.state);
  }

  private async handlePending(): Promise<void> {
    while (this.state.pending.length > 0 && !this.stopping.signal.aborted) {
      let finding = { ...this.state.pending[0] };
      if (this.options.test) {
        finding = await this.test(finding, this.options.test);
        if (this.stopping.signal.aborted) return;
      }
      await this.report(finding);
    }
  }

  /** Requests the test run (once: its id is saved), then waits for its end and saves what it produced. */
  private async test(finding: Finding, test: { podId: bigint; maxPay: string }): Promise<Finding> {
    const { contracts } = this.options;
    if (!finding.test) {
      try {
        const { token } = await runPriceOf(contracts, test.podId);
        const maxPayment = parseUnits(test.maxPay, await decimalsOf(token, contracts.runMarket.runner));
        const quote = await quoteRun(contracts, test.podId, { maxPayment });
        const run = await requestRun(contracts, quote, { inputRef: finding.manifestRef });
        finding = { ...finding, test: { podId: test.podId.toString(), runId: run.runId.toString() } };
        this.emit({ type: "test-requested", key: finding.key, runId: run.runId });
      } catch (error) {
        // A refusal the chain would repeat (no licence, a price above SCOUT_MAX_PAY) is reported, not retried.
        if (!(error instanceof MarketError)) throw error;
        finding = { ...finding, test: { podId: test.podId.toString(), error: error.message } };
      }
      this.save(finding);
    }
    const record = finding.test!;
    if (record.runId === undefined || record.status !== undefined) return finding;
    const final = await waitForRun(contracts, BigInt(record.runId), { pollMs: this.options.pollMs, signal: this.stopping.signal }).catch((error: unknown) => {
      if (this.stopping.signal.aborted) return undefined;
      throw error;
    });
    if (!final) return finding;
    const stage = final.run.stages[0];
    finding = {
      ...finding,
      test: {
        ...record,
        status: final.overdue ? `${final.status} (overdue)` : final.status,
        ...(stage?.outputRef && final.status === "completed" ? { outputRef: stage.outputRef } : {}),
        ...(stage?.logRef ? { logRef: stage.logRef } : {}),
        ...(final.phase ? { phase: final.phase } : {}),
      },
    };
    this.save(finding);
    return finding;
  }

  private async report(finding: Finding): Promise<void> {
    const { options } = this;
    const report = reportOf(finding, options.contracts.chainId);
    let messageId: bigint | undefined;
    if (finding.sendingFrom !== undefined && (await alreadyReported(options.contracts, options.storage, options.reportGroup, finding.key, finding.sendingFrom))) {
      options.log.info({ key: finding.key }, "the report was sent before the scout stopped: not sending it again");
    } else {
      const head = await options.rpc.latestHeader();
      this.save({ ...finding, sendingFrom: head.number });
      const sent = await sendReport(options.contracts, options.storage, options.reportGroup, report, options.maxFee);
      messageId = sent.messageId;
      options.log.info({ key: finding.key, messageId: sent.messageId.toString(), group: options.reportGroup.toString() }, "reported");
    }
    this.state = { ...this.state, pending: this.state.pending.filter((entry) => entry.key !== finding.key) };
    this.journal.save(this.state);
    this.emit({ type: "reported", key: finding.key, messageId, report });
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
