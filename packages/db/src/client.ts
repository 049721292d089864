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
// blockedNumbers.ts) and for the pool's gauges: an association of the client with what it was built on.
const poolsByClient = new WeakMap<PrismaClient, pg.Pool>();

/**
 * A Prisma client on its own `pg` pool (driver adapter: no query engine binary). The server builds one at start
 * and hands it to everything that needs the database; `$disconnect()` ends its pool.
 */
export function createPrismaClient(connectionString: string, options: PoolOptions = {}): PrismaClient {
  const pool = new pg.Pool({ connectionString, ...options });
  // The adapter ends the pool on $disconnect, as it does with a pool it made itself.
  const client = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  poolsByClient.set(client, pool);
  return client;
}

/** The `pg` pool under a client made by createPrismaClient(). */
export function poolOf(client: PrismaClient): pg.Pool {
  const pool = poolsByClient.get(client);
  if (!pool) throw new Error("poolOf: this PrismaClient was not made by @blocklist/db");
  return pool;
}

export interface DatabasePoolStats {
  /** Open connections, busy or idle. */
  total: number;
  idle: number;
  /** Queries waiting for a connection because all `max` are busy. */
  waiting: number;
  max: number;
}

/** Usage of a client's pool. */
export function poolStatsOf(client: PrismaClient): DatabasePoolStats {
  const pool = poolOf(client);
  return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: pool.options.max };
}
