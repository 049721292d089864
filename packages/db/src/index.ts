export { createPrismaClient, disconnectPrismaClient, getPrismaClient } from "./client.js";
export { DatabaseConnectionError, redactDatabaseUrl } from "./connection.js";
export { type Database, type StartDatabaseOptions, startDatabase } from "./database.js";
export {
  type EmbeddedPostgresOptions,
  type EmbeddedPostgresServer,
  startEmbeddedPostgres,
} from "./embedded-postgres.js";
export type {
  Agent,
  ApiKey,
  BlockedNumber,
  Membership,
  Organization,
  User,
} from "./generated/prisma/client.js";
export { Prisma, PrismaClient } from "./generated/prisma/client.js";
export { type MigrateOptions, type MigrateResult, MigrationError, migrateDatabase } from "./migrate.js";
export { defaultDataDir } from "./paths.js";
