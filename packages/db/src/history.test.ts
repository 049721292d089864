// History against PostgreSQL: each writer of entries leaves its events in the same statement (so a rollback leaves
// none), expiries are recorded once however many sweep, pages go newest first, and the purge takes only old rows.
import type { Entry, EntryEvent, EntryList } from "@blocklist/core";
import { describe, expect, onTestFinished, test } from "vitest";
import { deleteBlockedNumbers, insertBlockedNumbers } from "./blockedNumbers";
import { createPrismaClient, poolOf } from "./client";
import {
  deleteEntries,
  expireDueEntries,
  expireDueEntriesOf,
  insertEntries,
  inTransaction,
  updateEntry,
} from "./entries";
import { PURGE_BATCH_SIZE, purgeHistory, selectHistory } from "./history";
import { testDatabaseForFile } from "./testing";
import { newEntry } from "./testing/newEntry";

const { prisma: db, url } = await testDatabaseForFile();

await db.$executeRawUnsafe(`
  INSERT INTO users (id, name) VALUES ('usr_1', 'Ada'), ('usr_2', 'Bob');
  INSERT INTO api_keys (id, user_id, hash, prefix) VALUES ('key_1', 'usr_1', '\\x01', 'bl_4jVx'),
    ('key_2', 'usr_2', '\\x02', 'bl_9Qz');`);

const ada = { keyId: "key_1", via: "rest" as const };
const bobByUi = { keyId: "key_2", via: "ui" as const };
const adaBy = { userId: "usr_1", keyPrefix: "bl_4jVx", via: "rest" as const };
const bobBy = { userId: "usr_2", keyPrefix: "bl_9Qz", via: "ui" as const };
const EVENT_ID = /^evt_[0-9A-Za-z]{20}$/;

const entry = newEntry;

let listCount = 0;
/** A list of its own for each test. */
async function freshList(kind: "agent" | "org" = "agent"): Promise<EntryList> {
  listCount += 1;
  const orgId = `org_h${listCount}`;
  await db.$executeRawUnsafe(`INSERT INTO organizations (id, name) VALUES ('${orgId}', 'h')`);
  if (kind === "org") return { orgId, agentId: null };
  const agentId = `agt_h${listCount}`;
  await db.$executeRawUnsafe(
    `INSERT INTO agents (id, organization_id, name) VALUES ('${agentId}', '${orgId}', 'h')`,
  );
  return { orgId, agentId };
}

/** The list's whole history, newest first. */
async function historyOf(list: EntryList): Promise<EntryEvent[]> {
  return (await selectHistory(db, list, { limit: 1_000 })).events;
}

/** An event as recorded: a server-made id, and the rest as given. */
function event(type: EntryEvent["type"], at: string, entry: Entry, by: EntryEvent["by"]): EntryEvent {
  return { id: expect.stringMatching(EVENT_ID), at, type, entry, by };
}

const pastExpiry = (id: string) =>
  db.$executeRaw`UPDATE entries SET expires_at = now() - interval '1 second' WHERE id = ${id}`;

