import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** This file's directory, or undefined when a bundler has rewritten `import.meta.url` into something else. */
function moduleDir(): string | undefined {
  try {
    return path.dirname(fileURLToPath(import.meta.url));
  } catch {
    return undefined;
  }
}

/** packages/db, when this module runs from its source tree (tsx, vitest, node). */
export function packageDir(): string | undefined {
  const dir = moduleDir();
  return dir === undefined ? undefined : path.resolve(dir, "..");
}

/** The checked-in migrations. Bundled code (Next.js) must pass `migrationsDir` explicitly instead. */
export function defaultMigrationsDir(): string {
  const dir = packageDir();
  if (dir === undefined) {
    throw new Error("Cannot locate prisma/migrations from this bundle; pass the migrationsDir option");
  }
  return path.join(dir, "prisma", "migrations");
}

export function schemaPath(): string {
  const dir = packageDir();
  if (dir === undefined) throw new Error("Cannot locate prisma/schema.prisma from this bundle");
  return path.join(dir, "prisma", "schema.prisma");
}

/** The nearest directory at or above `from` that holds pnpm-workspace.yaml. */
export function findRepoRoot(from: string): string | undefined {
  let dir = path.resolve(from);
  for (;;) {
    if (existsSync(path.join(dir, "pnpm-workspace.yaml"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Where the embedded PostgreSQL keeps its files: `DATA_DIR` (resolved against the working directory) if set,
 * else `.data` at the repository root.
 */
export function defaultDataDir(configured: string | undefined = process.env.DATA_DIR): string {
  if (configured) return path.resolve(process.cwd(), configured);
  const dir = moduleDir();
  const root = (dir === undefined ? undefined : findRepoRoot(dir)) ?? findRepoRoot(process.cwd());
  if (root === undefined) {
    throw new Error("Cannot find the repository root (pnpm-workspace.yaml) to place .data; set DATA_DIR");
  }
  return path.join(root, ".data");
}

/**
 * For copying the checked-in migrations (`cp(defaultMigrationsDir(), …, { filter })`) without `migration` and
 * every one after it, which may build on it: a database as it was before `migration`.
 */
export function migrationsBefore(migration: string): (source: string) => boolean {
  return (source) => {
    const [folder = ""] = path.relative(defaultMigrationsDir(), source).split(path.sep);
    return !/^\d{14}_/.test(folder) || folder < migration;
  };
}
