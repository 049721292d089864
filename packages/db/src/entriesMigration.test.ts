// The entries migration on a database that holds blocked numbers: every row survives as an entry, unchanged.
import { cp, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { connectClient } from "./connection";
import { migrateDatabase } from "./migrate";
import { defaultMigrationsDir, migrationsBefore } from "./paths";
import { createTestDatabase, type TestDatabase } from "./testing/index";

const ENTRIES_MIGRATION = "20261201200000_entries";

let database: TestDatabase;
let sql: pg.Client;
let before: string;

interface OldRow {
  id: string;
  agent_id: string;
  e164: string;
  created_at: Date;
  added_by_key_id: string | null;
}
let oldRows: OldRow[];

beforeAll(async () => {
  database = await createTestDatabase({ migrated: false });
  before = await mkdtemp(path.join(os.tmpdir(), "blocklist-before-entries-"));
  await cp(defaultMigrationsDir(), before, {
    recursive: true,
    filter: migrationsBefore(ENTRIES_MIGRATION),
  });
  await migrateDatabase(database.url, { migrationsDir: before });
  sql = await connectClient(database.url);
  await sql.query(`
    INSERT INTO users (id, name) VALUES ('usr_1', 'Ada');
    INSERT INTO organizations (id, name) VALUES ('org_1', 'Acme'), ('org_2', 'Beta');
    INSERT INTO agents (id, organization_id, name) VALUES ('agt_1', 'org_1', 'Front'), ('agt_2', 'org_2', 'Night');
    INSERT INTO api_keys (id, user_id, hash, prefix) VALUES ('key_1', 'usr_1', '\\x01', 'bl_1');
    -- Twelve rows over both agents, some with a key, each a day older than the next; the last two then removed,
    -- so that the sequence stands past the highest id left.
    INSERT INTO blocked_numbers (agent_id, e164, created_at, added_by_key_id)
      SELECT CASE WHEN i % 3 = 0 THEN 'agt_2' ELSE 'agt_1' END, '+1415555' || (1000 + i),
        timestamptz '2026-11-01 12:00:00.123Z' + i * interval '1 day', CASE WHEN i % 2 = 0 THEN 'key_1' END
      FROM generate_series(1, 12) i;
    DELETE FROM blocked_numbers WHERE id > 10;`);
  oldRows = (await sql.query<OldRow>("SELECT * FROM blocked_numbers ORDER BY id")).rows;
  await migrateDatabase(database.url);
});

afterAll(async () => {
  await sql?.end();
  await database?.drop();
  await rm(before, { recursive: true, force: true });
});

describe("the entries migration", () => {
  test("keeps every row, its order, its time and its key, as an inbound number block of its agent's list", async () => {
    expect(oldRows).toHaveLength(10);
    const { rows } = await sql.query(
      `SELECT seq::text AS seq, org_id, agent_id, match, value, action, direction, reason, note, expires_at, expired,
         created_at, created_by_key_id, created_via, hits::int AS hits, last_hit_at
       FROM entries ORDER BY entries.seq`,
    );
    expect(rows).toEqual(
      oldRows.map((row) => ({
        seq: row.id,
        org_id: row.agent_id === "agt_1" ? "org_1" : "org_2",
        agent_id: row.agent_id,
        match: "number",
        value: row.e164,
        action: "block",
        direction: "inbound",
        reason: null,
        note: null,
        expires_at: null,
        expired: false,
        created_at: row.created_at,
        created_by_key_id: row.added_by_key_id,
        created_via: null,
        hits: 0,
        last_hit_at: null,
      })),
    );
  });

  test("gives every entry a public id of its own, ent_ and 20 base62 characters", async () => {
    const { rows } = await sql.query<{ id: string }>("SELECT id FROM entries");
    const ids = rows.map((row) => row.id);
    expect(ids).toHaveLength(10);
    for (const id of ids) expect(id).toMatch(/^ent_[0-9A-Za-z]{20}$/);
    expect(new Set(ids).size).toBe(10);
  });

  test("drops blocked_numbers and its trigger functions", async () => {
    const { rows } = await sql.query(
      `SELECT to_regclass('blocked_numbers') AS table_left,
         (SELECT count(*)::int FROM pg_proc WHERE proname LIKE 'blocklist_notify_numbers_%') AS functions_left`,
    );
    expect(rows).toEqual([{ table_left: null, functions_left: 0 }]);
  });

  test("goes on numbering after the old sequence, past ids of rows removed before", async () => {
    const { rows } = await sql.query<{ seq: string }>(
      `INSERT INTO entries (org_id, agent_id, value) VALUES ('org_1', 'agt_1', '+14155559999') RETURNING seq::text`,
    );
    expect(rows).toEqual([{ seq: "13" }]);
  });
});
