// The web UI's sessions (docs/DECISIONS.md, "Sessions"). Signing in with an API key opens one: the cookie holds
// a random id, the `sessions` table only its SHA-256 hash, bound to the key. Every request reads the row with
// its key (one lookup by primary key), so sign-out, a revoked or deleted key and an ended lifetime take effect
// on every instance at once: nothing about a session is remembered in memory.
import type { PrismaClient } from "@blocklist/db";
import { type Caller, recordKeyUse } from "./auth";
import { AuthenticationError } from "./errors";
import { hashSecret, randomBase62, secretPattern } from "./ids";
import { keyRateLimitFromColumn } from "./rateLimit/budget";

const SESSION_PREFIX = "ses_";
// 32 base62 characters carry about 190 random bits, like a key.
const SESSION_RANDOM_LENGTH = 32;
const SESSION_FORMAT = secretPattern(SESSION_PREFIX, SESSION_RANDOM_LENGTH);
// The idle lifetime counts from the last recorded use, so it is exact to within this.
export const LAST_USED_WRITE_INTERVAL_MS = 60_000;
// Sign-in is not rate limited: a key holder signing in in a loop keeps at most this many sessions of it.
export const MAX_SESSIONS_PER_KEY = 100;

/** The lifetimes of a session (config: SESSION_IDLE_MINUTES, SESSION_MAX_HOURS). */
export interface SessionSettings {
  /** Unused this long, a session ends. */
  idleMinutes: number;
  /** This long after sign-in, a session ends however much it is used. */
  maxHours: number;
}

/** Who a session acts for: its key's caller, and the key's display prefix for the page. */
export interface SessionCaller extends Caller {
  keyPrefix: string;
}

/** Whether a string has the shape of a session id (a key, or anything else, has not). */
export function isWellFormedSessionId(sessionId: string): boolean {
  return SESSION_FORMAT.test(sessionId);
}

/** Opens a session for a verified key, first deleting every expired session; returns its id for the cookie. */
export async function openSession(
  db: PrismaClient,
  caller: Caller,
  settings: SessionSettings,
  now: Date = new Date(),
): Promise<string> {
  await purgeExpiredSessions(db, settings, now);
  const sessionId = SESSION_PREFIX + randomBase62(SESSION_RANDOM_LENGTH);
  await db.session.create({
    data: { hash: hashSecret(sessionId), keyId: caller.keyId, createdAt: now, lastUsedAt: now },
    select: { keyId: true },
  });
  await dropSurplusSessions(db, caller.keyId);
  return sessionId;
}

/**
 * The caller a session id stands for. A missing, malformed (an API key is one), unknown, ended or expired
 * session, or one whose key is revoked, is an AuthenticationError: the UI signs in again. A malformed id costs no
 * query. Records the use at most once a minute.
 */
export async function authenticateSession(
  db: PrismaClient,
  sessionId: string | null | undefined,
  settings: SessionSettings,
  now: Date = new Date(),
): Promise<SessionCaller> {
  if (!sessionId || !isWellFormedSessionId(sessionId)) throw new AuthenticationError();
  const hash = hashSecret(sessionId);
  const session = await db.session.findUnique({
    where: { hash },
    select: {
      createdAt: true,
      lastUsedAt: true,
      key: {
        select: { id: true, userId: true, readOnly: true, revokedAt: true, prefix: true, rateLimit: true },
      },
    },
  });
  if (!session || session.key.revokedAt !== null || isExpired(session, settings, now)) {
    throw new AuthenticationError();
  }
  await recordSessionUse(db, hash, session.lastUsedAt, now);
  recordKeyUse(db, session.key.id);
  const { id: keyId, userId, readOnly, prefix: keyPrefix, rateLimit } = session.key;
  return { keyId, userId, readOnly, keyPrefix, rateLimit: keyRateLimitFromColumn(rateLimit) };
}

/** Ends a session (sign-out): its row is deleted, so its cookie is refused everywhere from now on. */
export async function endSession(db: PrismaClient, sessionId: string | null | undefined): Promise<void> {
  if (!sessionId || !isWellFormedSessionId(sessionId)) return;
  await db.session.deleteMany({ where: { hash: hashSecret(sessionId) } });
}

/** Deletes every session past either lifetime (each condition has an index); returns how many. */
export async function purgeExpiredSessions(
  db: PrismaClient,
  settings: SessionSettings,
  now: Date = new Date(),
): Promise<number> {
  const { idleSince, openedSince } = cutoffs(settings, now);
  const { count } = await db.session.deleteMany({
    where: { OR: [{ lastUsedAt: { lte: idleSince } }, { createdAt: { lte: openedSince } }] },
  });
  return count;
}

/** A session last used at or before `idleSince`, or opened at or before `openedSince`, has ended. */
function cutoffs(settings: SessionSettings, now: Date): { idleSince: Date; openedSince: Date } {
  return {
    idleSince: new Date(now.getTime() - settings.idleMinutes * 60_000),
    openedSince: new Date(now.getTime() - settings.maxHours * 3_600_000),
  };
}

function isExpired(
  session: { createdAt: Date; lastUsedAt: Date },
  settings: SessionSettings,
  now: Date,
): boolean {
  const { idleSince, openedSince } = cutoffs(settings, now);
  return session.lastUsedAt <= idleSince || session.createdAt <= openedSince;
}

/**
 * At most one write a minute per session, whatever the number of requests or instances: skipped unless a minute
 * has passed since the recorded use, and conditional in SQL so that instances racing write once. Awaited (one
 * small write a minute) so that the idle clock never lags; a failure only leaves the older time.
 */
async function recordSessionUse(
  db: PrismaClient,
  hash: Uint8Array<ArrayBuffer>,
  lastUsedAt: Date,
  now: Date,
): Promise<void> {
  const dueBefore = new Date(now.getTime() - LAST_USED_WRITE_INTERVAL_MS);
  if (lastUsedAt > dueBefore) return;
  await db.session
    .updateMany({ where: { hash, lastUsedAt: { lte: dueBefore } }, data: { lastUsedAt: now } })
    .catch(() => {});
}

/** Keeps the key's newest MAX_SESSIONS_PER_KEY sessions. */
async function dropSurplusSessions(db: PrismaClient, keyId: string): Promise<void> {
  const surplus = await db.session.findMany({
    where: { keyId },
    orderBy: [{ createdAt: "desc" }, { hash: "desc" }],
    skip: MAX_SESSIONS_PER_KEY,
    select: { hash: true },
  });
  if (surplus.length === 0) return;
  await db.session.deleteMany({ where: { hash: { in: surplus.map((session) => session.hash) } } });
}
