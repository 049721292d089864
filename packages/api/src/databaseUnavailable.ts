// The one place that tells "the database is away" (down, refusing, unreachable, timing out, cutting us off)
// from every other failure. Those errors answer 503 (REST) or SERVICE_UNAVAILABLE (tRPC) and the caller may
// retry; anything else stays a 500. Shapes seen for real (databaseUnavailable.test.ts provokes each one):
// - Prisma with @prisma/adapter-pg wraps socket and PostgreSQL errors in a PrismaClientKnownRequestError whose
//   `meta.driverAdapterError.cause` has a `kind` (`DatabaseNotReachable`, `ConnectionClosed`, …) or, for a
//   PostgreSQL error, `kind: "postgres"` and the SQLSTATE `code` (`57P01` when a backend is terminated).
// - Errors the adapter does not recognise come through as pg's own: a plain Error such as "Connection terminated
//   due to connection timeout" (the pool's connect timeout), or a socket error with a Node `code`.

/** What a 503 asks the caller to wait (`Retry-After`) before retrying: most outages are short restarts. */
export const RETRY_AFTER_SECONDS = 1;

/** Adapter error kinds that mean the connection could not be made or was lost. */
const UNAVAILABLE_KINDS = new Set([
  "DatabaseNotReachable",
  "ConnectionClosed",
  "SocketTimeout",
  "TooManyConnections",
]);

/** Prisma's own codes for the same: can't reach (P1001), timed out (P1002, P1008), closed the connection (P1017). */
const UNAVAILABLE_PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017"]);

/** Node socket error codes. */
const UNAVAILABLE_SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/** pg's and pg-pool's messages for a connection that timed out, broke, or was never usable. */
const UNAVAILABLE_DRIVER_MESSAGES = [
  "Connection terminated",
  "timeout exceeded when trying to connect",
  "Client has encountered a connection error and is not queryable",
  "Client was closed and is not queryable",
];

/**
 * SQLSTATEs of a server that is going away or not taking us: class 08 (connection exception), 57P01–57P03
 * (terminated by an administrator, crash shutdown, cannot connect now: starting or stopping), 53300 (too many
 * connections).
 */
function isUnavailableSqlState(code: unknown): boolean {
  return (
    typeof code === "string" && (/^08[0-9A-Z]{3}$/.test(code) || /^57P0[123]$/.test(code) || code === "53300")
  );
}

function isUnavailableAdapterCause(cause: unknown): boolean {
  if (typeof cause !== "object" || cause === null) return false;
  const { kind, code } = cause as { kind?: unknown; code?: unknown };
  if (typeof kind === "string" && UNAVAILABLE_KINDS.has(kind)) return true;
  return kind === "postgres" && isUnavailableSqlState(code);
}

function isUnavailableError(error: object): boolean {
  const { code, meta, message, name, cause } = error as {
    code?: unknown;
    meta?: { driverAdapterError?: { cause?: unknown } };
    message?: unknown;
    name?: unknown;
    cause?: unknown;
  };
  if (
    typeof code === "string" &&
    (UNAVAILABLE_PRISMA_CODES.has(code) || UNAVAILABLE_SOCKET_CODES.has(code))
  ) {
    return true;
  }
  if (isUnavailableSqlState(code) && typeof (error as { severity?: unknown }).severity === "string")
    return true;
  if (isUnavailableAdapterCause(meta?.driverAdapterError?.cause)) return true;
  if (name === "DriverAdapterError" && isUnavailableAdapterCause(cause)) return true;
  return (
    typeof message === "string" &&
    UNAVAILABLE_DRIVER_MESSAGES.some((driverMessage) => message.startsWith(driverMessage))
  );
}

/** Whether `error` (or one of its causes) says the database is unreachable, timed out or cut the connection. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let current = error; typeof current === "object" && current !== null && !seen.has(current); ) {
    seen.add(current);
    if (isUnavailableError(current)) return true;
    // Node reports each address it tried in an AggregateError.
    const { errors } = current as { errors?: unknown };
    if (Array.isArray(errors) && errors.some((inner) => isDatabaseUnavailable(inner))) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
