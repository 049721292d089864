import type { Entry, EntryList, NewEntry } from "@blocklist/core";
import { describe, expect, test } from "vitest";
import { poolOf } from "./client";
import {
  countEntries,
  deleteEntries,
  expireDueEntries,
  insertEntries,
  inTransaction,
  selectEntries,
  updateEntry,
} from "./entries";
import { candidateEntries, loadListEntries, prefixesOf } from "./entryDecisions";
import { testDatabaseForFile } from "./testing";
import { newEntry } from "./testing/newEntry";

const { prisma: db } = await testDatabaseForFile();

await db.$executeRawUnsafe(`
  INSERT INTO users (id, name) VALUES ('usr_1', 'Ada');
  INSERT INTO organizations (id, name) VALUES ('org_1', 'Acme'), ('org_2', 'Beta');
  INSERT INTO agents (id, organization_id, name) VALUES ('agt_1', 'org_1', 'Front'), ('agt_2', 'org_1', 'Night'),
    ('agt_3', 'org_2', 'Other');
  INSERT INTO api_keys (id, user_id, hash, prefix) VALUES ('key_1', 'usr_1', '\\x01', 'bl_4jVx');`);

const by = { keyId: "key_1", via: "rest" as const };
const ada = { userId: "usr_1", keyPrefix: "bl_4jVx", via: "rest" as const };

const entry = newEntry;

/** What insertEntries answers for a new entry of `list` made by `by`. */
function stored(list: EntryList, fields: NewEntry): Entry {
  const { expiresAt, ...rest } = fields;
  return {
    ...rest,
    ...list,
    id: expect.stringMatching(/^ent_[0-9A-Za-z]{20}$/),
    expiresAt: expiresAt?.toISOString() ?? null,
    createdAt: expect.any(String),
    createdBy: ada,
    hits: 0,
    lastHitAt: null,
  };
}

let listCount = 0;
/** A list of its own for each test: an agent's (agt_1 of org_1 under a fresh agent) or an organization's. */
async function freshList(kind: "agent" | "org"): Promise<EntryList> {
  listCount += 1;
  const orgId = `org_t${listCount}`;
  await db.$executeRawUnsafe(`INSERT INTO organizations (id, name) VALUES ('${orgId}', 't')`);
  if (kind === "org") return { orgId, agentId: null };
  const agentId = `agt_t${listCount}`;
  await db.$executeRawUnsafe(
    `INSERT INTO agents (id, organization_id, name) VALUES ('${agentId}', '${orgId}', 't')`,
  );
  return { orgId, agentId };
}

