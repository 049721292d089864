// pnpm --filter @blocklist/db migration:diff [--create <name>]
//
// Prints the SQL that takes the database from what prisma/migrations builds to what prisma/schema.prisma says
// (from an empty database while there are no migrations). With --create <name>, writes it as a new migration
// folder instead. Replaying the migrations needs a scratch PostgreSQL: DATABASE_URL if set (the role needs
// CREATEDB; a temporary shadow database is created and dropped), else a throwaway embedded server.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { startEmbeddedPostgres } from "../src/embedded-postgres";
import { defaultMigrationsDir, schemaPath } from "../src/paths";
import { diffMigrationsToSchema, MIGRATION_LOCKFILE } from "../src/schema-engine";

// `pnpm migration:diff -- --create x` passes the `--` through.
const args = process.argv.slice(2).filter((arg, index) => !(index === 0 && arg === "--"));
const { values } = parseArgs({ args, options: { create: { type: "string" } } });
const migrationName = values.create;
if (migrationName !== undefined && !/^[a-z0-9_]+$/.test(migrationName)) {
  console.error("--create takes a name in snake_case, e.g. --create add_agent_labels");
  process.exit(2);
}

async function withScratchDatabase<T>(work: (url: string) => Promise<T>): Promise<T> {
  if (process.env.DATABASE_URL) return work(process.env.DATABASE_URL);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "blocklist-migration-diff-"));
  const server = await startEmbeddedPostgres({ dataDir, settings: { fsync: "off" } });
  try {
    // The superuser: replaying the migrations creates a shadow database.
    return await work(server.superuserUrl);
  } finally {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

// Prisma's folder names: UTC yyyyMMddHHmmss, then the name.
function timestamp(date: Date): string {
  return date.toISOString().replace(/\D/g, "").slice(0, 14);
}

const migrationsDir = defaultMigrationsDir();
const diff = await withScratchDatabase((connectionString) =>
  diffMigrationsToSchema({ connectionString, migrationsDir, schemaPath: schemaPath() }),
);

if (migrationName === undefined) {
  process.stdout.write(diff.empty ? "-- The migrations already match prisma/schema.prisma.\n" : diff.sql);
} else if (diff.empty) {
  console.error("The migrations already match prisma/schema.prisma; no migration written.");
} else {
  const folder = path.join(migrationsDir, `${timestamp(new Date())}_${migrationName}`);
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, "migration.sql"), diff.sql);
  await writeFile(path.join(migrationsDir, "migration_lock.toml"), MIGRATION_LOCKFILE);
  console.error(`Wrote ${path.relative(process.cwd(), path.join(folder, "migration.sql"))}`);
}
