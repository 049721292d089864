// What one HTTP request did, gathered while it runs and written out once when it ends (one log line, metrics).
// The HTTP layer opens the record around each request (apps/web/server/observe.ts); the REST and tRPC layers
// fill it in with the small functions below, through one AsyncLocalStorage.
import { AsyncLocalStorage } from "node:async_hooks";
import { displayPrefix, isWellFormedApiKey } from "../keys";

export type BulkOperation = "add" | "remove";

/** One add or remove: how many numbers came in, how many were changed, why the others failed. */
export interface BulkOutcome {
  operation: BulkOperation;
  sent: number;
  changed: number;
  failedByReason: Record<string, number>;
}

export interface CheckOutcome {
  /** true: blocked; false: not blocked; null: not a valid number (never blocked). */
  blocked: boolean | null;
}

export interface RequestObservation {
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  /** The route as a bounded label (`/api/agent-block-list`, `/api/trpc/blockList.check`). */
  route?: string;
  /** tRPC procedures this request called (a batch calls several). */
  procedures: string[];
  /** The verified key's id. */
  keyId?: string;
  /** The visible start of the presented key (as key listings show it), never the key. */
  keyPrefix?: string;
  bulk: BulkOutcome[];
  checks: CheckOutcome[];
  /** The first unexpected error; the request's log line carries it, with its cause. */
  error?: unknown;
}

/** The part of the server's pino logger that code outside the server uses. */
export interface ProcessLogger {
  error(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
}

const requests = new AsyncLocalStorage<RequestObservation>();
// Where an unexpected error outside any request is logged: the server's logger, once it has one.
let eventLogger: ProcessLogger | undefined;

export function newObservation(requestId: string, method: string, path: string): RequestObservation {
  return { requestId, method, path, procedures: [], bulk: [], checks: [] };
}

/** Runs `work` with `observation` as the current request (the server does this around every request). */
export function runWithObservation<T>(observation: RequestObservation, work: () => T): T {
  return requests.run(observation, work);
}

/** The request being served, or undefined outside one (tests calling handlers directly, the CLI). */
export function currentObservation(): RequestObservation | undefined {
  return requests.getStore();
}

/** The logger of events that belong to no request (the server sets it; route code may not have it). */
export function setProcessLogger(logger: ProcessLogger): void {
  eventLogger = logger;
}

export function processLogger(): ProcessLogger | undefined {
  return eventLogger;
}

export function noteRoute(route: string): void {
  const observation = currentObservation();
  if (observation && observation.route === undefined) observation.route = route;
}

export function noteProcedure(path: string): void {
  currentObservation()?.procedures.push(path);
}

/**
 * The key a request presented (before it is verified) and, once verified, its id. Only a string with the shape
 * of our keys gets its display prefix noted: anything else might be some other secret pasted into the header.
 */
export function noteApiKey(presented: string | null | undefined, keyId?: string): void {
  const observation = currentObservation();
  if (!observation) return;
  const trimmed = presented?.trim();
  if (trimmed && isWellFormedApiKey(trimmed)) observation.keyPrefix = displayPrefix(trimmed);
  if (keyId !== undefined) observation.keyId = keyId;
}

/** The key behind a verified web UI session: its id and stored display prefix (the cookie holds no key). */
export function noteSessionKey(keyId: string, keyPrefix: string): void {
  const observation = currentObservation();
  if (!observation) return;
  observation.keyId = keyId;
  observation.keyPrefix = keyPrefix;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((entry) => typeof entry === "string");
}

function failuresByReason(failed: unknown): Record<string, number> | undefined {
  if (!Array.isArray(failed)) return undefined;
  const byReason: Record<string, number> = {};
  for (const failure of failed) {
    const reason = (failure as { reason?: unknown } | null)?.reason;
    if (typeof reason !== "string") return undefined;
    byReason[reason] = (byReason[reason] ?? 0) + 1;
  }
  return byReason;
}

/**
 * Notes what a service call answered, when it is one of the answers operators count: an add or remove
 * (`added`/`removed` + `failed`) or a check (`blocked` + `e164`). Other answers are ignored.
 */
export function noteOutcome(result: unknown): void {
  const observation = currentObservation();
  if (!observation || typeof result !== "object" || result === null) return;
  const answer = result as Record<string, unknown>;
  const failedByReason = failuresByReason(answer.failed);
  if (failedByReason) {
    const operation: BulkOperation | undefined = isStringArray(answer.added)
      ? "add"
      : isStringArray(answer.removed)
        ? "remove"
        : undefined;
    if (operation) {
      const changed = ((operation === "add" ? answer.added : answer.removed) as string[]).length;
      const failed = (answer.failed as unknown[]).length;
      observation.bulk.push({ operation, sent: changed + failed, changed, failedByReason });
      return;
    }
  }
  if (typeof answer.blocked === "boolean" && "e164" in answer) {
    observation.checks.push({ blocked: answer.e164 === null ? null : answer.blocked });
  }
}

/**
 * An unexpected error that becomes a 500. Inside a request it is kept for the request's own log line (so it is
 * logged exactly once, with its cause and the request id); outside one it is logged at once.
 */
export function reportError(error: unknown, source: string): void {
  const observation = currentObservation();
  if (observation) {
    observation.error ??= error;
    return;
  }
  const logger = eventLogger;
  if (logger) logger.error({ err: error, source }, `Unhandled error in ${source}`);
  else console.error(`Unhandled error in ${source}`, error);
}
