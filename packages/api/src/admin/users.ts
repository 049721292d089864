import type { PrismaClient } from "@blocklist/db";
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
