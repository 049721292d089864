import type { PrismaClient } from "@blocklist/db";
import { ConflictError, NotFoundError } from "../errors";
import { newId } from "../ids";
import { createApiKey } from "./keys";
import { requireDisplayName } from "./names";

export interface CreatedUser {
  uid: string;
  orgId: string;
  apiKey: string;
}

/** A new user always gets a personal organization and a read-write key, so they can start at once. */
export async function createUser(db: PrismaClient, name: string): Promise<CreatedUser> {
  requireDisplayName(name);
  const uid = newId("usr");
  const orgId = newId("org");
  await db.$transaction([
    db.user.create({ data: { id: uid, name }, select: { id: true } }),
    db.organization.create({ data: { id: orgId, name }, select: { id: true } }),
    db.membership.create({ data: { userId: uid, organizationId: orgId }, select: { userId: true } }),
  ]);
  const { apiKey } = await createApiKey(db, { uid, readOnly: false });
  return { uid, orgId, apiKey };
}

export interface UserSummary {
  uid: string;
  name: string;
  /** The organizations they belong to, in the order they joined (the personal one first). */
  orgIds: string[];
  createdAt: string;
}

/** Every user, oldest first. */
export async function listUsers(db: PrismaClient): Promise<{ users: UserSummary[] }> {
  const users = await db.user.findMany({
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: {
      id: true,
      name: true,
      createdAt: true,
      memberships: {
        orderBy: [{ createdAt: "asc" }, { organizationId: "asc" }],
        select: { organizationId: true },
      },
    },
  });
  return {
    users: users.map((user) => ({
      uid: user.id,
      name: user.name,
      orgIds: user.memberships.map((membership) => membership.organizationId),
      createdAt: user.createdAt.toISOString(),
    })),
  };
}

export interface DeletedUser {
  uid: string;
  deleted: true;
  /** Their keys, deleted with them: refused everywhere within a second, as a revocation is. */
  deletedKeyIds: string[];
  /** The organizations they were the only member of, which had no agents (their personal one, usually). */
  deletedOrgIds: string[];
}

/**
 * Deletes a user, their keys and their memberships. An organization they were the only member of goes with them
 * when it has no agents; when it still has agents the whole deletion is refused (those agents' lists would be
 * left to no one), naming each such organization. Numbers their keys added stay on their lists.
 */
export async function deleteUser(db: PrismaClient, uid: string): Promise<DeletedUser> {
  return db.$transaction(async (tx) => {
    // Locked in this order (the user, then their organizations by id) so that no membership, agent or key can be
    // added meanwhile to what is decided on here (each insert takes a key-share lock on the row it refers to).
    const locked = await tx.$queryRaw<unknown[]>`SELECT 1 FROM users WHERE id = ${uid} FOR UPDATE`;
    if (locked.length === 0) throw new NotFoundError(`No user with uid ${uid}`);
    await tx.$queryRaw`
      SELECT 1 FROM organizations
      WHERE id IN (SELECT organization_id FROM memberships WHERE user_id = ${uid})
      ORDER BY id FOR UPDATE`;
    const memberships = await tx.membership.findMany({
      where: { userId: uid },
      orderBy: { organizationId: "asc" },
      select: {
        organization: { select: { id: true, _count: { select: { memberships: true, agents: true } } } },
      },
    });
    const soleMemberOf = memberships
      .map((membership) => membership.organization)
      .filter((organization) => organization._count.memberships === 1);
    const stranded = soleMemberOf.filter((organization) => organization._count.agents > 0);
    if (stranded.length > 0) {
      const named = stranded.map(
        ({ id, _count: { agents } }) => `${id} (${agents} agent${agents === 1 ? "" : "s"})`,
      );
      throw new ConflictError(
        `User ${uid} is the last member of ${named.join(", ")}, whose agents would be left with no one to ` +
          "manage them: delete those agents first (pnpm cli agent delete), or add another member " +
          "(pnpm cli org add-member)",
      );
    }
    const deletedOrgIds = soleMemberOf.map((organization) => organization.id);
    const keys = await tx.apiKey.findMany({
      where: { userId: uid },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: { id: true },
    });
    await tx.organization.deleteMany({ where: { id: { in: deletedOrgIds } } });
    // Memberships and keys go by cascade; the api_keys trigger notifies every instance of each key's hash.
    await tx.user.delete({ where: { id: uid }, select: { id: true } });
    return { uid, deleted: true as const, deletedKeyIds: keys.map((key) => key.id), deletedOrgIds };
  });
}
