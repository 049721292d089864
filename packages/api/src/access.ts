import type { EntryList } from "@blocklist/core";
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

/** A list named by its agent (the agent's own list) or by its organization (the organization's list). */
export interface ListAccess {
  uid: string;
  agentId?: string | undefined;
  orgId?: string | undefined;
  /** Changes need a read-write key. */
  write: boolean;
}

/** The key's own user, and a read-write key for a change: steps 3's checks that need no query. */
function requireCaller(caller: Caller, access: { uid: string; write: boolean }): void {
  if (access.uid !== caller.userId) throw new PermissionError();
  if (access.write && caller.readOnly) throw new PermissionError();
}

/**
 * Step 3 of the check order. One query answers "does this agent exist in an organization the caller belongs
 * to", so a missing agent and a foreign agent are indistinguishable, in answer and in work done. With the
 * server's check cache, granted access is remembered until a membership or the agent changes. `uid` is compared
 * with the key's own user, never looked up. Answers the agent's organization.
 */
export async function authorizeAgentAccess(
  db: PrismaClient,
  caller: Caller,
  access: AgentAccess,
): Promise<string> {
  requireCaller(caller, access);
  // An id newId could not have made names no agent: refused like a missing one, without a query (a NUL in it
  // would make PostgreSQL fail the query) and without a place in the cache.
  if (!isWellFormedId("agt", access.agentId)) throw new PermissionError();
  const cache = checkCacheFor(db);
  const orgId = cache
    ? await cache.access(caller.userId, access.agentId, () =>
        agentOrganization(db, caller.userId, access.agentId),
      )
    : await agentOrganization(db, caller.userId, access.agentId);
  if (orgId === null) throw new PermissionError();
  return orgId;
}

/** Step 3 for a list of entries: the agent's own, or the organization's when only `orgId` names it. */
export async function authorizeListAccess(
  db: PrismaClient,
  caller: Caller,
  access: ListAccess,
): Promise<EntryList> {
  if (access.agentId !== undefined) {
    const orgId = await authorizeAgentAccess(db, caller, { ...access, agentId: access.agentId });
    return { orgId, agentId: access.agentId };
  }
  requireCaller(caller, access);
  const orgId = access.orgId ?? "";
  if (!isWellFormedId("org", orgId)) throw new PermissionError();
  const member = await db.membership.findUnique({
    where: { userId_organizationId: { userId: caller.userId, organizationId: orgId } },
    select: { organizationId: true },
  });
  if (member === null) throw new PermissionError();
  return { orgId, agentId: null };
}

/** The organizations the caller belongs to: where the entries it may change by id live. */
export async function callerOrganizations(db: PrismaClient, caller: Caller): Promise<string[]> {
  const memberships = await db.membership.findMany({
    where: { userId: caller.userId },
    select: { organizationId: true },
  });
  return memberships.map((membership) => membership.organizationId);
}

/** The agent's organization when the user is one of its members, else null. */
async function agentOrganization(db: PrismaClient, userId: string, agentId: string): Promise<string | null> {
  const agent = await db.agent.findFirst({
    where: { id: agentId, organization: { memberships: { some: { userId } } } },
    select: { organizationId: true },
  });
  return agent?.organizationId ?? null;
}
