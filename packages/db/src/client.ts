import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "./generated/prisma/client";
import {
  type ReadFreshness,
  type ReplicaEvents,
  ReplicaReads,
  ReplicaRouter,
  type ReplicaStats,
  replicaPool,
} from "./replica";

export interface PoolOptions {
  /** Connections in the pool; pg's default is 10. */
  max?: number;
  /** How long opening a connection may take before the query fails; pg's default is forever. */
  connectionTimeoutMillis?: number;
  /**
   * A streaming replica of the same database (DATABASE_REPLICA_URL), with a pool of the same size, for the reads
   * that laggingReadsOf() and caughtUpReadsOf() give it (replica.ts); unset, those are the client itself.
   */
  replicaUrl?: string | undefined;
  /** Told when the replica stops answering and when it answers again. */
  onReplicaChange?: ReplicaEvents["onReplicaChange"];
}

/** The service's pool, which ends its replica's with it (Prisma's adapter ends it on $disconnect). */
class ServicePool extends pg.Pool {
  replica: ReplicaRouter | undefined;

  override async end(): Promise<void> {
    await Promise.all([super.end(), this.replica?.end()]);
  }
}

interface Reads {
  router: ReplicaRouter;
  views: Partial<Record<ReadFreshness, PrismaClient>>;
}

// Each client's own pool, for the few queries whose result is too large for Prisma's row mapping (see
// blockedNumbers.ts) and for the pool's gauges: an association of the client with what it was built on.
const poolsByClient = new WeakMap<PrismaClient, pg.Pool>();
const readsByClient = new WeakMap<PrismaClient, Reads>();

/**
 * A Prisma client on its own `pg` pool (driver adapter: no query engine binary). The server builds one at start
 * and hands it to everything that needs the database; `$disconnect()` ends its pool.
 */
export function createPrismaClient(connectionString: string, options: PoolOptions = {}): PrismaClient {
  const { replicaUrl, onReplicaChange, ...poolOptions } = options;
  const pool = new ServicePool({ connectionString, ...poolOptions });
  // The adapter ends the pool on $disconnect, as it does with a pool it made itself.
  const client = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  poolsByClient.set(client, pool);
  if (replicaUrl) {
    pool.replica = new ReplicaRouter(replicaPool(replicaUrl, poolOptions), pool, { onReplicaChange });
    readsByClient.set(client, { router: pool.replica, views: {} });
  }
  return client;
}

function readsOf(db: PrismaClient, freshness: ReadFreshness): PrismaClient {
  const reads = readsByClient.get(db);
  if (!reads) return db;
  let view = reads.views[freshness];
  if (!view) {
    const pool = new ReplicaReads(reads.router, freshness);
    view = new PrismaClient({ adapter: new PrismaPg(pool) });
    poolsByClient.set(view, pool);
    reads.views[freshness] = view;
  }
  return view;
}

/**
 * Where a read that tolerates a replica's lag goes (list pages): a client on the replica, or on the primary while
 * the replica does not answer; `db` itself without a replica. Reads only: it runs no transaction.
 */
export function laggingReadsOf(db: PrismaClient): PrismaClient {
  return readsOf(db, "lagging");
}

/**
 * Where a read goes that must see every change committed before it began (the check cache's loads): the
 * replica once it has replayed that far, else the primary; `db` itself without a replica.
 */
export function caughtUpReadsOf(db: PrismaClient): PrismaClient {
  return readsOf(db, "caught-up");
}

/** Whether the replica answers now and how many reads it and the primary answered; undefined without one. */
export function replicaStatsOf(db: PrismaClient): ReplicaStats | undefined {
  return readsByClient.get(db)?.router.stats();
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
