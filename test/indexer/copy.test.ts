import { ensurePgliteTemplate } from "../../services/database/pglite-template";
import { expect } from "chai";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CopyRows, copyValue } from "../../services/indexer/copy";
import { openDatabase } from "../../services/database";
import { commitStatements, type Statement } from "../../services/indexer/store";
import { LICENSES as LICENCE_HOLDINGS, PODS } from "../../services/indexer/contracts/pod-tables";
import { EVENTS, type Row, type TableSpec } from "../../services/indexer/tables";
import { backends, type Backend } from "../support/indexer/harness";

const changedBy = (block: number, logIndex: number) => ({ block_number: block, block_hash: `0x${"b".repeat(64)}`, tx_hash: `0x${"c".repeat(64)}`, log_index: logIndex });

/** The licences table written as a history table whose key may repeat (the first row wins), as test emitters may. */
const LICENSES: TableSpec = { ...LICENCE_HOLDINGS, keepFirstRow: true };

function licence(account: string, price: string, block: number): Row {
  return { pod_id: "7", account, balance: "1", token: "0x0000000000000000000000000000000000000000", price, purchased_at: "1700000000", ...changedBy(block, 0) };
}

function copyOf(table: TableSpec, rows: Row[]): Statement {
  const copy = new CopyRows(table);
  for (const row of rows) copy.add(row);
  return { copy: table, data: copy.bytes() };
}