describe("insertEntries", () => {
  test("stores new entries of every kind and answers them, oldest first, with who made them", async () => {
    const list = await freshList("agent");
    const inputs = [
      entry({ match: "prefix", value: "+1900", reason: "spam", note: "premium rate" }),
      entry({ match: "withheld", value: null, direction: "both" }),
      entry({ match: "any", value: null, action: "allow", expiresAt: new Date("2036-01-01T00:00:00.000Z") }),
      entry({ value: "+14155552671", direction: "outbound", reason: "do_not_call" }),
    ];
    const created = await insertEntries(db, list, inputs, by);
    expect([...created].sort((a, b) => (a.match < b.match ? -1 : 1))).toEqual(
      [...inputs].sort((a, b) => (a.match < b.match ? -1 : 1)).map((input) => stored(list, input)),
    );
    // Again: every one exists already.
    expect(await insertEntries(db, list, inputs, by)).toEqual([]);
    expect(await countEntries(db, list, {})).toBe(4);
  });

  test("stores the same entry in another list, and an organization's list beside its agents' lists", async () => {
    const agentList = await freshList("agent");
    const orgList = { orgId: agentList.orgId, agentId: null };
    const same = [entry({ match: "withheld", value: null })];
    expect(await insertEntries(db, agentList, same, by)).toEqual([stored(agentList, same[0] as NewEntry)]);
    expect(await insertEntries(db, orgList, same, by)).toEqual([stored(orgList, same[0] as NewEntry)]);
    expect(await insertEntries(db, orgList, same, by)).toEqual([]);
  });

  test("replaces an entry whose expiry has passed, recording that expiry first", async () => {
    const list = await freshList("agent");
    const [old] = await insertEntries(db, list, [entry({})], by);
    await db.$executeRaw`UPDATE entries SET expires_at = now() - interval '1 second' WHERE id = ${old?.id}`;
    const [renewed] = await insertEntries(db, list, [entry({})], by);
    expect(renewed).toEqual(stored(list, entry({})));
    expect(
      await db.entry.findMany({ where: { orgId: list.orgId }, select: { id: true, expired: true } }),
    ).toEqual(
      expect.arrayContaining([
        { id: old?.id, expired: true },
        { id: renewed?.id, expired: false },
      ]),
    );
  });

  test("16 overlapping creates store each entry once and report it to exactly one of them", async () => {
    const list = await freshList("org");
    const all = Array.from({ length: 40 }, (_, i) => entry({ value: `+1415555${String(2000 + i)}` }));
    // Each create takes 20 consecutive entries of the 40, starting at its own offset: they overlap pairwise.
    const creates = Array.from({ length: 16 }, (_, i) =>
      insertEntries(db, list, [...all, ...all].slice((i * 5) % 40, ((i * 5) % 40) + 20), by),
    );
    const reported = (await Promise.all(creates)).flat().map((created) => created.value);
    expect([...reported].sort()).toEqual(all.map((input) => input.value).sort());
    expect(await countEntries(db, list, {})).toBe(40);
  });

  test("the unique index refuses a second active entry of one list, value-less ones included", async () => {
    const list = await freshList("org");
    const insert = () =>
      poolOf(db).query(
        `INSERT INTO entries (org_id, agent_id, match, value) VALUES ($1, NULL, 'any', NULL)`,
        [list.orgId],
      );
    await insert();
    await expect(insert()).rejects.toMatchObject({ code: "23505", constraint: "entries_active_key" });
  });
});

describe("selectEntries and countEntries", () => {
  test("page a list oldest first, filter it, and leave out expired entries unless asked", async () => {
    const list = await freshList("agent");
    const created = await insertEntries(
      db,
      list,
      [
        entry({ value: "+14155550100", reason: "spam" }),
        entry({ value: "+442079460958", action: "allow" }),
        entry({ match: "prefix", value: "+1900", direction: "both", reason: "spam" }),
        entry({ value: "+14155550199", expiresAt: new Date(Date.now() + 60_000) }),
      ],
      by,
    );
    // Stored (and so listed) in key order: match, value, action, direction.
    const [a, d, b, c] = created;
    expect([a, b, c, d].map((one) => one?.value)).toEqual([
      "+14155550100",
      "+442079460958",
      "+1900",
      "+14155550199",
    ]);
    const first = await selectEntries(db, list, {}, { limit: 2 });
    expect(first.entries).toEqual([a, d]);
    const second = await selectEntries(db, list, {}, { afterSeq: first.seqs.at(-1), limit: 10 });
    expect(second.entries).toEqual([b, c]);
    expect(await selectEntries(db, list, {}, { afterSeq: second.seqs.at(-1), limit: 10 })).toEqual({
      entries: [],
      seqs: [],
    });

    const only = async (filters: Parameters<typeof selectEntries>[2]) =>
      (await selectEntries(db, list, filters, { limit: 100 })).entries;
    expect(await only({ reason: "spam" })).toEqual([a, c]);
    expect(await only({ action: "allow" })).toEqual([b]);
    expect(await only({ match: "prefix", direction: "both" })).toEqual([c]);
    expect(await only({ containingDigits: "4155550" })).toEqual([a, d]);
    expect(await countEntries(db, list, { containingDigits: "4155550" })).toBe(2);
    await expect(only({ containingDigits: "4%" })).rejects.toThrow("containingDigits must be digits");

    await db.$executeRaw`UPDATE entries SET expires_at = now() - interval '1 millisecond' WHERE id = ${d?.id}`;
    expect(await only({})).toEqual([a, b, c]);
    expect(await countEntries(db, list, {})).toBe(3);
    expect((await only({ includeExpired: true })).map((row) => row.id)).toEqual(
      [a, d, b, c].map((row) => row?.id),
    );
  });

  test("answer createdBy null once the key is gone", async () => {
    await db.$executeRawUnsafe(
      `INSERT INTO api_keys (id, user_id, hash, prefix) VALUES ('key_gone', 'usr_1', '\\x09', 'bl_x')`,
    );
    const list = await freshList("org");
    const [made] = await insertEntries(db, list, [entry({})], { keyId: "key_gone", via: "cli" });
    expect(made?.createdBy).toEqual({ userId: "usr_1", keyPrefix: "bl_x", via: "cli" });
    await db.$executeRawUnsafe(`DELETE FROM api_keys WHERE id = 'key_gone'`);
    expect((await selectEntries(db, list, {}, { limit: 1 })).entries).toEqual([{ ...made, createdBy: null }]);
  });
});

