// What the HTTP layer (apps/web/server/observe.ts) writes for a finished request: its id, its route label and
// the fields of its one log line, from the record (context.ts) that the handlers filled in.
import { randomUUID } from "node:crypto";
import type { BulkOutcome, RequestObservation } from "./context";

export const REQUEST_ID_HEADER = "X-Request-Id";

// A caller's id is kept when it is short and plain (a UUID, a trace id); anything else is replaced, so a log
// line cannot be forged or bloated through it.
const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9._:/+=@-]{1,128}$/;

/** The caller's X-Request-Id when acceptable, else a new UUID. */
export function requestIdOf(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && ACCEPTED_REQUEST_ID.test(value) ? value : randomUUID();
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
