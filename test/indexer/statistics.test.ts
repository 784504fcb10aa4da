import { expect } from "chai";
import pino from "pino";
import type { Database, Queryable } from "../../services/database";
import { podsList } from "../../services/api/domains/pods/lists";
import { readPage } from "../../services/api/graphql/sql/list";
import type { Indexer } from "../../services/indexer";
import { indexedSchema } from "../../services/indexer/schema";
import { ANALYZE_CONNECTIONS, ANALYZE_FRACTION, ANALYZE_MIN_ROWS, PlannerStatistics } from "../../services/indexer/statistics";
import type { Logger } from "../../services/log";
import { seedPodsAsBackfill } from "../../scripts/lib/pods-seed";
import { startHardhatNode, type TestHardhatNode } from "../support/hardhat-node";
import { deployFloods, sellLicenses, type FloodChain } from "../support/indexer/flood";
import { backends, latestBlock, quietLog, startTestIndexer, waitFor, waitForHead, type Backend } from "../support/indexer/harness";

const FINALITY = 8;

/** The data tables that hold column statistics (pg_stats, readable on both backends by the tables' owner). */
async function tablesWithStatistics(db: Queryable): Promise<string[]> {
  const rows = await db.query<{ table: string }>(`SELECT DISTINCT tablename AS "table" FROM pg_stats WHERE schemaname = current_schema() ORDER BY 1`);
  return rows.map((row) => row.table);
}

/** The SQL and parameters readPage sends for `pods(where, orderBy, first)`. */
async function pageStatement(db: Queryable): Promise<{ sql: string; params: unknown[] }> {
  let captured: { sql: string; params: unknown[] } | undefined;
  const recorder: Queryable = {
    query: async <Row>(sql: string, params: unknown[] = []) => {
      captured ??= { sql, params };
      return db.query<Row>(sql, params);
    },
  };
  await readPage(recorder, podsList, {
    where: { listed: true, visibility: "PUBLIC", listingPrice_gte: "100000000000000000", listingPrice_lte: "500000000000000000" },
    orderBy: "listingPrice",
    orderDirection: "asc",
    first: 100,
  });
  return captured!;
}

async function plan(db: Queryable, statement: { sql: string; params: unknown[] }, verbose = false): Promise<string> {
  const rows = await db.query<{ "QUERY PLAN": string }>(`EXPLAIN ${verbose ? "(VERBOSE) " : ""}${statement.sql}`, statement.params);
  return rows.map((row) => row["QUERY PLAN"]).join("\n");
}