describe("updateEntry and deleteEntries", () => {
  test("change or remove only an active entry of the organizations given", async () => {
    const list = await freshList("agent");
    const [made] = (await insertEntries(db, list, [entry({ reason: "spam", note: "old" })], by)) as [Entry];
    const later = new Date("2030-06-01T10:00:00.000Z");
    expect(await updateEntry(db, ["org_2"], made.id, { note: "new" }, by)).toBeNull();
    expect(
      await updateEntry(db, [list.orgId], made.id, { note: "new", reason: null, expiresAt: later }, by),
    ).toEqual({
      ...made,
      note: "new",
      reason: null,
      expiresAt: later.toISOString(),
    });
    expect(await updateEntry(db, [list.orgId], made.id, {}, by)).toMatchObject({ note: "new" });
    expect(await updateEntry(db, [list.orgId], "ent_missing", { note: "x" }, by)).toBeNull();

    expect(await deleteEntries(db, ["org_2"], [made.id], by)).toEqual([]);
    expect(await deleteEntries(db, ["org_2", list.orgId], [made.id, "ent_missing"], by)).toEqual([
      { id: made.id, orgId: list.orgId, agentId: list.agentId },
    ]);
    expect(await deleteEntries(db, [list.orgId], [made.id], by)).toEqual([]);
    expect(await updateEntry(db, [list.orgId], made.id, { note: "gone" }, by)).toBeNull();
  });

  test("leave an expired entry alone", async () => {
    const list = await freshList("org");
    const [made] = (await insertEntries(db, list, [entry({})], by)) as [Entry];
    await db.$executeRaw`UPDATE entries SET expires_at = now() - interval '1 second' WHERE id = ${made.id}`;
    expect(await updateEntry(db, [list.orgId], made.id, { note: "x" }, by)).toBeNull();
    expect(await deleteEntries(db, [list.orgId], [made.id], by)).toEqual([]);
  });
});

describe("expireDueEntries", () => {
  test("records each passed expiry once, and nothing else", async () => {
    const list = await freshList("org");
    const made = await insertEntries(
      db,
      list,
      [
        entry({ value: "+14155550001" }),
        entry({ value: "+14155550002", expiresAt: new Date(Date.now() + 3_600_000) }),
      ],
      by,
    );
    await db.$executeRaw`UPDATE entries SET expires_at = now() - interval '1 second' WHERE id = ${made[0]?.id}`;
    // Other test files' databases are their own: every due entry here is of this file.
    const due = await db.entry.count({ where: { expired: false, expiresAt: { lte: new Date() } } });
    expect(due).toBeGreaterThanOrEqual(1);
    expect(await expireDueEntries(db)).toBe(due);
    expect(await expireDueEntries(db)).toBe(0);
    expect(
      await db.entry.findMany({
        where: { orgId: list.orgId },
        select: { expired: true },
        orderBy: { seq: "asc" },
      }),
    ).toEqual([{ expired: true }, { expired: false }]);
  });
});

