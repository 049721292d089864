// Times the entries migration on a million blocked numbers (10,000 agents in 1,000 organizations, rows spread
// over the table as the bench's dataset spreads them), in a throwaway embedded PostgreSQL:
//   pnpm --filter @blocklist/db exec tsx scripts/measure-entries-migration.ts
import { cp, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { connectClient } from "../src/connection";
import { startEmbeddedPostgres } from "../src/embedded-postgres";
import { migrateDatabase } from "../src/migrate";
import { defaultMigrationsDir, migrationsBefore } from "../src/paths";

const ENTRIES_MIGRATION = "20261201200000_entries";
const ROWS = 1_000_000;

const dataDir = await mkdtemp(path.join(os.tmpdir(), "blocklist-measure-entries-"));
const before = path.join(dataDir, "migrations-before");
await cp(defaultMigrationsDir(), before, {
  recursive: true,
  filter: migrationsBefore(ENTRIES_MIGRATION),
});
const server = await startEmbeddedPostgres({ dataDir: path.join(dataDir, "data") });
try {
  await migrateDatabase(server.url, { migrationsDir: before });
  const sql = await connectClient(server.url);
  await sql.query(`
    INSERT INTO users (id, name) VALUES ('usr_1', 'u');
    INSERT INTO api_keys (id, user_id, hash, prefix) VALUES ('key_1', 'usr_1', '\\x01', 'bl_1');
    INSERT INTO organizations (id, name) SELECT 'org_' || i, 'o' FROM generate_series(0, 999) i;
    INSERT INTO agents (id, organization_id, name) SELECT 'agt_' || i, 'org_' || (i / 10), 'a' FROM generate_series(0, 9999) i;
    INSERT INTO blocked_numbers (agent_id, e164, added_by_key_id)
      SELECT 'agt_' || (i % 10000), '+1201' || lpad((2000000 + i)::text, 7, '0'), CASE WHEN i % 2 = 0 THEN 'key_1' END
      FROM generate_series(0, ${ROWS - 1}) i;
`);
  await sql.query("VACUUM ANALYZE");
  const load = () =>
    os
      .loadavg()
      .map((value) => value.toFixed(2))
      .join(" ");
  process.stdout.write(`rows: ${ROWS}, load before: ${load()}\n`);
  const started = performance.now();
  await migrateDatabase(server.url);
  const seconds = (performance.now() - started) / 1000;
  const { rows } = await sql.query<{ n: string }>("SELECT count(*) AS n FROM entries");
  process.stdout.write(`migrated ${rows[0]?.n} rows in ${seconds.toFixed(1)} s, load after: ${load()}\n`);
  await sql.end();
} finally {
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
}
