// The real server behind a real PgBouncer in transaction mode (docs/OPERATIONS.md "Behind a connection pooler"):
// two instances with DATABASE_URL through PgBouncer and DATABASE_DIRECT_URL straight to PostgreSQL act on a
// removal and a revocation made elsewhere within the stated second; an instance whose listening connection goes
// through PgBouncer too (DATABASE_DIRECT_URL unset) says so and answers from the database, never stale memory.
import { createTenant } from "@blocklist/api/testing";
import { askWithinTrustWindow } from "@blocklist/api/testing/trustWindow";
import { pgBouncerForFile, testDatabaseForFile } from "@blocklist/db/testing";
import { afterAll, describe, expect, it } from "vitest";
import { cacheGauge, check } from "./checkCalls";
import { cliJson } from "./cli";
import { call } from "./http";
import { untilRefused } from "./revocation";
import { startServer } from "./server";

const METRICS_TOKEN = "pgbouncer-metrics-token-0123";
const NUMBER = "+14155552671";

const database = await testDatabaseForFile();
const pgBouncer = await pgBouncerForFile(database.url);
const pooledUrl = pgBouncer.pooled(database.url);
const direct = { DATABASE_URL: pooledUrl, DATABASE_DIRECT_URL: database.url };
const [a, b, pooledOnly] = await Promise.all([
  startServer({ ...direct, METRICS_TOKEN }),
  startServer({ ...direct, METRICS_TOKEN }),
  startServer({ DATABASE_URL: pooledUrl, DATABASE_DIRECT_URL: undefined, METRICS_TOKEN }),
]);
afterAll(async () => {
  await Promise.all([a, b, pooledOnly].map((server) => server?.stop()));
});
const trusted = (server: typeof a) => cacheGauge(server, METRICS_TOKEN, "blocklist_check_cache_trusted");
const listsHeld = (server: typeof a) =>
  cacheGauge(server, METRICS_TOKEN, "blocklist_check_cache_entries", { kind: "lists" });

describe("behind PgBouncer in transaction mode", () => {
  it("with DATABASE_DIRECT_URL, a removal and a CLI revocation reach the other instance within the second", async () => {
    for (const server of [a, b]) await expect.poll(() => trusted(server)).toBe(1);
    const alice = await createTenant(database.prisma, "alice");
    const body = { uid: alice.uid, agentId: alice.agentId, numbers: [NUMBER] };
    expect(await call(a.url, "POST", "/api/agent-block-list", { key: alice.apiKey, body })).toMatchObject({
      status: 200,
      body: { added: [NUMBER] },
    });
    // b answers from memory: its key, access and the agent's and organization's lists are held (asked again until
    // they are: a load that ends while a heartbeat is late is not stored).
    await expect
      .poll(async () => {
        expect(await check(b, alice.apiKey, alice.agentId, NUMBER)).toBe(true);
        return listsHeld(b);
      })
      .toBe(2);

    expect(await call(a.url, "DELETE", "/api/agent-block-list", { key: alice.apiKey, body })).toMatchObject({
      status: 200,
      body: { removed: [NUMBER] },
    });
    const removedAt = performance.now();
    const seen = await askWithinTrustWindow(
      removedAt,
      () => check(b, alice.apiKey, alice.agentId, NUMBER),
      (blocked) => blocked === false,
    );
    expect(seen).toBe(false);

    // The CLI with the same two URLs, as an operator behind PgBouncer runs it.
    const { keyId, apiKey } = await cliJson(direct, "key", "create", "--uid", alice.uid);
    for (const server of [a, b])
      expect(await check(server, String(apiKey), alice.agentId, NUMBER)).toBe(false);
    expect(await cliJson(direct, "key", "revoke", "--key-id", String(keyId))).toEqual({
      keyId,
      revoked: true,
    });
    const revokedAt = performance.now();
    for (const server of [a, b]) {
      const refused = await untilRefused(revokedAt, () =>
        call(server.url, "GET", "/api/organizations", { key: String(apiKey) }),
      );
      expect(refused).toMatchObject({ status: 401, body: { error: "Invalid or missing API key" } });
    }
  });

  it("without DATABASE_DIRECT_URL, the instance warns, is not trusted and answers from the database", async () => {
    await expect
      .poll(() => pooledOnly.output())
      .toMatch(/"level":"warn".*"msg":"Check cache off: heartbeat notifications/);
    expect(await trusted(pooledOnly)).toBe(0);

    const bob = await createTenant(database.prisma, "bob");
    const body = { uid: bob.uid, agentId: bob.agentId, numbers: [NUMBER] };
    expect(await check(pooledOnly, bob.apiKey, bob.agentId, NUMBER)).toBe(false);
    // Changes made through another instance show at once: nothing is answered from memory.
    await call(a.url, "POST", "/api/agent-block-list", { key: bob.apiKey, body });
    expect(await check(pooledOnly, bob.apiKey, bob.agentId, NUMBER)).toBe(true);
    await call(a.url, "DELETE", "/api/agent-block-list", { key: bob.apiKey, body });
    expect(await check(pooledOnly, bob.apiKey, bob.agentId, NUMBER)).toBe(false);
    await database.prisma.apiKey.updateMany({ where: { userId: bob.uid }, data: { revokedAt: new Date() } });
    expect(await check(pooledOnly, bob.apiKey, bob.agentId, NUMBER)).toBe(401);
    expect(await listsHeld(pooledOnly)).toBe(0);
    // Said once, not once per heartbeat.
    expect(pooledOnly.output().match(/Check cache off/g)).toHaveLength(1);
  });
});
