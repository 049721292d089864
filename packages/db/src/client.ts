import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "./generated/prisma/client";

export interface PoolOptions {
  /** Connections in the pool; pg's default is 10. */
  max?: number;
  /** How long opening a connection may take before the query fails; pg's default is forever. */
  connectionTimeoutMillis?: number;
}

// Each client's own pool, for the few queries whose result is too large for Prisma's row mapping (see
// blockedNumbers.ts). On globalThis for the reason given below: the copy of this module that built a client
// may not be the copy that asks for its pool.
const poolStore = globalThis as typeof globalThis & {
  __blocklistPoolsByClient?: WeakMap<PrismaClient, pg.Pool>;
};
poolStore.__blocklistPoolsByClient ??= new WeakMap();
const poolsByClient: WeakMap<PrismaClient, pg.Pool> = poolStore.__blocklistPoolsByClient;

function buildClient(
  connectionString: string,
  options: PoolOptions,
): { client: PrismaClient; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString, ...options });
  // The adapter ends the pool on $disconnect, as it does with a pool it made itself.
  const client = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  poolsByClient.set(client, pool);
  return { client, pool };
}

/** The `pg` pool under a client made by createPrismaClient() or getPrismaClient(). */
export function poolOf(client: PrismaClient): pg.Pool {
  const pool = poolsByClient.get(client);
  if (!pool) throw new Error("poolOf: this PrismaClient was not made by @blocklist/db");
  return pool;
}

/** A Prisma client on its own `pg` pool (driver adapter: no query engine binary). */
export function createPrismaClient(connectionString: string, options: PoolOptions = {}): PrismaClient {
  return buildClient(connectionString, options).client;
}

// On globalThis rather than in a module variable: Next.js bundles and the tsx-loaded server may each hold
// their own copy of this module, and there must still be one pool per process.
const globalStore = globalThis as typeof globalThis & {
  __blocklistPrismaClient?: PrismaClient;
  __blocklistPgPool?: pg.Pool;
  __blocklistDatabaseSettings?: { connectionString: string } & PoolOptions;
};

/**
 * Where and how the process's client connects, set by the server once the database is up; without it the client
 * uses process.env.DATABASE_URL and pg's pool defaults. Takes effect when the client is next built.
 */
export function configurePrismaClient(settings: { connectionString: string } & PoolOptions): void {
  globalStore.__blocklistDatabaseSettings = settings;
}

/** The process's Prisma client, built on first use (see configurePrismaClient). */
export function getPrismaClient(): PrismaClient {
  if (!globalStore.__blocklistPrismaClient) {
    const { connectionString = process.env.DATABASE_URL, ...options } =
      globalStore.__blocklistDatabaseSettings ?? {};
    if (!connectionString) {
      throw new Error(
        "DATABASE_URL is not set: start the database first (startDatabase) and put its url in DATABASE_URL",
      );
    }
    const { client, pool } = buildClient(connectionString, options);
    globalStore.__blocklistPrismaClient = client;
    globalStore.__blocklistPgPool = pool;
  }
  return globalStore.__blocklistPrismaClient;
}

export interface DatabasePoolStats {
  /** Open connections, busy or idle. */
  total: number;
  idle: number;
  /** Queries waiting for a connection because all `max` are busy. */
  waiting: number;
  max: number;
}

/** Usage of the process client's pool, or undefined before the client is built. */
export function getDatabasePoolStats(): DatabasePoolStats | undefined {
  const pool = globalStore.__blocklistPgPool;
  if (!pool) return undefined;
  return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: pool.options.max };
}

/** Closes the process's client (if any), so that the next getPrismaClient() builds a new one. */
export async function disconnectPrismaClient(): Promise<void> {
  const client = globalStore.__blocklistPrismaClient;
  globalStore.__blocklistPrismaClient = undefined;
  globalStore.__blocklistPgPool = undefined;
  await client?.$disconnect();
}
