import type { PrismaClient } from "./generated/prisma/client";

/**
 * Names of the migrations recorded as applied (finished, not rolled back), oldest first; an empty list when the
 * database has no migrations table at all. Two small queries: cheap enough for a readiness probe every second.
 */
export async function appliedMigrationNames(db: PrismaClient): Promise<string[]> {
  const [table] = await db.$queryRaw<{ present: boolean }[]>`
    SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS present`;
  if (!table?.present) return [];
  const rows = await db.$queryRaw<{ migration_name: string }[]>`
    SELECT migration_name FROM "_prisma_migrations"
    WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL
    ORDER BY migration_name`;
  return rows.map((row) => row.migration_name);
}
