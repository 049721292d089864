// The server's check cache: started by the server (apps/web/server.ts) with its own listening connection, and
// found by the service functions through the database client they are handed (the cache serves that client).
// The CLI and tests that start none work straight on the database, as before.
import { type PrismaClient, poolOf, startChangeListener } from "@blocklist/db";
import { type ProcessLogger, processLogger } from "../observability/context";
import { CheckCache, DEFAULT_TRUST_MS, HEARTBEAT_MS } from "./checkCache";
import { reportTrust } from "./trustReport";

export {
  CheckCache,
  type CheckCacheOptions,
  DEFAULT_TRUST_MS,
  HEARTBEAT_MS,
  type KnownKey,
} from "./checkCache";

// Which cache serves which client: an association of the client with what runs on it, like its pool (poolOf).
const cachesByClient = new WeakMap<PrismaClient, CheckCache>();

/** The cache that serves `db`, if one was started on it. */
export function checkCacheFor(db: PrismaClient): CheckCache | undefined {
  return cachesByClient.get(db);
}

export interface RunningCheckCache {
  cache: CheckCache;
  stop(): Promise<void>;
}

export interface StartCheckCacheOptions {
  /** The client the service functions are handed (the server's one); heartbeats go through its pool. */
  db: PrismaClient;
  /**
   * The same database reached directly (DATABASE_DIRECT_URL; Database.directUrl of startDatabase), for the
   * listening connection: through a pooler in transaction mode, LISTEN hears nothing.
   */
  directUrl: string;
  maxNumbers: number;
  /** Where "on"/"off" changes and failed loads are logged; default the process logger. */
  logger?: ProcessLogger;
}

// A first connection may take this long (DATABASE_CONNECT_TIMEOUT_MS's default) before "off" is logged.
const START_GRACE_MS = 5000;

/** Starts listening for changes and makes the cache serve `options.db`; stop() before the database goes. */
export function startCheckCache(options: StartCheckCacheOptions): RunningCheckCache {
  const logger = () => options.logger ?? processLogger();
  const cache = new CheckCache(options.db, {
    maxNumbers: options.maxNumbers,
    trustMs: DEFAULT_TRUST_MS,
    onLoadError: (error) => logger()?.warn({ err: error }, "Loading blocked numbers into memory failed"),
  });
  const report = reportTrust(cache, { intervalMs: HEARTBEAT_MS, graceMs: START_GRACE_MS, logger });
  const listener = startChangeListener({
    connectionString: options.directUrl,
    heartbeatPool: poolOf(options.db),
    heartbeatMs: HEARTBEAT_MS,
    onListening() {
      cache.listening();
      report.listening();
    },
    onDelivered: (since) => cache.delivered(since),
    onNotification: (payload) => cache.apply(payload),
    onLost(error) {
      cache.lost();
      report.lost(error);
    },
  });
  cachesByClient.set(options.db, cache);
  return {
    cache,
    async stop() {
      if (cachesByClient.get(options.db) === cache) cachesByClient.delete(options.db);
      report.stop();
      cache.lost();
      await listener.stop();
    },
  };
}
