import type { OrganizationsResponse } from "@blocklist/core";
import type { PrismaClient } from "@blocklist/db";
import type { Caller } from "./auth";

/** The organizations the caller's user belongs to, each with its agents, oldest first. */
export async function listOrganizations(db: PrismaClient, caller: Caller): Promise<OrganizationsResponse> {
  const organizations = await db.organization.findMany({
    where: { memberships: { some: { userId: caller.userId } } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: {
      id: true,
      name: true,
      agents: { orderBy: [{ createdAt: "asc" }, { id: "asc" }], select: { id: true, name: true } },
    },
  });
  return { organizations };
}
