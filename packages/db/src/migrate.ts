// Applies the checked-in Prisma migrations at start-up, with no network and no native engine, and records them
// in _prisma_migrations exactly as `prisma migrate deploy` does, so that Prisma's own tools agree with us later.
import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type pg from "pg";
import { connectClient } from "./connection";
import { defaultMigrationsDir } from "./paths";

export interface Migration {
  /** The folder name, e.g. `20250101000000_init`; migrations apply in the order of these names. */
  name: string;
  sql: string;
  /** SHA-256 (hex) of migration.sql, as Prisma records it. */
  checksum: string;
}

export interface MigrateOptions {
  /** The folder holding `<timestamp>_<name>/migration.sql`; defaults to this package's prisma/migrations. */
  migrationsDir?: string;
  /** How long to wait for another process that is migrating the same database; default 60 s. */
  lockTimeoutMs?: number;
}

export interface MigrateResult {
  /** Names of the migrations this call applied, in order; empty when the database was up to date. */
  applied: string[];
}

/** A migration cannot be applied, or the recorded history does not match the files. */
export class MigrationError extends Error {
  override name = "MigrationError";
}

/** The migration runner's connection's application_name in pg_stat_activity. */
export const MIGRATOR_APPLICATION_NAME = "blocklist-migrator";

// The advisory lock key `prisma migrate` takes, so that our runner and Prisma's exclude each other too.
const PRISMA_MIGRATE_LOCK_KEY = 72707369;

// The table as Prisma's schema engine creates it (checked against it in migrate.test.ts).
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export function migrationChecksum(sql: string): string {
  return createHash("sha256").update(sql, "utf8").digest("hex");
}

// Like Prisma, a checkout that only changed line endings (git autocrlf) still matches.
function checksumMatches(sql: string, recorded: string): boolean {
  const lf = sql.replace(/\r\n/g, "\n");
  return [sql, lf, lf.replace(/\n/g, "\r\n")].some((variant) => migrationChecksum(variant) === recorded);
}

/** The migration folders of `migrationsDir`, sorted by name. */
export async function readMigrations(migrationsDir: string = defaultMigrationsDir()): Promise<Migration[]> {
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(migrationsDir, { withFileTypes: true });
  } catch (error) {
    throw new MigrationError(`Cannot read the migrations directory ${migrationsDir}`, { cause: error });
  }
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return Promise.all(
    names.map(async (name) => {
      const file = path.join(migrationsDir, name, "migration.sql");
      const sql = await readFile(file, "utf8").catch((error: unknown) => {
        throw new MigrationError(`Migration folder ${name} has no readable migration.sql`, { cause: error });
      });
      return { name, sql, checksum: migrationChecksum(sql) };
    }),
  );
}

interface MigrationRecord {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/**
 * Brings the database up to date with the checked-in migrations. Each migration runs in its own transaction
 * together with its _prisma_migrations row; the whole run holds an advisory lock, so processes that start at
 * the same time apply each migration once. `connectionString` must reach PostgreSQL directly (never a pooler
 * in transaction mode): the lock belongs to the session that took it. Refuses to run when an applied migration's file was edited or a
 * migration is recorded as failed.
 */
export async function migrateDatabase(
  connectionString: string,
  options: MigrateOptions = {},
): Promise<MigrateResult> {
  const migrations = await readMigrations(options.migrationsDir ?? defaultMigrationsDir());
  // One dedicated connection for the whole run: the lock is held by its session.
  const client = await connectClient(connectionString, { applicationName: MIGRATOR_APPLICATION_NAME });
  try {
    await acquireMigrationLock(client, options.lockTimeoutMs ?? 60_000);
    try {
      await client.query(CREATE_MIGRATIONS_TABLE);
      const pending = await pendingMigrations(client, migrations);
      for (const migration of pending) await applyMigration(client, migration);
      return { applied: pending.map((migration) => migration.name) };
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [PRISMA_MIGRATE_LOCK_KEY]).catch(() => {});
    }
  } finally {
    await client.end().catch(() => {});
  }
}

async function acquireMigrationLock(client: pg.Client, timeoutMs: number): Promise<void> {
  await client.query(`SET lock_timeout = ${Math.max(1, Math.round(timeoutMs))}`);
  try {
    await client.query("SELECT pg_advisory_lock($1)", [PRISMA_MIGRATE_LOCK_KEY]);
  } catch (error) {
    if ((error as { code?: string }).code === "55P03") {
      throw new MigrationError(
        `Timed out after ${Math.round(timeoutMs / 1000)} s waiting for another process to finish migrating the database`,
        { cause: error },
      );
    }
    throw error;
  } finally {
    await client.query("RESET lock_timeout");
  }
}

async function pendingMigrations(client: pg.Client, migrations: Migration[]): Promise<Migration[]> {
  const { rows } = await client.query<MigrationRecord>(
    `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at`,
  );
  const failed = rows.find((row) => row.finished_at === null && row.rolled_back_at === null);
  if (failed) {
    throw new MigrationError(
      `Migration ${failed.migration_name} is recorded as started but not finished in _prisma_migrations ` +
        "(a failed `prisma migrate deploy`?). Repair the database, then run `prisma migrate resolve`.",
    );
  }
  const applied = new Map(
    rows.filter((row) => row.rolled_back_at === null).map((row) => [row.migration_name, row.checksum]),
  );
  for (const migration of migrations) {
    const checksum = applied.get(migration.name);
    if (checksum !== undefined && !checksumMatches(migration.sql, checksum)) {
      throw new MigrationError(
        `Migration ${migration.name} was edited after it was applied: its migration.sql no longer matches the ` +
          "checksum recorded in _prisma_migrations. Restore the file and put the change in a new migration.",
      );
    }
  }
  return migrations.filter((migration) => !applied.has(migration.name));
}

async function applyMigration(client: pg.Client, migration: Migration): Promise<void> {
  const id = randomUUID();
  await client.query("BEGIN");
  try {
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
       VALUES ($1, $2, $3, clock_timestamp(), 0)`,
      [id, migration.checksum, migration.name],
    );
    // No parameters: the simple query protocol, which runs a script of many statements.
    await client.query(migration.sql);
    await client.query(
      `UPDATE "_prisma_migrations" SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1`,
      [id],
    );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    const reason = error instanceof Error ? error.message : String(error);
    throw new MigrationError(`Migration ${migration.name} failed and was rolled back: ${reason}`, {
      cause: error,
    });
  }
}
