// The check cache against a real PostgreSQL: `db` is this instance's client (the cache serves it), `elsewhere`
// another client on the same database, standing for another instance, the CLI or an operator's SQL.
import { createPrismaClient, type PrismaClient, poolOf, startChangeListener } from "@blocklist/db";
import { createTestDatabase } from "@blocklist/db/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createAgent } from "../admin/agents";
import { revokeApiKey, setApiKeyRateLimit } from "../admin/keys";
import { authenticateApiKey } from "../auth";
import { addBlockedNumbers, checkBlockedNumber, loadAgentNumbers, removeBlockedNumbers } from "../blockList";
import { AuthenticationError, PermissionError } from "../errors";
import { newId } from "../ids";
import { createTenant, type Tenant } from "../testing/fixtures";
import { CheckCache, checkCacheFor, type RunningCheckCache, startCheckCache } from "./index";

let url: string;
let db: PrismaClient;
let elsewhere: PrismaClient;
let drop: () => Promise<void>;
let running: RunningCheckCache | undefined;

beforeAll(async () => {
  ({ url, prisma: db, drop } = await createTestDatabase());
  elsewhere = createPrismaClient(url);
});
afterEach(async () => {
  await running?.stop();
  running = undefined;
});
afterAll(async () => {
  await elsewhere?.$disconnect();
  await drop?.();
});

/** Starts the process's cache for `db` and waits until it listens. */
async function startListening(maxNumbers = 1_000_000): Promise<CheckCache> {
  running = startCheckCache({ db, directUrl: url, maxNumbers });
  const { cache } = running;
  await expect.poll(() => cache.trusted).toBe(true);
  return cache;
}

/** A cache of its own (not the process's), with the notifications it applied, for white-box tests. */
async function standaloneCache(maxNumbers: number) {
  const cache = new CheckCache(db, { maxNumbers });
  const applied: string[] = [];
  const listener = startChangeListener({
    connectionString: url,
    heartbeatPool: poolOf(db),
    onListening: () => cache.listening(),
    onDelivered: (since) => cache.delivered(since),
    onNotification: (payload) => {
      cache.apply(payload);
      applied.push(payload);
    },
    onLost: () => cache.lost(),
  });
  running = { cache, stop: () => listener.stop() };
  await expect.poll(() => cache.trusted).toBe(true);
  return { cache, applied };
}

const check = (tenant: Tenant, number: string, agentId = tenant.agentId) =>
  checkBlockedNumber(db, tenant.caller, { uid: tenant.uid, agentId, number });

async function refusal(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => "allowed",
    (error: unknown) => error,
  );
}

