// The second reference: the upper limit of what Node can do for `check` on this machine. node:http doing the
// same work as the service's `check` (the key by its SHA-256 hash, not revoked; the agent in an organization
// of the key's user; the number normalised by libphonenumber-js `max`; the agent's entries in a Map by number),
// each loaded from the database once on first use and then answered from memory. It never learns of a change
// after that, and the benchmark never needs it to: its checks ask about numbers no one adds or removes.
// Same wire format as the service's tRPC GET check; any other route is not its job and answers 404.
//   DATABASE_URL=… DATABASE_POOL_MAX=10 PORT=0 node --import tsx src/baseline/memory-server.ts
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ANSWERED_ENTRY_COLUMNS, normalize, pool, send, serve } from "./reference";

// Promises, not values: concurrent first uses of a key, an access pair or an agent share one load.
const keyOwners = new Map<string, Promise<string | null>>();
const access = new Map<string, Promise<boolean>>();
const agentNumbers = new Map<string, Promise<Map<string, unknown>>>();

function remembered<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let value = cache.get(key);
  if (value === undefined) {
    value = load();
    cache.set(key, value);
    // A failed load is not remembered: the next request tries again.
    value.catch(() => cache.delete(key));
  }
  return value;
}

/** The user id of the request's key, or null for a missing, unknown or revoked key. */
async function keyOwner(request: IncomingMessage): Promise<string | null> {
  const key = request.headers["x-authorization"];
  if (typeof key !== "string" || key === "") return null;
  const hash = createHash("sha256").update(key).digest();
  return remembered(keyOwners, hash.toString("hex"), async () => {
    const { rows } = await pool.query<{ user_id: string }>(
      "SELECT user_id FROM api_keys WHERE hash = $1 AND revoked_at IS NULL",
      [hash],
    );
    return rows[0]?.user_id ?? null;
  });
}

function mayUseAgent(userId: string, agentId: string): Promise<boolean> {
  return remembered(access, `${userId}\u0000${agentId}`, async () => {
    const { rowCount } = await pool.query(
      `SELECT 1 FROM agents a JOIN memberships m ON m.organization_id = a.organization_id
       WHERE a.id = $1 AND m.user_id = $2`,
      [agentId, userId],
    );
    return rowCount !== null && rowCount > 0;
  });
}

/** The agent's whole list, number → its entry as answered, in one query on its first check. */
function blockedNumbers(agentId: string): Promise<Map<string, unknown>> {
  return remembered(agentNumbers, agentId, async () => {
    const { rows } = await pool.query<{ value: string }>(
      `SELECT ${ANSWERED_ENTRY_COLUMNS} FROM entries WHERE agent_id = $1`,
      [agentId],
    );
    return new Map(rows.map((row) => [row.value, row]));
  });
}

async function check(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? "/", "http://localhost");
  if (request.method !== "GET" || url.pathname !== "/api/trpc/blockList.check") {
    return send(response, 404, { error: "Not found" });
  }
  const userId = await keyOwner(request);
  if (userId === null) return send(response, 401, { error: "Invalid or missing API key" });
  const input = JSON.parse(url.searchParams.get("input") ?? "{}") as { agentId: string; number: string };
  if (!(await mayUseAgent(userId, input.agentId))) return send(response, 403, { error: "Forbidden" });
  const e164 = normalize(input.number);
  if (e164 === null) return send(response, 200, { result: { data: { blocked: false, e164, entry: null } } });
  const entry = (await blockedNumbers(input.agentId)).get(e164) ?? null;
  send(response, 200, { result: { data: { blocked: entry !== null, e164, entry } } });
}

serve("All-in-memory reference", check);
