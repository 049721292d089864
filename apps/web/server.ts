// The production entry point behind `pnpm start`: checks the configuration, opens the database (embedded
// PostgreSQL unless DATABASE_URL is set), applies migrations, then serves /api/* and the built Next.js pages on
// PORT through one HTTP layer (server/app.ts).
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startExpirySweeper, startHistoryPurger, startHitCounter } from "@blocklist/api";
import { startCheckCache } from "@blocklist/api/checkCache";
import {
  createLogger,
  createMetrics,
  type Logger,
  Readiness,
  routeConsoleToLogger,
  setProcessLogger,
} from "@blocklist/api/observability/server";
import { startRateLimiter } from "@blocklist/api/rateLimit";
import { type Config, ConfigError, loadConfig } from "@blocklist/config";
import { createPrismaClient } from "@blocklist/db";
import {
  DatabaseConnectionError,
  defaultDataDir,
  readMigrations,
  redactDatabaseUrl,
  startDatabase,
} from "@blocklist/db/lifecycle";
import { buildHttpServer } from "./server/app";
import { limitHeapGrowth } from "./server/heapGrowth";
import { assertPagesBuilt, pagesLoadedOnFirstUse } from "./server/pages";
import { nextRouteLabels } from "./server/routeLabels";

// Exit status for a bad setting (sysexits' EX_CONFIG): a supervisor can tell it from a crash and stop retrying.
const EXIT_BAD_CONFIG = 78;
// Answered successfully, these are logged at debug level only: probes polled every second, and the call path's
// check, which comes thousands of times a second and is counted in the metrics instead
// (blocklist_checks_total, blocklist_http_requests_total; docs/DECISIONS.md, "What the call path logs").
const QUIET_ROUTES = new Set(["/api/health", "/api/ready", "/api/metrics", "/api/trpc/blockList.check"]);

const appDir = path.dirname(fileURLToPath(import.meta.url));

function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Plain lines on stderr, before any logger exists: the log settings themselves may be what is wrong.
    for (const problem of error.problems) process.stderr.write(`${problem}\n`);
    process.exit(EXIT_BAD_CONFIG);
  }
}

async function main(config: Config, logger: Logger): Promise<void> {
  const dataDir = defaultDataDir(config.database.dataDir);
  const database = await startDatabase({
    databaseUrl: config.database.url,
    directUrl: config.database.directUrl,
    dataDir,
    connectTimeoutMs: config.database.connectTimeoutMs,
  });
  // Everything a request needs is built here, once, and handed to the HTTP layer (docs/DECISIONS.md, "One
  // context"): the database client, the check cache on it, the metrics, the rate limiter and readiness.
  const db = createPrismaClient(database.url, {
    max: config.database.poolMax,
    connectionTimeoutMillis: config.database.connectTimeoutMs,
    // List pages and the check cache's loads read from it; the primary answers them while it is away.
    replicaUrl: config.database.replicaUrl,
    onReplicaChange: ({ up, error }) =>
      up
        ? logger.info("Replica answers again: list pages and check-cache loads read from it")
        : logger.warn({ err: error }, "Replica unreachable: reading from the primary until it answers"),
  });
  // Keys, access and blocked numbers remembered for blockList.check, kept true by LISTEN/NOTIFY on a
  // connection of its own (packages/api/src/checkCache/).
  const checkCache = startCheckCache({
    db,
    directUrl: database.directUrl,
    maxNumbers: config.checkCache.maxNumbers,
    logger,
  });
  // Expiries that have passed are recorded every few seconds (answers never wait for it: they read the clock).
  const expirySweeper = startExpirySweeper({ db, logger });
  // Each check answer decided by an entry counts for it, in memory; written every HITS_FLUSH_MS in one statement.
  const hitCounter = startHitCounter({ db, flushMs: config.hits.flushMs, logger });
  // History older than HISTORY_RETENTION_DAYS is deleted in small batches that never hold up a writer.
  const historyPurger = startHistoryPurger({ db, logger, retentionDays: config.history.retentionDays });
  const metrics = createMetrics({ db, checkCache: checkCache.cache, hitCounter: hitCounter.counter });
  const rateLimiter = startRateLimiter(config.rateLimit, {
    db,
    logger,
    onRefusal: (route) => metrics.rateLimitRefusals.inc({ route }),
  });
  const readiness = new Readiness({
    db,
    expectedMigrations: (await readMigrations()).map((migration) => migration.name),
    logger,
  });

  const { port, host: hostname } = config.server;
  // Next.js itself is loaded by the first page request (server/pages.ts); its build is checked here, so that a
  // missing one still stops the start.
  await assertPagesBuilt(appDir);
  const pages = pagesLoadedOnFirstUse(async () => {
    const { default: next } = await import("next");
    const nextApp = next({ dev: false, dir: appDir, hostname, port });
    await nextApp.prepare();
    return nextApp.getRequestHandler();
  });
  const app = buildHttpServer({
    db,
    rateLimiter,
    metrics,
    readiness,
    metricsToken: config.metrics.token,
    webSessions: { lifetimes: config.session, cookieSecurity: config.server },
    observe: { logger, routeOf: nextRouteLabels(appDir), quietRoutes: QUIET_ROUTES },
    pages,
  });
  await app.listen({ port, host: hostname });
  const address = app.server.address();
  const listeningPort = typeof address === "object" && address ? address.port : port;
  const where = database.embedded
    ? `embedded PostgreSQL in ${dataDir}`
    : `PostgreSQL at ${redactDatabaseUrl(database.url)}`;
  logger.info(
    { port: listeningPort, host: hostname, appliedMigrations: database.appliedMigrations },
    `Block-list service listening on http://localhost:${listeningPort} (${where})`,
  );
  logger.info("Create a first user with: pnpm cli user create --name me --json");

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, `${signal} received: finishing in-flight requests, then stopping`);
    readiness.markStopping();
    // Behind a balancer, keep serving until its health checks have seen /api/ready answer 503 (SHUTDOWN_DRAIN_MS).
    if (config.server.drainMs > 0) await new Promise((resolve) => setTimeout(resolve, config.server.drainMs));
    // Stops listening, closes idle connections, and resolves once in-flight requests are answered.
    const closed = app.close();
    // A request that never ends (a stalled upload, a hung client) must not hold the shutdown forever.
    const deadline = setTimeout(() => {
      logger.warn(
        { shutdownTimeoutMs: config.server.shutdownTimeoutMs },
        "Shutdown deadline passed: closing the connections of requests still in flight",
      );
      app.server.closeAllConnections();
    }, config.server.shutdownTimeoutMs);
    await closed;
    clearTimeout(deadline);
    // The last counts reach the other instances' budget before the database client goes.
    await rateLimiter.close();
    // After the last answer: every hit counted is written.
    await hitCounter.stop();
    await expirySweeper.stop();
    await historyPurger.stop();
    await checkCache.stop();
    await db.$disconnect();
    await database.stop();
    logger.info("Stopped");
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

limitHeapGrowth();
const config = loadConfigOrExit();
const logger = createLogger(config.log);
setProcessLogger(logger);
routeConsoleToLogger(logger);
main(config, logger).catch((error: unknown) => {
  const message = `Cannot start: ${error instanceof Error ? error.message : String(error)}`;
  // An unreachable database is an expected failure whose message says it all: one line, no stack trace.
  if (error instanceof DatabaseConnectionError) logger.fatal(message);
  else logger.fatal({ err: error }, message);
  process.exit(1);
});
