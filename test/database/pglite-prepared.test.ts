import { expect } from "chai";
import { messages, PGlite } from "@electric-sql/pglite";
import { openDatabase } from "../../services/database";
import { PglitePreparedReads } from "../../services/database/pglite-prepared";

/** The prepared read path must answer exactly as PGlite's own query() does, whatever happens around it. */
describe("PGlite prepared reads (services/database/pglite-prepared.ts)", function () {
  this.timeout(60_000);
  let pg: PGlite;

  before(async () => {
    pg = new PGlite();
    await pg.waitReady;
  });
  after(async () => {
    await pg.close();
  });

  const preparedNames = async (reads: PglitePreparedReads) =>
    (await pg.query<{ name: string }>(`SELECT name FROM pg_prepared_statements WHERE starts_with(name, $1) ORDER BY name`, [reads.prefix])).rows.map((row) => row.name);

  async function failure(promise: Promise<unknown>): Promise<messages.DatabaseError & { query?: string; params?: unknown[] }> {
    try {
      await promise;
    } catch (error) {
      return error as messages.DatabaseError & { query?: string; params?: unknown[] };
    }
    throw new Error("expected the query to fail");
  }

  it("returns the rows PGlite's query() returns, for parameters and columns of many types", async () => {
    const reads = new PglitePreparedReads(pg);
    await pg.exec(`CREATE TABLE typed (id NUMERIC PRIMARY KEY, n INTEGER, big BIGINT, f FLOAT8, b BOOLEAN, t TEXT, at TIMESTAMPTZ, j JSONB, raw BYTEA)`);
    await pg.query(`INSERT INTO typed VALUES (1, 7, 9007199254740993, 1.5, true, 'one', '2024-01-02T03:04:05Z', '{"a":[1,2]}', '\\x0102'), (2, NULL, -1, -0.25, false, NULL, NULL, 'null', NULL)`);
    const cases: [string, unknown[]][] = [
      [`SELECT * FROM typed WHERE id = $1::numeric`, ["1"]],
      [`SELECT * FROM typed WHERE id = ANY($1::numeric[]) ORDER BY id`, [["1", "2"]]],
      [`SELECT id::text AS id, n FROM typed WHERE b = $1 AND (t = $2 OR $2::text IS NULL) ORDER BY id`, [false, null]],
      [`SELECT id::text AS id FROM typed WHERE big > $1 AND f < $2 AND at < $3`, [0n, 2, new Date("2025-01-01T00:00:00Z")]],
      [`SELECT $1::jsonb AS echoed, $2::bytea AS bytes, $3::int AS missing`, [{ k: "v" }, new Uint8Array([1, 2, 3]), undefined]],
      [`WITH x AS (SELECT count(*)::integer AS c FROM typed WHERE n IS NOT DISTINCT FROM $1) SELECT c FROM x`, [7]],
      [`SELECT id FROM typed WHERE id > $1::numeric`, ["100"]],
    ];
    for (const [sql, params] of cases) {
      const expected = (await pg.query(sql, params)).rows;
      // Twice: once preparing the statement, once reusing it.
      expect(await reads.query(sql, params), sql).to.deep.equal(expected);
      expect(await reads.query(sql, params), sql).to.deep.equal(expected);
    }
    expect(reads.size).to.equal(cases.length);
    expect(await preparedNames(reads)).to.have.length(cases.length);
  });

  it("decodes rows as PGlite does: UTF-8, NULL and empty values, odd and repeated column names, large results", async () => {
    const reads = new PglitePreparedReads(pg);
    const cases: [string, unknown[]][] = [
      [`SELECT $1::text AS t, ''::text AS empty, NULL::text AS nothing, $2::numeric AS n`, ["ünïcødé ✓ 🚀 \\ \t tab", "-12345678901234567890.000123"]],
      [`SELECT 1 AS "__proto__", 2 AS "constructor", 3 AS "with space", 4 AS "ÄÖ"`, []],
      [`SELECT 1 AS same, 'two' AS same`, []],
      // Thousands of rows: the response arrives in several chunks, messages split across them.
      [`SELECT g AS i, repeat(chr(1000 + g % 50), g % 300) AS s, g % 3 = 0 AS b FROM generate_series(1, $1::integer) AS g`, [5000]],
    ];
    for (const [sql, params] of cases) {
      const expected = (await pg.query(sql, params)).rows;
      const rows = await reads.query(sql, params);
      expect(rows, sql).to.deep.equal(expected);
      expect(Object.keys(rows[0] as object), sql).to.deep.equal(Object.keys(expected[0] as object));
    }
    const [odd] = await reads.query<Record<string, unknown>>(cases[1][0]);
    expect(Object.getPrototypeOf(odd)).to.equal(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(odd, "__proto__")?.value).to.equal(1);
  });

  it("sends a parameter its serialiser leaves as bytes in binary format, as PGlite does", async () => {
    const reads = new PglitePreparedReads(pg);
    const byteaOid = 17;
    const original = pg.serializers[byteaOid];
    pg.serializers[byteaOid] = (value: unknown) => value as never; // the raw bytes, not PGlite's '\\x…' text
    try {
      const sql = `SELECT $1::bytea AS raw, $2::text AS label, length($1::bytea) AS n, $3::bytea AS empty`;
      const params = [new Uint8Array([0, 1, 254, 255]), "ünï", new Uint8Array([])];
      const expected = (await pg.query(sql, params)).rows;
      expect(expected).to.deep.equal([{ raw: new Uint8Array([0, 1, 254, 255]), label: "ünï", n: 4, empty: new Uint8Array([]) }]);
      expect(await reads.query(sql, params)).to.deep.equal(expected);
      // A view into a larger buffer sends only its own bytes.
      const view = new Uint8Array([9, 9, 7, 8, 9]).subarray(2, 4);
      expect(await reads.query(sql, [view, null, Buffer.from([1])])).to.deep.equal([{ raw: new Uint8Array([7, 8]), label: null, n: 2, empty: new Uint8Array([1]) }]);
    } finally {
      pg.serializers[byteaOid] = original;
    }
  });

  it("fails the whole result when an error comes after some rows were sent", async () => {
    const reads = new PglitePreparedReads(pg);
    const sql = `SELECT g, 10 / (g - $1::integer) AS q FROM generate_series(1, 5) AS g`;
    const expected = await failure(pg.query(sql, [3]));
    const error = await failure(reads.query(sql, [3]));
    expect(error).to.be.instanceOf(messages.DatabaseError);
    expect(error.code).to.equal("22012");
    expect(error.message).to.equal(expected.message);
    expect(await reads.query(sql, [10])).to.have.length(5);
  });

  it("prepares a statement once and reuses it with other parameters", async () => {
    const reads = new PglitePreparedReads(pg);
    await pg.exec(`CREATE TABLE reuse (id INTEGER PRIMARY KEY, label TEXT)`);
    await pg.query(`INSERT INTO reuse SELECT g, 'label-' || g FROM generate_series(1, 50) AS g`);
    for (let id = 1; id <= 50; id++) expect(await reads.query(`SELECT label FROM reuse WHERE id = $1`, [id])).to.deep.equal([{ label: `label-${id}` }]);
    expect(reads.size).to.equal(1);
    expect(await preparedNames(reads)).to.have.length(1);
  });

  it("sends anything but SELECT and WITH to PGlite's query() unprepared", async () => {
    const reads = new PglitePreparedReads(pg);
    await reads.query(`CREATE TABLE passthrough (id INTEGER)`);
    await reads.query(`INSERT INTO passthrough VALUES ($1), ($2)`, [1, 2]);
    expect(reads.size).to.equal(0);
    expect(await reads.query(`  select count(*)::integer AS n from passthrough`)).to.deep.equal([{ n: 2 }]);
    expect(reads.size).to.equal(1);
    expect(PglitePreparedReads.isPreparable("\n WITH a AS (SELECT 1) SELECT * FROM a")).to.equal(true);
    expect(PglitePreparedReads.isPreparable("selection")).to.equal(false);
    expect(PglitePreparedReads.isPreparable("UPDATE x SET y = 1")).to.equal(false);
  });

  it("follows schema changes: added and retyped columns, a table dropped and created again", async () => {
    const reads = new PglitePreparedReads(pg);
    await pg.exec(`CREATE TABLE evolving (id INTEGER PRIMARY KEY, v INTEGER); INSERT INTO evolving VALUES (1, 10)`);
    const star = `SELECT * FROM evolving WHERE id = $1`;
    const one = `SELECT v FROM evolving WHERE id = $1`;
    expect(await reads.query(star, [1])).to.deep.equal([{ id: 1, v: 10 }]);
    expect(await reads.query(one, [1])).to.deep.equal([{ v: 10 }]);
    // The result columns of `star` change: PostgreSQL refuses the old statement, it is prepared again.
    await pg.exec(`ALTER TABLE evolving ADD COLUMN note TEXT DEFAULT 'hello'`);
    expect(await reads.query(star, [1])).to.deep.equal([{ id: 1, v: 10, note: "hello" }]);
    // A retyped column changes the type the row is parsed with.
    await pg.exec(`ALTER TABLE evolving ALTER COLUMN v TYPE TEXT USING 'v' || v`);
    expect(await reads.query(one, [1])).to.deep.equal([{ v: "v10" }]);
    expect(await reads.query(star, [1])).to.deep.equal([{ id: 1, v: "v10", note: "hello" }]);
    // Dropped and created again under the same name: the statement reads the new table.
    await pg.exec(`DROP TABLE evolving; CREATE TABLE evolving (id INTEGER PRIMARY KEY, v INTEGER); INSERT INTO evolving VALUES (1, 99)`);
    expect(await reads.query(one, [1])).to.deep.equal([{ v: 99 }]);
    expect(await reads.query(star, [1])).to.deep.equal([{ id: 1, v: 99 }]);
    // Only the current statements stay prepared.
    expect(await preparedNames(reads)).to.have.length(2);
  });

  it("prepares again when its statements were deallocated behind its back", async () => {
    const reads = new PglitePreparedReads(pg);
    expect(await reads.query(`SELECT $1::integer + 1 AS n`, [1])).to.deep.equal([{ n: 2 }]);
    await pg.exec(`DEALLOCATE ALL`);
    expect(await preparedNames(reads)).to.have.length(0);
    expect(await reads.query(`SELECT $1::integer + 1 AS n`, [2])).to.deep.equal([{ n: 3 }]);
    expect(await preparedNames(reads)).to.have.length(1);
  });

  it("fails as PGlite's query() fails, keeps no broken statement and keeps working", async () => {
    const reads = new PglitePreparedReads(pg);
    // A syntax error: nothing is prepared.
    const bad = `SELECT FROM WHERE $1`;
    const expected = await failure(pg.query(bad, [1]));
    const error = await failure(reads.query(bad, [1]));
    expect(error).to.be.instanceOf(messages.DatabaseError);
    expect(error.code).to.equal(expected.code).and.to.equal("42601");
    expect(error.message).to.equal(expected.message);
    expect(error.query).to.equal(bad);
    expect(error.params).to.deep.equal([1]);
    expect(reads.size).to.equal(0);
    // An error while executing: the statement stays and serves the next call.
    const divide = `SELECT 10 / $1::integer AS q`;
    expect((await failure(reads.query(divide, [0]))).code).to.equal("22012");
    expect(await reads.query(divide, [5])).to.deep.equal([{ q: 2 }]);
    // A parameter of the wrong form, and the wrong number of parameters.
    expect((await failure(reads.query(divide, ["two"]))).code).to.equal("22P02");
    expect((await failure(reads.query(divide, [1, 2]))).code).to.equal((await failure(pg.query(divide, [1, 2]))).code);
    expect(await reads.query(divide, [2])).to.deep.equal([{ q: 5 }]);
    expect(reads.size).to.equal(1);
    // PGlite's own path still works after the errors.
    expect((await pg.query(`SELECT 1 AS one`)).rows).to.deep.equal([{ one: 1 }]);
  });

  it("keeps at most maxStatements prepared, closing the least recently used", async () => {
    const reads = new PglitePreparedReads(pg, 2);
    const sql = (k: number) => `SELECT ${k} + $1::integer AS n`;
    expect(await reads.query(sql(1), [0])).to.deep.equal([{ n: 1 }]);
    expect(await reads.query(sql(2), [0])).to.deep.equal([{ n: 2 }]);
    expect(await reads.query(sql(1), [1])).to.deep.equal([{ n: 2 }]); // 1 is now the most recent
    expect(await reads.query(sql(3), [0])).to.deep.equal([{ n: 3 }]); // closes 2, in the message that prepares 3
    expect(reads.size).to.equal(2);
    expect(await preparedNames(reads)).to.have.length(2);
    expect(await reads.query(sql(2), [1])).to.deep.equal([{ n: 3 }]); // prepared again, closes 1
    expect(await reads.query(sql(3), [1])).to.deep.equal([{ n: 4 }]);
    expect(await reads.query(sql(4), [0])).to.deep.equal([{ n: 4 }]); // closes 2
    expect(await reads.query(sql(1), [5])).to.deep.equal([{ n: 6 }]); // closes 3
    expect(reads.size).to.equal(2);
    expect(await preparedNames(reads)).to.have.length(2);
    // A Parse that fails still closes what was evicted for it.
    expect((await failure(reads.query(`SELECT nonsense FROM`, [])))).to.be.instanceOf(messages.DatabaseError);
    expect(reads.size).to.equal(1);
    expect(await preparedNames(reads)).to.have.length(1);
    expect(() => new PglitePreparedReads(pg, 0)).to.throw(/maxStatements/);
  });

  it("never reads inside another caller's transaction: it waits for the commit or rollback", async () => {
    const reads = new PglitePreparedReads(pg);
    await pg.exec(`CREATE TABLE waiting (id INTEGER PRIMARY KEY)`);
    const count = `SELECT count(*)::integer AS n FROM waiting WHERE id > $1`;
    expect(await reads.query(count, [0])).to.deep.equal([{ n: 0 }]);
    for (const outcome of ["commit", "rollback"] as const) {
      let finish!: () => void;
      const held = new Promise<void>((resolve) => (finish = resolve));
      let inside!: () => void;
      const entered = new Promise<void>((resolve) => (inside = resolve));
      const writer = pg
        .transaction(async (tx) => {
          await tx.query(`INSERT INTO waiting VALUES ($1)`, [outcome === "commit" ? 1 : 2]);
          inside();
          await held;
          if (outcome === "rollback") throw new Error("rolled back on purpose");
        })
        .catch((error: Error) => expect(error.message).to.equal("rolled back on purpose"));
      await entered;
      let answered = false;
      const read = reads.query<{ n: number }>(count, [0]).then((rows) => ((answered = true), rows));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(answered, "a read answered while the transaction was open").to.equal(false);
      finish();
      await writer;
      expect(await read).to.deep.equal([{ n: 1 }]);
    }
  });

  it("answers db.query of a PGlite database, and refuses once it is closed", async () => {
    const db = await openDatabase({});
    await db.query(`CREATE TABLE served (id INTEGER PRIMARY KEY, label TEXT)`);
    await db.query(`INSERT INTO served VALUES (1, 'a'), (2, 'b')`);
    for (let i = 0; i < 3; i++) expect(await db.query(`SELECT label FROM served WHERE id = $1`, [2])).to.deep.equal([{ label: "b" }]);
    const names = await db.query<{ name: string; statement: string }>(`SELECT name, statement FROM pg_prepared_statements`);
    expect(names.map((row) => row.statement)).to.include(`SELECT label FROM served WHERE id = $1`);
    expect(names.every((row) => row.name.startsWith("lure_read_"))).to.equal(true);
    // Transactions and snapshots are unchanged and see the same data.
    expect(await db.snapshot((tx) => tx.query(`SELECT label FROM served WHERE id = $1`, [1]))).to.deep.equal([{ label: "a" }]);
    await db.close();
    expect(String(await failure(db.query(`SELECT label FROM served WHERE id = $1`, [1])))).to.match(/closed/);
  });
});
