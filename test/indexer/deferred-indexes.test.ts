import type { ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import pino from "pino";
import type { Indexer } from "../../services/indexer";
import { migrate, openDatabase, type Database, type Queryable } from "../../services/database";
import {
  DEFERRED_INDEXES_KEY,
  deferIndexes,
  readDeferredIndexes,
  rebuildDeferredIndexes,
  rebuildDeferredIndexesBeforeMigrations,
  REBUILD_CONNECTIONS,
  secondaryIndexes,
} from "../../services/indexer/deferred-indexes";
import type { Logger } from "../../services/log";
import { startHardhatNode, type TestHardhatNode } from "../support/hardhat-node";
import { deployFloods, sellLicenses, type FloodChain } from "../support/indexer/flood";
import { backends, dumpTables, freshIndexDump, freshSchemaName, latestBlock, quietLog, startTestIndexer, waitFor, waitForHead, type Backend } from "../support/indexer/harness";
import { killHard, spawnIndexer, stopGently } from "../support/indexer/indexer-process";

/**
 * Every index of the current schema (primary keys and bookkeeping tables included), as
 * pg_indexes prints it, without the schema name (PostgreSQL tests each run in a schema of their own).
 */
async function indexSet(db: Queryable): Promise<{ name: string; definition: string }[]> {
  return db.query(
    `SELECT indexname AS name, replace(indexdef, ' ON ' || quote_ident(schemaname) || '.', ' ON ') AS definition
       FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname`,
  );
}

interface LogRecord {
  msg: string;
  indexes?: number;
  /** What status().backfilling said when the record was written. */
  backfilling?: boolean;
}

/** A logger that keeps its records (pino writes synchronously), each with the indexer's backfilling flag at that moment. */
function recordingLog(status: () => { backfilling: boolean } | undefined): { log: Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  const log = pino({ level: "info", base: undefined }, { write: (line: string) => void records.push(logRecord(line, status()?.backfilling)) });
  return { log, records };
}

/** The fields of a pino line the tests read. */
function logRecord(line: string, backfilling: boolean | undefined): LogRecord {
  const fields: unknown = JSON.parse(line);
  if (typeof fields !== "object" || fields === null || !("msg" in fields) || typeof fields.msg !== "string") throw new Error(`not a log record: ${line}`);
  const indexes = "indexes" in fields && typeof fields.indexes === "number" ? fields.indexes : undefined;
  return { msg: fields.msg, indexes, backfilling };
}

const FINALITY = 8;

describe("indexer: secondary indexes deferred during a fresh backfill", function () {
  this.timeout(240_000);
  let node: TestHardhatNode;
  let chain: FloodChain;
  const used: Backend[] = [];
  const running: Indexer[] = [];
  const children: ChildProcess[] = [];
  const cleanups: (() => Promise<void>)[] = [];

  const head = () => latestBlock(chain.provider);

  before(async () => {
    node = await startHardhatNode();
    chain = await deployFloods(node.url);
    const owner = await chain.signer.getAddress();
    // ~25 blocks of 60..90 events, then FINALITY empty blocks so most of them are final: with a
    // target of 150 logs per range, the backfill commits a dozen ranges or more.
    for (let block = 0; block < 12; block++) {
      await (await chain.registry.publish(1 + block * 20, 20, owner, block > 0 ? 1 : 0, `0x${"cd".repeat(32)}`)).wait();
      await sellLicenses(chain, 1 + block * 20, 0x7000 + block * 1000, 90, owner, "0x0000000000000000000000000000000000000000", 500 + block);
    }
    for (let block = 0; block < FINALITY; block++) await chain.provider.send("evm_mine", []);
  });

  after(async () => {
    await Promise.all(running.map((indexer) => indexer.stop().catch(() => undefined)));
    await Promise.all(children.map(killHard));
    for (const backend of used) await backend.cleanup();
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    await node?.stop();
  });

  const list = backends();
  used.push(...list);
  for (const backend of list) {
    it(`${backend.label}: a fresh backfill defers them, says backfilling until they are rebuilt, and ends with the migrated set`, async () => {
      const reference = await backend.open();
      const expected = await indexSet(reference);
      expect((await secondaryIndexes(reference)).length, "secondary indexes of a migrated database").to.be.greaterThan(20);

      const db = await backend.open();
      // The log is written from start-up on, before startTestIndexer has returned the indexer.
      const started: { indexer?: Indexer } = {};
      const { log, records } = recordingLog(() => started.indexer?.status());
      const indexer = await startTestIndexer({ rpcUrl: node.url, deployment: chain.deployment, db, finalityDepth: FINALITY, targetLogsPerRange: 150, log });
      started.indexer = indexer;
      running.push(indexer);
      // The first time status() stops saying backfilling, the rebuild must already be committed.
      let atTransition: Promise<{ rebuiltLogged: boolean; record: unknown; secondary: number }> | undefined;
      const sampler = setInterval(() => {
        if (atTransition || indexer.status().backfilling) return;
        const rebuiltLogged = records.some((record) => /deferred secondary indexes rebuilt/.test(record.msg));
        atTransition = (async () => ({ rebuiltLogged, record: await readDeferredIndexes(db), secondary: (await secondaryIndexes(db)).length }))();
      }, 1);
      try {
        await waitForHead(indexer, head);
        await waitFor("backfilling to end", () => atTransition !== undefined);
      } finally {
        clearInterval(sampler);
      }
      const seen = await atTransition!;
      expect(seen.rebuiltLogged, "rebuild committed and logged when backfilling turned false").to.equal(true);
      expect(seen.record, "meta record when backfilling turned false").to.equal(undefined);
      expect(seen.secondary).to.equal((await secondaryIndexes(reference)).length);

      const deferred = records.find((record) => /secondary indexes deferred/.test(record.msg));
      const rebuilt = records.find((record) => /deferred secondary indexes rebuilt/.test(record.msg));
      expect(deferred?.indexes, "logged deferral").to.equal((await secondaryIndexes(reference)).length);
      expect(rebuilt?.indexes, "logged rebuild").to.equal(deferred?.indexes);
      expect(records.indexOf(rebuilt!)).to.be.greaterThan(records.indexOf(deferred!));
      expect(rebuilt?.backfilling, "status().backfilling right after the rebuild committed").to.equal(true);

      expect(await indexSet(db)).to.deep.equal(expected);
      const fresh = await freshIndexDump(node.url, chain.deployment, head);
      const dump = await dumpTables(db);
      expect(fresh.pod_versions.length + fresh.licenses.length).to.be.greaterThan(1_000);
      for (const table of Object.keys(fresh)) expect(dump[table], `table ${table}`).to.deep.equal(fresh[table]);
    });

    it(`${backend.label}: a rebuild commits nothing unless every build succeeds: a failure half-way leaves them all deferred and recorded`, async () => {
      const db = await backend.open();
      const expected = await indexSet(db);
      const count = await deferIndexes(db, quietLog);
      expect(count).to.be.greaterThan(20);
      expect(await secondaryIndexes(db)).to.deep.equal([]);
      const record = (await readDeferredIndexes(db))!;
      expect(record).to.have.length(count);

      // A last definition that cannot be built: the ones built before it must vanish with it.
      const broken = [...record, { name: "zz_broken_idx", table: "pods", definition: "CREATE INDEX zz_broken_idx ON pods USING btree (no_such_column)" }];
      await db.query(`UPDATE meta SET value = $2 WHERE key = $1`, [DEFERRED_INDEXES_KEY, JSON.stringify(broken)]);
      let failure: unknown;
      await rebuildDeferredIndexes(db, quietLog).catch((error: unknown) => (failure = error));
      expect(String(failure)).to.match(/no_such_column/);
      expect(await secondaryIndexes(db)).to.deep.equal([]);
      expect(await readDeferredIndexes(db)).to.deep.equal(broken);

      await db.query(`UPDATE meta SET value = $2 WHERE key = $1`, [DEFERRED_INDEXES_KEY, JSON.stringify(record)]);
      expect(await rebuildDeferredIndexes(db, quietLog)).to.equal(count);
      expect(await readDeferredIndexes(db)).to.equal(undefined);
      expect(await indexSet(db)).to.deep.equal(expected);
      expect(await rebuildDeferredIndexes(db, quietLog), "nothing left to rebuild").to.equal(0);

      // A database that already holds indexed data (a cursor) never has its indexes dropped.
      await db.query(`INSERT INTO cursor (id, chain_id, block_number, block_hash, block_timestamp) VALUES (1, 31337, 5, '0x05', 5)`);
      expect(await deferIndexes(db, quietLog)).to.equal(0);
      expect(await indexSet(db)).to.deep.equal(expected);
    });

    it(`${backend.label}: a rebuild interrupted between its commits (some built, the record still naming them) builds the rest`, async () => {
      const db = await backend.open();
      const expected = await indexSet(db);
      const count = await deferIndexes(db, quietLog);
      const record = (await readDeferredIndexes(db))!;
      // What a kill between the commits of a rebuild over several connections leaves: the builds of
      // the connections that committed, and the record, removed by the one that commits last.
      const committed = record.filter((_, position) => position % 3 === 0);
      for (const index of committed) await db.query(index.definition);
      expect((await secondaryIndexes(db)).map((index) => index.name)).to.have.members(committed.map((index) => index.name));

      expect(await rebuildDeferredIndexes(db, quietLog)).to.equal(count);
      expect(await readDeferredIndexes(db)).to.equal(undefined);
      expect(await indexSet(db)).to.deep.equal(expected);
    });

    if (backend.label === "postgres") {
      it("postgres: the builds run on several connections at once, and none commits before all are built", async () => {
        const db = await backend.open();
        const expected = await indexSet(db);
        const count = await deferIndexes(db, quietLog);
        expect(REBUILD_CONNECTIONS).to.be.greaterThan(1);
        // Another session holds a lock that CREATE INDEX on pods waits for; pods has more deferred
        // indexes than there are connections, so every connection ends up waiting on it.
        let release!: () => void;
        const released = new Promise<void>((resolve) => (release = resolve));
        let lockerPid = 0;
        const locker = db.transaction(async (tx) => {
          await tx.query(`LOCK TABLE pods IN SHARE ROW EXCLUSIVE MODE`);
          lockerPid = Number((await tx.query<{ pid: number }>(`SELECT pg_backend_pid() AS pid`))[0].pid);
          await released;
        });
        await waitFor("the lock", () => lockerPid !== 0);
        const rebuild = rebuildDeferredIndexes(db, quietLog);
        const waiting = async () =>
          Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid)) AND query LIKE 'CREATE INDEX%'`, [lockerPid]))[0].n);
        try {
          await waitFor(`${REBUILD_CONNECTIONS} connections building at once`, async () => (await waiting()) === REBUILD_CONNECTIONS, 20_000);
          // Builds on other tables have run meanwhile, uncommitted: nothing is visible yet.
          expect(await secondaryIndexes(db)).to.deep.equal([]);
          expect(await readDeferredIndexes(db)).to.have.length(count);
        } finally {
          release();
          await locker;
        }
        expect(await rebuild).to.equal(count);
        expect(await readDeferredIndexes(db)).to.equal(undefined);
        expect(await indexSet(db)).to.deep.equal(expected);
      });
    }

    it(`${backend.label}: before a pending migration, deferred indexes are rebuilt; with none pending they stay deferred`, async () => {
      const db = await backend.open();
      const expected = await indexSet(db);
      const count = await deferIndexes(db, quietLog);
      expect(await rebuildDeferredIndexesBeforeMigrations(db, quietLog), "no migration pending").to.equal(0);
      expect(await secondaryIndexes(db)).to.deep.equal([]);

      // Migration 051 (DROP INDEX IF EXISTS pods_name_idx) forgotten: it is pending again.
      await db.query(`DELETE FROM schema_migrations WHERE version = 51`);
      expect(await rebuildDeferredIndexesBeforeMigrations(db, quietLog)).to.equal(count);
      expect(await readDeferredIndexes(db)).to.equal(undefined);
      await migrate(db);
      expect(await indexSet(db)).to.deep.equal(expected);
    });

    it(`${backend.label}: startIndexer rebuilds deferred indexes before it runs a pending migration`, async () => {
      const db = await backend.open();
      const expected = await indexSet(db);
      await deferIndexes(db, quietLog);
      await db.query(`DELETE FROM schema_migrations WHERE version = 51`);
      const { log, records } = recordingLog(() => undefined);
      const indexer = await startTestIndexer({ rpcUrl: node.url, deployment: chain.deployment, db, finalityDepth: FINALITY, log });
      running.push(indexer);
      const messages = records.map((record) => record.msg);
      const rebuiltFirst = messages.findIndex((msg) => msg.startsWith("a migration is pending while secondary indexes are deferred"));
      expect(rebuiltFirst, `start-up log: ${messages.join(" | ")}`).to.be.greaterThan(-1);
      expect(messages.indexOf("indexer started")).to.be.greaterThan(rebuiltFirst);
      expect(await db.query(`SELECT 1 FROM schema_migrations WHERE version = 51`)).to.have.length(1);
      // The indexer had a cursor-less database and may defer again for its own backfill; once it is at the head, all is built.
      await waitForHead(indexer, head);
      expect(await indexSet(db)).to.deep.equal(expected);
    });
  }

  const targets: { label: Backend["label"]; env: () => Record<string, string>; open: (env: Record<string, string>) => Promise<Database> }[] = [
    {
      label: "pglite",
      env: () => {
        const dir = mkdtempSync(join(tmpdir(), "lure-deferred-"));
        cleanups.push(() => rm(dir, { recursive: true, force: true }));
        return { CHILD_PGLITE_DIR: dir };
      },
      open: (env) => openDatabase({ pgliteDir: env.CHILD_PGLITE_DIR }),
    },
  ];
  if (process.env.TEST_DATABASE_URL) {
    const url = process.env.TEST_DATABASE_URL;
    targets.push({
      label: "postgres",
      env: () => {
        const schema = freshSchemaName();
        cleanups.push(async () => {
          const db = await openDatabase({ databaseUrl: url });
          await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          await db.close();
        });
        return { CHILD_DATABASE_URL: url, CHILD_SCHEMA: schema };
      },
      open: (env) => openDatabase({ databaseUrl: url, schema: env.CHILD_SCHEMA }),
    });
  }

  for (const target of targets) {
    it(`${target.label}: kill -9 mid-backfill leaves them dropped and recorded; the restart finishes the backfill and rebuilds them`, async () => {
      // A database that was only migrated: what every index should look like.
      const reference = await list.find((backend) => backend.label === target.label)!.open();
      const expectedSet = await indexSet(reference);
      const expectedSecondary = await secondaryIndexes(reference);
      const env = {
        ...target.env(),
        CHILD_RPC_URL: node.url,
        CHILD_DEPLOYMENT: JSON.stringify(chain.deployment),
        CHILD_FINALITY_DEPTH: String(FINALITY),
        CHILD_TARGET_LOGS: "150",
      };
      const final = await head();

      const first = spawnIndexer(env);
      children.push(first.child);
      await first.line(/^block \d+$/, 120_000);
      await killHard(first.child);
      let db = await target.open(env);
      try {
        const [cursor] = await db.query<{ block_number: string }>(`SELECT block_number FROM cursor`);
        expect(cursor, "a committed range before the kill").to.not.equal(undefined);
        expect(Number(cursor.block_number), "killed before the final blocks were all in").to.be.lessThan(final.number - FINALITY);
        expect(await secondaryIndexes(db), "secondary indexes while deferred").to.deep.equal([]);
        expect(await readDeferredIndexes(db), "the record of what was dropped").to.deep.equal(expectedSecondary);
      } finally {
        await db.close();
      }

      const second = spawnIndexer(env);
      children.push(second.child);
      await second.line(new RegExp(`^caught-up ${final.number}$`), 120_000);
      await stopGently(second.child);
      db = await target.open(env);
      try {
        expect(await readDeferredIndexes(db)).to.equal(undefined);
        expect(await indexSet(db)).to.deep.equal(expectedSet);
        const fresh = await freshIndexDump(node.url, chain.deployment, head);
        const dump = await dumpTables(db);
        for (const table of Object.keys(fresh)) expect(dump[table], `table ${table}`).to.deep.equal(fresh[table]);
      } finally {
        await db.close();
      }
    });
  }
});
