// Hits on two instances of the real server on one PostgreSQL (SPEC-ENTRIES "Hits"): concurrent checks split over
// both add up exactly in the list (REST and tRPC), the flush drops no instance's lists while a real change still
// does, and a clean shutdown (SIGTERM) writes the counts of the last checks.
import { createTenant, type Tenant } from "@blocklist/api/testing";
import { describe, expect, it } from "vitest";
import { cacheGauge, checkAnswer } from "./checkCalls";
import { call } from "./http";
import { type RunningServer, startServer, twoInstancesForFile } from "./server";

const METRICS_TOKEN = "hits-instances-metrics-token-000";
const SEEN = { timeout: 15_000, interval: 100 };
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

const { postgres, prisma, a, b } = await twoInstancesForFile({ METRICS_TOKEN });

const AGENT_NUMBER = "+14155552671";
const ORG_PREFIX = "+1212";

/** A tenant whose agent blocks one number and whose organization blocks a prefix. */
async function tenantWithEntries(name: string, on: RunningServer) {
  const tenant = await createTenant(prisma, name);
  for (const [list, entry] of [
    [{ agentId: tenant.agentId }, { match: "number", value: AGENT_NUMBER }],
    [{ orgId: tenant.orgId }, { match: "prefix", value: ORG_PREFIX }],
  ] as const) {
    const answer = await call(on.url, "POST", "/api/block-list-entries", {
      key: tenant.apiKey,
      body: { uid: tenant.uid, ...list, entries: [entry] },
    });
    expect(answer.body).toMatchObject({ failed: [] });
  }
  return tenant;
}

/** One check through REST or tRPC (`lane`), answered 200. */
async function checkOn(server: RunningServer, tenant: Tenant, number: string, lane: "rest" | "trpc") {
  const answer =
    lane === "trpc"
      ? await checkAnswer(server, tenant.readOnlyKey, tenant.agentId, number)
      : await call(
          server.url,
          "GET",
          `/api/block-list-check?${new URLSearchParams({ uid: tenant.uid, agentId: tenant.agentId, number })}`,
          { key: tenant.readOnlyKey },
        );
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
}

/** The hits of the agent's and the organization's entries, through the REST list of `server`. */
async function restHits(server: RunningServer, tenant: Tenant) {
  const hits = [];
  for (const list of [{ agentId: tenant.agentId }, { orgId: tenant.orgId }] as Record<string, string>[]) {
    const answer = await call(
      server.url,
      "GET",
      `/api/block-list-entries?${new URLSearchParams({ uid: tenant.uid, ...list })}`,
      { key: tenant.readOnlyKey },
    );
    expect(answer.status).toBe(200);
    const { entries } = answer.body as { entries: { value: string; hits: unknown; lastHitAt: unknown }[] };
    hits.push(...entries.map(({ value, hits, lastHitAt }) => ({ value, hits, lastHitAt })));
  }
  return hits;
}

const held = (server: RunningServer) =>
  cacheGauge(server, METRICS_TOKEN, "blocklist_check_cache_entries", { kind: "lists" });

describe("hits on two instances", () => {
  it("add up exactly over concurrent checks split between both, from memory and from the database", async () => {
    const alice = await tenantWithEntries("alice", a);
    // 300 checks at once, half on each instance, through both lanes: 150 decided by the agent's number, 100 by
    // the organization's prefix, 50 by no entry (they count nothing). The first ones of each instance read the
    // database while the lists load, the others answer from memory.
    const numbers = [
      ...Array.from({ length: 150 }, () => AGENT_NUMBER),
      ...Array.from({ length: 100 }, (_, i) => `+1212555${String(1000 + i)}`),
      ...Array.from({ length: 50 }, (_, i) => `+4420794${String(60_000 + i)}`),
    ];
    await Promise.all(
      numbers.map((number, i) => checkOn(i % 2 === 0 ? a : b, alice, number, i % 4 < 2 ? "rest" : "trpc")),
    );
    const expected = [
      { value: AGENT_NUMBER, hits: 150, lastHitAt: expect.stringMatching(ISO) },
      { value: ORG_PREFIX, hits: 100, lastHitAt: expect.stringMatching(ISO) },
    ];
    await expect.poll(() => restHits(b, alice), SEEN).toEqual(expected);
    // The same through tRPC's list, on the other instance.
    const input = encodeURIComponent(JSON.stringify({ agentId: alice.agentId }));
    const trpc = await call(a.url, "GET", `/api/trpc/entries.list?input=${input}`, {
      key: alice.readOnlyKey,
    });
    expect(trpc.body).toMatchObject({
      result: {
        data: { entries: [{ value: AGENT_NUMBER, hits: 150, lastHitAt: expect.stringMatching(ISO) }] },
      },
    });
  });

  it("keeps every instance's lists through a flush, while a change of an entry drops them", async () => {
    const bob = await tenantWithEntries("bob", a);
    const carol = await tenantWithEntries("carol", a);
    // Both tenants' lists held on instance b (two each).
    await expect.poll(() => cacheGauge(b, METRICS_TOKEN, "blocklist_check_cache_trusted"), SEEN).toBe(1);
    const before = (await held(b)) ?? 0;
    let checks = 0;
    await expect
      .poll(async () => {
        await checkOn(b, bob, AGENT_NUMBER, "trpc");
        await checkOn(b, carol, AGENT_NUMBER, "trpc");
        checks += 1;
        return held(b);
      }, SEEN)
      .toBe(before + 4);
    // Every one of those hits written: each flush that wrote them has committed ...
    const written = async () => [(await restHits(a, bob))[0]?.hits, (await restHits(a, carol))[0]?.hits];
    await expect.poll(written, SEEN).toEqual([checks, checks]);
    // ... then a change of carol's note, committed after them: notifications arrive in commit order, so once b
    // has dropped carol's agent list, any notification of a flush would have been applied before.
    const [carolEntry] = await prisma.entry.findMany({
      where: { agentId: carol.agentId },
      select: { id: true },
    });
    const patched = await call(a.url, "PATCH", "/api/block-list-entries", {
      key: carol.apiKey,
      body: { uid: carol.uid, id: carolEntry?.id, note: "changed" },
    });
    expect(patched.status).toBe(200);
    await expect.poll(() => held(b), SEEN).not.toBe(before + 4);
    expect(await held(b)).toBe(before + 3);
  });

  it("writes every count on a clean shutdown, those of the last checks before SIGTERM too", async () => {
    const dave = await tenantWithEntries("dave", a);
    const server = await startServer({ DATABASE_URL: postgres.url });
    try {
      await Promise.all(Array.from({ length: 40 }, () => checkOn(server, dave, AGENT_NUMBER, "trpc")));
      // Answered within the last few ms: the timer's flush (every second) has most likely not taken them yet.
      expect(await server.stop("SIGTERM")).toBe(0);
    } finally {
      await server.stop();
    }
    expect(await restHits(a, dave)).toEqual([
      { value: AGENT_NUMBER, hits: 40, lastHitAt: expect.stringMatching(ISO) },
      { value: ORG_PREFIX, hits: 0, lastHitAt: null },
    ]);
  });
});
