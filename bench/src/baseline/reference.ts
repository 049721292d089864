// What the two reference servers share: the pg pool, libphonenumber's normalisation, a JSON answer, and a
// node:http server that says where it listens and stops on SIGTERM. Nothing of the service's own code.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import pg from "pg";

/**
 * A pg pool that survives an error on an idle connection: pg-pool re-emits it on the pool, and with no listener
 * it ends the process. One arrives when PostgreSQL stops while a connection is still closing (`pool.end()`
 * resolves before the server has read the goodbye), or when a backend crash makes it end every other one; the
 * pool drops that connection by itself.
 */
export function createPool(connectionString: string | undefined, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString, max });
  pool.on("error", () => {});
  return pool;
}

export const pool = createPool(process.env.DATABASE_URL, Number(process.env.DATABASE_POOL_MAX ?? 10));

/**
 * The columns of an entry as the service's check answers it (SPEC-ENTRIES, "The decision"), in its order: the
 * references answer in the same shape, so that every server writes the same bytes.
 */
export const ANSWERED_ENTRY_COLUMNS =
  'id, org_id AS "orgId", agent_id AS "agentId", match, value, action, direction, reason, note';

export function normalize(input: string): string | null {
  const phoneNumber = parsePhoneNumberFromString(input);
  return phoneNumber?.isValid() && phoneNumber.ext === undefined ? phoneNumber.number : null;
}

export function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
  });
  response.end(text);
}

/** Serves `route` on PORT (0: any free port) and prints "<name> listening on http://localhost:<port>". */
export function serve(
  name: string,
  route: (request: IncomingMessage, response: ServerResponse) => Promise<void>,
): void {
  const server = createServer((request, response) => {
    route(request, response).catch(() => send(response, 500, { error: "Internal server error" }));
  });
  server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    process.stdout.write(`${name} listening on http://localhost:${port}\n`);
  });
  process.on("SIGTERM", () => {
    server.close();
    server.closeIdleConnections();
    void pool.end().finally(() => process.exit(0));
  });
}
