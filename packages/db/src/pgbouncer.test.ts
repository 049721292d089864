// Behind a real PgBouncer in transaction mode (how most hosted PostgreSQL is reached): what needs a session of its
// own, LISTEN and the migration lock, goes to PostgreSQL directly, and a listener that is pooled all the same
// hears nothing, so that its user cannot mistake answered queries for delivered notifications.
import pg from "pg";
import { afterAll, describe, expect, test } from "vitest";
import { CHANGES_CHANNEL, type ChangeListener, startChangeListener } from "./changeListener";
import { connectClient } from "./connection";
import { startDatabase } from "./database";
import { MIGRATOR_APPLICATION_NAME, readMigrations } from "./migrate";
import { testDatabaseForFile } from "./testing/index";
import { pgBouncerForFile } from "./testing/pgbouncer";

// The key `prisma migrate` and our runner lock (migrate.ts).
const MIGRATION_LOCK_KEY = 72707369;

const migrated = await testDatabaseForFile();
const empty = await testDatabaseForFile({ migrated: false });
const pgBouncer = await pgBouncerForFile(migrated.url);
const pooledPool = new pg.Pool({ connectionString: pgBouncer.pooled(migrated.url) });
const listeners: ChangeListener[] = [];
afterAll(async () => {
  await Promise.all(listeners.map((listener) => listener.stop()));
  await pooledPool.end();
});

/** A listener on `url` whose heartbeats go through PgBouncer, with what it heard. */
function listenOn(url: string) {
  const heard = { listening: 0, delivered: 0, changes: [] as string[] };
  listeners.push(
    startChangeListener({
      connectionString: url,
      heartbeatPool: pooledPool,
      heartbeatMs: 20,
      // Short, so that the pooled listener's round trips (a window PgBouncer could deliver in) happen often.
      heartbeatTimeoutMs: 200,
      onListening: () => {
        heard.listening += 1;
      },
      onDelivered: () => {
        heard.delivered += 1;
      },
      onNotification: (payload) => heard.changes.push(payload),
      onLost: () => {},
    }),
  );
  return heard;
}

describe("behind PgBouncer in transaction mode", () => {
  test("the pooled URL really goes through PgBouncer's server connections", async () => {
    const { rows } = await pooledPool.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    expect(await pgBouncer.serverPids()).toContain(rows[0]?.pid);
  });

  test("a listener on the direct URL hears heartbeats and changes sent through PgBouncer; a pooled one hears none", async () => {
    const direct = listenOn(migrated.url);
    const pooled = listenOn(pgBouncer.pooled(migrated.url));
    await expect.poll(() => pooled.listening).toBeGreaterThan(0);
    await expect.poll(() => direct.delivered).toBeGreaterThan(20);
    await pooledPool.query("SELECT pg_notify($1, $2)", [CHANGES_CHANNEL, '"through the pool"']);
    await expect.poll(() => direct.changes).toEqual(['"through the pool"']);

    // Meanwhile the pooled listener sent as many heartbeats and asked its round trips (they all succeed), but
    // PgBouncer dropped what PostgreSQL sent it: nothing proves delivery.
    expect({ delivered: pooled.delivered, changes: pooled.changes }).toEqual({ delivered: 0, changes: [] });
  });

  test("startDatabase takes and releases the migration lock on one direct connection, never a pooled one", async () => {
    const direct = await connectClient(empty.url);
    try {
      // Held by the test, so that the runner waits on it where it can be seen.
      await direct.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
      const started = startDatabase({ databaseUrl: pgBouncer.pooled(empty.url), directUrl: empty.url });
      const waiting = async () =>
        (
          await direct.query<{ pid: number; application_name: string }>(
            `SELECT a.pid, a.application_name FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid
              WHERE l.locktype = 'advisory' AND l.objid = $1 AND NOT l.granted AND a.datname = current_database()`,
            [MIGRATION_LOCK_KEY],
          )
        ).rows;
      await expect.poll(waiting).toHaveLength(1);
      const [runner] = await waiting();
      expect(runner?.application_name).toBe(MIGRATOR_APPLICATION_NAME);
      expect(await pgBouncer.serverPids()).not.toContain(runner?.pid);

      await direct.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]);
      const database = await started;
      expect(database).toMatchObject({
        url: pgBouncer.pooled(empty.url),
        directUrl: empty.url,
        embedded: false,
        appliedMigrations: (await readMigrations()).map((migration) => migration.name),
      });
      // Released: no session holds it, PgBouncer's server connections included.
      const held = await direct.query(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        [MIGRATION_LOCK_KEY],
      );
      expect(held.rows).toEqual([]);
    } finally {
      await direct.end();
    }
  });
});
