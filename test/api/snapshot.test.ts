import { expect } from "chai";
import { OperationSnapshot } from "../../services/api/graphql/snapshot/operation-snapshot";
import { testBackends } from "../support/api/database";
import { insertPod } from "../support/api/fixtures";

for (const backend of testBackends()) {
  describe(`operation snapshots (${backend.name})`, () => {
    it("see one state while others commit, and refuse use after release", async () => {
      const { db, dispose } = await backend.open();
      try {
        await insertPod(db, { id: 1 });
        const snapshot = new OperationSnapshot(db);
        const tx = await snapshot.get();
        const count = async () => Number((await tx.query<{ n: number }>("SELECT count(*)::integer AS n FROM pods"))[0].n);
        expect(await count()).to.equal(1);
        // PGlite has one connection, so the writer waits for the snapshot; PostgreSQL commits at once.
        const writer = db.transaction((w) => insertPod(w, { id: 2 }));
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(await count()).to.equal(1);
        await snapshot.release();
        await writer;
        let refused: unknown;
        await tx.query("SELECT 1").catch((error: unknown) => (refused = error));
        expect(String(refused)).to.match(/snapshot was released/);
        expect((await db.query<{ n: number }>("SELECT count(*)::integer AS n FROM pods"))[0].n).to.equal(2);
        await snapshot.release();
      } finally {
        await dispose();
      }
    });

    it("are released after the hold limit, so a stuck operation cannot block the database", async () => {
      const { db, dispose } = await backend.open();
      try {
        const snapshot = new OperationSnapshot(db, 100);
        await snapshot.get();
        // On PGlite this write can only happen once the hold limit released the snapshot.
        await db.transaction((w) => insertPod(w, { id: 3 }));
        await new Promise((resolve) => setTimeout(resolve, 150));
        const tx = await snapshot.get();
        let refused: unknown;
        await tx.query("SELECT 1").catch((error: unknown) => (refused = error));
        expect(String(refused)).to.match(/held over 100 ms/);
      } finally {
        await dispose();
      }
    });

    it("read without a transaction when the operation has one statement, and refuse a second statement", async () => {
      const { db, dispose } = await backend.open();
      try {
        await insertPod(db, { id: 1 });
        let snapshots = 0;
        const counting = { ...db, snapshot: <T>(fn: Parameters<typeof db.snapshot<T>>[0]) => (snapshots++, db.snapshot(fn)) };
        const snapshot = new OperationSnapshot(counting);
        snapshot.readWithoutTransaction();
        const tx = await snapshot.get();
        expect((await tx.query<{ n: number }>("SELECT count(*)::integer AS n FROM pods"))[0].n).to.equal(1);
        let refused: unknown;
        await (await snapshot.get()).query("SELECT 1").catch((error: unknown) => (refused = error));
        expect(String(refused)).to.match(/issued a second one/);
        expect(snapshots).to.equal(0);
        await snapshot.release();
        // Too late once a read opened the transaction.
        const opened = new OperationSnapshot(db);
        await opened.get();
        expect(() => opened.readWithoutTransaction()).to.throw(/before the first read/);
        await opened.release();
      } finally {
        await dispose();
      }
    });

    it("cost nothing when never opened", async () => {
      const { db, dispose } = await backend.open();
      try {
        await new OperationSnapshot(db).release();
      } finally {
        await dispose();
      }
    });
  });
}
