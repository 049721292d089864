import type { PrismaClient } from "@blocklist/db";
import { checkCacheFor, type KnownKey } from "./checkCache";
import { AuthenticationError } from "./errors";
import { hashApiKey } from "./keys";
import { KeyUseRecorder } from "./keyUse";
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
// One for the process: lastUsedAt is written at most once a minute per key per process.
const processKeyUse = new KeyUseRecorder();

/**
 * Verifies an API key by its SHA-256 hash: from the check cache when the server runs one (a revocation reaches
 * it through a change notification), else with one indexed lookup. The hash, not the secret, is compared (by
 * the database or as a map key), so lookup time does not depend on how much of a guessed secret is right.
 */
export async function authenticateApiKey(
  db: PrismaClient,
  secret: string | null | undefined,
  keyUse: KeyUseRecorder = processKeyUse,
): Promise<Caller> {
  const trimmed = secret?.trim();
  if (!trimmed || trimmed.length > MAX_KEY_LENGTH) throw new AuthenticationError();

  const hash = hashApiKey(trimmed);
  const cache = checkCacheFor(db);
  const key = cache
    ? await cache.key(Buffer.from(hash).toString("hex"), () => findKey(db, hash))
    : await findKey(db, hash);
  if (!key || key.revoked) throw new AuthenticationError();

  keyUse.record(db, key.keyId);
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

/** Records a use of the key behind a web UI session (sessions.ts), with the process's recorder. */
export function recordKeyUse(db: PrismaClient, keyId: string): void {
  processKeyUse.record(db, keyId);
}
