// Prisma's own schema engine, compiled to WebAssembly: what `prisma migrate diff/deploy` run, without the native
// binary that cannot be downloaded here. It is an internal Prisma package, pinned to the build that matches
// prisma 7.10 (see the catalog); everything that touches it stays in this file. Dev and test use only: the
// application applies migrations with ./migrate.ts.
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import {
  bindMigrationAwareSqlAdapterFactory,
  ColumnTypeEnum,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
  type SqlQueryable,
  type SqlResultSet,
} from "@prisma/driver-adapter-utils";
import type { MigrationList, SchemaEngine, SchemaFilter } from "@prisma/schema-engine-wasm";
import pg from "pg";
import { readMigrations } from "./migrate";

type SchemaEngineModule = typeof import("@prisma/schema-engine-wasm/schema_engine_bg");

// The global exists in Node; this project's lib settings (no DOM) just do not declare it.
const webAssembly = (
  globalThis as unknown as {
    WebAssembly: {
      instantiate(
        bytes: Uint8Array,
        imports: Record<string, unknown>,
      ): Promise<{ instance: { exports: Record<string, unknown> } }>;
    };
  }
).WebAssembly;

let engineModule: Promise<SchemaEngineModule> | undefined;

// The package's entry point imports the .wasm file as an ES module, which Node 20 allows only behind
// --experimental-wasm-modules. Instantiating it by hand from the bindings module works everywhere.
// The engine reports a Rust panic here just before it throws "unreachable".
let lastPanic: string | undefined;
(globalThis as { PRISMA_WASM_PANIC_REGISTRY?: unknown }).PRISMA_WASM_PANIC_REGISTRY ??= {
  set_message(message: string) {
    lastPanic = message;
  },
};

function loadEngineModule(): Promise<SchemaEngineModule> {
  engineModule ??= (async () => {
    const bindings = await import("@prisma/schema-engine-wasm/schema_engine_bg");
    const entry = createRequire(import.meta.url).resolve("@prisma/schema-engine-wasm");
    const bytes = await readFile(path.join(path.dirname(entry), "schema_engine_bg.wasm"));
    const { instance } = await webAssembly.instantiate(bytes, { "./schema_engine_bg.js": bindings });
    bindings.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return bindings;
  })();
  return engineModule;
}

// The engine reads PostgreSQL's catalogs, whose one-byte `"char"` columns (a constraint's type, a foreign key's
// ON DELETE action) it expects as Character values, while @prisma/adapter-pg 7.10 rejects that type as
// unsupported. Below: pg labels such columns text for the adapter and notes where they were; the adapter's
// result then gets its Character column types back. (Prisma's native engine has its own driver.)
const PG_CHAR = 18;
const PG_TEXT = 25;
/** Result rows → indexes of their "char" columns. */
const charColumns = new WeakMap<object, number[]>();

function relabelCharColumns<T>(result: T): T {
  for (const part of Array.isArray(result) ? result : [result]) {
    const { fields, rows } = (part ?? {}) as { fields?: { dataTypeID: number }[]; rows?: object };
    const indexes: number[] = [];
    fields?.forEach((field, index) => {
      if (field.dataTypeID !== PG_CHAR) return;
      field.dataTypeID = PG_TEXT;
      indexes.push(index);
    });
    if (indexes.length > 0 && rows) charColumns.set(rows, indexes);
  }
  return result;
}

class CharAsTextClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    const query = this.query.bind(this) as (...args: unknown[]) => unknown;
    // pg-pool calls query(text, values, callback); the adapter awaits query(config) on checked-out clients.
    this.query = ((...args: unknown[]) => {
      const callback = args.at(-1);
      if (typeof callback === "function") {
        args[args.length - 1] = (error: unknown, result: unknown) =>
          callback(error, error ? result : relabelCharColumns(result));
        return query(...args);
      }
      const result = query(...args);
      return result instanceof Promise ? result.then(relabelCharColumns) : result;
    }) as typeof this.query;
  }
}

function restoreCharColumns(resultSet: SqlResultSet): SqlResultSet {
  for (const index of charColumns.get(resultSet.rows) ?? []) {
    resultSet.columnTypes[index] = ColumnTypeEnum.Character;
  }
  return resultSet;
}

