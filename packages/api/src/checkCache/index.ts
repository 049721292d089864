// The process's check cache: started by the server (apps/web/server.ts) with its own listening connection,
// found by the service functions through the database client they were handed. The CLI and tests that start
// none work straight on the database, as before.
import { type PrismaClient, startChangeListener } from "@blocklist/db";
import { processLogger } from "../observability/context";
import { CheckCache } from "./checkCache";

export { CheckCache, type CheckCacheOptions, DEFAULT_TRUST_MS, type KnownKey } from "./checkCache";

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
  /** The client the service functions are handed (the server's one). */
  db: PrismaClient;
  /** The same database, for the listening connection of its own. */
  connectionString: string;
  maxNumbers: number;
}

/** Starts listening for changes and makes the cache the process's one; stop() before the database goes. */
export function startCheckCache(options: StartCheckCacheOptions): RunningCheckCache {
  const cache = new CheckCache(options.db, {
    maxNumbers: options.maxNumbers,
    onLoadError: (error) =>
      processLogger()?.warn({ err: error }, "Loading blocked numbers into memory failed"),
  });
  let everListened = false;
  const listener = startChangeListener({
    connectionString: options.connectionString,
    onListening(since) {
      cache.listening(since);
      if (everListened)
        processLogger()?.info({}, "Check cache on again: listening for changes, starting empty");
      everListened = true;
    },
    onAlive: (since) => cache.alive(since),
    onNotification: (payload) => cache.apply(payload),
    onLost(error) {
      cache.lost();
      processLogger()?.warn({ err: error }, "Check cache off: change notifications lost, using the database");
    },
  });
  globalStore.__blocklistCheckCache = cache;
  return {
    cache,
    async stop() {
      if (globalStore.__blocklistCheckCache === cache) globalStore.__blocklistCheckCache = undefined;
      cache.lost();
      await listener.stop();
    },
  };
}
