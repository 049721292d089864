import type { PrismaClient } from "@blocklist/db";
import type { Caller } from "./auth";
import { PermissionError } from "./errors";

export interface AgentAccess {
  uid: string;
  agentId: string;
  /** POST and DELETE need a read-write key. */
  write: boolean;
}

/**
 * Step 3 of the check order. One query answers "does this agent exist in an organization the caller belongs
 * to", so a missing agent and a foreign agent are indistinguishable, in answer and in work done.
 */
export async function authorizeAgentAccess(
  db: PrismaClient,
  caller: Caller,
  access: AgentAccess,
): Promise<void> {
  if (access.uid !== caller.userId) throw new PermissionError();
  if (access.write && caller.readOnly) throw new PermissionError();
  const agent = await db.agent.findFirst({
    where: { id: access.agentId, organization: { memberships: { some: { userId: caller.userId } } } },
    select: { id: true },
  });
  if (!agent) throw new PermissionError();
}