/**
 * PrismaPg's executeScript splits a migration on every `;`, even inside a `$$` function body or a comment, so a
 * migration that creates a trigger function cannot be applied through it. The native engine sends the script
 * whole; so does this, in one simple-protocol query (which runs several statements), with the adapter's own
 * error conversion.
 */
async function executeWholeScript(adapter: SqlQueryable, script: string): Promise<void> {
  const driver = (adapter as unknown as { underlyingDriver(): pg.Pool | pg.Client }).underlyingDriver();
  try {
    await driver.query(script);
  } catch (error) {
    (adapter as unknown as { onError(error: unknown): never }).onError(error);
  }
}

/** The adapter (or transaction), with queryRaw results fixed as above, and optionally another dispose(). */
function withCharColumns<T extends SqlQueryable>(queryable: T, dispose?: () => Promise<void>): T {
  return new Proxy(queryable, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      if (property === "dispose" && dispose) return dispose;
      if (property === "queryRaw") {
        return async (query: SqlQuery) => restoreCharColumns(await target.queryRaw(query));
      }
      if (property === "startTransaction") {
        return async (...args: unknown[]) => withCharColumns(await value.apply(target, args));
      }
      if (property === "executeScript") return (script: string) => executeWholeScript(target, script);
      return value.bind(target);
    },
  });
}

// The adapter opens the shadow database with `{ ...config, database }`, but pg lets a connectionString override
// `database`, which would replay the migrations on the main database. So: the URL taken apart.
function poolConfig(connectionString: string): pg.PoolConfig {
  const url = new URL(connectionString);
  const sslmode = url.searchParams.get("sslmode");
  return {
    host: url.hostname || undefined,
    port: url.port ? Number(url.port) : undefined,
    user: decodeURIComponent(url.username) || undefined,
    password: decodeURIComponent(url.password) || undefined,
    database: decodeURIComponent(url.pathname.slice(1)) || undefined,
    ssl: sslmode && sslmode !== "disable" ? { rejectUnauthorized: sslmode.startsWith("verify") } : undefined,
  };
}

interface EngineAdapterFactory extends SqlMigrationAwareDriverAdapterFactory {
  /** Closes every pool the engine opened: freeing the engine does not, and one may hold Prisma's advisory lock. */
  closeAll(): Promise<void>;
}

function engineAdapterFactory(connectionString: string): EngineAdapterFactory {
  const config = { ...poolConfig(connectionString), Client: CharAsTextClient };
  const factory = new PrismaPg(config);
  const closers: (() => Promise<void>)[] = [];
  const once = (close: () => Promise<void>) => {
    let closing: Promise<void> | undefined;
    return () => {
      closing ??= close().catch(() => {});
      return closing;
    };
  };
  const track = (adapter: SqlDriverAdapter) => {
    closers.push(once(() => adapter.dispose()));
    return adapter;
  };
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    closeAll: async () => {
      // Last opened first: a shadow database is dropped through the connection opened before it.
      for (const close of closers.splice(0).reverse()) await close();
    },
    connect: async () => withCharColumns(track(await factory.connect())),
    // The adapter's own shadow database drops the database before closing the pool that uses it, which
    // PostgreSQL refuses; this one closes first.
    connectToShadowDb: async () => {
      const main = track(await factory.connect());
      const database = `prisma_migrate_shadow_db_${randomUUID()}`;
      await main.executeScript(`CREATE DATABASE "${database}"`);
      const shadow = await new PrismaPg({ ...config, database }).connect();
      const close = once(async () => {
        await shadow.dispose();
        await main.executeScript(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      });
      closers.push(close);
      return withCharColumns(shadow, close);
    },
  };
}

const noFilters: SchemaFilter = { externalTables: [], externalEnums: [] };

export interface SchemaFile {
  path: string;
  content: string;
}

export async function readSchemaFile(schemaPath: string): Promise<SchemaFile> {
  return { path: schemaPath, content: await readFile(schemaPath, "utf8") };
}

/** prisma/migrations/migration_lock.toml, as `prisma migrate dev` writes it. */
export const MIGRATION_LOCKFILE =
  "# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\n" +
  'provider = "postgresql"\n';

