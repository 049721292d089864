import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, afterEach, describe, expect, test } from "vitest";
import { DatabaseConnectionError, withDatabaseName } from "./connection";
import { type Database, startDatabase } from "./database";
import { readMigrations } from "./migrate";
import { defaultDataDir, findRepoRoot, packageDir } from "./paths";
import { createTestDatabase, type TestDatabase } from "./testing/index";

const started: Database[] = [];
const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  await Promise.all(started.map((database) => database.stop()));
  for (const cleanup of cleanups) await cleanup();
});

async function start(options: Parameters<typeof startDatabase>[0]): Promise<Database> {
  const database = await startDatabase(options);
  started.push(database);
  return database;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function tables(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    );
    return rows.map((row) => row.name);
  } finally {
    await client.end();
  }
}

describe("startDatabase", () => {
  test("without a URL runs the embedded server in dataDir and migrates it once", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "blocklist-start-database-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const migrations = (await readMigrations()).map((migration) => migration.name);

    const server = await start({ dataDir });
    expect(server).toMatchObject({ embedded: true, appliedMigrations: migrations });
    expect(await tables(server.url)).toContain("entries");

    // What the CLI does while the server runs: same database, nothing left to migrate, stop() leaves it running.
    const cli = await start({ dataDir });
    expect(cli).toMatchObject({ url: server.url, embedded: true, appliedMigrations: [] });
    await cli.stop();
    expect(await tables(server.url)).toContain("entries");
    await server.stop();
  });

  describe("with a URL", () => {
    let database: TestDatabase;

    afterEach(async () => {
      await database?.drop();
    });

    test("uses that database and migrates it", async () => {
      database = await createTestDatabase({ migrated: false });
      const server = await start({ databaseUrl: database.url });
      expect(server).toMatchObject({ url: database.url, embedded: false });
      expect(server.appliedMigrations.length).toBeGreaterThan(0);
      await server.stop();
      expect(await tables(database.url)).toContain("entries");
    });
  });

  test("explains in one line, without the password, why a URL cannot be reached", async () => {
    const port = await closedPort();
    const run = startDatabase({ databaseUrl: `postgresql://app:s3cret-pw@127.0.0.1:${port}/blocklist` });
    await expect(run).rejects.toThrow(DatabaseConnectionError);
    await expect(run).rejects.toThrow(
      new DatabaseConnectionError(`Cannot connect to PostgreSQL at 127.0.0.1:${port} (ECONNREFUSED)`),
    );
  });

  test("names the server's reason when it refuses the login", async () => {
    const database = await createTestDatabase({ migrated: false });
    cleanups.push(database.drop);
    const url = new URL(database.url);
    url.password = "wrong-password";
    const error: unknown = await startDatabase({ databaseUrl: url.toString() }).catch((caught) => caught);
    expect(error).toBeInstanceOf(DatabaseConnectionError);
    expect((error as Error).message).toBe(
      `Cannot connect to PostgreSQL at ${url.host} (password authentication failed for user "blocklist")`,
    );
    expect((error as Error).message).not.toContain("wrong-password");
  });

  test("refuses a URL that is not one", async () => {
    await expect(startDatabase({ databaseUrl: "not a url" })).rejects.toThrow(
      "DATABASE_URL is not a valid postgresql:// URL",
    );
  });
});

describe("defaultDataDir", () => {
  const saved = process.env.DATA_DIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.DATA_DIR;
    else process.env.DATA_DIR = saved;
  });

  test("is .data at the repository root", () => {
    delete process.env.DATA_DIR;
    const root = findRepoRoot(packageDir() ?? ".");
    expect(root).toBeDefined();
    expect(defaultDataDir()).toBe(path.join(root ?? "", ".data"));
  });

  test("is DATA_DIR when set, resolved against the working directory", () => {
    process.env.DATA_DIR = "some/where";
    expect(defaultDataDir()).toBe(path.resolve(process.cwd(), "some/where"));
    process.env.DATA_DIR = "/abs/data";
    expect(defaultDataDir()).toBe("/abs/data");
  });
});

test("withDatabaseName keeps the credentials and the server", () => {
  expect(withDatabaseName("postgresql://u:p%40ss@h:5433/a?sslmode=require", "b")).toBe(
    "postgresql://u:p%40ss@h:5433/b?sslmode=require",
  );
});
