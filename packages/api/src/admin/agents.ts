import type { PrismaClient } from "@blocklist/db";
import { NotFoundError } from "../errors";
import { newId } from "../ids";
import { requireDisplayName } from "./names";
import { requireOrganization, requireUser } from "./organizations";

export interface NewAgent {
  uid: string;
  name: string;
  /** Defaults to the user's personal organization (their oldest membership). */
  orgId?: string;
}

export async function createAgent(
  db: PrismaClient,
  agent: NewAgent,
): Promise<{ agentId: string; orgId: string }> {
  requireDisplayName(agent.name);
  await requireUser(db, agent.uid);
  const orgId = agent.orgId ?? (await personalOrganizationId(db, agent.uid));
  await requireOrganization(db, orgId);
  const membership = await db.membership.findUnique({
    where: { userId_organizationId: { userId: agent.uid, organizationId: orgId } },
    select: { userId: true },
  });
  if (!membership) throw new NotFoundError(`User ${agent.uid} is not a member of organization ${orgId}`);

  const agentId = newId("agt");
  await db.agent.create({
    data: { id: agentId, organizationId: orgId, name: agent.name },
    select: { id: true },
  });
  return { agentId, orgId };
}

async function personalOrganizationId(db: PrismaClient, uid: string): Promise<string> {
  const first = await db.membership.findFirst({
    where: { userId: uid },
    orderBy: { createdAt: "asc" },
    select: { organizationId: true },
  });
  if (!first) throw new NotFoundError(`User ${uid} belongs to no organization; pass --org`);
  return first.organizationId;
}

export interface AgentSummary {
  agentId: string;
  name: string;
  orgId: string;
  /** How many numbers its block list holds. */
  blockedNumbers: number;
  createdAt: string;
}

/**
 * Agents, oldest first: all of them, those of one organization (`orgId`), those a user may manage (`uid`: of
 * every organization they belong to), or both filters at once.
 */
export async function listAgents(
  db: PrismaClient,
  filter: { orgId?: string; uid?: string } = {},
): Promise<{ agents: AgentSummary[] }> {
  if (filter.orgId !== undefined) await requireOrganization(db, filter.orgId);
  if (filter.uid !== undefined) await requireUser(db, filter.uid);
  const agents = await db.agent.findMany({
    where: {
      ...(filter.orgId === undefined ? {} : { organizationId: filter.orgId }),
      ...(filter.uid === undefined
        ? {}
        : { organization: { memberships: { some: { userId: filter.uid } } } }),
    },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: {
      id: true,
      name: true,
      organizationId: true,
      createdAt: true,
      _count: { select: { entries: true } },
    },
  });
  return {
    agents: agents.map((agent) => ({
      agentId: agent.id,
      name: agent.name,
      orgId: agent.organizationId,
      blockedNumbers: agent._count.entries,
      createdAt: agent.createdAt.toISOString(),
    })),
  };
}

/**
 * Deletes an agent and its whole block list with it: a list belongs to its agent and means nothing without it.
 * Every instance stops serving both within a second (the agents trigger of the change_notifications migration,
 * the entries trigger of the entries migration).
 */
export async function deleteAgent(
  db: PrismaClient,
  agentId: string,
): Promise<{ agentId: string; deleted: true; deletedNumbers: number }> {
  return db.$transaction(async (tx) => {
    // Locked first, so that the count is of every number deleted: an add waits, then finds no agent.
    const locked = await tx.$queryRaw<unknown[]>`SELECT 1 FROM agents WHERE id = ${agentId} FOR UPDATE`;
    if (locked.length === 0) throw new NotFoundError(`No agent with id ${agentId}`);
    const { count } = await tx.entry.deleteMany({ where: { agentId } });
    await tx.agent.delete({ where: { id: agentId }, select: { id: true } });
    return { agentId, deleted: true as const, deletedNumbers: count };
  });
}
