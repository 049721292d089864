// The baseline: what a user could write instead of the service, in one file (and reference.ts, the plain
// pieces it shares with the all-in-memory reference). node:http, a pg pool and
// hand-written queries, doing the same work for the routes the benchmark drives: the key by its SHA-256 hash
// (not revoked), the agent through a membership of the key's user, numbers normalised by libphonenumber-js
// (`max`), then one query. No framework, no logging, no metrics, minimal error handling.
//   DATABASE_URL=… DATABASE_POOL_MAX=10 PORT=0 node --import tsx src/baseline/server.ts
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ANSWERED_ENTRY_COLUMNS, normalize, pool, send, serve } from "./reference";

interface KeyOwner {
  userId: string;
  readOnly: boolean;
}

async function authenticate(request: IncomingMessage): Promise<KeyOwner | null> {
  const key = request.headers["x-authorization"];
  if (typeof key !== "string" || key === "") return null;
  const hash = createHash("sha256").update(key).digest();
  const { rows } = await pool.query<{ user_id: string; read_only: boolean }>(
    "SELECT user_id, read_only FROM api_keys WHERE hash = $1 AND revoked_at IS NULL",
    [hash],
  );
  const row = rows[0];
  return row ? { userId: row.user_id, readOnly: row.read_only } : null;
}

async function mayUseAgent(userId: string, agentId: string): Promise<boolean> {
  const { rowCount } = await pool.query(
    `SELECT 1 FROM agents a JOIN memberships m ON m.organization_id = a.organization_id
     WHERE a.id = $1 AND m.user_id = $2`,
    [agentId, userId],
  );
  return rowCount !== null && rowCount > 0;
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

async function check(response: ServerResponse, owner: KeyOwner, url: URL): Promise<void> {
  const input = JSON.parse(url.searchParams.get("input") ?? "{}") as { agentId: string; number: string };
  if (!(await mayUseAgent(owner.userId, input.agentId))) return send(response, 403, { error: "Forbidden" });
  const e164 = normalize(input.number);
  if (e164 === null) return send(response, 200, { result: { data: { blocked: false, e164, entry: null } } });
  // The benchmark's numbers are all blocks of the agent's own list: the entry of the number decides.
  const { rows } = await pool.query(
    `SELECT ${ANSWERED_ENTRY_COLUMNS} FROM entries WHERE agent_id = $1 AND value = $2 LIMIT 1`,
    [input.agentId, e164],
  );
  const entry = rows[0] ?? null;
  send(response, 200, { result: { data: { blocked: entry !== null, e164, entry } } });
}

async function list(response: ServerResponse, owner: KeyOwner, url: URL): Promise<void> {
  const uid = url.searchParams.get("uid");
  const agentId = url.searchParams.get("agentId") ?? "";
  const limit = url.searchParams.has("limit") ? Number(url.searchParams.get("limit")) : null;
  const afterId = url.searchParams.get("cursor") ?? "0";
  if (uid !== owner.userId || !(await mayUseAgent(owner.userId, agentId))) {
    return send(response, 401, { error: "Insufficient permissions" });
  }
  if (limit === null) {
    const { rows } = await pool.query<{ e164: string }>(
      "SELECT value AS e164 FROM entries WHERE agent_id = $1 ORDER BY seq",
      [agentId],
    );
    return send(response, 200, { blockList: rows.map((row) => row.e164), count: rows.length });
  }
  const [page, total] = await Promise.all([
    pool.query<{ id: string; e164: string }>(
      "SELECT seq AS id, value AS e164 FROM entries WHERE agent_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
      [agentId, afterId, limit + 1],
    ),
    pool.query<{ n: number }>("SELECT count(*)::int AS n FROM entries WHERE agent_id = $1", [agentId]),
  ]);
  const rows = page.rows.slice(0, limit);
  send(response, 200, {
    blockList: rows.map((row) => row.e164),
    count: total.rows[0]?.n ?? 0,
    ...(page.rows.length > limit ? { nextCursor: rows.at(-1)?.id } : {}),
  });
}

async function add(response: ServerResponse, owner: KeyOwner, request: IncomingMessage): Promise<void> {
  const body = (await readJson(request)) as { uid: string; agentId: string; numbers: string[] };
  if (body.uid !== owner.userId || owner.readOnly || !(await mayUseAgent(owner.userId, body.agentId))) {
    return send(response, 401, { error: "Insufficient permissions" });
  }
  const valid = new Set<string>();
  const failed: string[] = [];
  for (const input of body.numbers) {
    const e164 = normalize(input);
    if (e164 === null || valid.has(e164)) failed.push(input);
    else valid.add(e164);
  }
  const { rows } = await pool.query<{ e164: string }>(
    `INSERT INTO entries (org_id, agent_id, value)
     SELECT a.organization_id, a.id, number FROM agents a, unnest($2::text[]) AS number WHERE a.id = $1
     ON CONFLICT (org_id, agent_id, match, value, action, direction) WHERE NOT expired DO NOTHING
     RETURNING value AS e164`,
    [body.agentId, [...valid]],
  );
  send(response, 200, { added: rows.map((row) => row.e164), failed });
}

async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? "/", "http://localhost");
  const owner = await authenticate(request);
  if (!owner) return send(response, 401, { error: "Invalid or missing API key" });
  if (request.method === "GET" && url.pathname === "/api/trpc/blockList.check")
    return check(response, owner, url);
  if (url.pathname === "/api/agent-block-list") {
    if (request.method === "GET") return list(response, owner, url);
    if (request.method === "POST") return add(response, owner, request);
  }
  send(response, 404, { error: "Not found" });
}

serve("Baseline", route);
