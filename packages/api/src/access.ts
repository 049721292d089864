import type { PrismaClient } from "@blocklist/db";
import type { Caller } from "./auth";
import { checkCacheFor } from "./checkCache";
import { PermissionError } from "./errors";
import { isWellFormedId } from "./ids";

export interface AgentAccess {
  uid: string;
  agentId: string;
  /** POST and DELETE need a read-write key. */
  write: boolean;
}

/**
 * Step 3 of the check order. One query answers "does this agent exist in an organization the caller belongs
 * to", so a missing agent and a foreign agent are indistinguishable, in answer and in work done. With the
 * server's check cache, granted access is remembered until a membership or the agent changes. `uid` is compared
 * with the key's own user, never looked up.
 */
export async function authorizeAgentAccess(
  db: PrismaClient,
  caller: Caller,
  access: AgentAccess,
): Promise<void> {
  if (access.uid !== caller.userId) throw new PermissionError();
  if (access.write && caller.readOnly) throw new PermissionError();
  // An id newId could not have made names no agent: refused like a missing one, without a query (a NUL in it
  // would make PostgreSQL fail the query) and without a place in the cache.
  if (!isWellFormedId("agt", access.agentId)) throw new PermissionError();
  const cache = checkCacheFor(db);
  const granted = cache
    ? await cache.access(caller.userId, access.agentId, () => hasAccess(db, caller.userId, access.agentId))
    : await hasAccess(db, caller.userId, access.agentId);
  if (!granted) throw new PermissionError();
}

async function hasAccess(db: PrismaClient, userId: string, agentId: string): Promise<boolean> {
  const agent = await db.agent.findFirst({
    where: { id: agentId, organization: { memberships: { some: { userId } } } },
    select: { id: true },
  });
  return agent !== null;
}
