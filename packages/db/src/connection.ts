import pg from "pg";

/** The database cannot be reached or refuses us. The message is complete and safe to print (no password). */
export class DatabaseConnectionError extends Error {
  override name = "DatabaseConnectionError";
}

/**
 * The embedded PostgreSQL cannot be started here (it cannot run as a non-root user, initdb or the server
 * failed). A kind of DatabaseConnectionError: one line that says why, printed without a stack trace.
 */
export class EmbeddedPostgresError extends DatabaseConnectionError {
  override name = "EmbeddedPostgresError";
}

function parseDatabaseUrl(connectionString: string): URL | undefined {
  try {
    return new URL(connectionString);
  } catch {
    return undefined;
  }
}

/** `host:port` of a connection string, for messages. */
export function describeDatabaseServer(connectionString: string): string {
  const url = parseDatabaseUrl(connectionString);
  if (url === undefined) return "(unparsable DATABASE_URL)";
  const host = url.hostname || url.searchParams.get("host") || "localhost";
  return `${host}:${url.port || "5432"}`;
}

/** The connection string with its password replaced, for logs. */
export function redactDatabaseUrl(connectionString: string): string {
  const url = parseDatabaseUrl(connectionString);
  if (url === undefined) return "(unparsable DATABASE_URL)";
  if (url.password) url.password = "***";
  return url.toString();
}

/** The same server and credentials, another database. */
export function withDatabaseName(connectionString: string, database: string): string {
  const url = parseDatabaseUrl(connectionString);
  if (url === undefined) throw new DatabaseConnectionError("DATABASE_URL is not a valid postgresql:// URL");
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { code, errors } = error as { code?: unknown; errors?: unknown };
  if (typeof code === "string") return code;
  // Node reports every address it tried (IPv6 and IPv4) in an AggregateError.
  if (Array.isArray(errors)) return errors.map(errorCode).find((c) => c !== undefined);
  return undefined;
}

function reason(error: unknown): string {
  const code = errorCode(error);
  // Network errors: the code says it all. PostgreSQL errors (SQLSTATE, 5 chars): its message does.
  if (code !== undefined && /^E[A-Z]+$/.test(code)) return code;
  const message = error instanceof Error ? error.message : String(error);
  return message || code || "unknown error";
}

export function connectionErrorMessage(connectionString: string, error: unknown): string {
  return `Cannot connect to PostgreSQL at ${describeDatabaseServer(connectionString)} (${reason(error)})`;
}

export interface ConnectOptions {
  /** Give up after this long; default 10 s. */
  timeoutMs?: number;
  /** Shown in pg_stat_activity, so that operators (and tests) can tell the connection apart. */
  applicationName?: string;
}

/** A connected `pg` client, or a DatabaseConnectionError with one clear line. */
export async function connectClient(
  connectionString: string,
  options: ConnectOptions = {},
): Promise<pg.Client> {
  if (parseDatabaseUrl(connectionString) === undefined) {
    throw new DatabaseConnectionError("DATABASE_URL is not a valid postgresql:// URL");
  }
  const client = new pg.Client({
    connectionString,
    connectionTimeoutMillis: options.timeoutMs ?? 10_000,
    ...(options.applicationName === undefined ? {} : { application_name: options.applicationName }),
  });
  // A connection lost later must not crash the process; the failing query reports it.
  client.on("error", () => {});
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => {});
    throw new DatabaseConnectionError(connectionErrorMessage(connectionString, error), { cause: error });
  }
}
