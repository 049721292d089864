// Entries on two instances of the real server on one PostgreSQL: an organization's entry reaches the other
// instance's check within the trust window, an expiry is exact on both (answered from memory), and the server's
// sweeper records expiries so that the same entry can be created again.
import { createTenant, type Tenant } from "@blocklist/api/testing";
import { askWithinTrustWindow } from "@blocklist/api/testing/trustWindow";
import { describe, expect, it } from "vitest";
import { cacheGauge } from "./checkCalls";
import { call } from "./http";
import { type RunningServer, twoInstancesForFile } from "./server";

const METRICS_TOKEN = "entries-instances-metrics-token-0";
const SEEN = { timeout: 15_000, interval: 100 };

const { prisma, a, b } = await twoInstancesForFile({ METRICS_TOKEN });

/** The REST check on `server`: the whole decision. */
async function decision(server: RunningServer, tenant: Tenant, number: string) {
  const query = new URLSearchParams({ uid: tenant.uid, agentId: tenant.agentId, number });
  const answer = await call(server.url, "GET", `/api/block-list-check?${query}`, { key: tenant.readOnlyKey });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body as { blocked: boolean; entry: { id: string; note: string | null } | null };
}

const held = (server: RunningServer) =>
  cacheGauge(server, METRICS_TOKEN, "blocklist_check_cache_entries", { kind: "lists" });

/** Checks on each server until the tenant's lists are held in its memory (the next check answers from it). */
async function warm(tenant: Tenant, number: string) {
  for (const server of [a, b]) {
    await expect.poll(() => cacheGauge(server, METRICS_TOKEN, "blocklist_check_cache_trusted"), SEEN).toBe(1);
    const before = (await held(server)) ?? 0;
    await expect
      .poll(async () => {
        expect(await decision(server, tenant, number)).toMatchObject({ blocked: false });
        return held(server);
      }, SEEN)
      .toBeGreaterThan(before);
  }
}

describe("entries on two instances", () => {
  it("shows an organization's entry created on one instance to the other's check within the trust window", async () => {
    const alice = await createTenant(prisma, "alice");
    await warm(alice, "+19005550100");
    const created = await call(a.url, "POST", "/api/block-list-entries", {
      key: alice.apiKey,
      body: {
        uid: alice.uid,
        orgId: alice.orgId,
        entries: [{ match: "prefix", value: "+1900", reason: "spam" }],
      },
    });
    expect(created.status).toBe(200);
    const createdAt = performance.now();
    const [entry] = (created.body as { created: { id: string }[] }).created;
    const seen = await askWithinTrustWindow(
      createdAt,
      () => decision(b, alice, "+19005550100"),
      (answer) => answer.blocked,
    );
    expect(seen).toMatchObject({ blocked: true, entry: { id: entry?.id, agentId: null, match: "prefix" } });

    // A change of its note on one instance is in the other's answer; its removal ends the block there.
    const id = entry?.id ?? "";
    const body = { uid: alice.uid, id, note: "premium-rate spam" };
    expect(await call(a.url, "PATCH", "/api/block-list-entries", { key: alice.apiKey, body })).toMatchObject({
      status: 200,
    });
    const changedAt = performance.now();
    const changed = await askWithinTrustWindow(
      changedAt,
      () => decision(b, alice, "+19005550100"),
      (answer) => answer.entry?.note === "premium-rate spam",
    );
    expect(changed).toMatchObject({
      blocked: true,
      entry: { id, note: "premium-rate spam", reason: "spam" },
    });
    const removal = { uid: alice.uid, ids: [id] };
    expect(
      await call(a.url, "DELETE", "/api/block-list-entries", { key: alice.apiKey, body: removal }),
    ).toMatchObject({
      body: { removed: [id] },
    });
    const removedAt = performance.now();
    const gone = await askWithinTrustWindow(
      removedAt,
      () => decision(b, alice, "+19005550100"),
      (answer) => !answer.blocked,
    );
    expect(gone).toEqual({ blocked: false, e164: "+19005550100", entry: null });
  });

  it("answers an entry blocked before its expiry and not after it, on both instances", async () => {
    const bob = await createTenant(prisma, "bob");
    const number = "+14155552671";
    await warm(bob, number);
    const [entry] = await prisma.$queryRaw<{ id: string; expiresAt: Date }[]>`
      INSERT INTO entries (org_id, agent_id, match, value, expires_at)
      VALUES (${bob.orgId}, NULL, 'number', ${number}, now() + interval '2 seconds')
      RETURNING id, expires_at AS "expiresAt"`;
    if (!entry) throw new Error("not inserted");
    // Both instances hear of it (well within the two seconds), and answer from memory again.
    for (const server of [a, b]) {
      await expect.poll(async () => (await decision(server, bob, number)).blocked, SEEN).toBe(true);
      expect(Date.now()).toBeLessThan(entry.expiresAt.getTime());
    }
    const untilExpired = entry.expiresAt.getTime() - Date.now() + 1;
    await new Promise((resolve) => setTimeout(resolve, untilExpired));
    // The first check after the expiry, on each instance, without waiting for any notification or sweep.
    const after = await Promise.all([a, b].map((server) => decision(server, bob, number)));
    expect(after).toEqual([
      { blocked: false, e164: number, entry: null },
      { blocked: false, e164: number, entry: null },
    ]);
  });

  it("records an expiry with the server's sweeper, after which the same entry is created again", async () => {
    const carol = await createTenant(prisma, "carol");
    const [entry] = await prisma.$queryRaw<{ id: string }[]>`
      INSERT INTO entries (org_id, agent_id, match, action, expires_at)
      VALUES (${carol.orgId}, ${carol.agentId}, 'withheld', 'block', now() + interval '1 second')
      RETURNING id`;
    await expect
      .poll(
        () => prisma.entry.findUniqueOrThrow({ where: { id: entry?.id ?? "" }, select: { expired: true } }),
        SEEN,
      )
      .toEqual({ expired: true });
    const again = await call(b.url, "POST", "/api/block-list-entries", {
      key: carol.apiKey,
      body: { uid: carol.uid, agentId: carol.agentId, entries: [{ match: "withheld" }] },
    });
    expect(again.body).toMatchObject({ created: [{ match: "withheld", expiresAt: null }], failed: [] });
  });
});
