import { createTestDatabase, type TestDatabase } from "@blocklist/db/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPool } from "./reference";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase({ migrated: false });
});
afterAll(async () => {
  await database.drop();
});

describe("createPool", () => {
  // Without its listener, the error PostgreSQL sends an idle connection it ends is thrown out of the socket's
  // handler: an uncaught exception, which fails this run (and ended `pnpm bench --quick` once in CI).
  it("outlives the end of an idle connection by the server, and answers on a new one", async () => {
    const pool = createPool(database.url, 1);
    const killer = new pg.Client({ connectionString: database.url });
    await killer.connect();
    try {
      const { rows } = await pool.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      const pid = rows[0]?.pid;
      await killer.query("SELECT pg_terminate_backend($1)", [pid]);
      await expect.poll(() => pool.totalCount).toBe(0);
      const again = await pool.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      expect(again.rows[0]?.pid).not.toBe(pid);
    } finally {
      await killer.end();
      await pool.end();
    }
  });
});
