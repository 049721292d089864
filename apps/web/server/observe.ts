// Every request gets an id (the caller's X-Request-Id when short and plain), a record that the handlers fill in
// (packages/api/src/observability/context.ts), and, once the answer is done, one log line and its metrics.
import type { ServiceMetrics } from "@blocklist/api/observability";
import {
  type Logger,
  newObservation,
  REQUEST_ID_HEADER,
  recordRequest,
  requestLogFields,
  routeLabel,
  runWithObservation,
} from "@blocklist/api/observability/server";
import type { FastifyInstance } from "fastify";

export interface ObserveOptions {
  logger: Logger;
  /** A bounded route label for a page path, e.g. from Next.js's route manifest. */
  routeOf?: (path: string) => string | undefined;
  /** Routes logged at `debug` only (unless they fail): probes polled every second. */
  quietRoutes?: ReadonlySet<string>;
}

/** Fastify's own route patterns that stand for many paths: their label comes from elsewhere. */
const CATCH_ALL_ROUTES = new Set(["/*", "/api/*"]);

function pathOf(url: string): string {
  const path = url.split("?", 1)[0] ?? "/";
  return path.startsWith("/") ? path : "/";
}

export function observeRequests(
  app: FastifyInstance,
  options: ObserveOptions,
  metrics: ServiceMetrics,
): void {
  const { logger, routeOf, quietRoutes = new Set() } = options;

  app.addHook("onRequest", (request, reply, done) => {
    const started = process.hrtime.bigint();
    const observation = newObservation(request.id, request.method, pathOf(request.url));
    reply.raw.setHeader(REQUEST_ID_HEADER, request.id);
    metrics.httpRequestsInFlight.inc();

    reply.raw.once("close", () => {
      metrics.httpRequestsInFlight.dec();
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const pattern = request.routeOptions.url;
      const route = routeLabel(observation, (path) =>
        pattern !== undefined && !CATCH_ALL_ROUTES.has(pattern) ? pattern : routeOf?.(path),
      );
      const status = reply.raw.statusCode;
      recordRequest(metrics, observation, { route, status }, durationMs / 1000);
      const failed = observation.error !== undefined || (status >= 500 && status !== 503);
      // A probe's 503 is its designed answer while the database is away (readiness logs that change once).
      const level = quietRoutes.has(route) && !failed ? "debug" : failed || status >= 500 ? "error" : "info";
      // The call path's checks are quiet: most of the time their line is not written, so it is not built.
      if (!logger.isLevelEnabled(level)) return;
      const fields = requestLogFields(observation, {
        route,
        status,
        durationMs,
        aborted: !reply.raw.writableFinished,
      });
      logger[level](fields, `${observation.method} ${observation.path} ${status} in ${fields.durationMs} ms`);
    });

    runWithObservation(observation, done);
  });
}
