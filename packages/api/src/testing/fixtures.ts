import type { PrismaClient } from "@blocklist/db";
import { createAgent } from "../admin/agents";
import { createApiKey } from "../admin/keys";
import { createUser } from "../admin/users";
import { authenticateApiKey, type Caller } from "../auth";
import type { RateLimiter } from "../rateLimit/limiter";
import type { SessionSettings } from "../sessions";
import { DEFAULT_WEB_SESSIONS, type TrpcContext } from "../trpc/context";

export interface Tenant {
  uid: string;
  orgId: string;
  agentId: string;
  apiKey: string;
  caller: Caller;
  readOnlyKey: string;
  readOnlyCaller: Caller;
}

/** A user with a personal organization, one agent, a read-write and a read-only key: one customer. */
export async function createTenant(db: PrismaClient, name = "tenant"): Promise<Tenant> {
  const { uid, orgId, apiKey } = await createUser(db, name);
  const { agentId } = await createAgent(db, { uid, name: `${name} agent` });
  const { apiKey: readOnlyKey } = await createApiKey(db, { uid, readOnly: true });
  return {
    uid,
    orgId,
    agentId,
    apiKey,
    caller: await authenticateApiKey(db, apiKey),
    readOnlyKey,
    readOnlyCaller: await authenticateApiKey(db, readOnlyKey),
  };
}

/** The lifetimes of web UI sessions when nothing is configured. */
export const DEFAULT_SESSION_SETTINGS: SessionSettings = DEFAULT_WEB_SESSIONS.lifetimes;

/** A tRPC context as a request with these credentials would get, over plain HTTP unless `secure`. */
export function trpcTestContext(
  db: PrismaClient,
  request: {
    apiKey?: string;
    sessionId?: string;
    sessions?: SessionSettings;
    secure?: boolean;
    rateLimiter?: RateLimiter;
  } = {},
): TrpcContext & { resHeaders: Headers } {
  return {
    db,
    rateLimiter: request.rateLimiter,
    apiKey: request.apiKey ?? null,
    sessionId: request.sessionId ?? null,
    resHeaders: new Headers(),
    secure: request.secure ?? false,
    sessions: request.sessions ?? DEFAULT_SESSION_SETTINGS,
  };
}

/**
 * Ids that newId could never have made, each one small change away from the real `id` (`agt_…`): the odd
 * inputs of issue 11 (NUL, a lone surrogate, 5,000 characters) and each way to break the format.
 */
export function impossibleIdsLike(id: string): [label: string, id: string][] {
  const prefix = id.slice(0, 4);
  const random = id.slice(4);
  return [
    ["a NUL", `${prefix}\u0000${random.slice(1)}`],
    ["a NUL alone", `${prefix}\u0000x`],
    ["a lone surrogate", `${prefix}\ud800${random.slice(1)}`],
    ["5,000 characters", `${prefix}${random.repeat(250).slice(0, 4996)}`],
    ["another prefix", `${prefix === "org_" ? "agt_" : "org_"}${random}`],
    ["no prefix", random],
    ["one character short", id.slice(0, -1)],
    ["one character long", `${id}0`],
    ["a character outside base62", `${prefix}${random.slice(0, -1)}-`],
    ["a non-ASCII letter", `${prefix}${random.slice(0, -1)}é`],
    ["surrounding spaces", ` ${id} `],
  ];
}
