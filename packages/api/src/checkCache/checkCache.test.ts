// The check cache against a real PostgreSQL: `db` is this instance's client (the cache serves it), `elsewhere`
// another client on the same database, standing for another instance, the CLI or an operator's SQL.

import type { EntryList } from "@blocklist/core";
import {
  createPrismaClient,
  loadListEntries,
  type PrismaClient,
  poolOf,
  startChangeListener,
} from "@blocklist/db";
import { createTestDatabase } from "@blocklist/db/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createAgent } from "../admin/agents";
import { revokeApiKey, setApiKeyRateLimit } from "../admin/keys";
import { authenticateApiKey } from "../auth";
import { addBlockedNumbers, removeBlockedNumbers } from "../blockList";
import { checkCaller, createEntries, removeEntries } from "../entries";
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

const check = async (tenant: Tenant, number: string, agentId = tenant.agentId) => {
  const { blocked, e164, entry } = await checkCaller(db, tenant.caller, { uid: tenant.uid, agentId, number });
  return { blocked, e164, decidedBy: entry?.agentId === null ? "organization" : entry ? "agent" : null };
};
const allowed = (e164: string | null) => ({ blocked: false, e164, decidedBy: null });
const blockedBy = (e164: string | null, decidedBy: "agent" | "organization") => ({
  blocked: true,
  e164,
  decidedBy,
});

/** Entries added to a list by its owner, through `client`. */
async function addEntries(
  client: PrismaClient,
  tenant: Tenant,
  list: { agentId: string } | { orgId: string },
  entries: Record<string, unknown>[],
) {
  const answer = await createEntries(client, tenant.caller, { uid: tenant.uid, ...list, entries }, "cli");
  expect(answer.failed).toEqual([]);
  return answer.created;
}

/** The service's loader: whichever list the cache asks for. */
const load = (list: EntryList, limit: number) => loadListEntries(db, list, limit);

async function refusal(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => "allowed",
    (error: unknown) => error,
  );
}

/**
 * Waits until the cache holds the lists `check` needs. Checked on every poll: a load that raced a notification of
 * the list is dropped, and only the next check loads it again.
 */
async function expectHeld(
  cache: CheckCache,
  checkOnce: () => Promise<unknown>,
  held: Partial<ReturnType<CheckCache["stats"]>>,
) {
  await expect
    .poll(async () => {
      await checkOnce();
      return cache.stats();
    })
    .toMatchObject(held);
}

