// For this package's own tests of the embedded PostgreSQL: servers on throwaway directories, and one-off queries.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll } from "vitest";
import {
  type EmbeddedPostgresOptions,
  type EmbeddedPostgresServer,
  startEmbeddedPostgres,
} from "../embedded-postgres";

export interface EmbeddedServers {
  /** A new directory in the temporary directory (mode 0700, as mkdtemp makes them). */
  freshDataDir(): Promise<string>;
  /** startEmbeddedPostgres with fsync off. */
  start(dataDir: string, options?: Omit<EmbeddedPostgresOptions, "dataDir">): Promise<EmbeddedPostgresServer>;
}

/**
 * For a test file, called at its top: every server it starts is stopped, and every directory it made deleted,
 * after the file's tests (after the file's own afterAll hooks, which may still use them).
 */
export function embeddedServersForFile(): EmbeddedServers {
  const dataDirs: string[] = [];
  const servers: EmbeddedPostgresServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return {
    async freshDataDir() {
      const dir = await mkdtemp(path.join(os.tmpdir(), "blocklist-embedded-test-"));
      dataDirs.push(dir);
      return dir;
    },
    async start(dataDir, options = {}) {
      const server = await startEmbeddedPostgres({ dataDir, settings: { fsync: "off" }, ...options });
      servers.push(server);
      return server;
    },
  };
}

/** The rows of `sql` (one or more statements) run on a connection of its own. */
export async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}
