import type { PrismaClient } from "@blocklist/db";
import { NotFoundError } from "../errors";
import { isWellFormedId, newId } from "../ids";
import { generateApiKey } from "../keys";
import { requireUser } from "./organizations";

/** The secret is returned here once and never again: only its hash is stored. */
export async function createApiKey(
  db: PrismaClient,
  key: { uid: string; readOnly: boolean },
): Promise<{ keyId: string; apiKey: string }> {
  await requireUser(db, key.uid);
  const { secret, hash, prefix } = generateApiKey();
  const keyId = newId("key");
  await db.apiKey.create({
    data: { id: keyId, userId: key.uid, hash, prefix, readOnly: key.readOnly },
    select: { id: true },
  });
  return { keyId, apiKey: secret };
}

/** Revoking is a timestamp, so the key's history stays; revoking twice keeps the first time. */
export async function revokeApiKey(
  db: PrismaClient,
  keyId: string,
): Promise<{ keyId: string; revoked: true }> {
  if (!isWellFormedId("key", keyId)) throw new NotFoundError(`No API key with id ${keyId}`);
  const { count } = await db.apiKey.updateMany({
    where: { id: keyId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  if (count === 0) {
    const exists = await db.apiKey.findUnique({ where: { id: keyId }, select: { id: true } });
    if (!exists) throw new NotFoundError(`No API key with id ${keyId}`);
  }
  return { keyId, revoked: true };
}

export interface ApiKeySummary {
  keyId: string;
  prefix: string;
  readOnly: boolean;
  revoked: boolean;
  createdAt: string;
}

export async function listApiKeys(db: PrismaClient, uid: string): Promise<{ keys: ApiKeySummary[] }> {
  await requireUser(db, uid);
  const keys = await db.apiKey.findMany({
    where: { userId: uid },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { id: true, prefix: true, readOnly: true, revokedAt: true, createdAt: true },
  });
  return {
    keys: keys.map((key) => ({
      keyId: key.id,
      prefix: key.prefix,
      readOnly: key.readOnly,
      revoked: key.revokedAt !== null,
      createdAt: key.createdAt.toISOString(),
    })),
  };
}
