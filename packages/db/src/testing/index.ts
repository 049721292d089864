// Test helpers for packages that need a real PostgreSQL. Use with the global setup (see global-setup.ts).
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, inject } from "vitest";
import { createPrismaClient, poolOf } from "../client";
import { connectClient, withDatabaseName } from "../connection";
import { type EmbeddedPostgresServer, startEmbeddedPostgres } from "../embedded-postgres";
import type { PrismaClient } from "../generated/prisma/client";
import { migrateDatabase } from "../migrate";
import { TEMPLATE_DATABASE, TEST_SERVER_SETTINGS } from "./context";

export { type PgBouncerOptions, pgBouncerForFile, startPgBouncer, type TestPgBouncer } from "./pgbouncer";
export {
  type ClusterServer,
  type StreamingCluster,
  type StreamingClusterOptions,
  startStreamingCluster,
} from "./streamingReplica";

export interface TestDatabase {
  /** postgresql:// URL of this test file's own database, migrated. */
  url: string;
  /** A client on `url`. */
  prisma: PrismaClient;
  /** Disconnects `prisma` and drops the database. */
  drop(): Promise<void>;
}

function provided(name: "postgresUrl" | "serviceUrl"): string {
  const url = inject(name);
  if (!url) {
    throw new Error(
      'createTestDatabase needs the test server: add globalSetup: ["@blocklist/db/testing/global-setup"] ' +
        "to the test block of vitest.config.ts",
    );
  }
  return url;
}

async function withAdmin<T>(work: (admin: import("pg").Client) => Promise<T>): Promise<T> {
  const admin = await connectClient(provided("postgresUrl"));
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/**
 * A fresh, migrated database of its own (a copy of the template the global setup migrated), so that test files
 * never see each other's rows. Call in beforeAll, and `drop()` in afterAll. `{ migrated: false }` gives an
 * empty database instead. `url` connects as the service role, which owns the database, as the server does.
 */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const name = `test_${process.pid}_${randomBytes(6).toString("hex")}`;
  const template = (options.migrated ?? true) ? TEMPLATE_DATABASE : "template1";
  const serviceUrl = provided("serviceUrl");
  const owner = decodeURIComponent(new URL(serviceUrl).username);
  await withAdmin((admin) =>
    admin.query(`CREATE DATABASE "${name}" OWNER ${admin.escapeIdentifier(owner)} TEMPLATE "${template}"`),
  );
  const url = withDatabaseName(serviceUrl, name);
  const prisma = createPrismaClient(url);
  let dropped: Promise<void> | undefined;
  const drop = () => {
    dropped ??= (async () => {
      await prisma.$disconnect();
      await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    })();
    return dropped;
  };
  return { url, prisma, drop };
}

/**
 * createTestDatabase() for the test file that awaits it at its top level, dropped after the file's tests:
 * `const { prisma: db } = await testDatabaseForFile();`
 */
export async function testDatabaseForFile(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const database = await createTestDatabase(options);
  afterAll(() => database.drop());
  return database;
}

/**
 * How many times `run` went to the database through `db`: each query, and each transaction, takes a connection
 * from the client's pool once. Give `db` a client of its own, so that nothing else counts in.
 */
export async function queriesDuring(db: PrismaClient, run: () => Promise<unknown>): Promise<number> {
  const pool = poolOf(db);
  let queries = 0;
  const count = () => {
    queries++;
  };
  pool.on("acquire", count);
  try {
    await run();
  } finally {
    pool.off("acquire", count);
  }
  return queries;
}

export interface TestPostgres {
  /** The server's files; they survive stop() and start(). */
  readonly dataDir: string;
  /** postgresql:// URL of the `blocklist` database (migrated unless `migrate: false`). Changes only if the port had to. */
  readonly url: string;
  /** Fast shutdown, keeping the files. */
  stop(): Promise<void>;
  /** Starts the server again on the same files. */
  start(): Promise<void>;
  /** Stops the server and deletes its files. */
  destroy(): Promise<void>;
}

/**
 * A PostgreSQL server of its own in a temporary directory, for tests that stop and restart the server. Slower
 * than createTestDatabase() (about a second for initdb); needs no global setup.
 */
export async function startTestPostgres(options: { migrate?: boolean } = {}): Promise<TestPostgres> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "blocklist-test-postgres-"));
  let server: EmbeddedPostgresServer | undefined;
  const start = async () => {
    server = await startEmbeddedPostgres({ dataDir, settings: TEST_SERVER_SETTINGS });
  };
  const stop = async () => {
    await server?.stop();
  };
  try {
    await start();
    if (options.migrate ?? true) await migrateDatabase(currentUrl());
  } catch (error) {
    await stop();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  function currentUrl(): string {
    if (!server) throw new Error("startTestPostgres: the server was never started");
    return server.url;
  }
  return {
    dataDir,
    get url() {
      return currentUrl();
    },
    start,
    stop,
    destroy: async () => {
      await stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * `command` with `args` as root where user namespaces are not allowed, as in a container under Docker's default
 * seccomp profile: in a user namespace of its own (root there too) whose limit on further ones is 0. For
 * spawn(); only root may do this.
 */
export function withoutUserNamespaces(command: string, args: string[]): [string, string[]] {
  const script = 'echo 0 > /proc/sys/user/max_user_namespaces && exec "$0" "$@"';
  return ["unshare", ["--user", "--map-root-user", "sh", "-c", script, command, ...args]];
}