describe("each change leaves its event", () => {
  test("a create, a change and a removal: the entry as the API shows it, who, and through what", async () => {
    const list = await freshList();
    const [made] = (await insertEntries(db, list, [entry({ reason: "spam" })], ada)) as [Entry];
    const changed = (await updateEntry(
      db,
      [list.orgId],
      made.id,
      { note: "Repeat caller" },
      bobByUi,
    )) as Entry;
    const [removed] = await deleteEntries(db, [list.orgId], [made.id], ada);
    expect(removed?.id).toBe(made.id);

    const events = await historyOf(list);
    expect(events).toEqual([
      event("removed", expect.any(String), changed, adaBy),
      event("updated", expect.any(String), changed, bobBy),
      event("created", made.createdAt, made, adaBy),
    ]);
    // Newest first, each at the instant it happened.
    const instants = events.map(({ at }) => Date.parse(at));
    expect(instants).toEqual([...instants].sort((a, b) => b - a));
    expect(changed).toEqual({ ...made, note: "Repeat caller" });
  });

  test("a change that leaves the entry as it is records nothing", async () => {
    const list = await freshList("org");
    const [made] = (await insertEntries(db, list, [entry({ note: "same" })], ada)) as [Entry];
    expect(await updateEntry(db, [list.orgId], made.id, { note: "same", reason: null }, ada)).toEqual(made);
    expect(await updateEntry(db, [list.orgId], made.id, {}, ada)).toEqual(made);
    expect(await updateEntry(db, ["org_other"], made.id, { note: "x" }, ada)).toBeNull();
    expect(await historyOf(list)).toEqual([event("created", made.createdAt, made, adaBy)]);
  });

  test("the published route's adds and removals, each number its own event", async () => {
    const list = (await freshList()) as { orgId: string; agentId: string };
    const numbers = ["+14155552671", "+442079460958"];
    expect(
      await insertBlockedNumbers(db, list, numbers, bobByUi, { reason: "spam", note: null, expiresAt: null }),
    ).toEqual(expect.arrayContaining(numbers));
    expect(await deleteBlockedNumbers(db, list.agentId, ["+14155552671"], ada)).toEqual(["+14155552671"]);
    const events = await historyOf(list);
    expect(events.map(({ type, entry: { value, reason }, by }) => ({ type, value, reason, by }))).toEqual([
      { type: "removed", value: "+14155552671", reason: "spam", by: adaBy },
      { type: "created", value: "+442079460958", reason: "spam", by: bobBy },
      { type: "created", value: "+14155552671", reason: "spam", by: bobBy },
    ]);
  });

  test("an expiry recorded by a create it would block: at its expiresAt, by nobody, before the new entry", async () => {
    const list = await freshList();
    const [old] = (await insertEntries(db, list, [entry()], ada)) as [Entry];
    await pastExpiry(old.id);
    const [expiresAt] = await db.$queryRaw<
      [{ expires_at: Date }]
    >`SELECT expires_at FROM entries WHERE id = ${old.id}`;
    const [again] = (await insertEntries(db, list, [entry()], ada)) as [Entry];
    expect(await historyOf(list)).toEqual([
      event("created", again.createdAt, again, adaBy),
      event(
        "expired",
        expiresAt.expires_at.toISOString(),
        { ...old, expiresAt: expiresAt.expires_at.toISOString() },
        null,
      ),
      event("created", old.createdAt, old, adaBy),
    ]);
  });

  test("keeps who made a change once the key is gone", async () => {
    await db.$executeRawUnsafe(
      `INSERT INTO api_keys (id, user_id, hash, prefix) VALUES ('key_gone', 'usr_1', '\\x03', 'bl_gone')`,
    );
    const list = await freshList();
    const [made] = (await insertEntries(db, list, [entry()], { keyId: "key_gone", via: "cli" })) as [Entry];
    await db.$executeRawUnsafe(`DELETE FROM api_keys WHERE id = 'key_gone'`);
    expect(await historyOf(list)).toEqual([
      event("created", made.createdAt, made, { userId: "usr_1", keyPrefix: "bl_gone", via: "cli" }),
    ]);
  });
});

describe("a change rolled back leaves no event", () => {
  test("a create that fails on a foreign key (the agent is gone)", async () => {
    const list = await freshList();
    await expect(
      insertEntries(db, { ...list, agentId: "agt_missing" }, [entry()], ada),
    ).rejects.toMatchObject({
      code: "23503",
    });
    const [{ count }] = await db.$queryRaw<[{ count: number }]>`
      SELECT count(*)::int AS count FROM entry_events WHERE agent_id = 'agt_missing' OR org_id = ${list.orgId}`;
    expect(count).toBe(0);
  });

  test("a transaction aborted after the statement: neither the expiry nor its event", async () => {
    const list = await freshList();
    const [made] = (await insertEntries(db, list, [entry()], ada)) as [Entry];
    await pastExpiry(made.id);
    const keys = { matches: ["number"], values: [made.value], actions: ["block"], directions: ["inbound"] };
    await expect(
      inTransaction(db, async (client) => {
        await expireDueEntriesOf(client, list, keys);
        const { rows } = await client.query("SELECT type FROM entry_events WHERE entry_id = $1", [made.id]);
        expect(rows.map((row) => row.type)).toEqual(["created", "expired"]);
        throw new Error("aborted");
      }),
    ).rejects.toThrow("aborted");
    expect((await historyOf(list)).map(({ type }) => type)).toEqual(["created"]);
    const [{ expired }] = await db.$queryRaw<
      [{ expired: boolean }]
    >`SELECT expired FROM entries WHERE id = ${made.id}`;
    expect(expired).toBe(false);
  });
});