describe("indexer: planner statistics", function () {
  this.timeout(240_000);
  const used: Backend[] = [];
  after(async () => {
    for (const backend of used) await backend.cleanup();
  });

  describe("when a table is due for ANALYZE", () => {
    it("after more rows than the floor plus a share of its rows at the last ANALYZE, never on a few", () => {
      const statistics = new PlannerStatistics(["pods", "licenses"]);
      statistics.written("pods", ANALYZE_MIN_ROWS);
      expect(statistics.due()).to.deep.equal([]);
      // Rows written while a table has no statistics make it due before /ready (markAtHead).
      expect(statistics.due({ unanalysed: true })).to.deep.equal(["pods"]);
      statistics.written("pods", 1);
      statistics.written("licenses", 5);
      statistics.written("not_a_data_table", 1_000_000);
      expect(statistics.due()).to.deep.equal(["pods"]);
      expect(ANALYZE_FRACTION).to.be.greaterThan(0);
    });

    it("analyses each table once, the most written first, at most ANALYZE_CONNECTIONS at a time, and takes the new row counts", async () => {
      const names = ["pods", "licenses", "purchases", "events", "transfers"];
      const statistics = new PlannerStatistics(names);
      names.forEach((name, index) => statistics.written(name, 5_000 * (index + 1)));
      const analysed: string[] = [];
      let inFlight = 0;
      let most = 0;
      const db = {
        async query<R>(sql: string): Promise<R[]> {
          const analyse = /^ANALYZE (\w+)$/.exec(sql);
          if (!analyse) return names.map((name, index) => ({ name, reltuples: 1_000 * (index + 1) })) as R[];
          analysed.push(analyse[1]);
          inFlight++;
          most = Math.max(most, inFlight);
          await new Promise((resolve) => setTimeout(resolve, 5));
          inFlight--;
          return [];
        },
      };
      await statistics.analyze(db, quietLog);
      expect(most).to.equal(ANALYZE_CONNECTIONS);
      expect(analysed, "started in this order").to.deep.equal(["transfers", "events", "purchases", "licenses", "pods"]);
      expect(statistics.due()).to.deep.equal([]);
      // The baseline is the new row count: 1,000 + 10% of it written since makes "pods" (1,000 rows) due again.
      statistics.written("pods", ANALYZE_MIN_ROWS + 0.1 * 1_000 + 1);
      expect(statistics.due()).to.deep.equal(["pods"]);
    });
  });

  const list = backends();
  used.push(...list);
  for (const backend of list) {
    it(`${backend.label}: a backfill ends with statistics of every table it filled, taken before backfilling turns false`, async () => {
      let node: TestHardhatNode | undefined;
      let indexer: Indexer | undefined;
      try {
        node = await startHardhatNode();
        const chain: FloodChain = await deployFloods(node.url);
        const owner = await chain.signer.getAddress();
        for (let block = 0; block < 4; block++) {
          await (await chain.registry.publish(1 + block * 20, 20, owner, block > 0 ? 1 : 0, `0x${"cd".repeat(32)}`)).wait();
          await sellLicenses(chain, 1 + block * 20, 0x7000 + block * 1000, 60, owner, "0x0000000000000000000000000000000000000000", 500 + block);
        }
        for (let block = 0; block < FINALITY; block++) await chain.provider.send("evm_mine", []);

        const db = await backend.open();
        expect(await tablesWithStatistics(db), "a migrated database").to.deep.equal([]);
        const records: { msg: string; backfilling?: boolean }[] = [];
        const state: { indexer?: Indexer } = {};
        const log: Logger = pino({ level: "info", base: undefined }, { write: (line: string) => void records.push({ msg: (JSON.parse(line) as { msg: string }).msg, backfilling: state.indexer?.status().backfilling }) });
        indexer = await startTestIndexer({ rpcUrl: node.url, deployment: chain.deployment, db, finalityDepth: FINALITY, targetLogsPerRange: 100, log });
        state.indexer = indexer;
        let atTransition: Promise<string[]> | undefined;
        const sampler = setInterval(() => {
          if (!atTransition && !indexer!.status().backfilling) atTransition = tablesWithStatistics(db);
        }, 1);
        try {
          await waitForHead(indexer, () => latestBlock(chain.provider));
          await waitFor("backfilling to end", () => atTransition !== undefined);
        } finally {
          clearInterval(sampler);
        }
        const filled = (await db.query<{ table: string; n: number }>(
          indexedSchema().dataTableNames.map((table) => `SELECT '${table}' AS "table", count(*)::integer AS n FROM ${table}`).join(" UNION ALL "),
        )).filter((row) => row.n > 0).map((row) => row.table).sort();
        expect(filled).to.include.members(["licenses", "pods"]);
        expect(await atTransition, "tables with statistics when backfilling turned false").to.include.members(filled);
        const analysed = records.find((record) => /planner statistics updated/.test(record.msg));
        expect(analysed?.backfilling, "the ANALYZE is logged while still backfilling").to.equal(true);
      } finally {
        await indexer?.stop();
        await node?.stop();
      }
    });

    it(`${backend.label}: right after a backfill's statistics, the filtered page of 100 walks an index, and casts only the rows returned`, async () => {
      const db: Database = await backend.open();
      await seedPodsAsBackfill(db, quietLog, 20_000, 500);
      expect(await tablesWithStatistics(db)).to.include("pods");
      const [{ reltuples }] = await db.query<{ reltuples: number }>(`SELECT reltuples::float8 AS reltuples FROM pg_class WHERE oid = to_regclass('pods')`);
      expect(Number(reltuples)).to.be.within(19_000, 21_000);

      const statement = await pageStatement(db);
      const text = await plan(db, statement);
      expect(text, text).to.match(/Index Scan using \w+ on pods/);
      expect(text, text).not.to.match(/Seq Scan on pods/);

      // The inner query (scan, sort, limit) outputs raw columns; the casts are in the outer select only.
      const verbose = await plan(db, statement, true);
      const lines = verbose.split("\n");
      const inner = lines.findIndex((line) => /Subquery Scan/.test(line));
      expect(inner, verbose).to.be.greaterThan(-1);
      // lines[inner + 1] is the outer select's Output; the inner plan's nodes follow.
      const below = lines.slice(inner + 2).filter((line) => /Output:/.test(line));
      expect(below.length, verbose).to.be.greaterThan(0);
      // A cast of a column prints as `(pods_1.listing_price)::text`; `NULL::text` stands for a column the query does not use.
      for (const line of below) expect(line, verbose).not.to.match(/\)::(text|double precision)/);
      expect(lines[inner + 1], verbose).to.match(/\(pods\.listing_price\)::text/);
    });
  }
});
