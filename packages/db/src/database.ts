import { connectClient } from "./connection";
import { startEmbeddedPostgres } from "./embedded-postgres";
import { migrateDatabase } from "./migrate";
import { defaultDataDir } from "./paths";

export interface StartDatabaseOptions {
  /** An existing PostgreSQL database (usually process.env.DATABASE_URL); when empty, run the embedded one. */
  databaseUrl?: string;
  /**
   * The same database reached directly, not through a pooler in transaction mode (DATABASE_DIRECT_URL), for
   * what needs a session of its own: the migration lock here, LISTEN later. Default `databaseUrl`; ignored
   * with the embedded server, whose one URL is direct.
   */
  directUrl?: string;
  /** Files of the embedded server; default defaultDataDir() (DATA_DIR, else <repo>/.data). */
  dataDir?: string;
  /** Where the migration folders are; required when this code is bundled (Next.js). */
  migrationsDir?: string;
  /** How long connecting to `databaseUrl` may take before start-up gives up; default 10 s. */
  connectTimeoutMs?: number;
}

export interface Database {
  /** For the service's pool (and anything else that runs statement by statement). */
  url: string;
  /** For the listening connection of the check cache: reaches PostgreSQL directly. */
  directUrl: string;
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
    const directUrl = options.directUrl || databaseUrl;
    for (const url of new Set([databaseUrl, directUrl])) {
      const client = await connectClient(url, { timeoutMs: options.connectTimeoutMs });
      await client.end();
    }
    // pg_advisory_lock and its unlock are separate statements: on one connection of its own, straight to
    // PostgreSQL, as a pooler in transaction mode could run them on two server connections (and leak the lock).
    const { applied } = await migrateDatabase(directUrl, { migrationsDir });
    return { url: databaseUrl, directUrl, embedded: false, appliedMigrations: applied, stop: async () => {} };
  }
  const server = await startEmbeddedPostgres({ dataDir: options.dataDir ?? defaultDataDir() });
  try {
    const { applied } = await migrateDatabase(server.url, { migrationsDir });
    return {
      url: server.url,
      directUrl: server.url,
      embedded: true,
      appliedMigrations: applied,
      stop: server.stop,
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