describe("the check cache", () => {
  it("serves only the client it was started for, and nothing once stopped", async () => {
    const cache = await startListening();
    expect(checkCacheFor(db)).toBe(cache);
    expect(checkCacheFor(elsewhere)).toBeUndefined();
    await running?.stop();
    expect(checkCacheFor(db)).toBeUndefined();
  });

  it("follows entries added and removed elsewhere, in the agent's list and in its organization's", async () => {
    const cache = await startListening();
    const alice = await createTenant(elsewhere, "alice");
    expect(await check(alice, "+14155552671")).toEqual(allowed("+14155552671"));
    // The agent's own list and its organization's (both empty: weight 1 each).
    await expectHeld(cache, () => check(alice, "+14155552671"), {
      keys: 0,
      accessPairs: 1,
      lists: 2,
      entries: 2,
    });

    const mutation = { uid: alice.uid, agentId: alice.agentId, numbers: ["+1 415 555 2671"] };
    await addBlockedNumbers(elsewhere, alice.caller, mutation);
    await expect.poll(() => check(alice, "+14155552671")).toEqual(blockedBy("+14155552671", "agent"));
    await removeBlockedNumbers(elsewhere, alice.caller, mutation);
    await expect.poll(() => check(alice, "+14155552671")).toEqual(allowed("+14155552671"));

    // An organization's prefix reaches the agent's answer; the agent's own allow of one number beats it.
    await addEntries(elsewhere, alice, { orgId: alice.orgId }, [{ match: "prefix", value: "+1415555" }]);
    await expect.poll(() => check(alice, "+14155553000")).toEqual(blockedBy("+14155553000", "organization"));
    await addEntries(elsewhere, alice, { agentId: alice.agentId }, [
      { match: "number", value: "+14155553000", action: "allow" },
    ]);
    await expect
      .poll(() => check(alice, "+14155553000"))
      .toEqual({ blocked: false, e164: "+14155553000", decidedBy: "agent" });
    expect(await check(alice, "+14155553001")).toEqual(blockedBy("+14155553001", "organization"));
    // Held in memory again after the reloads.
    await expectHeld(cache, () => check(alice, "+14155553001"), { lists: 2, entries: 2 });
  });

  it("sees at once a change made through its own client, before the notification arrives", async () => {
    const cache = await startListening();
    const erin = await createTenant(elsewhere, "erin");
    expect(await check(erin, "+14155552671")).toEqual(allowed("+14155552671"));
    await expectHeld(cache, () => check(erin, "+14155552671"), { lists: 2 });
    // Hold back every notification: only what this instance does itself can keep its memory true.
    const delivered = vi.spyOn(cache, "apply").mockImplementation(() => {});

    const mutation = { uid: erin.uid, agentId: erin.agentId, numbers: ["+14155552671"] };
    await addBlockedNumbers(db, erin.caller, mutation);
    expect(await check(erin, "+14155552671")).toEqual(blockedBy("+14155552671", "agent"));
    await expect.poll(() => cache.stats()).toMatchObject({ lists: 2, entries: 2 });
    expect(await check(erin, "+14155552671")).toEqual(blockedBy("+14155552671", "agent"));

    await removeBlockedNumbers(db, erin.caller, mutation);
    expect(await check(erin, "+14155552671")).toEqual(allowed("+14155552671"));

    const [orgEntry] = await addEntries(db, erin, { orgId: erin.orgId }, [{ match: "any" }]);
    expect(await check(erin, "+14155552671")).toEqual(blockedBy("+14155552671", "organization"));
    await removeEntries(db, erin.caller, { uid: erin.uid, ids: [orgEntry?.id as string] }, "rest");
    expect(await check(erin, "+14155552671")).toEqual(allowed("+14155552671"));
    expect(delivered).toHaveBeenCalled();
    delivered.mockRestore();
  });

  it("never answers from an entry after its expiresAt, though nothing was notified", async () => {
    const cache = await startListening();
    const gina = await createTenant(elsewhere, "gina");
    // Shorter than any expiry the service accepts (a minute at least): written as an operator would.
    const expiresAt = new Date(Date.now() + 4000);
    await elsewhere.$executeRaw`
      INSERT INTO entries (org_id, match, expires_at) VALUES (${gina.orgId}, 'withheld', ${expiresAt})`;
    await expect.poll(() => check(gina, "anonymous")).toEqual(blockedBy(null, "organization"));
    await expectHeld(cache, () => check(gina, "anonymous"), { lists: 2, entries: 2 });
    // Held, and from now on no notification arrives: only the clock can end the entry.
    vi.spyOn(cache, "apply").mockImplementation(() => {});
    const answers: { at: number; blocked: boolean }[] = [];
    await expect
      .poll(async () => {
        const { blocked } = await check(gina, "anonymous");
        answers.push({ at: Date.now(), blocked });
        return blocked;
      })
      .toBe(false);
    // Every answer before expiresAt blocked, every one after it did not, and the lists stayed in memory.
    expect(answers.every(({ at, blocked }) => blocked === at < expiresAt.getTime())).toBe(true);
    expect(cache.stats()).toMatchObject({ lists: 2, entries: 2 });
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
    const daveList = { orgId: dave.orgId, agentId: dave.agentId };
    const caller = { e164: "+14155552671" };
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let read!: () => void;
    const readDone = new Promise<void>((resolve) => {
      read = resolve;
    });
    // The load of the agent's list reads it (still empty), then is held back until the test lets it finish.
    const heldLoad = async (list: EntryList, limit: number) => {
      const entries = await loadListEntries(db, list, limit);
      if (list.agentId === null) return entries;
      read();
      await gate;
      return entries;
    };
    expect(cache.decide(daveList, caller, "inbound", heldLoad)).toBeUndefined();
    await readDone;
    await addBlockedNumbers(elsewhere, dave.caller, {
      uid: dave.uid,
      agentId: dave.agentId,
      numbers: [caller.e164],
    });
    await expect.poll(() => applied.some((payload) => payload.includes(dave.agentId))).toBe(true);
    release();
    // Let the held load finish (and be kept or not) before anything else touches the cache.
    await cache.settled();

    // The held load's list lacks the number: it must not be kept (only the organization's list is). The next
    // decision loads it again.
    expect(cache.stats().lists).toBe(1);
    await expect.poll(() => cache.decide(daveList, caller, "inbound", load)?.action).toBe("block");

    // Without a change in between, a load is kept (the case above is not just "never stored").
    const erin = await createTenant(elsewhere, "erin");
    const erinList = { orgId: erin.orgId, agentId: erin.agentId };
    expect(cache.decide(erinList, caller, "inbound", load)).toBeUndefined();
    await expect.poll(() => cache.decide(erinList, caller, "inbound", load)).toBeNull();
  });

  it("holds at most maxNumbers entries, least recently checked list first, never a list over a quarter", async () => {
    // 400 entries in all, at most 100 per list.
    const { cache } = await standaloneCache(400);
    const owner = await createTenant(elsewhere, "owner");
    const caller = { e164: "+14152000001" };
    const agents: EntryList[] = [];
    for (const [index, size] of [100, 100, 100, 100, 150].entries()) {
      const { agentId } = await createAgent(elsewhere, { uid: owner.uid, name: `agent ${index}` });
      const numbers = Array.from({ length: size }, (_, i) => `+1415${2000001 + i}`);
      await addBlockedNumbers(elsewhere, owner.caller, { uid: owner.uid, agentId, numbers });
      agents.push({ orgId: owner.orgId, agentId });
    }
    const decided = (list: EntryList) =>
      cache.decide(list as EntryList & { agentId: string }, caller, "inbound", load)?.action;
    const held = async (list: EntryList) => {
      await expect.poll(() => decided(list)).toBe("block");
    };

    const [first, second, third, fourth, large] = agents as [EntryList, ...EntryList[]];
    // Three agents' lists and their organization's (empty, weight 1): the fourth agent's list does not fit.
    for (const list of [first, second, third]) await held(list as EntryList);
    expect(cache.stats()).toMatchObject({ lists: 4, entries: 301 });
    // The first is used again, so the second is now the least recently used: it goes for the fourth.
    expect(decided(first)).toBe("block");
    await held(fourth as EntryList);
    expect(cache.stats()).toMatchObject({ lists: 4, entries: 301 });
    expect(decided(second as EntryList)).toBeUndefined();

    // 150 entries is over a quarter of 400: remembered as too large, always answered by the database.
    expect(decided(large as EntryList)).toBeUndefined();
    await expect.poll(() => cache.stats().lists).toBe(5);
    expect(decided(large as EntryList)).toBeUndefined();
    expect(cache.stats().entries).toBeLessThanOrEqual(400);
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
    const list = { orgId: "org_1", agentId: "agt_1" };
    expect(cache.decide(list, { e164: "+14155552671" }, "inbound", async () => [])).toBeUndefined();
    expect(cache.stats()).toEqual({ keys: 0, accessPairs: 0, lists: 0, entries: 0 });

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
