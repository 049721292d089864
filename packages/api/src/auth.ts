import type { PrismaClient } from "@blocklist/db";
import { checkCacheFor, type KnownKey } from "./checkCache";
import { AuthenticationError } from "./errors";
import { hashApiKey } from "./keys";
import { type KeyRateLimit, keyRateLimitFromColumn } from "./rateLimit/budget";

/** Who is calling: established once per request, then passed to every service function. */
export interface Caller {
  keyId: string;
  userId: string;
  readOnly: boolean;
  /** The key's own rate-limit budget (null: the default); cached with the key, so a change arrives like a revocation. */
  rateLimit: KeyRateLimit;
}

// A real key is `bl_` + 32 characters; anything far longer is refused before hashing.
const MAX_KEY_LENGTH = 256;
// lastUsedAt is a hint for people reviewing keys, not an audit log: one write per key per minute is enough.
const LAST_USED_WRITE_INTERVAL_MS = 60_000;
const lastUsedWrittenAt = new Map<string, number>();

/**
 * Verifies an API key by its SHA-256 hash: from the check cache when the server runs one (a revocation reaches
 * it through a change notification), else with one indexed lookup. The hash, not the secret, is compared (by
 * the database or as a map key), so lookup time does not depend on how much of a guessed secret is right.
 */
export async function authenticateApiKey(
  db: PrismaClient,
  secret: string | null | undefined,
): Promise<Caller> {
  const trimmed = secret?.trim();
  if (!trimmed || trimmed.length > MAX_KEY_LENGTH) throw new AuthenticationError();

  const hash = hashApiKey(trimmed);
  const cache = checkCacheFor(db);
  const key = cache
    ? await cache.key(Buffer.from(hash).toString("hex"), () => findKey(db, hash))
    : await findKey(db, hash);
  if (!key || key.revoked) throw new AuthenticationError();

  recordKeyUse(db, key.keyId);
  return { keyId: key.keyId, userId: key.userId, readOnly: key.readOnly, rateLimit: key.rateLimit };
}

async function findKey(db: PrismaClient, hash: Uint8Array<ArrayBuffer>): Promise<KnownKey | null> {
  const key = await db.apiKey.findUnique({
    where: { hash },
    select: { id: true, userId: true, readOnly: true, revokedAt: true, rateLimit: true },
  });
  return (
    key && {
      keyId: key.id,
      userId: key.userId,
      readOnly: key.readOnly,
      revoked: key.revokedAt !== null,
      rateLimit: keyRateLimitFromColumn(key.rateLimit),
    }
  );
}

/**
 * Fire-and-forget, throttled per process: a request never waits for it and never fails because of it. Also
 * called for the key behind a web UI session (sessions.ts).
 */
export function recordKeyUse(db: PrismaClient, keyId: string): void {
  const now = Date.now();
  const last = lastUsedWrittenAt.get(keyId);
  if (last !== undefined && now - last < LAST_USED_WRITE_INTERVAL_MS) return;
  lastUsedWrittenAt.set(keyId, now);
  db.apiKey
    .update({ where: { id: keyId }, data: { lastUsedAt: new Date(now) }, select: { id: true } })
    .catch(() => {
      // The key may have been deleted meanwhile; the next use will try again.
      lastUsedWrittenAt.delete(keyId);
    });
}
