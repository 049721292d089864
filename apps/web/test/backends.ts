// For the tests that cut a request off halfway (atomic, csv-atomic): admin connections to the test's own
// PostgreSQL, and the backend of a request's statement once it waits on a lock the test holds.
import pg from "pg";
import { expect } from "vitest";

/** A superuser connection; a backend terminated by the test must not end the test with its error. */
export async function adminClient(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  client.on("error", () => {});
  return client;
}

/** The pid of the statement matching `pattern` (LIKE) once it waits for a lock, i.e. where the test holds it. */
export async function waitingBackend(watcher: pg.Client, pattern: string): Promise<number> {
  let pid: number | undefined;
  await expect
    .poll(
      async () => {
        const { rows } = await watcher.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity
           WHERE wait_event_type = 'Lock' AND query LIKE $1 AND pid <> pg_backend_pid()`,
          [pattern],
        );
        pid = rows[0]?.pid;
        return pid;
      },
      { timeout: 120_000, interval: 100 },
    )
    .toBeTypeOf("number");
  return pid as number;
}