describe("loadListEntries and candidateEntries", () => {
  test("load a list's active entries, and find only those that could decide for a caller", async () => {
    const agentList = await freshList("agent");
    const orgList = { orgId: agentList.orgId, agentId: null };
    const agentId = agentList.agentId as string;
    const mine = await insertEntries(
      db,
      agentList,
      [
        entry({ value: "+14155552671" }),
        entry({ value: "+14155552672" }),
        entry({ match: "prefix", value: "+1415", action: "allow" }),
        entry({ match: "withheld", value: null }),
        entry({ value: "+14155552671", direction: "outbound" }),
      ],
      by,
    );
    const ours = await insertEntries(
      db,
      orgList,
      [
        entry({ match: "prefix", value: "+1415555", direction: "both" }),
        entry({ match: "any", value: null }),
        entry({ match: "prefix", value: "+1900" }),
      ],
      by,
    );
    const expiredOne = await insertEntries(db, orgList, [entry({ value: "+14155552671" })], by);
    await db.$executeRaw`UPDATE entries SET expires_at = now() - interval '1 second' WHERE id = ${expiredOne[0]?.id}`;
    const decision = ({ createdAt, createdBy, hits, lastHitAt, expiresAt, ...rest }: Entry) => ({
      ...rest,
      expiresAt: expiresAt === null ? null : Date.parse(expiresAt),
    });
    const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);

    // Oldest first: equal entries (by precedence) decide in this order, in memory and from the database alike.
    expect(await loadListEntries(db, agentList, 100)).toEqual(mine.map(decision));
    expect(await loadListEntries(db, orgList, 100)).toEqual(ours.map(decision));
    expect(await loadListEntries(db, agentList, 2)).toHaveLength(2);

    const candidates = async (e164: string | null, direction: "inbound" | "outbound") =>
      (await candidateEntries(db, { orgId: agentList.orgId, agentId }, { e164 }, direction)).sort(byId);
    const find = (entries: Entry[], value: string | null, direction = "inbound") =>
      entries.find(
        (one) =>
          one.value === value &&
          (one.value === null || one.direction === direction || one.match === "prefix"),
      );
    const pick = (...entries: (Entry | undefined)[]) =>
      entries.map((one) => decision(one as Entry)).sort(byId);
    const [number, outbound, prefix, withheld] = [
      find(mine, "+14155552671"),
      find(mine, "+14155552671", "outbound"),
      find(mine, "+1415"),
      find(mine, null),
    ];
    const [orgPrefix, orgAny] = [find(ours, "+1415555"), find(ours, null)];
    expect(new Set([number, outbound, prefix, withheld, orgPrefix, orgAny]).size).toBe(6);
    expect(await candidates("+14155552671", "inbound")).toEqual(pick(number, prefix, orgPrefix, orgAny));
    expect(await candidates("+14155552671", "outbound")).toEqual(pick(outbound, orgPrefix));
    expect(await candidates(null, "inbound")).toEqual(pick(withheld, orgAny));
    expect(await candidates("+442079460958", "inbound")).toEqual(pick(orgAny));
  });

  test("prefixesOf gives every prefix of a number, the number included", () => {
    expect(prefixesOf("+1415")).toEqual(["+1", "+14", "+141", "+1415"]);
  });
});

describe("inTransaction", () => {
  test("a transaction whose backend is terminated rejects, and the process and the pool go on", async () => {
    const work = inTransaction(db, async (client) => {
      const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      // Through another connection of the pool, as an operator or a failover would.
      await db.$queryRawUnsafe(`SELECT pg_terminate_backend(${rows[0]?.pid})`);
      await client.query("SELECT pg_sleep(0.2)");
    });
    await expect(work).rejects.toThrow();
    expect(await db.$queryRaw`SELECT 1 AS one`).toEqual([{ one: 1 }]);
  });
});
