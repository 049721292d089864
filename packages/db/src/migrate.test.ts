import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, inject, test } from "vitest";
import { MigrationError, migrateDatabase, migrationChecksum, readMigrations } from "./migrate";
import { defaultMigrationsDir, schemaPath } from "./paths";
import { applyMigrationsWithPrisma, diagnoseMigrationHistory, diffMigrationsToSchema } from "./schema-engine";
import { createTestDatabase, type TestDatabase } from "./testing/index";

const migrationsDir = defaultMigrationsDir();
let migrationNames: string[];
const databases: TestDatabase[] = [];

async function emptyDatabase(): Promise<string> {
  const database = await createTestDatabase({ migrated: false });
  databases.push(database);
  return database.url;
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** A copy of the checked-in migrations that a test may change. */
async function copyOfMigrations(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "blocklist-migrations-"));
  await cp(migrationsDir, dir, { recursive: true });
  return dir;
}

interface MigrationRow {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
  started_at: Date;
  applied_steps_count: number;
}

const migrationRows = (url: string) =>
  query<MigrationRow>(url, `SELECT * FROM "_prisma_migrations" ORDER BY migration_name`);

beforeAll(async () => {
  migrationNames = (await readMigrations(migrationsDir)).map((migration) => migration.name);
});

afterAll(async () => {
  await Promise.all(databases.map((database) => database.drop()));
});

describe("the checked-in migrations", () => {
  test("are Prisma migration folders", async () => {
    expect(migrationNames.length).toBeGreaterThan(0);
    for (const name of migrationNames) expect(name).toMatch(/^\d{14}_[a-z0-9_]+$/);
    expect(await readFile(path.join(migrationsDir, "migration_lock.toml"), "utf8")).toContain(
      'provider = "postgresql"',
    );
  });

  test("produce exactly the schema in schema.prisma", async () => {
    const diff = await diffMigrationsToSchema({
      connectionString: inject("postgresUrl"),
      migrationsDir,
      schemaPath: schemaPath(),
    });
    expect(diff).toEqual({ sql: "-- This is an empty migration.\n", empty: true });
  });
});