describe("the check cache", () => {
  it("serves only the client it was started for, and nothing once stopped", async () => {
    const cache = await startListening();
    expect(checkCacheFor(db)).toBe(cache);
    expect(checkCacheFor(elsewhere)).toBeUndefined();
    await running?.stop();
    expect(checkCacheFor(db)).toBeUndefined();
  });

  it("follows numbers added and removed elsewhere, dropping the agent's set and loading it again", async () => {
    const cache = await startListening();
    const alice = await createTenant(elsewhere, "alice");
    expect(await check(alice, "+14155552671")).toEqual({ blocked: false, e164: "+14155552671" });
    await expect.poll(() => cache.stats()).toMatchObject({ keys: 0, accessPairs: 1, agents: 1, numbers: 1 });

    const mutation = { uid: alice.uid, agentId: alice.agentId, numbers: ["+1 415 555 2671"] };
    await addBlockedNumbers(elsewhere, alice.caller, mutation);
    await expect.poll(() => check(alice, "+14155552671")).toEqual({ blocked: true, e164: "+14155552671" });
    // Dropped on the notification of the agent's list, then loaded again by a later check.
    await expect.poll(() => cache.stats()).toMatchObject({ agents: 1, numbers: 1 });

    await removeBlockedNumbers(elsewhere, alice.caller, mutation);
    await expect.poll(() => check(alice, "+14155552671")).toEqual({ blocked: false, e164: "+14155552671" });
    await expect.poll(() => cache.stats()).toMatchObject({ agents: 1 });

    // A bulk add: the set is dropped, then loaded again by a later check.
    const many = Array.from({ length: 500 }, (_, i) => `+1415555${String(3000 + i)}`);
    await addBlockedNumbers(elsewhere, alice.caller, { ...mutation, numbers: many });
    await expect.poll(() => check(alice, "+14155553499")).toEqual({ blocked: true, e164: "+14155553499" });
    await expect.poll(() => cache.stats()).toMatchObject({ agents: 1, numbers: 500 });
    expect(await check(alice, "+14155553000")).toEqual({ blocked: true, e164: "+14155553000" });
    expect(await check(alice, "+14155553500")).toEqual({ blocked: false, e164: "+14155553500" });

    // The organization's list, another agent's list: no set of alice's changes, and nothing else is dropped.
    cache.apply(JSON.stringify({ kind: "entries", orgId: alice.orgId, agentId: null }));
    cache.apply(JSON.stringify({ kind: "entries", orgId: alice.orgId, agentId: "agt_someoneelse" }));
    expect(cache.stats()).toMatchObject({ accessPairs: 1, agents: 1 });
    cache.apply(JSON.stringify({ kind: "entries", orgId: alice.orgId, agentId: alice.agentId }));
    expect(cache.stats()).toMatchObject({ accessPairs: 1, agents: 0 });
    cache.apply(JSON.stringify({ kind: "entries" }));
    expect(cache.stats()).toMatchObject({ accessPairs: 1, agents: 0 });
  });

  it("sees at once a change made through its own client, before the notification arrives", async () => {
    const cache = await startListening();
    const erin = await createTenant(elsewhere, "erin");
    expect(await check(erin, "+14155552671")).toEqual({ blocked: false, e164: "+14155552671" });
    await expect.poll(() => cache.stats()).toMatchObject({ agents: 1 });
    // Hold back every notification: only what this instance does itself can keep its memory true.
    const delivered = vi.spyOn(cache, "apply").mockImplementation(() => {});

    const mutation = { uid: erin.uid, agentId: erin.agentId, numbers: ["+14155552671"] };
    await addBlockedNumbers(db, erin.caller, mutation);
    expect(await check(erin, "+14155552671")).toEqual({ blocked: true, e164: "+14155552671" });
    await expect.poll(() => cache.stats()).toMatchObject({ agents: 1, numbers: 1 });
    expect(await check(erin, "+14155552671")).toEqual({ blocked: true, e164: "+14155552671" });

    await removeBlockedNumbers(db, erin.caller, mutation);
    expect(await check(erin, "+14155552671")).toEqual({ blocked: false, e164: "+14155552671" });
    expect(delivered).toHaveBeenCalled();
    delivered.mockRestore();
  });

  it("refuses a key revoked elsewhere", async () => {
    const cache = await startListening();
    const bob = await createTenant(elsewhere, "bob");
    const keyId = (await authenticateApiKey(db, bob.apiKey)).keyId;
    expect(cache.stats().keys).toBe(1);
    await revokeApiKey(elsewhere, keyId);
    await expect.poll(() => refusal(authenticateApiKey(db, bob.apiKey))).toBeInstanceOf(AuthenticationError);
    // The refusal is remembered too, and still right.
    expect(await refusal(authenticateApiKey(db, bob.apiKey))).toBeInstanceOf(AuthenticationError);
  });

  it("follows a key's own rate-limit budget changed elsewhere", async () => {
    const cache = await startListening();
    const fred = await createTenant(elsewhere, "fred");
    const budget = async () => (await authenticateApiKey(db, fred.apiKey)).rateLimit;
    expect(await budget()).toBeNull();
    expect(cache.stats().keys).toBe(1);
    await setApiKeyRateLimit(elsewhere, fred.caller.keyId, 42);
    await expect.poll(budget).toBe(42);
    await setApiKeyRateLimit(elsewhere, fred.caller.keyId, "unlimited");
    await expect.poll(budget).toBe("unlimited");
  });

  it("stops access when the membership goes or the agent is deleted", async () => {
    await startListening();
    const carol = await createTenant(elsewhere, "carol");
    const team = await elsewhere.organization.create({ data: { id: newId("org"), name: "team" } });
    await elsewhere.membership.create({ data: { userId: carol.uid, organizationId: team.id } });
    const { agentId: teamAgent } = await createAgent(elsewhere, {
      uid: carol.uid,
      name: "x",
      orgId: team.id,
    });
    expect(await check(carol, "+14155552671", teamAgent)).toMatchObject({ blocked: false });
    expect(await check(carol, "+14155552671")).toMatchObject({ blocked: false });

    await elsewhere.membership.delete({
      where: { userId_organizationId: { userId: carol.uid, organizationId: team.id } },
    });
    await expect.poll(() => refusal(check(carol, "+14155552671", teamAgent))).toBeInstanceOf(PermissionError);

    await elsewhere.agent.delete({ where: { id: carol.agentId } });
    await expect.poll(() => refusal(check(carol, "+14155552671"))).toBeInstanceOf(PermissionError);
  });

  it("does not store a load that a change overtook (the fill/invalidate race)", async () => {
    const { cache, applied } = await standaloneCache(1_000_000);
    const dave = await createTenant(elsewhere, "dave");
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let read!: () => void;
    const readDone = new Promise<void>((resolve) => {
      read = resolve;
    });
    // The load reads the list (still empty), then is held back until the test lets it finish.
    const heldLoad = async (limit: number) => {
      const numbers = await loadAgentNumbers(db, dave.agentId, limit);
      read();
      await gate;
      return numbers;
    };
    expect(cache.blocked(dave.agentId, "+14155552671", heldLoad)).toBeUndefined();
    await readDone;
    await addBlockedNumbers(elsewhere, dave.caller, {
      uid: dave.uid,
      agentId: dave.agentId,
      numbers: ["+14155552671"],
    });
    await expect.poll(() => applied.some((payload) => payload.includes(dave.agentId))).toBe(true);
    release();
    // Let the held load finish (and be kept or not) before anything else touches the cache.
    await cache.settled();

    // The held load's list lacks the number: it must not be kept. The next check loads again.
    expect(cache.stats().agents).toBe(0);
    const load = (limit: number) => loadAgentNumbers(db, dave.agentId, limit);
    await expect.poll(() => cache.blocked(dave.agentId, "+14155552671", load)).toBe(true);

    // Without a change in between, a load is kept (the case above is not just "never stored").
    const erin = await createTenant(elsewhere, "erin");
    const erinLoad = (limit: number) => loadAgentNumbers(db, erin.agentId, limit);
    expect(cache.blocked(erin.agentId, "+14155552671", erinLoad)).toBeUndefined();
    await expect.poll(() => cache.blocked(erin.agentId, "+14155552671", erinLoad)).toBe(false);
  });

  it("holds at most maxNumbers, least recently checked agent first, and never an agent over a quarter", async () => {
    // 400 numbers in all, 100 per agent.
    const { cache } = await standaloneCache(400);
    const owner = await createTenant(elsewhere, "owner");
    const agents: string[] = [];
    for (const [index, size] of [90, 90, 90, 90, 90, 150].entries()) {
      const { agentId } = await createAgent(elsewhere, { uid: owner.uid, name: `agent ${index}` });
      await elsewhere.$executeRaw`
        INSERT INTO entries (org_id, agent_id, value)
        SELECT organization_id, id, '+1415' || (2000000 + i)::text
        FROM agents, generate_series(1, ${size}::int) i WHERE id = ${agentId}`;
      agents.push(agentId);
    }
    const blockedHere = (agentId: string) =>
      cache.blocked(agentId, "+14152000001", (limit) => loadAgentNumbers(db, agentId, limit));
    const held = async (agentId: string) => {
      await expect.poll(() => blockedHere(agentId)).toBe(true);
    };

    const [first, second, third, fourth, fifth, large] = agents as [string, ...string[]];
    for (const agentId of [first, second, third, fourth]) await held(agentId as string);
    expect(cache.stats()).toMatchObject({ agents: 4, numbers: 360 });
    // The first is used again, so the second is now the least recently used: it goes for the fifth.
    expect(blockedHere(first)).toBe(true);
    await held(fifth as string);
    expect(cache.stats()).toMatchObject({ agents: 4, numbers: 360 });
    expect(blockedHere(second as string)).toBeUndefined();

    // 150 numbers is over a quarter of 400: remembered as too large, always answered by the database.
    expect(blockedHere(large as string)).toBeUndefined();
    await expect.poll(() => cache.stats().agents).toBe(5);
    expect(blockedHere(large as string)).toBeUndefined();
    expect(cache.stats().numbers).toBeLessThanOrEqual(400);
    const checked = await checkBlockedNumber(db, owner.caller, {
      uid: owner.uid,
      agentId: large as string,
      number: "+14152000150",
    });
    expect(checked).toEqual({ blocked: true, e164: "+14152000150" });
  });

  it("is not used while it cannot be trusted, and starts empty when listening again", async () => {
    const cache = new CheckCache(db, { maxNumbers: 1000, trustMs: 1000 });
    let loads = 0;
    const load = async () => {
      loads += 1;
      return { keyId: "key_1", userId: "usr_1", readOnly: false, revoked: false, rateLimit: null };
    };
    // Never listened: every lookup goes to the loader, nothing is kept.
    await cache.key("01", load);
    await cache.key("01", load);
    expect(loads).toBe(2);
    expect(cache.blocked("agt_1", "+14155552671", async () => [])).toBeUndefined();
    expect(cache.stats()).toEqual({ keys: 0, accessPairs: 0, agents: 0, numbers: 0 });

    // Listening, but no heartbeat heard yet: nothing proves that notifications arrive.
    cache.listening();
    expect(cache.trusted).toBe(false);
    await cache.key("01", load);
    expect(loads).toBe(3);
    cache.delivered(performance.now());
    await cache.key("01", load);
    await cache.key("01", load);
    expect(loads).toBe(4);

    // The last heartbeat heard was sent longer than trustMs ago: entries are not used (though kept, as nothing
    // was lost).
    cache.listening();
    cache.delivered(performance.now() - 2000);
    expect(cache.trusted).toBe(false);
    await cache.key("01", load);
    expect(loads).toBe(5);
    cache.delivered(performance.now());
    expect(cache.trusted).toBe(true);

    await cache.key("01", load);
    expect(cache.stats().keys).toBe(1);
    cache.lost();
    expect(cache.trusted).toBe(false);
    expect(cache.stats().keys).toBe(0);
    // A heartbeat heard while not listening proves nothing.
    cache.delivered(performance.now());
    expect(cache.trusted).toBe(false);
    cache.listening();
    expect(cache.stats().keys).toBe(0);
  });

  it("drops everything on a notification it does not understand", async () => {
    const cache = new CheckCache(db, { maxNumbers: 1000 });
    cache.listening();
    cache.delivered(performance.now());
    await cache.key("01", async () => ({
      keyId: "key_1",
      userId: "usr_1",
      readOnly: false,
      revoked: false,
      rateLimit: null,
    }));
    expect(cache.stats().keys).toBe(1);
    cache.apply('{"kind":"something new"}');
    expect(cache.stats().keys).toBe(0);
  });
});
