import type { PrismaClient } from "@blocklist/db";
import { ConflictError, NotFoundError } from "../errors";
import { isWellFormedId, newId } from "../ids";
import { requireDisplayName } from "./names";

export async function createOrganization(db: PrismaClient, name: string): Promise<{ orgId: string }> {
  requireDisplayName(name);
  const orgId = newId("org");
  await db.organization.create({ data: { id: orgId, name }, select: { id: true } });
  return { orgId };
}

/** Idempotent: adding a member twice leaves one membership. */
export async function addOrganizationMember(
  db: PrismaClient,
  membership: { orgId: string; uid: string },
): Promise<{ orgId: string; uid: string }> {
  await requireUser(db, membership.uid);
  await requireOrganization(db, membership.orgId);
  await db.membership.upsert({
    where: { userId_organizationId: { userId: membership.uid, organizationId: membership.orgId } },
    create: { userId: membership.uid, organizationId: membership.orgId },
    update: {},
    select: { userId: true },
  });
  return { orgId: membership.orgId, uid: membership.uid };
}

/**
 * Takes a user out of an organization; their keys lose its agents within a second (the membership trigger of
 * the change_notifications migration). Refused for the organization's last member: an organization always keeps
 * one, so that its agents and lists stay in someone's hands. Not idempotent: a non-member is an error, so that a
 * mistyped id is not mistaken for success.
 */
export async function removeOrganizationMember(
  db: PrismaClient,
  membership: { orgId: string; uid: string },
): Promise<{ orgId: string; uid: string; removed: true }> {
  const { orgId, uid } = membership;
  await requireUser(db, uid);
  return db.$transaction(async (tx) => {
    // Locked, so that two removals at once cannot both see another member left.
    const locked = await tx.$queryRaw<unknown[]>`SELECT 1 FROM organizations WHERE id = ${orgId} FOR UPDATE`;
    if (locked.length === 0) throw new NotFoundError(`No organization with id ${orgId}`);
    const member = await tx.membership.findUnique({
      where: { userId_organizationId: { userId: uid, organizationId: orgId } },
      select: { userId: true },
    });
    if (!member) throw new NotFoundError(`User ${uid} is not a member of organization ${orgId}`);
    if ((await tx.membership.count({ where: { organizationId: orgId } })) === 1) {
      throw new ConflictError(
        `User ${uid} is the last member of organization ${orgId}, which would be left with no one to manage it: ` +
          `add another member first (pnpm cli org add-member --org ${orgId} --uid …)`,
      );
    }
    await tx.membership.delete({
      where: { userId_organizationId: { userId: uid, organizationId: orgId } },
      select: { userId: true },
    });
    return { orgId, uid, removed: true as const };
  });
}

export interface OrganizationSummary {
  orgId: string;
  name: string;
  /** Member uids, in the order they joined. */
  members: string[];
  /** How many agents it has (`agent list --org` names them). */
  agents: number;
  createdAt: string;
}

/** Every organization, oldest first. */
export async function listAllOrganizations(
  db: PrismaClient,
): Promise<{ organizations: OrganizationSummary[] }> {
  const organizations = await db.organization.findMany({
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: {
      id: true,
      name: true,
      createdAt: true,
      memberships: { orderBy: [{ createdAt: "asc" }, { userId: "asc" }], select: { userId: true } },
      _count: { select: { agents: true } },
    },
  });
  return {
    organizations: organizations.map((organization) => ({
      orgId: organization.id,
      name: organization.name,
      members: organization.memberships.map((membership) => membership.userId),
      agents: organization._count.agents,
      createdAt: organization.createdAt.toISOString(),
    })),
  };
}
// An id newId could not have made is reported like a missing one, without asking the database.

export async function requireUser(db: PrismaClient, uid: string): Promise<void> {
  const user = isWellFormedId("usr", uid)
    ? await db.user.findUnique({ where: { id: uid }, select: { id: true } })
    : null;
  if (!user) throw new NotFoundError(`No user with uid ${uid}`);
}

export async function requireOrganization(db: PrismaClient, orgId: string): Promise<void> {
  const organization = isWellFormedId("org", orgId)
    ? await db.organization.findUnique({ where: { id: orgId }, select: { id: true } })
    : null;
  if (!organization) throw new NotFoundError(`No organization with id ${orgId}`);
}
