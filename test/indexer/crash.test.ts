import type { ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { openDatabase, type Database } from "../../services/database";
import { startHardhatNode, type TestHardhatNode } from "../support/hardhat-node";
import { deployFloods, sellLicenses, type FloodChain } from "../support/indexer/flood";
import { dumpTables, freshIndexDump, freshSchemaName, latestBlock } from "../support/indexer/harness";
import { killHard, spawnIndexer } from "../support/indexer/indexer-process";

describe("indexer: kill -9 during backfill", function () {
  this.timeout(240_000);
  let node: TestHardhatNode;
  let chain: FloodChain;
  const children: ChildProcess[] = [];
  const cleanups: (() => Promise<void>)[] = [];

  const head = () => latestBlock(chain.provider);

  before(async () => {
    node = await startHardhatNode();
    chain = await deployFloods(node.url);
    const owner = await chain.signer.getAddress();
    // ~40 blocks of ~100 events: enough commits that a kill lands in the middle of the backfill.
    for (let block = 0; block < 20; block++) {
      await (await chain.registry.publish(1 + block * 20, 20, owner, block > 0 ? 1 : 0, `0x${"ab".repeat(32)}`)).wait();
      await sellLicenses(chain, 1 + block * 20, 0x9000 + block * 1000, 90, owner, "0x0000000000000000000000000000000000000000", 1000 + block);
      if (block % 5 === 0) await (await chain.market.withdraw(owner, "0x0000000000000000000000000000000000000000", owner, 1234)).wait();
    }
  });

  after(async () => {
    await Promise.all(children.map(killHard));
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    await node?.stop();
  });

  const targets: { label: string; env: () => Record<string, string>; open: (env: Record<string, string>) => Promise<Database> }[] = [
    {
      label: "pglite",
      env: () => {
        const dir = mkdtempSync(join(tmpdir(), "lure-crash-"));
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
    it(`${target.label}: resumes after kill -9 at random points with no gap and no duplicate`, async () => {
      const env = {
        ...target.env(),
        CHILD_RPC_URL: node.url,
        CHILD_DEPLOYMENT: JSON.stringify(chain.deployment),
        CHILD_FINALITY_DEPTH: "15",
        CHILD_TARGET_LOGS: "150",
      };
      const final = await head();
      const progress: number[] = [];
      let seed = 0x5eed;
      const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
      for (let kill = 0; kill < 2; kill++) {
        const run = spawnIndexer(env);
        children.push(run.child);
        // Kill after this run committed something new, plus a random delay: mid-commit, mid-fetch, anywhere.
        const already = progress[progress.length - 1] ?? 0;
        const line = await run.line(new RegExp(`^block (\\d+)$`), 120_000);
        expect(Number(line.split(" ")[1])).to.be.greaterThan(already);
        await new Promise((resolve) => setTimeout(resolve, random() * 150));
        await killHard(run.child);
        const db = await target.open(env);
        try {
          const [cursor] = await db.query<{ block_number: string }>(`SELECT block_number FROM cursor`);
          progress.push(cursor ? Number(cursor.block_number) : 0);
        } finally {
          await db.close();
        }
      }
      // Progress never goes backwards, and at least one kill interrupted the backfill half-way.
      for (let index = 1; index < progress.length; index++) expect(progress[index]).to.be.at.least(progress[index - 1]);
      expect(progress.some((block) => block > 0 && block < final.number), `kills at blocks ${progress.join(", ")} (head ${final.number})`).to.equal(true);

      const last = spawnIndexer(env);
      children.push(last.child);
      await last.line(new RegExp(`^caught-up ${final.number}$`), 120_000);
      await new Promise<void>((resolve) => {
        last.child.once("exit", () => resolve());
        last.child.kill("SIGTERM");
      });
      const db = await target.open(env);
      try {
        const reference = await freshIndexDump(node.url, chain.deployment, head);
        const dump = await dumpTables(db);
        expect(reference.purchases.length + reference.transfers.length + reference.pod_versions.length).to.be.greaterThan(2_500);
        for (const table of Object.keys(reference)) expect(dump[table], `table ${table}`).to.deep.equal(reference[table]);
      } finally {
        await db.close();
      }
    });
  }
});
