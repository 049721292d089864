import type { PrismaClient } from "@blocklist/db";
import { createAgent } from "../admin/agents";
import { createApiKey } from "../admin/keys";
import { createUser } from "../admin/users";
import { authenticateApiKey, type Caller } from "../auth";
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
  request: { apiKey?: string; sessionId?: string; sessions?: SessionSettings; secure?: boolean } = {},
): TrpcContext & { resHeaders: Headers } {
  return {
    db,
    apiKey: request.apiKey ?? null,
    sessionId: request.sessionId ?? null,
    resHeaders: new Headers(),
    secure: request.secure ?? false,
    sessions: request.sessions ?? DEFAULT_SESSION_SETTINGS,
  };
}
