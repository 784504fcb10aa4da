import { StoppedError, type BlockHeader, type RpcClient } from "../chain/rpc";
import type { Database } from "../database";
import type { Logger } from "../log";
import { Batch, newRowCache, rowCacheSize } from "./batch";
import type { ChainEvent } from "./chain-event";
import type { IndexerEventName, IndexerEvents } from "./events";
import type { IndexerMetrics } from "./metrics";
import { deferIndexes, readDeferredIndexes, rebuildDeferredIndexes } from "./deferred-indexes";
import { getDecodedLogs, RangeTooLargeError } from "./get-logs";
import { PlannerStatistics } from "./statistics";
import type { ContractAddress, DecodedLogs } from "./log-decoding";
import type { IndexedSchema } from "./schema";
import { commitStatements, isUniqueViolation, lowestStoredBlock, prepareCommit, readCursor, readMeta, rollbackTo, runStatements, wipe, writeMeta, type Cursor } from "./store";

export interface IndexerStatus {
  chainId: number;
  headBlock: number;
  indexedBlock: { number: number; hash: string; timestamp: number } | null;
  backfilling: boolean;
  hasIndexingErrors: boolean;
  lastError?: string;
}

/** A condition the indexer must not paper over (a reorg deeper than finality): it stops. */
class FatalIndexingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FatalIndexingError";
  }
}

export interface IndexerSettings {
  db: Database;
  client: RpcClient;
  events: IndexerEvents;
  metrics: IndexerMetrics;
  log: Logger;
  /** The tables, routes and announcements of the modules whose contracts are followed. */
  schema: IndexedSchema;
  /** Where each followed contract lives (`contract`: its module's name). */
  contracts: ContractAddress[];
  startBlock: number;
  finalityDepth: number;
  pollMs: number;
  /** Target number of logs per backfill range; the block range adapts around it. */
  targetLogsPerRange: number;
  /** Largest block range asked for in one eth_getLogs. */
  maxBlockRange: number;
  /** Largest number of unfinalized blocks handled in one step (each needs its header). */
  maxTrackedRange: number;
  /** Mutable rows (pods, balances ...) kept in memory across backfill batches, a few hundred bytes each. */
  rowCacheLimit: number;
  /** Log ranges requested ahead of the one being applied during the backfill (default PREFETCH_RANGES). */
  prefetchRanges?: number;
}

/**
 * Log ranges requested ahead of the one being applied. With the secondary indexes deferred the
 * commits got quicker and the backfill waits on the node instead: two ahead measured +3..8% events/s
 * on bench:indexer (100k and 1M events, both backends) for ~25..40 MB more peak RSS (each range holds
 * up to INDEXER_TARGET_LOGS parsed logs; a block's logs are never split, so one can hold more).
 */
const PREFETCH_RANGES = 2;

/**
 * Backfill batches applied and waiting for their commit (each commits after the one before): the
 * loop applies range N+1 while range N commits, then waits for that commit. Two (applying one range
 * further ahead) measured no better on bench:indexer (100k events: 56/64/65% of the ceiling against
 * 56/74/68% with one, on 2 cores shared with other work): the three processes are CPU-bound, and a
 * second pending commit lengthens the drain at the end of the backfill.
 */
const MAX_PENDING_COMMITS = 1;

/** A backfill range of at most this many blocks asks for every header of its blocks together with its logs (fetchRange). */
const HEADERS_WITH_LOGS_MAX_BLOCKS = 16;

const blockNumbers = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index);

/** Events applied between two turns of the event loop: the commits in flight need it for every statement. */
const APPLY_SLICE = 1_000;

/** Applies `events` in order, letting the event loop run (the pending commits' I/O) every APPLY_SLICE events. */
async function applyYielding(batch: Batch, events: readonly ChainEvent[]): Promise<void> {
  for (let start = 0; start < events.length; start += APPLY_SLICE) {
    if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const end = Math.min(events.length, start + APPLY_SLICE);
    for (let index = start; index < end; index++) batch.apply(events[index]);
  }
}

