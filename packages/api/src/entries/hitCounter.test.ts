// Hits against PostgreSQL: checkCaller counts the deciding entry from the database path and from the check cache
// (and nothing when no entry decides), a flush writes them, a flush while the database is down keeps them for the
// next, and past the bound a new entry's hit is dropped while pending entries keep counting.
import type { Entry } from "@blocklist/core";
import { createPrismaClient, type PrismaClient } from "@blocklist/db";
import { queriesDuring, startTestPostgres, testDatabaseForFile } from "@blocklist/db/testing";
import { afterAll, describe, expect, it } from "vitest";
import { startCheckCache } from "../checkCache";
import { createMetrics } from "../observability/metrics";
import { createTenant, type Tenant } from "../testing/fixtures";
import { removeEntries } from "./change";
import { checkCaller } from "./check";
import { HitCounter, hitCounterFor, startHitCounter } from "./hitCounter";
import { listEntries } from "./list";
import { created } from "./testKit";

const { prisma: db, url } = await testDatabaseForFile();

const CALLER = "+14155552671";
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

async function check(tenant: Tenant, number: string) {
  return checkCaller(db, tenant.readOnlyCaller, { uid: tenant.uid, agentId: tenant.agentId, number });
}

/** The hits of the tenant's entries, as the list answers them (agent's list, then the organization's). */
async function hitsOf(client: PrismaClient, tenant: Tenant) {
  const lists = [{ agentId: tenant.agentId }, { orgId: tenant.orgId }];
  const pages = await Promise.all(
    lists.map((list) => listEntries(client, tenant.readOnlyCaller, { uid: tenant.uid, limit: 100, ...list })),
  );
  return pages.flatMap((page) =>
    page.entries.map((entry: Entry) => ({
      value: entry.value,
      hits: entry.hits,
      lastHitAt: entry.lastHitAt,
    })),
  );
}

describe("checkCaller with a hit counter", () => {
  it("counts the deciding entry on the database path and from memory, and nothing when no entry decides", async () => {
    const tenant = await createTenant(db, "hits");
    await created(db, tenant, { agentId: tenant.agentId }, [{ match: "number", value: CALLER }]);
    await created(db, tenant, { orgId: tenant.orgId }, [{ match: "prefix", value: "+1212" }]);
    const running = startHitCounter({ db, flushMs: 60_000 });
    try {
      // No check cache: the database path.
      expect(hitCounterFor(db)).toBe(running.counter);
      await check(tenant, CALLER);
      await check(tenant, "+12125550100");
      await check(tenant, "+442079460958");
      await running.counter.flush();
      expect(await hitsOf(db, tenant)).toEqual([
        { value: CALLER, hits: 1, lastHitAt: expect.stringMatching(ISO) },
        { value: "+1212", hits: 1, lastHitAt: expect.stringMatching(ISO) },
      ]);

      // From memory: both lists held, the checks go to no database at all, and still count.
      const cache = startCheckCache({ db, directUrl: url, maxNumbers: 1_000 });
      try {
        await expect.poll(() => cache.cache.trusted).toBe(true);
        await check(tenant, CALLER);
        await cache.cache.settled();
        const before = Date.now();
        const queries = await queriesDuring(db, async () => {
          for (let i = 0; i < 5; i++) await check(tenant, CALLER);
          await check(tenant, "+12125550199");
          await check(tenant, "+33142685300");
        });
        expect(queries).toBe(0);
        expect(running.counter.pendingEntries).toBe(2);
        await running.counter.flush();
        const hits = await hitsOf(db, tenant);
        expect(hits).toEqual([
          { value: CALLER, hits: 7, lastHitAt: expect.stringMatching(ISO) },
          { value: "+1212", hits: 2, lastHitAt: expect.stringMatching(ISO) },
        ]);
        expect(Date.parse(hits[0]?.lastHitAt ?? "")).toBeGreaterThanOrEqual(before - 1);
      } finally {
        await cache.stop();
      }
    } finally {
      await running.stop();
    }
    expect(hitCounterFor(db)).toBeUndefined();
  });
});

