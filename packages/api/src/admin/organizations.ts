import type { PrismaClient } from "@blocklist/db";
import { NotFoundError } from "../errors";
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