interface FetchedRange {
  from: number;
  to: number;
  logs: DecodedLogs;
  /** Headers of `to` and of every block holding a log. */
  headers: Map<number, BlockHeader>;
}

/**
 * The ingest loop. Blocks deeper than the finality depth are backfilled in large adaptive ranges,
 * with the next range prefetched while the current one is written, and without undo journal. The
 * unfinalized tail and realtime blocks are followed header by header: every header must link to its
 * parent, every log must belong to the header fetched for its block, and mutable rows are journaled
 * so any of these blocks can be rolled back exactly. Each step commits its rows and the cursor in
 * one transaction, and announces events only after that commit.
 */
export class IndexerLoop {
  private cursor: Cursor | null = null;
  private head = 0;
  private backfilling = true;
  /** Secondary indexes dropped for a backfill from an empty database (deferred-indexes.ts), not yet rebuilt. */
  private indexesDeferred = false;
  private fatal: string | undefined;
  private lastError: string | undefined;
  private stopped = false;
  // Small at first so the first answer is quick; it doubles on every success below the log target.
  private rangeSize = 1;
  private wake: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private readonly addresses: string[];
  private readonly contracts: ContractAddress[];
  private readonly prefetchRanges: number;
  private readonly statistics: PlannerStatistics;

  constructor(private readonly s: IndexerSettings) {
    this.addresses = s.contracts.map((entry) => entry.address.toLowerCase());
    this.contracts = s.contracts.map((entry) => ({ address: entry.address.toLowerCase(), contract: entry.contract }));
    this.prefetchRanges = s.prefetchRanges ?? PREFETCH_RANGES;
    if (!Number.isInteger(this.prefetchRanges) || this.prefetchRanges < 1) throw new Error(`prefetchRanges must be an integer ≥ 1, got ${s.prefetchRanges}`);
    this.statistics = new PlannerStatistics(s.schema.dataTableNames);
  }

  status(): IndexerStatus {
    return {
      chainId: this.s.client.chainId,
      headBlock: this.head,
      indexedBlock: this.cursor ? { number: this.cursor.number, hash: this.cursor.hash, timestamp: this.cursor.timestamp } : null,
      backfilling: this.backfilling,
      hasIndexingErrors: this.fatal !== undefined,
      ...(this.fatal ?? this.lastError ? { lastError: this.fatal ?? this.lastError } : {}),
    };
  }

  /** Checks what the database holds against the chain, then runs until stop(). */
  async start(): Promise<void> {
    await this.checkIdentity();
    this.cursor = await readCursor(this.s.db);
    await this.statistics.load(this.s.db);
    // Left deferred by an earlier run that was stopped or killed mid-backfill: the backfill carries on
    // without them, and they are built once its final blocks are in (as if it had not been interrupted).
    this.indexesDeferred = (await readDeferredIndexes(this.s.db)) !== undefined;
    if (this.indexesDeferred) this.s.log.info({ block: this.cursor?.number }, "secondary indexes are still deferred from an interrupted backfill; they are built when it completes");
    if (this.cursor) this.s.metrics.indexedBlock.set(this.cursor.number);
    const unsubscribe = this.s.client.onNewHead(() => this.wake?.());
    this.running = this.run().finally(unsubscribe);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.s.client.stop();
    this.wake?.();
    await this.running;
  }