describe("indexer: COPY writes", function () {
  this.timeout(60_000);
  const used: Backend[] = [];
  after(async () => {
    for (const backend of used) await backend.cleanup();
  });

  it("encodes NULL, booleans, escapes and JSON in COPY's text format", () => {
    expect(copyValue(null)).to.equal("\\N");
    expect(copyValue(undefined)).to.equal("\\N");
    expect(copyValue(true)).to.equal("t");
    expect(copyValue(false)).to.equal("f");
    expect(copyValue(12)).to.equal("12");
    expect(copyValue("a\tb\nc\\d\re")).to.equal("a\\tb\\nc\\\\d\\re");
    expect(copyValue({ name: 'quote " and \\ backslash' })).to.equal('{"name":"quote \\\\" and \\\\\\\\ backslash"}');
  });

  it("keeps the first row of a repeated key within one batch", () => {
    const rows = new CopyRows(LICENSES, true);
    expect(rows.add(licence("0xaa", "1", 1))).to.equal(true);
    expect(rows.add(licence("0xaa", "2", 2))).to.equal(false);
    expect(rows.add(licence("0xbb", "3", 2))).to.equal(true);
    expect(rows.size).to.equal(2);
    expect(rows.bytes().toString("utf8").split("\n").filter(Boolean)).to.have.length(2);
  });

  for (const backend of backends()) {
    describe(backend.label, () => {
      before(() => used.push(backend));

      it("stores awkward text exactly as INSERT would (tabs, line breaks, backslashes, \\N, unicode, JSON)", async () => {
        const db = await backend.open();
        const names = ["tab\there", "line\nbreak", "back\\slash", "\\N", "carriage\rreturn", "émoji 🚀 ünïcode", "", " spaced "];
        const pods = names.map((name, index) => ({
          id: String(index + 1),
          owner: "0x1",
          creator: "0x1",
          name,
          visibility: "PUBLIC",
          version_count: 1,
          revision: 1,
          latest_ref: `0x${"e".repeat(64)}`,
          parent_pod_id: null,
          parent_version: null,
          royalty_bps: 0,
          fork_royalty_bps: 1000,
          listed: index % 2 === 0,
          listing_seller: null,
          listing_token: null,
          listing_price: null,
          listing_pod_price: null,
          listing_paused: false,
          listing_fee_bps: null,
          listing_transferable: null,
          licenses_transferable: false,
          license_sales: 0,
          royalties_earned: "0",
          revenue: "115792089237316195423570985008687907853269984665640564039457584007913129639935",
          created_block: 1,
          created_at: "1700000000",
          created_tx: `0x${"c".repeat(64)}`,
          ...changedBy(1, index),
        }));
        const events = [{ block_number: 1, log_index: 0, contract: "PodMarket", name: "Odd", args: { text: 'a "quoted"\\ \t value\n', flag: true }, block_hash: "0xb", tx_hash: "0xc" }];
        const podCopy = new CopyRows(PODS);
        for (const pod of pods) podCopy.add(pod);
        const eventCopy = new CopyRows(EVENTS);
        for (const event of events) eventCopy.add(event);
        await commitStatements(db, [
          { copy: PODS, data: podCopy.bytes() },
          { copy: EVENTS, data: eventCopy.bytes() },
        ]);
        const stored = await db.query<{ name: string; listed: boolean; revenue: string; parent_pod_id: string | null }>(`SELECT name, listed, revenue, parent_pod_id FROM pods ORDER BY id`);
        expect(stored.map((row) => row.name)).to.deep.equal(names);
        expect(stored.map((row) => row.listed)).to.deep.equal(names.map((_, index) => index % 2 === 0));
        expect(stored[0].revenue).to.equal(pods[0].revenue);
        expect(stored[0].parent_pod_id).to.equal(null);
        const [event] = await db.query<{ args: unknown }>(`SELECT args FROM events`);
        expect(event.args).to.deep.equal(events[0].args);
      });

      it("redoes a batch via staging when a COPY repeats a stored key, keeping the first row, in one transaction", async () => {
        const db = await backend.open();
        await commitStatements(db, [copyOf(LICENSES, [licence("0xaa", "100", 1)])]);
        // Second batch: a repeated licence (first one must win) next to a new one and a cursor move.
        const cursor: Statement = { sql: `INSERT INTO cursor (id, chain_id, block_number, block_hash, block_timestamp) VALUES (1, 1, 2, '0xb', 0)`, params: [] };
        await commitStatements(db, [copyOf(LICENSES, [licence("0xaa", "200", 2), licence("0xbb", "300", 2)]), cursor]);
        const rows = await db.query<{ account: string; price: string; block_number: string }>(`SELECT account, price, block_number FROM licenses ORDER BY account`);
        expect(rows).to.deep.equal([
          { account: "0xaa", price: "100", block_number: "1" },
          { account: "0xbb", price: "300", block_number: "2" },
        ]);
        expect(await db.query(`SELECT block_number FROM cursor`)).to.deep.equal([{ block_number: "2" }]);
        // The staging path leaves nothing behind for the next batch.
        await commitStatements(db, [copyOf(LICENSES, [licence("0xbb", "400", 3), licence("0xcc", "500", 3)])]);
        expect((await db.query(`SELECT account FROM licenses ORDER BY account`)).map((row) => row.account)).to.deep.equal(["0xaa", "0xbb", "0xcc"]);
      });

      it("does not swallow other errors: a malformed row fails the commit and writes nothing", async () => {
        const db = await backend.open();
        const broken = { ...licence("0xdd", "not a number", 1) };
        let failure: unknown;
        await commitStatements(db, [copyOf(LICENSES, [licence("0xee", "1", 1)]), copyOf(LICENSES, [broken])]).catch((error: unknown) => (failure = error));
        expect(String(failure)).to.match(/invalid input syntax for type numeric/);
        expect(await db.query(`SELECT * FROM licenses`)).to.deep.equal([]);
      });
    });
  }

  it("makes a new PGlite data directory from the build's template (no initdb), and opens it with small shared buffers", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lure-pglite-"));
    try {
      const template = await ensurePgliteTemplate();
      expect(existsSync(join(template, "PG_VERSION"))).to.equal(true);
      mkdirSync(join(dir, "data.init-1-2")); // left by an initialisation that was killed
      const started = Date.now();
      const db = await openDatabase({ pgliteDir: join(dir, "data"), pgliteSharedBuffersMb: 16 });
      // initdb alone takes 6-11 s here; a copy of the template and an open take a fraction of it.
      console.log(`      new PGlite database from the template, opened in ${Date.now() - started} ms`);
      try {
        expect(existsSync(join(dir, "data", "PG_VERSION"))).to.equal(true);
        expect(await db.query(`SHOW shared_buffers`)).to.deep.equal([{ shared_buffers: "16MB" }]);
      } finally {
        await db.close();
      }
      // Reopening an existing directory skips initialisation and keeps the data; nothing is left beside it.
      const again = await openDatabase({ pgliteDir: join(dir, "data") });
      try {
        expect(await again.query(`SELECT 1 AS one`)).to.deep.equal([{ one: 1 }]);
      } finally {
        await again.close();
      }
      expect(readdirSync(dir)).to.deep.equal(["data"]);
      // The template itself is never opened or changed by a database made from it.
      expect(existsSync(join(template, "postmaster.pid"))).to.equal(false);
      // A directory holding something else is refused with its name, and left alone.
      mkdirSync(join(dir, "other"));
      writeFileSync(join(dir, "other", "notes.txt"), "mine");
      let refused: unknown;
      await openDatabase({ pgliteDir: join(dir, "other") }).catch((error: unknown) => (refused = error));
      expect(String(refused)).to.match(/other is not empty and holds no PostgreSQL data directory/);
      expect(readdirSync(join(dir, "other"))).to.deep.equal(["notes.txt"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
