import type { PrismaClient } from "@blocklist/db";
import { NotFoundError } from "../errors";
import { isWellFormedId, newId } from "../ids";
import { generateApiKey } from "../keys";
import { type KeyRateLimit, keyRateLimitFromColumn, keyRateLimitToColumn } from "../rateLimit/budget";
import { requireUser } from "./organizations";

export interface NewApiKey {
  uid: string;
  readOnly: boolean;
  /** The key's own rate-limit budget; null or absent: RATE_LIMIT_REQUESTS. */
  rateLimit?: KeyRateLimit;
}

/** The secret is returned here once and never again: only its hash is stored. */
export async function createApiKey(
  db: PrismaClient,
  key: NewApiKey,
): Promise<{ keyId: string; apiKey: string }> {
  await requireUser(db, key.uid);
  const { secret, hash, prefix } = generateApiKey();
  const keyId = newId("key");
  await db.apiKey.create({
    data: {
      id: keyId,
      userId: key.uid,
      hash,
      prefix,
      readOnly: key.readOnly,
      rateLimit: keyRateLimitToColumn(key.rateLimit ?? null),
    },
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
  if (count === 0) await requireApiKey(db, keyId);
  return { keyId, revoked: true };
}

/**
 * Gives a key its own budget (or, with null, the default back). Every instance applies it within a second: the
 * key is cached with its budget, and the change notifies like a revocation (the key_rate_limits migration).
 */
export async function setApiKeyRateLimit(
  db: PrismaClient,
  keyId: string,
  rateLimit: KeyRateLimit,
): Promise<{ keyId: string; rateLimit: KeyRateLimit }> {
  const { count } = await db.apiKey.updateMany({
    where: { id: keyId },
    data: { rateLimit: keyRateLimitToColumn(rateLimit) },
  });
  if (count === 0) throw new NotFoundError(`No API key with id ${keyId}`);
  return { keyId, rateLimit };
}

export interface ApiKeySummary {
  keyId: string;
  prefix: string;
  readOnly: boolean;
  revoked: boolean;
  createdAt: string;
  /** The key's own budget; null: RATE_LIMIT_REQUESTS. */
  rateLimit: KeyRateLimit;
}

export async function listApiKeys(db: PrismaClient, uid: string): Promise<{ keys: ApiKeySummary[] }> {
  await requireUser(db, uid);
  const keys = await db.apiKey.findMany({
    where: { userId: uid },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { id: true, prefix: true, readOnly: true, revokedAt: true, createdAt: true, rateLimit: true },
  });
  return {
    keys: keys.map((key) => ({
      keyId: key.id,
      prefix: key.prefix,
      readOnly: key.readOnly,
      revoked: key.revokedAt !== null,
      createdAt: key.createdAt.toISOString(),
      rateLimit: keyRateLimitFromColumn(key.rateLimit),
    })),
  };
}

async function requireApiKey(db: PrismaClient, keyId: string): Promise<void> {
  const exists = await db.apiKey.findUnique({ where: { id: keyId }, select: { id: true } });
  if (!exists) throw new NotFoundError(`No API key with id ${keyId}`);
}
