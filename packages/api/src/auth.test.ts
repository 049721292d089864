import { testDatabaseForFile } from "@blocklist/db/testing";
import { describe, expect, it } from "vitest";
import { createApiKey, listApiKeys, revokeApiKey } from "./admin/keys";
import { createUser } from "./admin/users";
import { authenticateApiKey } from "./auth";
import { AuthenticationError } from "./errors";
import { hashApiKey } from "./keys";
import { KeyUseRecorder } from "./keyUse";

const { prisma: db } = await testDatabaseForFile();

describe("authenticateApiKey", () => {
  it("identifies the key's user, access and own rate-limit budget", async () => {
    const { uid, apiKey } = await createUser(db, "someone");
    const { keyId, apiKey: readOnlyKey } = await createApiKey(db, { uid, readOnly: true, rateLimit: 250 });
    const { apiKey: unlimitedKey } = await createApiKey(db, { uid, readOnly: false, rateLimit: "unlimited" });
    const { keys } = await listApiKeys(db, uid);

    await expect(authenticateApiKey(db, apiKey)).resolves.toEqual({
      keyId: keys[0]?.keyId,
      userId: uid,
      readOnly: false,
      rateLimit: null,
    });
    await expect(authenticateApiKey(db, readOnlyKey)).resolves.toEqual({
      keyId,
      userId: uid,
      readOnly: true,
      rateLimit: 250,
    });
    await expect(authenticateApiKey(db, unlimitedKey)).resolves.toEqual({
      keyId: keys[2]?.keyId,
      userId: uid,
      readOnly: false,
      rateLimit: "unlimited",
    });
  });

  it.each([
    ["missing", null],
    ["empty", ""],
    ["blank", "   "],
    ["unknown", "bl_0000000000000000000000000000000"],
    ["absurdly long", `bl_${"x".repeat(10_000)}`],
  ])("refuses a %s key", async (_label, secret) => {
    await expect(authenticateApiKey(db, secret)).rejects.toBeInstanceOf(AuthenticationError);
  });

  it("refuses a key at once after it is revoked, and leaves the user's other keys working", async () => {
    const { uid, apiKey: kept } = await createUser(db, "revoker");
    const { keyId, apiKey } = await createApiKey(db, { uid, readOnly: false });
    await authenticateApiKey(db, apiKey);

    await expect(revokeApiKey(db, keyId)).resolves.toEqual({ keyId, revoked: true });
    await expect(authenticateApiKey(db, apiKey)).rejects.toBeInstanceOf(AuthenticationError);
    await expect(authenticateApiKey(db, kept)).resolves.toMatchObject({ userId: uid });
  });

  it("stores only a hash and a short display prefix of the secret", async () => {
    const { uid, apiKey } = await createUser(db, "hashed");
    const [stored] = await db.apiKey.findMany({
      where: { userId: uid },
      select: { hash: true, prefix: true },
    });
    expect(apiKey).toMatch(/^bl_[0-9A-Za-z]{32}$/);
    expect(Buffer.from(stored?.hash ?? []).equals(Buffer.from(hashApiKey(apiKey)))).toBe(true);
    expect(stored?.prefix).toBe(apiKey.slice(0, 9));
  });

  it("records when a key was last used, without the request waiting for it", async () => {
    const { uid, apiKey } = await createUser(db, "user of keys");
    await authenticateApiKey(db, apiKey);
    await expect
      .poll(
        async () =>
          (await db.apiKey.findFirst({ where: { userId: uid }, select: { lastUsedAt: true } }))?.lastUsedAt,
      )
      .toBeInstanceOf(Date);
  });

  it("writes lastUsedAt at most once a minute per key, however many requests come", async () => {
    const { uid } = await createUser(db, "busy keys");
    const busy = await createApiKey(db, { uid, readOnly: false });
    const other = await createApiKey(db, { uid, readOnly: true });
    let now = Date.parse("2026-12-01T12:00:00.000Z");
    const keyUse = new KeyUseRecorder({ now: () => now });
    /** `times` requests with the key, then every write they started has finished. */
    const use = async (apiKey: string, times: number) => {
      for (let i = 0; i < times; i++) await authenticateApiKey(db, apiKey, keyUse);
      await keyUse.settled();
    };
    const lastUsed = async (keyId: string) =>
      (
        await db.apiKey.findUniqueOrThrow({ where: { id: keyId }, select: { lastUsedAt: true } })
      ).lastUsedAt?.toISOString();

    await use(busy.apiKey, 1);
    expect(await lastUsed(busy.keyId)).toBe("2026-12-01T12:00:00.000Z");
    // Any write in this minute would store its own time: the first one's stays, so none of them wrote.
    now += 59_999;
    await use(busy.apiKey, 200);
    expect(await lastUsed(busy.keyId)).toBe("2026-12-01T12:00:00.000Z");
    // Each key has a minute of its own.
    await use(other.apiKey, 1);
    expect(await lastUsed(other.keyId)).toBe("2026-12-01T12:00:59.999Z");
    now += 1;
    await use(busy.apiKey, 200);
    expect(await lastUsed(busy.keyId)).toBe("2026-12-01T12:01:00.000Z");
    expect(await lastUsed(other.keyId)).toBe("2026-12-01T12:00:59.999Z");
  });
});