describe("HitCounter", () => {
  it("keeps the counts of a flush that failed while the database was down and writes them with the next", async () => {
    const postgres = await startTestPostgres();
    const own = createPrismaClient(postgres.url, { connectionTimeoutMillis: 1_000 });
    afterAll(async () => {
      await own.$disconnect();
      await postgres.destroy();
    });
    const tenant = await createTenant(own, "outage");
    const [entry] = await created(own, tenant, { agentId: tenant.agentId }, [
      { match: "number", value: CALLER },
    ]);
    const counter = new HitCounter({ db: own, logger: { warn: () => {}, info: () => {} } });
    const id = entry?.id ?? "";
    counter.count(id, Date.parse("2026-12-01T22:00:01.000Z"));
    counter.count(id, Date.parse("2026-12-01T22:00:00.000Z"));
    await postgres.stop();
    await counter.flush();
    expect(counter.pendingEntries).toBe(1);
    counter.count(id, Date.parse("2026-12-01T22:00:00.500Z"));
    await postgres.start();
    await counter.flush();
    expect(counter.pendingEntries).toBe(0);
    expect(await hitsOf(own, tenant)).toEqual([
      { value: CALLER, hits: 3, lastHitAt: "2026-12-01T22:00:01.000Z" },
    ]);
  });

  it("past its bound counts only the entries already pending, and drops the hits of others", async () => {
    const tenant = await createTenant(db, "bound");
    const entries = await created(db, tenant, { agentId: tenant.agentId }, [
      { match: "number", value: "+14155550001" },
      { match: "number", value: "+14155550002" },
      { match: "number", value: "+14155550003" },
    ]);
    const [first, second, third] = entries.map((entry) => entry.id);
    const counter = new HitCounter({ db, maxPendingEntries: 2, logger: { warn: () => {}, info: () => {} } });
    const at = Date.parse("2026-12-01T22:00:00.000Z");
    for (const id of [first, second, third, first, third]) counter.count(id ?? "", at);
    expect({ pending: counter.pendingEntries, dropped: counter.droppedHits }).toEqual({
      pending: 2,
      dropped: 2,
    });
    const metrics = createMetrics({ hitCounter: counter });
    const sampled = async () => {
      const families = await metrics.registry.getMetricsAsJSON();
      return Object.fromEntries(
        families
          .filter((family) => family.name.startsWith("blocklist_hits_"))
          .map((family) => [family.name, family.values.map((sample) => sample.value)]),
      );
    };
    expect(await sampled()).toEqual({
      blocklist_hits_pending_entries: [2],
      blocklist_hits_dropped_total: [2],
    });
    await counter.flush();
    // Written, the room is free again.
    counter.count(third ?? "", at);
    await counter.flush();
    expect(await sampled()).toEqual({
      blocklist_hits_pending_entries: [0],
      blocklist_hits_dropped_total: [2],
    });
    expect(await hitsOf(db, tenant)).toEqual([
      { value: "+14155550001", hits: 2, lastHitAt: "2026-12-01T22:00:00.000Z" },
      { value: "+14155550002", hits: 1, lastHitAt: "2026-12-01T22:00:00.000Z" },
      { value: "+14155550003", hits: 1, lastHitAt: "2026-12-01T22:00:00.000Z" },
    ]);
  });

  it("writes the others and keeps nothing when an entry counted was removed before the flush", async () => {
    const tenant = await createTenant(db, "removed");
    const [kept, removed] = await created(db, tenant, { agentId: tenant.agentId }, [
      { match: "number", value: "+14155550011" },
      { match: "number", value: "+14155550012" },
    ]);
    const warnings: string[] = [];
    const counter = new HitCounter({
      db,
      logger: { warn: (_, message) => warnings.push(message), info: () => {} },
    });
    const at = Date.parse("2026-12-01T22:00:00.000Z");
    counter.count(removed?.id ?? "", at);
    counter.count(kept?.id ?? "", at);
    await removeEntries(db, tenant.caller, { uid: tenant.uid, ids: [removed?.id ?? ""] }, "rest");
    await counter.flush();
    expect({ pending: counter.pendingEntries, warnings }).toEqual({ pending: 0, warnings: [] });
    expect(await hitsOf(db, tenant)).toEqual([
      { value: "+14155550011", hits: 1, lastHitAt: "2026-12-01T22:00:00.000Z" },
    ]);
  });
});
