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
