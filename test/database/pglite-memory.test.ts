import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig } from "../../services/config";
import { CopyRows, spareCopyBytes } from "../../services/indexer/copy";
import { PGlite } from "@electric-sql/pglite";
import { COPY_PAYLOAD_FILE, copyThroughMemoryFile, openDatabase, pgliteFileSystem, pgliteSettings, type Database } from "../../services/database";
import { BALANCES } from "../../services/indexer/contracts/balances";
import { MARKET_SETTINGS, MARKET_TOKENS } from "../../services/indexer/contracts/pod-market";
import { PODS } from "../../services/indexer/contracts/pod-tables";
import { APPEND_ONLY_TABLES } from "../../services/indexer/schema";
import { EVENTS } from "../../services/indexer/tables";
import { backends, type Backend } from "../support/indexer/harness";

/**
 * PGlite's memory settings (services/database, PGLITE_SHARED_BUFFERS_MB): every page PostgreSQL
 * touches in PGlite's WebAssembly heap stays resident, so the settings that bound it must reach the
 * running PostgreSQL, and the COPY path must hand PGlite exactly the payload it is given.
 */
describe("indexer: PGlite memory settings", function () {
  this.timeout(60_000);

  const setting = async (db: Database, name: string) => Object.values((await db.query(`SHOW ${name}`))[0])[0];

  it("opens PGlite with the configured shared_buffers and a bounded maintenance_work_mem", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lure-pglite-memory-"));
    try {
      const db = await openDatabase({ pgliteDir: join(dir, "data"), pgliteSharedBuffersMb: 3 });
      try {
        expect(await setting(db, "shared_buffers")).to.equal("3MB");
        expect(await setting(db, "maintenance_work_mem")).to.equal("16MB");
      } finally {
        await db.close();
      }
      // The settings are applied at every start, not only when the directory is created.
      const again = await openDatabase({ pgliteDir: join(dir, "data"), pgliteSharedBuffersMb: 5 });
      try {
        expect(await setting(again, "shared_buffers")).to.equal("5MB");
      } finally {
        await again.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("uses PGLITE_SHARED_BUFFERS_MB's default when no size is given (in-memory PGlite too)", async () => {
    const { PGLITE_SHARED_BUFFERS_MB } = loadConfig({});
    expect(PGLITE_SHARED_BUFFERS_MB).to.equal(4);
    const db = await openDatabase({});
    try {
      expect(await setting(db, "shared_buffers")).to.equal(`${PGLITE_SHARED_BUFFERS_MB}MB`);
    } finally {
      await db.close();
    }
  });

  it("validates PGLITE_SHARED_BUFFERS_MB by name", () => {
    expect(loadConfig({ PGLITE_SHARED_BUFFERS_MB: "12" }).PGLITE_SHARED_BUFFERS_MB).to.equal(12);
    for (const bad of ["0", "2.5", "lots", "5000"]) {
      expect(() => loadConfig({ PGLITE_SHARED_BUFFERS_MB: bad }), bad).to.throw(ConfigError, /PGLITE_SHARED_BUFFERS_MB=/);
    }
    expect(() => pgliteSettings(0)).to.throw(/shared_buffers .* got 0/);
  });

  describe("COPY from a view of a larger buffer", () => {
    const used: Backend[] = [];
    after(async () => {
      for (const backend of used) await backend.cleanup();
    });
    for (const backend of backends()) {
      it(`loads only the view's bytes (${backend.label})`, async () => {
        used.push(backend);
        const db = await backend.open();
        await db.query(`CREATE TABLE copy_view_probe (id INTEGER PRIMARY KEY, note TEXT NOT NULL)`);
        // The indexer's COPY payloads are views of reused buffers: bytes before and after belong to
        // other batches and must not reach PostgreSQL (here they would be rows 98 and 99).
        const whole = Buffer.from("98\tbefore\n1\tone\n2\ttwo\n99\tafter\n");
        const start = whole.indexOf("1\t");
        const end = whole.indexOf("99\t");
        await db.transaction((tx) => tx.copyFrom("copy_view_probe", ["id", "note"], whole.subarray(start, end)));
        expect(await db.query(`SELECT id, note FROM copy_view_probe ORDER BY id`)).to.deep.equal([
          { id: 1, note: "one" },
          { id: 2, note: "two" },
        ]);
      });
    }
  });

  it("keeps COPY buffers per table: a long backfill does not grow every reused buffer to the largest table's size", () => {
    // One large table and ten small ones per batch, as in a backfill. From one shared pool the large
    // table took a small buffer each batch and grew it (and the small tables took the large ones), so
    // after a dozen batches every pooled buffer had the large table's size.
    const others = [...APPEND_ONLY_TABLES.filter((table) => table !== EVENTS), PODS, BALANCES, MARKET_TOKENS, MARKET_SETTINGS];
    const position = { blockNumber: 1, logIndex: 0, timestamp: 1_700_000_000, blockHash: `0x${"b".repeat(64)}`, txHash: `0x${"c".repeat(64)}` };
    const large = { contract: "PodMarket", name: "Approval", args: { note: "x".repeat(900) } };
    let largest = 0;
    for (let batch = 0; batch < 12; batch++) {
      const rows = [new CopyRows(EVENTS), ...others.map((table) => new CopyRows(table))];
      for (let index = 0; index < 2_000; index++) rows[0].add(large, { ...position, logIndex: index });
      for (const small of rows.slice(1)) small.add({}, position);
      largest = Math.max(largest, rows[0].bytes().length);
      for (const copy of rows) copy.release();
    }
    // events keeps at most two buffers of at most twice its payload (buffers grow by doubling); each
    // other table at most two of the initial 64 KB (plus whatever earlier tests left, all small).
    expect(largest).to.be.above(1_800_000);
    expect(spareCopyBytes()).to.be.at.most(2 * 2 * largest + others.length * 2 * 256 * 1024);
  });

  it("hands PGlite the payload's own bytes (no copy) in an in-memory file, removed after the COPY whether it succeeds or fails", async () => {
    const pg = new PGlite();
    try {
      await pg.query(`CREATE TABLE copy_file_probe (id INTEGER PRIMARY KEY, note TEXT NOT NULL)`);
      const fs = pgliteFileSystem(pg);
      // A plain Uint8Array: a Node Buffer's slice() shares its memory anyway, so only this shows the copy.
      const payload = new Uint8Array(Buffer.from("1\tone\n2\ttwo\n"));
      let sharedWhileCopying: boolean | undefined;
      // A target that looks at the file while COPY runs, then lets PGlite run it.
      const watching = {
        query: (sql: string) => {
          sharedWhileCopying = (fs.lookupPath(COPY_PAYLOAD_FILE, {}).node as { contents: Uint8Array }).contents.buffer === payload.buffer;
          return pg.query(sql);
        },
      } as unknown as PGlite;
      await copyThroughMemoryFile(pg, watching, "copy_file_probe", ["id", "note"], payload);
      expect(sharedWhileCopying, "the file's contents are the payload's memory").to.equal(true);
      expect(fs.analyzePath(COPY_PAYLOAD_FILE).exists, "file left after the COPY").to.equal(false);
      expect((await pg.query(`SELECT id, note FROM copy_file_probe ORDER BY id`)).rows).to.deep.equal([
        { id: 1, note: "one" },
        { id: 2, note: "two" },
      ]);

      const failure = await copyThroughMemoryFile(pg, pg, "copy_file_probe", ["id", "note"], Buffer.from("2\tagain\n")).catch((error: Error & { code?: string }) => error);
      expect((failure as { code?: string }).code, "unique violation").to.equal("23505");
      expect(fs.analyzePath(COPY_PAYLOAD_FILE).exists, "file left after a failed COPY").to.equal(false);
    } finally {
      await pg.close();
    }
  });

  it("loads successive COPY payloads of different sizes exactly through the in-memory file (PGlite)", async () => {
    const db = await openDatabase({});
    try {
      await db.query(`CREATE TABLE copy_sizes_probe (id INTEGER PRIMARY KEY, note TEXT NOT NULL)`);
      const rows = (from: number, count: number, width: number) =>
        Buffer.from(Array.from({ length: count }, (_, index) => `${from + index}\t${"n".repeat(width)}\n`).join(""));
      await db.transaction(async (tx) => {
        await tx.copyFrom("copy_sizes_probe", ["id", "note"], rows(0, 2_000, 200));
        await tx.copyFrom("copy_sizes_probe", ["id", "note"], rows(10_000, 1, 3));
        await tx.copyFrom("copy_sizes_probe", ["id", "note"], rows(20_000, 500, 50));
      });
      const counts = await db.query<{ n: string; total: string }>(`SELECT count(*)::text AS n, sum(length(note))::text AS total FROM copy_sizes_probe`);
      expect(counts).to.deep.equal([{ n: "2501", total: String(2_000 * 200 + 3 + 500 * 50) }]);
    } finally {
      await db.close();
    }
  });
});