describe("expireDueEntries", () => {
  test("records each expiry once when two instances sweep at the same time", async () => {
    const list = await freshList();
    const numbers = Array.from({ length: 2_000 }, (_, index) => `+1415555${String(index).padStart(4, "0")}`);
    const made = await insertEntries(
      db,
      list,
      numbers.map((value) => entry({ value })),
      ada,
    );
    await db.$executeRaw`UPDATE entries SET expires_at = now() - interval '1 second' WHERE agent_id = ${list.agentId}`;
    const other = createPrismaClient(url);
    // Its pool was used without Prisma: $disconnect() would not end it.
    onTestFinished(() => poolOf(other).end());
    expect(made).toHaveLength(2_000);
    await Promise.all([
      expireDueEntries(db),
      expireDueEntries(other),
      expireDueEntries(db),
      expireDueEntries(other),
    ]);
    const counts = await db.$queryRaw<{ type: string; events: number; entries: number }[]>`
      SELECT type, count(*)::int AS events, count(DISTINCT entry_id)::int AS entries FROM entry_events
      WHERE agent_id = ${list.agentId} GROUP BY type ORDER BY type`;
    expect(counts).toEqual([
      { type: "created", events: 2_000, entries: 2_000 },
      { type: "expired", events: 2_000, entries: 2_000 },
    ]);
    expect(await expireDueEntries(other)).toBe(0);
  });
});

describe("selectHistory", () => {
  test("pages newest first, each page before the last seq of the one before, one list only", async () => {
    const list = await freshList("org");
    const made = await insertEntries(
      db,
      list,
      ["+14155550001", "+14155550002", "+14155550003"].map((value) => entry({ value })),
      ada,
    );
    await insertEntries(db, (await freshList()) as EntryList, [entry()], ada);
    const first = await selectHistory(db, list, { limit: 2 });
    const second = await selectHistory(db, list, { beforeSeq: first.seqs[1], limit: 2 });
    expect([...first.events, ...second.events].map(({ entry: { id } }) => id)).toEqual(
      [...made].reverse().map(({ id }) => id),
    );
    expect(second.seqs).toHaveLength(1);
  });
});

describe("purgeHistory", () => {
  test("deletes the events older than the instant given, in batches, and nothing newer", async () => {
    const list = await freshList();
    await db.$executeRaw`
      INSERT INTO entry_events (org_id, agent_id, entry_id, type, at, entry)
      SELECT ${list.orgId}, ${list.agentId}, 'ent_old', 'created', now() - interval '500 days', '{}'::jsonb
      FROM generate_series(1, ${PURGE_BATCH_SIZE + 7})`;
    const [kept] = (await insertEntries(db, list, [entry()], ada)) as [Entry];
    await db.$executeRaw`
      INSERT INTO entry_events (org_id, agent_id, entry_id, type, at, entry)
      VALUES (${list.orgId}, ${list.agentId}, 'ent_edge', 'created', now() - interval '399 days', '{}'::jsonb)`;

    const purged = await purgeHistory(db, new Date(Date.now() - 400 * 86_400_000));
    expect(purged).toBe(PURGE_BATCH_SIZE + 7);
    const left = await db.$queryRaw<{ entry_id: string }[]>`
      SELECT entry_id FROM entry_events WHERE agent_id = ${list.agentId} ORDER BY seq`;
    expect(left).toEqual([{ entry_id: kept.id }, { entry_id: "ent_edge" }]);
  });
});

describe("deleting an agent or an organization", () => {
  test("deletes its events with it (no foreign keys on events: the delete triggers), and no other list's", async () => {
    const agentList = await freshList();
    const other = await freshList();
    const orgList = { orgId: agentList.orgId, agentId: null };
    await insertEntries(db, agentList, [entry()], ada);
    await insertEntries(db, orgList, [entry({ match: "withheld", value: null })], ada);
    await insertEntries(db, other, [entry({ match: "withheld", value: null })], ada);
    const eventsOf = async (orgId: string) =>
      (
        await db.$queryRaw<
          { n: number }[]
        >`SELECT count(*)::int AS n FROM entry_events WHERE org_id = ${orgId}`
      )[0]?.n;
    expect([await eventsOf(agentList.orgId), await eventsOf(other.orgId)]).toEqual([2, 1]);

    await db.$executeRaw`DELETE FROM agents WHERE id = ${agentList.agentId}`;
    expect([(await historyOf(agentList)).length, (await historyOf(orgList)).length]).toEqual([0, 1]);
    // The organization's delete cascades to its agents' rows too; only the other organization's events stay.
    await db.$executeRaw`DELETE FROM organizations WHERE id = ${agentList.orgId}`;
    expect([await eventsOf(agentList.orgId), await eventsOf(other.orgId)]).toEqual([0, 1]);
  });
});
