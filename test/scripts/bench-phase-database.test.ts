import { existsSync } from "node:fs";
import { expect } from "chai";
import { openDatabase } from "../../services/database";
import { openPhaseDatabase, phaseDatabaseOptions } from "../../scripts/lib/bench-phase-database";

describe("bench:indexer's phase databases (scripts/lib/bench-phase-database.ts)", function () {
  this.timeout(120_000);
  const postgresUrl = process.env.TEST_DATABASE_URL ?? "postgres://nobody@127.0.0.1:1/none";

  it("the PGlite phase opens PGlite in a new directory even when DATABASE_URL is set, and removes it", async () => {
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = postgresUrl;
    try {
      const options = phaseDatabaseOptions("pglite", postgresUrl);
      expect(options.databaseUrl).to.equal(undefined);
      expect(options.pgliteDir).to.be.a("string");
      const phase = await openPhaseDatabase("pglite", postgresUrl);
      expect(phase.db.dialect).to.equal("pglite");
      expect(existsSync(phase.where)).to.equal(true);
      await phase.dispose();
      expect(existsSync(phase.where)).to.equal(false);
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
    }
  });

  it("the PostgreSQL phase works in a new schema every time, dropped by dispose()", async function () {
    const first = phaseDatabaseOptions("postgres", postgresUrl);
    const second = phaseDatabaseOptions("postgres", postgresUrl);
    expect(first.databaseUrl).to.equal(postgresUrl);
    expect(first.schema).to.match(/^lure_bench_[0-9a-f]{12}$/);
    expect(first.schema).not.to.equal(second.schema);
    if (!process.env.TEST_DATABASE_URL) this.skip();
    const phase = await openPhaseDatabase("postgres", postgresUrl);
    expect(phase.db.dialect).to.equal("postgres");
    const schema = phase.where.replace(/^schema /, "");
    await phase.db.query(`CREATE TABLE marker (id integer)`);
    const admin = await openDatabase({ databaseUrl: postgresUrl });
    try {
      const present = async () => (await admin.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [schema])).length === 1;
      expect(await present()).to.equal(true);
      await phase.dispose();
      expect(await present()).to.equal(false);
    } finally {
      await admin.close();
    }
  });
});