  /**
   * A database indexes one chain and one set of contracts. A different chain id is refused (it is
   * somebody's real data); a different genesis hash with the same chain id is a restarted dev chain,
   * and different contract addresses a redeployment: both start over from scratch.
   */
  private async checkIdentity(): Promise<void> {
    const genesis = await this.s.client.headerAt(0);
    if (!genesis) throw new Error("the chain has no genesis block");
    const contracts = JSON.stringify(this.addresses);
    const [storedChain, storedGenesis, storedContracts] = await Promise.all(["chain_id", "genesis_hash", "contracts"].map((key) => readMeta(this.s.db, key)));
    if (storedChain !== undefined && Number(storedChain) !== this.s.client.chainId) {
      throw new Error(`the database indexes chain ${storedChain}, but the RPC serves chain ${this.s.client.chainId}: use another database`);
    }
    const restarted = storedGenesis !== undefined && storedGenesis !== genesis.hash;
    const redeployed = storedContracts !== undefined && storedContracts !== contracts;
    await this.s.db.transaction(async (tx) => {
      if (restarted || redeployed) {
        this.s.log.warn({ storedGenesis, genesis: genesis.hash, redeployed }, restarted ? "the chain was restarted (new genesis hash): re-indexing from scratch" : "the contracts were redeployed: re-indexing from scratch");
        await wipe(tx, this.s.schema);
      }
      await writeMeta(tx, "chain_id", String(this.s.client.chainId));
      await writeMeta(tx, "genesis_hash", genesis.hash);
      await writeMeta(tx, "contracts", contracts);
    });
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        const progressed = await this.step();
        failures = 0;
        this.lastError = undefined;
        if (!progressed) await this.idle(this.s.pollMs);
      } catch (error) {
        if (error instanceof StoppedError || this.stopped) break;
        if (error instanceof FatalIndexingError) {
          this.fatal = error.message;
          this.s.log.error({ error: error.message }, "indexing stopped");
          // The data stays served as it is: with its indexes.
          if (this.indexesDeferred) await this.rebuildIndexes().catch((rebuildError) => this.s.log.error({ error: String(rebuildError) }, "could not rebuild the deferred indexes"));
          break;
        }
        failures++;
        this.lastError = (error as Error).message;
        const delay = Math.min(10_000, 200 * 2 ** Math.min(failures, 6)) * (0.5 + Math.random());
        this.s.log.error({ error: (error as Error).stack ?? String(error), retryInMs: Math.round(delay) }, "indexing step failed; retrying");
        await this.idle(delay);
      }
    }
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  /** One unit of progress; false when already at the head. */
  private async step(): Promise<boolean> {
    const head = await this.s.client.latestHeader();
    this.head = head.number;
    this.s.metrics.headBlock.set(head.number);
    const cursor = this.cursor;
    if (cursor && head.number <= cursor.number) {
      if (head.number < cursor.number || head.hash !== cursor.hash) {
        await this.rollBackReorg(head);
        return true;
      }
      if (this.indexesDeferred) {
        await this.rebuildIndexes();
        return true;
      }
      await this.markAtHead();
      return false;
    }
    const from = cursor ? cursor.number + 1 : this.s.startBlock;
    const finalBoundary = head.number - this.s.finalityDepth;
    if (from <= finalBoundary) {
      // From an empty database, the indexes are built once over the loaded tables instead of row by row.
      if (!cursor && !this.indexesDeferred) this.indexesDeferred = (await deferIndexes(this.s.db, this.s.log, this.s.schema.dataTableNames)) > 0;
      await this.backfillFinal(from, finalBoundary);
    } else if (this.indexesDeferred) {
      // The final blocks are in: the indexes come back before the tail is followed (and journaled
      // rows rolled back, which looks rows up by them) and before status() stops saying backfilling.
      await this.rebuildIndexes();
    } else {
      await this.followTracked(from, head.number);
      // The tail: only the tables that grew past the threshold since their last ANALYZE.
      if (!this.backfilling) await this.analyze(this.statistics.due());
    }
    this.s.metrics.lagBlocks.set(Math.max(0, this.head - (this.cursor?.number ?? 0)));
    return true;
  }

  private async rebuildIndexes(): Promise<void> {
    await rebuildDeferredIndexes(this.s.db, this.s.log);
    this.indexesDeferred = false;
    // Freshly loaded tables have no statistics: every one is analysed before the backfill is said done.
    await this.analyze();
  }

  /** ANALYZE of `tables` (default all the data tables); a failure is logged, not fatal: the data is right, only plans suffer. */
  private async analyze(tables?: readonly string[]): Promise<void> {
    if (tables?.length === 0) return;
    try {
      await this.statistics.analyze(this.s.db, this.s.log, tables);
    } catch (error) {
      if (this.stopped) return;
      this.s.log.warn({ error: String(error) }, "could not update the planner statistics (ANALYZE)");
    }
  }

  private async markAtHead(): Promise<void> {
    if (this.backfilling) {
      // A backfill that resumed (indexes not deferred) or grew the tables: statistics before /ready.
      await this.analyze(this.statistics.due({ unanalysed: true }));
      this.s.log.info({ block: this.cursor?.number }, "backfill done; following the head");
    }
    this.backfilling = false;
    this.s.metrics.lagBlocks.set(Math.max(0, this.head - (this.cursor?.number ?? 0)));
  }

  /** Blocks up to `boundary` are final: big ranges, pipelined, no journal. */
  private async backfillFinal(from: number, boundary: number): Promise<void> {
    if (this.cursor) {
      // Final blocks cannot reorganise, but the blocks we stopped at last time might have, while we were away.
      const still = await this.s.client.headerAt(this.cursor.number);
      if (!still || still.hash !== this.cursor.hash) {
        await this.rollBackReorg(await this.s.client.latestHeader());
        return;
      }
    }
    const started = Date.now();
    let events = 0;
    // Ranges are cut when they are requested (a refused range is split, never moved), so the next
    // ones can be requested before this one is known: the node prepares them while we apply.
    const queue: Promise<FetchedRange>[] = [];
    let nextFrom = from;
    const prefetch = () => {
      while (queue.length < this.prefetchRanges && nextFrom <= boundary) {
        const to = Math.min(boundary, nextFrom + this.rangeSize - 1);
        const promise = this.fetchRange(nextFrom, to, boundary);
        promise.catch(() => undefined); // awaited below; this only silences the unhandled-rejection warning
        queue.push(promise);
        nextFrom = to + 1;
      }
    };
    // Three stages overlap: the node prepares the next ranges (prefetchRanges of them), this thread
    // decodes and applies range N+1, the database commits the ranges applied before it. Commits stay
    // strictly in order, one at a time: each starts when the previous one is committed, and none
    // starts after a failure. A batch reads the rows earlier batches touched from a cache shared with
    // them; a row missing from it was touched by no uncommitted batch, so the database has it right.
    let cache = newRowCache(this.s.schema);
    let previous: Batch | undefined;
    // The last commit requested; each one waits for its predecessor.
    let committedInOrder: Promise<void> = Promise.resolve();
    const pendingCommits: Promise<void>[] = [];
    prefetch();
    let lastLog = Date.now();
    try {
      while (queue.length > 0 && !this.stopped) {
        const range: FetchedRange = await queue.shift()!;
        prefetch();
        if (previous && rowCacheSize(cache) > this.s.rowCacheLimit) {
          // Bounded memory: once everything in it is committed, keep only the last batch's rows.
          await committedInOrder;
          cache = previous.changedRowsCache();
        }
        const to = range.headers.get(range.to)!;
        let decoded = this.timestamped(range.logs, range.headers);
        const count = decoded.length;
        // Nothing below needs the range's logs, nor (after apply) the events: let them die young
        // instead of being promoted while the previous commit is awaited.
        range.logs = { events: [], unknown: [] };
        const batch = new Batch(this.s.schema, false, cache);
        previous = batch;
        await batch.load(this.s.db, decoded);
        await applyYielding(batch, decoded);
        decoded = [];
        const statements = prepareCommit(batch, { chainId: this.s.client.chainId, cursor: to, headers: [to], pruneBelow: to.number - this.s.finalityDepth });
        const written = batch.rowsWritten();
        const commit = committedInOrder.then(async () => {
          await commitStatements(this.s.db, statements);
          batch.release();
          this.committed(batch, to, count, true, written);
        });
        commit.catch(() => undefined); // awaited below or by the next commit
        committedInOrder = commit;
        pendingCommits.push(commit);
        // Applied batches wait for their commit with their COPY payloads only (a few MB each).
        while (pendingCommits.length > MAX_PENDING_COMMITS) await pendingCommits.shift();
        events += count;
        if (Date.now() - lastLog > 5_000) {
          lastLog = Date.now();
          const seconds = (Date.now() - started) / 1000;
          this.s.log.info({ block: range.to, target: boundary, events, eventsPerSecond: Math.round(events / seconds), blocksPerRange: this.rangeSize }, "backfilling");
        }
      }
      await committedInOrder;
    } finally {
      for (const pending of queue) await pending.catch(() => undefined);
      // After a failure the cache may hold changes that were never committed: it dies with this call,
      // and the next attempt starts again from the committed cursor.
      await committedInOrder.catch(() => undefined);
    }
  }

  /** Fetches the logs of blocks from..to, plus the headers they need; adapts the size of the next ranges. */
  private async fetchRange(from: number, to: number, limit: number): Promise<FetchedRange> {
    // A range of few blocks (a dense one) asks for all their headers with its logs: asked for once the
    // logs are in, they would wait at the node behind the next range's eth_getLogs, and the range
    // with them (parsed logs held meanwhile get promoted, which costs collections).
    const early = to - from + 1 <= HEADERS_WITH_LOGS_MAX_BLOCKS ? this.s.client.headersAt(blockNumbers(from, to)) : undefined;
    early?.catch(() => undefined); // awaited below unless the logs fail first
    const logs = await this.fetchLogs(from, to, true);
    const count = logs.events.length + logs.unknown.length;
    if (count > this.s.targetLogsPerRange && this.rangeSize > 1) this.rangeSize = Math.max(1, Math.floor(this.rangeSize / 2));
    else if (count < this.s.targetLogsPerRange / 2 && to - from + 1 >= this.rangeSize) this.rangeSize = Math.min(this.s.maxBlockRange, this.rangeSize * 2);
    const numbers = new Set<number>([to]);
    for (const log of logs.events) numbers.add(log.blockNumber);
    const list = early ? blockNumbers(from, to) : [...numbers];
    const fetched = await (early ?? this.s.client.headersAt(list));
    const headers = new Map<number, BlockHeader>();
    fetched.forEach((header, index) => {
      if (!numbers.has(list[index])) return;
      if (!header) throw new Error(`block ${list[index]} is missing from the chain below the finality boundary ${limit}`);
      headers.set(list[index], header);
    });
    let checked = "";
    for (const log of logs.events) {
      if (log.blockHash === checked) continue; // the same block as the log before, already checked
      const header = headers.get(log.blockNumber);
      if (!header) throw new Error(`log ${log.txHash}:${log.logIndex} is of block ${log.blockNumber}, outside the range ${from}..${to} asked for`);
      checked = log.blockHash;
      if (header.hash !== log.blockHash) {
        throw new Error(`log ${log.txHash}:${log.logIndex} has block hash ${log.blockHash}, but block ${log.blockNumber} is ${header.hash}`);
      }
    }
    return { from, to, logs, headers };
  }

  /** The unfinalized tail: every header fetched, linked, stored and journaled. */
  private async followTracked(from: number, headNumber: number): Promise<void> {
    const to = Math.min(headNumber, from + this.s.maxTrackedRange - 1);
    const numbers = Array.from({ length: to - from + 1 }, (_, index) => from + index);
    const [fetched, logs] = await Promise.all([this.s.client.headersAt(numbers), this.fetchLogs(from, to, false)]);
    if (fetched.some((header) => header === null)) return; // the chain got shorter meanwhile: look again
    const headers = fetched as BlockHeader[];
    if (this.cursor && headers[0].parentHash !== this.cursor.hash) {
      await this.rollBackReorg(await this.s.client.latestHeader());
      return;
    }
    for (let index = 1; index < headers.length; index++) {
      if (headers[index].parentHash !== headers[index - 1].hash) return; // reorganised while fetching: look again
    }
    const byNumber = new Map(headers.map((header) => [header.number, header]));
    for (const log of logs.events) {
      if (byNumber.get(log.blockNumber)?.hash !== log.blockHash) return; // logs of another fork: look again
    }
    await this.commitRange(logs, byNumber, headers[headers.length - 1], headers, true);
    for (const header of headers) this.s.events.emit("block", { number: header.number, hash: header.hash, timestamp: header.timestamp });
    if (to === headNumber) await this.markAtHead();
  }

  /** The logs of blocks from..to; a range the node refuses is split in halves (and, when `adapt`, later ranges shrink). */
  private async fetchLogs(from: number, to: number, adapt: boolean): Promise<DecodedLogs> {
    try {
      return await getDecodedLogs(this.s.client, from, to, this.contracts, this.s.schema.modules);
    } catch (error) {
      if (!(error instanceof RangeTooLargeError)) throw error;
      if (adapt) this.rangeSize = Math.max(1, Math.min(this.rangeSize, Math.floor((to - from + 1) / 2)));
      this.s.log.debug({ from, to, rangeSize: this.rangeSize }, "range refused by the node; splitting it");
      const middle = Math.floor((from + to) / 2);
      const first = await this.fetchLogs(from, middle, adapt);
      const second = await this.fetchLogs(middle + 1, to, adapt);
      return { events: first.events.concat(second.events), unknown: first.unknown.concat(second.unknown) };
    }
  }

  /** The decoded events in chain order, each given its block's timestamp; unknown events are reported. */
  private timestamped(logs: DecodedLogs, headers: Map<number, BlockHeader>): ChainEvent[] {
    for (const log of logs.unknown) this.s.log.warn({ contract: log.address, topic0: log.topic0, tx: log.txHash }, "unknown event; not indexed");
    const events = logs.events;
    let block = -1;
    let timestamp = 0;
    for (const event of events) {
      if (event.blockNumber !== block) timestamp = headers.get((block = event.blockNumber))!.timestamp;
      event.timestamp = timestamp;
    }
    // eth_getLogs returns chain order already; sorting guards against nodes that do not.
    events.sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
    return events;
  }

  /** Applies and commits logs of blocks ..`cursor` in one transaction; returns the number of events. */
  private async commitRange(logs: DecodedLogs, headers: Map<number, BlockHeader>, cursor: BlockHeader, keep: BlockHeader[], journal: boolean): Promise<number> {
    const events = this.timestamped(logs, headers);
    let written: [string, number][] = [];
    const attempt = async (viaStaging: boolean) => {
      const batch = new Batch(this.s.schema, journal);
      await this.s.db.transaction(async (tx) => {
        await batch.load(tx, events);
        for (const event of events) batch.apply(event);
        const statements = prepareCommit(batch, { chainId: this.s.client.chainId, cursor, headers: keep, pruneBelow: cursor.number - this.s.finalityDepth });
        written = batch.rowsWritten();
        await runStatements(tx, statements, viaStaging);
      });
      batch.release();
      return batch;
    };
    // See commitStatements: a repeated licence or version number makes COPY fail; redo via staging.
    const batch = await attempt(false).catch((error) => {
      if (!isUniqueViolation(error)) throw error;
      return attempt(true);
    });
    this.committed(batch, cursor, events.length, !journal, written);
    return events.length;
  }

  /** After a commit: the cursor, metrics and the announcements. */
  private committed(batch: Batch, cursor: BlockHeader, eventCount: number, announceBlock: boolean, written: readonly [string, number][]): void {
    for (const [table, rows] of written) this.statistics.written(table, rows);
    this.cursor = { chainId: this.s.client.chainId, number: cursor.number, hash: cursor.hash, timestamp: cursor.timestamp };
    this.s.metrics.indexedBlock.set(cursor.number);
    this.s.metrics.eventsProcessed.inc(eventCount);
    if (announceBlock) this.s.events.emit("block", { number: cursor.number, hash: cursor.hash, timestamp: cursor.timestamp });
    // Typed where the modules build them (EventEffects.announce); the engine only relays them.
    for (const [name, payloads] of batch.announcements) for (const payload of payloads) this.s.events.emit(name as IndexerEventName, payload as never);
  }

  /**
   * The chain no longer has our cursor block. Finds the highest stored block it still has (the
   * common ancestor) and rolls everything above it back in one transaction. No ancestor within the
   * stored (unfinalized) blocks means a reorg deeper than finality, or a restarted dev chain.
   */
  private async rollBackReorg(head: BlockHeader): Promise<void> {
    const cursor = this.cursor!;
    const stored = await this.s.db.query<{ number: string; hash: string; parent_hash: string; timestamp: string }>(
      `SELECT number, hash, parent_hash, timestamp FROM blocks WHERE number <= $1 ORDER BY number DESC`,
      [Math.min(head.number, cursor.number)],
    );
    let ancestor: BlockHeader | undefined;
    for (let start = 0; start < stored.length && !ancestor; start += 32) {
      const slice = stored.slice(start, start + 32);
      const onChain = await this.s.client.headersAt(slice.map((row) => Number(row.number)));
      const index = slice.findIndex((row, i) => onChain[i]?.hash === row.hash);
      if (index >= 0) {
        const row = slice[index];
        ancestor = { number: Number(row.number), hash: row.hash, parentHash: row.parent_hash, timestamp: Number(row.timestamp) };
      }
    }
    if (!ancestor) {
      const genesis = await this.s.client.headerAt(0);
      const storedGenesis = await readMeta(this.s.db, "genesis_hash");
      if (genesis && storedGenesis !== undefined && genesis.hash !== storedGenesis) {
        this.s.log.warn({ storedGenesis, genesis: genesis.hash }, "the chain was restarted (new genesis hash): re-indexing from scratch");
        await this.s.db.transaction(async (tx) => {
          await wipe(tx, this.s.schema);
          await writeMeta(tx, "genesis_hash", genesis.hash);
        });
        const removedTo = cursor.number;
        this.cursor = null;
        this.backfilling = true;
        this.s.metrics.rollbacks.inc();
        this.s.events.emit("rollback", { fromBlock: this.s.startBlock, toBlock: removedTo, commonAncestor: { number: this.s.startBlock - 1, hash: "" } });
        return;
      }
      const lowest = await lowestStoredBlock(this.s.db);
      throw new FatalIndexingError(
        `reorg deeper than the finality depth (${this.s.finalityDepth} blocks): indexed block ${cursor.number} (${cursor.hash}) is no longer on the chain ` +
          `and none of the kept blocks down to ${lowest ?? "none"} is either. The indexer stopped to avoid serving wrong data; ` +
          `raise INDEXER_FINALITY_DEPTH if this chain reorganises this deep, and re-index from scratch (empty database).`,
      );
    }
    const found = ancestor;
    if (found.number === cursor.number) {
      // The chain still has our cursor block: the mismatch was a node answering from two views
      // (a race, a load balancer, or Hardhat's lazily materialised hardhat_mine blocks). Nothing to
      // undo; the next step looks again.
      this.s.log.warn({ block: cursor.number, hash: cursor.hash }, "parent-hash mismatch above a block that is still canonical; retrying");
      await this.idle(this.s.pollMs);
      return;
    }
    await this.s.db.transaction((tx) => rollbackTo(tx, this.s.schema, this.s.client.chainId, found));
    this.cursor = { chainId: this.s.client.chainId, number: found.number, hash: found.hash, timestamp: found.timestamp };
    this.s.metrics.rollbacks.inc();
    this.s.metrics.rolledBackBlocks.inc(cursor.number - found.number);
    this.s.metrics.indexedBlock.set(found.number);
    this.s.log.warn({ commonAncestor: found.number, removedFrom: found.number + 1, removedTo: cursor.number }, "chain reorganisation rolled back");
    this.s.events.emit("rollback", { fromBlock: found.number + 1, toBlock: cursor.number, commonAncestor: { number: found.number, hash: found.hash } });
  }
}
