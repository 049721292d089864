import { connectClient } from "./connection";
import { startEmbeddedPostgres } from "./embedded-postgres";
import { migrateDatabase } from "./migrate";
import { defaultDataDir } from "./paths";

export interface StartDatabaseOptions {
  /** An existing PostgreSQL database (usually process.env.DATABASE_URL); when empty, run the embedded one. */
  databaseUrl?: string;
  /** Files of the embedded server; default defaultDataDir() (DATA_DIR, else <repo>/.data). */
  dataDir?: string;
  /** Where the migration folders are; required when this code is bundled (Next.js). */
  migrationsDir?: string;
  /** How long connecting to `databaseUrl` may take before start-up gives up; default 10 s. */
  connectTimeoutMs?: number;
}

export interface Database {
  url: string;
  /** true when the embedded PostgreSQL serves `url`. */
  embedded: boolean;
  /** Migrations this start applied (empty when the database was up to date). */
  appliedMigrations: string[];
  /** Stops the embedded server if this process started it; otherwise does nothing. */
  stop(): Promise<void>;
}

/**
 * The database the application runs on, migrated: `databaseUrl` if given, else the embedded PostgreSQL in
 * `dataDir` (started, or shared with the process that already runs it). Throws DatabaseConnectionError with one
 * printable line when `databaseUrl` cannot be reached.
 */
export async function startDatabase(options: StartDatabaseOptions = {}): Promise<Database> {
  const { databaseUrl, migrationsDir } = options;
  if (databaseUrl) {
    const client = await connectClient(databaseUrl, { timeoutMs: options.connectTimeoutMs });
    await client.end();
    const { applied } = await migrateDatabase(databaseUrl, { migrationsDir });
    return { url: databaseUrl, embedded: false, appliedMigrations: applied, stop: async () => {} };
  }
  const server = await startEmbeddedPostgres({ dataDir: options.dataDir ?? defaultDataDir() });
  try {
    const { applied } = await migrateDatabase(server.url, { migrationsDir });
    return { url: server.url, embedded: true, appliedMigrations: applied, stop: server.stop };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
