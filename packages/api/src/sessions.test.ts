// Sessions against a real PostgreSQL, on a clock of the test's choosing: lifetimes without waiting for them.
import type { PrismaClient } from "@blocklist/db";
import { testDatabaseForFile } from "@blocklist/db/testing";
import { describe, expect, it } from "vitest";
import { createApiKey } from "./admin/keys";
import { AuthenticationError } from "./errors";
import { hashSecret } from "./ids";
import {
  authenticateSession,
  endSession,
  LAST_USED_WRITE_INTERVAL_MS,
  MAX_SESSIONS_PER_KEY,
  openSession,
  purgeExpiredSessions,
} from "./sessions";
import { createTenant } from "./testing/fixtures";

const { prisma: db } = await testDatabaseForFile();
const alice = await createTenant(db, "alice");

const settings = { idleMinutes: 30, maxHours: 2 };
const T0 = Date.UTC(2026, 11, 1, 9, 0, 0);
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

const lastUsedAt = async (sessionId: string) =>
  (await db.session.findUnique({ where: { hash: hashSecret(sessionId) }, select: { lastUsedAt: true } }))
    ?.lastUsedAt;

/** Whether the session is accepted at `now`. */
const accepted = (sessionId: string, now: Date) =>
  authenticateSession(db, sessionId, settings, now).then(
    () => true,
    (error: unknown) => {
      if (error instanceof AuthenticationError) return false;
      throw error;
    },
  );

describe("a session", () => {
  it("acts for the key it was opened with", async () => {
    const sessionId = await openSession(db, alice.readOnlyCaller, settings, at(0));
    expect(sessionId).toMatch(/^ses_[0-9A-Za-z]{32}$/);
    expect(await authenticateSession(db, sessionId, settings, at(1))).toEqual({
      ...alice.readOnlyCaller,
      keyPrefix: alice.readOnlyKey.slice(0, 9),
    });
  });

  it("ends after SESSION_IDLE_MINUTES without use, and use keeps it open", async () => {
    const sessionId = await openSession(db, alice.caller, settings, at(0));
    expect(await accepted(sessionId, at(29))).toBe(true);
    expect(await accepted(sessionId, at(58))).toBe(true);
    expect(await accepted(sessionId, at(88))).toBe(false);

    const unused = await openSession(db, alice.caller, settings, at(0));
    expect(await accepted(unused, at(30))).toBe(false);
  });

  it("ends SESSION_MAX_HOURS after sign-in however much it is used", async () => {
    const sessionId = await openSession(db, alice.caller, settings, at(0));
    for (const minute of [20, 40, 60, 80, 100, 119]) expect(await accepted(sessionId, at(minute))).toBe(true);
    expect(await accepted(sessionId, at(120))).toBe(false);
  });

  it("records its use at most once a minute", async () => {
    const sessionId = await openSession(db, alice.caller, settings, at(0));
    const justUnderAMinute = new Date(T0 + LAST_USED_WRITE_INTERVAL_MS - 1);
    expect(await accepted(sessionId, new Date(T0 + 1000))).toBe(true);
    expect(await accepted(sessionId, justUnderAMinute)).toBe(true);
    expect(await lastUsedAt(sessionId)).toEqual(at(0));
    expect(await accepted(sessionId, at(1))).toBe(true);
    expect(await lastUsedAt(sessionId)).toEqual(at(1));
    expect(await accepted(sessionId, new Date(at(1).getTime() + 30_000))).toBe(true);
    expect(await lastUsedAt(sessionId)).toEqual(at(1));
  });

  it("ends at sign-out", async () => {
    const sessionId = await openSession(db, alice.caller, settings, at(0));
    await endSession(db, sessionId);
    expect(await accepted(sessionId, at(1))).toBe(false);
    expect(await lastUsedAt(sessionId)).toBeUndefined();
  });

  it("refuses, without a query, anything that is not a session id: an API key first", async () => {
    const noDatabase = new Proxy({} as PrismaClient, {
      get() {
        throw new Error("no query expected");
      },
    });
    for (const candidate of [alice.apiKey, "", null, "ses_short", `ses_${"a".repeat(31)}!`]) {
      await expect(authenticateSession(noDatabase, candidate, settings)).rejects.toBeInstanceOf(
        AuthenticationError,
      );
    }
  });
});

describe("the sessions table", () => {
  it("loses expired sessions at each sign-in, and keeps the others", async () => {
    const tenant = await createTenant(db, "purged");
    const sessionsLeft = async () =>
      (await db.session.findMany({ where: { keyId: tenant.caller.keyId }, select: { hash: true } })).map(
        (row) => Buffer.from(row.hash).toString("hex"),
      );
    const hex = (sessionId: string) => Buffer.from(hashSecret(sessionId)).toString("hex");
    const idle = await openSession(db, tenant.caller, settings, at(0));
    const old = await openSession(db, tenant.caller, settings, at(0));
    for (const minute of [25, 50, 75, 100]) expect(await accepted(old, at(minute))).toBe(true);
    expect((await sessionsLeft()).sort()).toEqual([hex(idle), hex(old)].sort());

    // At 100 min `idle` has been unused for over 30 min; at 125 min `old` is over 2 hours old.
    const fresh = await openSession(db, tenant.caller, settings, at(100));
    expect((await sessionsLeft()).sort()).toEqual([hex(old), hex(fresh)].sort());
    await openSession(db, alice.caller, settings, at(125));
    expect(await sessionsLeft()).toEqual([hex(fresh)]);
    expect(await purgeExpiredSessions(db, settings, at(125))).toBe(0);
  });

  it(`keeps a key's newest ${MAX_SESSIONS_PER_KEY} sessions`, async () => {
    const { keyId } = await createApiKey(db, { uid: alice.uid, readOnly: false });
    const caller = { ...alice.caller, keyId };
    const opened: string[] = [];
    for (let i = 0; i <= MAX_SESSIONS_PER_KEY; i++) {
      opened.push(await openSession(db, caller, settings, new Date(T0 + i)));
    }
    expect(await db.session.count({ where: { keyId } })).toBe(MAX_SESSIONS_PER_KEY);
    expect(await accepted(opened[0] ?? "", at(1))).toBe(false);
    expect(await accepted(opened[1] ?? "", at(1))).toBe(true);
  });

  it("loses a key's sessions with the key", async () => {
    const { keyId } = await createApiKey(db, { uid: alice.uid, readOnly: true });
    await openSession(db, { ...alice.readOnlyCaller, keyId }, settings, at(0));
    expect(await db.session.count({ where: { keyId } })).toBe(1);
    await db.apiKey.delete({ where: { id: keyId } });
    expect(await db.session.count({ where: { keyId } })).toBe(0);
  });
});
