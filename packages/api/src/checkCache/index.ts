// The process's check cache: started by the server (apps/web/server.ts) with its own listening connection,
// found by the service functions through the database client they were handed. The CLI and tests that start
// none work straight on the database, as before.
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

// On globalThis: the server (run by tsx) starts it, Next.js's route bundles (their own copies of this module)
// use it.
const globalStore = globalThis as typeof globalThis & { __blocklistCheckCache?: CheckCache };

/** The cache that serves `db`, if one runs in this process. */
export function checkCacheFor(db: PrismaClient): CheckCache | undefined {
  const cache = globalStore.__blocklistCheckCache;
  return cache?.db === db ? cache : undefined;
}

/** The process's cache, if the server started one (for metrics). */
export function runningCheckCache(): CheckCache | undefined {
  return globalStore.__blocklistCheckCache;
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

/** Starts listening for changes and makes the cache the process's one; stop() before the database goes. */
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
  globalStore.__blocklistCheckCache = cache;
  return {
    cache,
    async stop() {
      if (globalStore.__blocklistCheckCache === cache) globalStore.__blocklistCheckCache = undefined;
      report.stop();
      cache.lost();
      await listener.stop();
    },
  };
}
