// The server's outermost layer: every request gets an id, a timer and a record (context.ts) that the handlers
// fill in; when the answer is done, one log line and the request metrics are written from it.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ErrorMessage } from "@blocklist/core";
import { type BulkOutcome, newObservation, type RequestObservation, runWithObservation } from "./context";
import type { Logger } from "./logger";
import { getMetrics, recordRequest } from "./metrics";

export const REQUEST_ID_HEADER = "X-Request-Id";

// A caller's id is kept when it is short and plain (a UUID, a trace id); anything else is replaced, so a log
// line cannot be forged or bloated through it.
const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9._:/+=@-]{1,128}$/;

export type NodeRequestHandler = (request: IncomingMessage, response: ServerResponse) => unknown;

export interface ObserveRequestsOptions {
  logger: Logger;
  /** A bounded route label for a path that no handler named, e.g. from Next.js's route manifest. */
  routeOf?: (path: string) => string | undefined;
  /** Routes logged at `debug` only (unless they fail: an error, a 5xx other than 503): probes polled every second. */
  quietRoutes?: ReadonlySet<string>;
}

/** The caller's X-Request-Id when acceptable, else a new UUID. */
export function requestIdOf(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && ACCEPTED_REQUEST_ID.test(value) ? value : randomUUID();
}

function pathOf(url: string | undefined): string {
  const path = (url ?? "/").split("?", 1)[0] ?? "/";
  return path.startsWith("/") ? path : "/";
}

/** The route label of a finished request: what a handler noted, else what the path maps to. */
export function routeLabel(observation: RequestObservation, routeOf?: (path: string) => string | undefined) {
  if (observation.route !== undefined) return observation.route;
  const procedures = new Set(observation.procedures);
  if (procedures.size === 1) return `/api/trpc/${[...procedures][0]}`;
  // A batch of several procedures is one label, not one per combination.
  if (procedures.size > 1) return "/api/trpc/(batch)";
  const fromManifest = routeOf?.(observation.path);
  if (fromManifest !== undefined) return fromManifest;
  return observation.path.startsWith("/_next/") ? "/_next/*" : "(unmatched)";
}

function summarizeBulk(outcomes: BulkOutcome[]): Record<string, unknown> | undefined {
  if (outcomes.length === 0) return undefined;
  let sent = 0;
  let failed = 0;
  const changed: Partial<Record<"added" | "removed", number>> = {};
  const failedReasons: Record<string, number> = {};
  for (const outcome of outcomes) {
    sent += outcome.sent;
    const key = outcome.operation === "add" ? "added" : "removed";
    changed[key] = (changed[key] ?? 0) + outcome.changed;
    for (const [reason, count] of Object.entries(outcome.failedByReason)) {
      failed += count;
      failedReasons[reason] = (failedReasons[reason] ?? 0) + count;
    }
  }
  return { sent, ...changed, failed, ...(failed > 0 ? { failedReasons } : {}) };
}

function summarizeChecks(observation: RequestObservation): Record<string, number> | undefined {
  if (observation.checks.length === 0) return undefined;
  return {
    calls: observation.checks.length,
    blocked: observation.checks.filter((check) => check.blocked === true).length,
    invalidNumber: observation.checks.filter((check) => check.blocked === null).length,
  };
}

/** The fields of a request's log line. Never a header, a body or a query string: ids and counts only. */
export function requestLogFields(
  observation: RequestObservation,
  finished: { route: string; status: number; durationMs: number; aborted: boolean },
): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    requestId: observation.requestId,
    method: observation.method,
    route: finished.route,
    path: observation.path,
    status: finished.status,
    durationMs: Math.round(finished.durationMs * 10) / 10,
  };
  if (observation.keyId !== undefined) fields.keyId = observation.keyId;
  if (observation.keyPrefix !== undefined) fields.keyPrefix = observation.keyPrefix;
  if (observation.procedures.length > 1) fields.procedures = observation.procedures;
  const numbers = summarizeBulk(observation.bulk);
  if (numbers) fields.numbers = numbers;
  const checks = summarizeChecks(observation);
  if (checks) fields.checks = checks;
  if (finished.aborted) fields.aborted = true;
  if (observation.error !== undefined) fields.err = observation.error;
  return fields;
}

/** Wraps a node:http handler (Next.js's) with request ids, one log line per request and request metrics. */
export function observeRequests(
  handle: NodeRequestHandler,
  options: ObserveRequestsOptions,
): NodeRequestHandler {
  const { logger, routeOf, quietRoutes = new Set() } = options;
  const metrics = getMetrics();

  return (request, response) => {
    const started = process.hrtime.bigint();
    const requestId = requestIdOf(request.headers[REQUEST_ID_HEADER.toLowerCase()]);
    const observation = newObservation(requestId, request.method ?? "GET", pathOf(request.url));
    response.setHeader(REQUEST_ID_HEADER, requestId);
    metrics.httpRequestsInFlight.inc();

    response.once("close", () => {
      metrics.httpRequestsInFlight.dec();
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const route = routeLabel(observation, routeOf);
      const status = response.statusCode;
      recordRequest(observation, { route, status }, durationMs / 1000);
      const fields = requestLogFields(observation, {
        route,
        status,
        durationMs,
        aborted: !response.writableFinished,
      });
      const message = `${observation.method} ${observation.path} ${status} in ${fields.durationMs} ms`;
      const failed = observation.error !== undefined || (status >= 500 && status !== 503);
      // A probe's 503 is its designed answer while the database is away (readiness logs that change once).
      if (quietRoutes.has(route) && !failed) logger.debug(fields, message);
      else if (failed || status >= 500) logger.error(fields, message);
      else logger.info(fields, message);
    });

    runWithObservation(observation, () => {
      Promise.resolve()
        .then(() => handle(request, response))
        .catch((error: unknown) => {
          observation.error ??= error;
          if (response.headersSent) {
            response.destroy();
            return;
          }
          response.statusCode = 500;
          response.setHeader("Content-Type", "application/json");
          response.end(JSON.stringify({ error: ErrorMessage.internal }));
        });
    });
  };
}
