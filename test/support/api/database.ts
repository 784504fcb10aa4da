import { randomBytes } from "node:crypto";
import { Pool } from "pg";
import { migrate, openDatabase, type Database } from "../../../services/database";

export interface TestBackend {
  name: "pglite" | "postgres";
  /** `dispose` is a plain function (no `this`): tests destructure it. */
  open(): Promise<{ db: Database; dispose: () => Promise<void> }>;
}

/** PGlite always; PostgreSQL too when TEST_DATABASE_URL is set (own schema per run, dropped after). */
export function testBackends(): TestBackend[] {
  const backends: TestBackend[] = [
    {
      name: "pglite",
      async open() {
        const db = await openDatabase({});
        await migrate(db);
        return { db, dispose: () => db.close() };
      },
    },
  ];
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    backends.push({
      name: "postgres",
      async open() {
        const schema = `api_test_${randomBytes(6).toString("hex")}`;
        const db = await openDatabase({ databaseUrl: url, schema });
        await migrate(db);
        return {
          db,
          dispose: async () => {
            await db.close();
            const admin = new Pool({ connectionString: url, max: 1 });
            try {
              await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
            } finally {
              await admin.end();
            }
          },
        };
      },
    });
  }
  return backends;
}