/** The migrations directory as the engine wants it: every folder's migration.sql, already read. */
export async function readMigrationsList(migrationsDir: string): Promise<MigrationList> {
  const lockfilePath = path.join(migrationsDir, "migration_lock.toml");
  // Before the first migration there is no lockfile yet; the engine still needs to know the provider.
  const lockfile = await readFile(lockfilePath, "utf8").catch(() => MIGRATION_LOCKFILE);
  const migrations = existsSync(migrationsDir) ? await readMigrations(migrationsDir) : [];
  return {
    baseDir: migrationsDir,
    lockfile: { path: "migration_lock.toml", content: lockfile },
    shadowDbInitScript: "",
    migrationDirectories: migrations.map((migration) => ({
      path: migration.name,
      migrationFile: { path: "migration.sql", content: { tag: "ok", value: migration.sql } },
    })),
  };
}

/**
 * Runs `work` with an engine connected to `connectionString`. Diffs that replay migrations create (and drop) a
 * shadow database on that server, so the role needs CREATEDB.
 */
export async function withSchemaEngine<T>(
  connectionString: string,
  schema: SchemaFile,
  work: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  const { SchemaEngine } = await loadEngineModule();
  const adapterFactory = engineAdapterFactory(connectionString);
  const adapter = bindMigrationAwareSqlAdapterFactory(adapterFactory);
  const log: string[] = [];
  const engine = await SchemaEngine.new(
    { datamodels: [[schema.path, schema.content]] },
    (line: string) => log.push(line),
    adapter,
  );
  try {
    lastPanic = undefined;
    return await work(engine);
  } catch (error) {
    if (lastPanic === undefined) throw error;
    throw new Error(`Prisma schema engine panicked: ${lastPanic}`, { cause: error });
  } finally {
    engine.free();
    await adapterFactory.closeAll();
  }
}

export interface SchemaDiff {
  /** The SQL that turns the first state into the second; Prisma's "-- This is an empty migration." when none. */
  sql: string;
  empty: boolean;
}

/** SQL from the state the migrations in `migrationsDir` build to the schema's datamodel: the next migration. */
export async function diffMigrationsToSchema(options: {
  connectionString: string;
  migrationsDir: string;
  schemaPath: string;
}): Promise<SchemaDiff> {
  const schema = await readSchemaFile(options.schemaPath);
  const migrationsList = await readMigrationsList(options.migrationsDir);
  return withSchemaEngine(options.connectionString, schema, async (engine) => {
    const result = await engine.diff({
      // Even with no migrations yet: replaying none on a shadow database starts from a real empty database
      // (which has a public schema), so the first migration does not begin with CREATE SCHEMA "public".
      from: { tag: "migrations", ...migrationsList },
      to: { tag: "schemaDatamodel", files: [schema] },
      script: true,
      exitCode: true,
      filters: noFilters,
    });
    return { sql: result.stdout ?? "", empty: result.exitCode === 0 };
  });
}

/** What `prisma migrate deploy` does: applies the unapplied folders and records them in _prisma_migrations. */
export async function applyMigrationsWithPrisma(options: {
  connectionString: string;
  migrationsDir: string;
  schemaPath: string;
}): Promise<string[]> {
  const schema = await readSchemaFile(options.schemaPath);
  const migrationsList = await readMigrationsList(options.migrationsDir);
  return withSchemaEngine(options.connectionString, schema, async (engine) => {
    const output = await engine.applyMigrations({ migrationsList, filters: noFilters });
    return output.appliedMigrationNames;
  });
}

/** What `prisma migrate status` looks at: edited, failed and unapplied migrations. */
export async function diagnoseMigrationHistory(options: {
  connectionString: string;
  migrationsDir: string;
  schemaPath: string;
}) {
  const schema = await readSchemaFile(options.schemaPath);
  const migrationsList = await readMigrationsList(options.migrationsDir);
  return withSchemaEngine(options.connectionString, schema, (engine) =>
    engine.diagnoseMigrationHistory({ migrationsList, optInToShadowDatabase: false, filters: noFilters }),
  );
}
