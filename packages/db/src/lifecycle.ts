// Bringing the database up: embedded PostgreSQL or DATABASE_URL, migrations, the data directory.
// Used by the server entry point, the admin CLI and tests; never by request handlers.
export { DatabaseConnectionError, EmbeddedPostgresError, redactDatabaseUrl } from "./connection";
export { type Database, type StartDatabaseOptions, startDatabase } from "./database";
export {
  type EmbeddedPostgresOptions,
  type EmbeddedPostgresServer,
  startEmbeddedPostgres,
} from "./embedded-postgres";
export {
  type MigrateOptions,
  type MigrateResult,
  MigrationError,
  migrateDatabase,
  readMigrations,
} from "./migrate";
export { defaultDataDir } from "./paths";