describe("migrateDatabase", () => {
  test("applies every migration once; a second run applies nothing", async () => {
    const url = await emptyDatabase();
    expect(await migrateDatabase(url)).toEqual({ applied: migrationNames });
    expect(await migrateDatabase(url)).toEqual({ applied: [] });
    expect((await migrationRows(url)).map((row) => row.migration_name)).toEqual(migrationNames);
  });

  test("runs started at the same time apply each migration exactly once", async () => {
    const url = await emptyDatabase();
    const results = await Promise.all([migrateDatabase(url), migrateDatabase(url), migrateDatabase(url)]);
    expect(results.flatMap((result) => result.applied).sort()).toEqual(migrationNames);
    expect((await migrationRows(url)).map((row) => row.migration_name)).toEqual(migrationNames);
  });

  test("records migrations exactly as prisma migrate deploy does", async () => {
    const ours = await emptyDatabase();
    const prismas = await emptyDatabase();
    await migrateDatabase(ours);
    const engine = { migrationsDir, schemaPath: schemaPath() };
    expect(await applyMigrationsWithPrisma({ connectionString: prismas, ...engine })).toEqual(migrationNames);

    // The same table…
    const columns = (url: string) =>
      query(
        url,
        `SELECT column_name, data_type, character_maximum_length, is_nullable, column_default
           FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
      );
    expect(await columns(ours)).toEqual(await columns(prismas));

    // …the same rows, up to ids and times…
    const comparable = (rows: MigrationRow[]) =>
      rows.map(({ id, started_at, finished_at, ...rest }) => ({
        ...rest,
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        finished: finished_at !== null && finished_at >= started_at,
      }));
    const ourRows = await migrationRows(ours);
    expect(comparable(ourRows)).toEqual(comparable(await migrationRows(prismas)));
    for (const row of ourRows) {
      const file = await readFile(path.join(migrationsDir, row.migration_name, "migration.sql"), "utf8");
      expect(row).toMatchObject({ checksum: migrationChecksum(file), applied_steps_count: 1, logs: null });
    }

    // …so Prisma considers our database up to date, and we consider Prisma's up to date.
    expect(await applyMigrationsWithPrisma({ connectionString: ours, ...engine })).toEqual([]);
    expect(await diagnoseMigrationHistory({ connectionString: ours, ...engine })).toEqual({
      editedMigrationNames: [],
      failedMigrationNames: [],
      hasMigrationsTable: true,
      history: null,
    });
    expect(await migrateDatabase(prismas)).toEqual({ applied: [] });
  });

  test("creates the tables, keys and indexes of the schema", async () => {
    const url = await emptyDatabase();
    await migrateDatabase(url);
    const tables = await query<{ table_name: string }>(
      url,
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    expect(tables.map((row) => row.table_name)).toEqual([
      "_prisma_migrations",
      "agents",
      "api_keys",
      "cursor_secret",
      "entries",
      "entry_events",
      "memberships",
      "organizations",
      "rate_limit_counters",
      "sessions",
      "users",
    ]);
    const indexes = await query<{ indexname: string; indexdef: string }>(
      url,
      `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'entries' ORDER BY indexname`,
    );
    expect(indexes.map((row) => row.indexdef.replace(" ON public.entries USING btree", ""))).toEqual([
      "CREATE UNIQUE INDEX entries_active_key (org_id, agent_id, match, value, action, direction) NULLS NOT DISTINCT WHERE (NOT expired)",
      "CREATE INDEX entries_agent_id_seq_idx (agent_id, seq)",
      "CREATE INDEX entries_agent_id_value_idx (agent_id, value)",
      "CREATE INDEX entries_both_number_blocks_idx (agent_id, value) INCLUDE (seq, expires_at) WHERE ((match = 'number'::text) AND (action = 'block'::text) AND (direction = 'both'::text) AND (NOT expired))",
      "CREATE INDEX entries_expires_at_idx (expires_at) WHERE ((NOT expired) AND (expires_at IS NOT NULL))",
      "CREATE UNIQUE INDEX entries_id_key (id)",
      "CREATE INDEX entries_org_id_seq_idx (org_id, seq) WHERE (agent_id IS NULL)",
      "CREATE INDEX entries_org_id_value_idx (org_id, value) WHERE (agent_id IS NULL)",
      "CREATE UNIQUE INDEX entries_pkey (seq)",
      "CREATE INDEX entries_published_view_idx (agent_id, seq) INCLUDE (value, direction, expires_at) WHERE ((match = 'number'::text) AND (action = 'block'::text) AND (direction = ANY (ARRAY['inbound'::text, 'both'::text])) AND (NOT expired))",
    ]);
    const eventIndexes = await query<{ indexdef: string }>(
      url,
      `SELECT indexdef FROM pg_indexes WHERE tablename = 'entry_events' ORDER BY indexname`,
    );
    expect(
      eventIndexes.map((row) => row.indexdef.replace(" ON public.entry_events USING btree", "")),
    ).toEqual([
      "CREATE INDEX entry_events_agent_id_seq_idx (agent_id, seq)",
      "CREATE INDEX entry_events_at_idx (at)",
      "CREATE INDEX entry_events_org_id_seq_idx (org_id, seq) WHERE (agent_id IS NULL)",
      "CREATE UNIQUE INDEX entry_events_pkey (seq)",
    ]);
    const counterIndexes = await query<{ indexdef: string }>(
      url,
      `SELECT indexdef FROM pg_indexes WHERE tablename = 'rate_limit_counters' ORDER BY indexname`,
    );
    expect(counterIndexes.map((row) => row.indexdef)).toEqual([
      expect.stringContaining(
        "UNIQUE INDEX rate_limit_counters_pkey ON public.rate_limit_counters USING btree (key_id, window_start)",
      ),
      expect.stringContaining(
        "INDEX rate_limit_counters_window_start_idx ON public.rate_limit_counters USING btree (window_start)",
      ),
    ]);
  });

  test("makes one cursor secret of 32 random bytes per database, and no second row", async () => {
    const [first, second] = [await emptyDatabase(), await emptyDatabase()];
    await Promise.all([migrateDatabase(first), migrateDatabase(second)]);
    const secretOf = async (url: string) => {
      const rows = await query<{ id: number; secret: Buffer }>(url, "SELECT id, secret FROM cursor_secret");
      expect(rows).toEqual([{ id: 1, secret: expect.any(Buffer) }]);
      return rows[0]?.secret ?? Buffer.alloc(0);
    };
    const [a, b] = [await secretOf(first), await secretOf(second)];
    expect([a.length, b.length]).toEqual([32, 32]);
    expect(a.equals(b)).toBe(false);
    await expect(
      query(first, "INSERT INTO cursor_secret (id, secret) VALUES (2, sha256('x'::bytea))"),
    ).rejects.toThrow(/cursor_secret_one_row/);
  });

  describe("with a migrations folder of its own", () => {
    let dir: string;

    beforeAll(async () => {
      dir = await copyOfMigrations();
    });

    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
      dir = await copyOfMigrations();
    });

    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    test("refuses to run when an applied migration's file was edited", async () => {
      const url = await emptyDatabase();
      await migrateDatabase(url, { migrationsDir: dir });
      const file = path.join(dir, migrationNames[0] ?? "", "migration.sql");
      await writeFile(file, `${await readFile(file, "utf8")}\n-- edited\n`);
      const run = migrateDatabase(url, { migrationsDir: dir });
      await expect(run).rejects.toThrow(MigrationError);
      await expect(run).rejects.toThrow(`Migration ${migrationNames[0]} was edited after it was applied`);
    });

    test("accepts an applied migration whose file only changed line endings", async () => {
      const url = await emptyDatabase();
      await migrateDatabase(url, { migrationsDir: dir });
      const file = path.join(dir, migrationNames[0] ?? "", "migration.sql");
      await writeFile(file, (await readFile(file, "utf8")).replace(/\n/g, "\r\n"));
      expect(await migrateDatabase(url, { migrationsDir: dir })).toEqual({ applied: [] });
    });

    test("rolls back a failing migration and records nothing of it", async () => {
      const url = await emptyDatabase();
      await mkdir(path.join(dir, "99990101000000_broken"));
      await writeFile(
        path.join(dir, "99990101000000_broken", "migration.sql"),
        `CREATE TABLE "half_done" (id INT);\nSELECT 1 / 0;\n`,
      );
      await expect(migrateDatabase(url, { migrationsDir: dir })).rejects.toThrow(
        "Migration 99990101000000_broken failed and was rolled back: division by zero",
      );
      expect((await migrationRows(url)).map((row) => row.migration_name)).toEqual(migrationNames);
      expect(await query(url, `SELECT to_regclass('half_done') AS "table"`)).toEqual([{ table: null }]);
    });

    test("refuses to run while a migration is recorded as unfinished", async () => {
      const url = await emptyDatabase();
      await migrateDatabase(url, { migrationsDir: dir });
      await query(
        url,
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name) VALUES (gen_random_uuid(), 'x', 'crashed')`,
      );
      await expect(migrateDatabase(url, { migrationsDir: dir })).rejects.toThrow(
        "Migration crashed is recorded as started but not finished",
      );
    });
  });

  test("explains a missing migrations directory", async () => {
    await expect(migrateDatabase("postgresql://unused", { migrationsDir: "/nonexistent" })).rejects.toThrow(
      "Cannot read the migrations directory /nonexistent",
    );
  });
});
