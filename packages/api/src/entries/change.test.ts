// createEntries and removeEntries against PostgreSQL: every failure reason, the created entries' whole shape,
// defaults, concurrency, and who may change which list.
import { EntryFailureReason, EntryRemovalFailureReason, SUCCESS_MESSAGE } from "@blocklist/core";
import { createPrismaClient } from "@blocklist/db";
import { queriesDuring, testDatabaseForFile } from "@blocklist/db/testing";
import { afterAll, describe, expect, it } from "vitest";
import { PermissionError } from "../errors";
import { newId } from "../ids";
import { createTenant } from "../testing/fixtures";
import { createEntries, removeEntries } from "./change";
import { listEntries } from "./list";
import { created, freshAgent, keyPrefixOf, newEntryShape } from "./testKit";

const { prisma: db, url } = await testDatabaseForFile();
// A client nothing else uses, so that counting its queries counts only the call under test.
const quiet = createPrismaClient(url);
afterAll(() => quiet.$disconnect());
const alice = await createTenant(db, "alice");
const bob = await createTenant(db, "bob");
const alicePrefix = await keyPrefixOf(db, alice);

const active = async (agentId: string) =>
  (await listEntries(db, alice.caller, { uid: alice.uid, agentId, limit: 1000 })).entries;

describe("createEntries", () => {
  it("reports every input once, failures with their index and the entry as sent", async () => {
    const agentId = await freshAgent(db, alice);
    const [existing] = await created(db, alice, { agentId }, [{ match: "prefix", value: "+4470" }]);
    const good = "+14155550100";
    const inputs: Record<string, unknown>[] = [
      { match: "number", value: "+1 (415) 555-2671", reason: "spam", note: "rang at 3 am" },
      { match: "number", value: "4155552671" },
      { match: "prefix", value: "+1 900x" },
      { match: "prefix", value: "+1" },
      { match: "number", value: good, expiresIn: "30s" },
      { match: "number", value: good, expiresAt: "2020-01-01T00:00:00Z" },
      { match: "number", value: good, expiresAt: "2030-01-01T00:00:00Z", expiresIn: "7d" },
      { match: "bogus", value: good },
      { match: "number", value: good, action: "deny" },
      { match: "number", value: good, direction: "sideways" },
      { match: "number", value: good, reason: "rude" },
      { match: "number", value: good, note: "x".repeat(501) },
      { match: "withheld", value: good },
      { match: "number" },
      { match: "prefix", value: "" },
      { match: "number", value: null },
      { match: "number", value: "+14155552671" },
      { match: "prefix", value: "+1 900", direction: "both" },
      { match: "prefix", value: "+1900", direction: "both", note: "the first one counts" },
      { match: "withheld", value: "" },
      { match: "withheld", value: null, action: "block" },
      { match: "any", action: "allow", direction: "outbound", expiresIn: "12h" },
      { match: "number", value: "+14155552671", action: "allow" },
      { match: "prefix", value: "+44 70" },
    ];
    const before = Date.now();
    const answer = await createEntries(
      db,
      alice.caller,
      { uid: alice.uid, agentId, entries: inputs },
      "rest",
    );
    const list = { orgId: alice.orgId, agentId };
    expect(answer).toEqual({
      message: SUCCESS_MESSAGE,
      created: [
        newEntryShape(alice, alicePrefix, {
          ...list,
          match: "number",
          value: "+14155552671",
          reason: "spam",
          note: "rang at 3 am",
        }),
        newEntryShape(alice, alicePrefix, { ...list, match: "prefix", value: "+1900", direction: "both" }),
        newEntryShape(alice, alicePrefix, { ...list, match: "withheld" }),
        newEntryShape(alice, alicePrefix, {
          ...list,
          match: "any",
          action: "allow",
          direction: "outbound",
          expiresAt: expect.any(String),
        }),
        newEntryShape(alice, alicePrefix, {
          ...list,
          match: "number",
          value: "+14155552671",
          action: "allow",
        }),
      ],
      failed: [
        [1, EntryFailureReason.invalidNumber],
        [2, EntryFailureReason.invalidPrefix],
        [3, EntryFailureReason.prefixTooBroad],
        [4, EntryFailureReason.invalidExpiry],
        [5, EntryFailureReason.invalidExpiry],
        [6, EntryFailureReason.invalidExpiry],
        ...[7, 8, 9, 10, 11, 12, 13, 14, 15].map((index) => [index, EntryFailureReason.invalidEntry]),
        [16, EntryFailureReason.duplicateInRequest],
        [18, EntryFailureReason.duplicateInRequest],
        [20, EntryFailureReason.duplicateInRequest],
        [23, EntryFailureReason.alreadyExists],
      ].map(([index, reason]) => ({ index, entry: inputs[index as number], reason })),
    });
    const expiresAt = Date.parse(answer.created[3]?.expiresAt ?? "");
    const twelveHours = 12 * 3600_000;
    expect(expiresAt - before).toBeGreaterThanOrEqual(twelveHours);
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(twelveHours);
    expect((await active(agentId)).map((entry) => entry.id).sort()).toEqual(
      [existing, ...answer.created].map((entry) => entry?.id).sort(),
    );
  });

  it("defaults to block and inbound, to outbound for do_not_call unless told, and records the interface", async () => {
    const list = { orgId: alice.orgId, agentId: null };
    const entries = await created(
      db,
      alice,
      { orgId: alice.orgId },
      [
        { match: "number", value: "+14155550101", reason: "do_not_call" },
        { match: "number", value: "+14155550102", reason: "do_not_call", direction: "both" },
        { match: "number", value: "+14155550103", action: null, direction: null, reason: null, note: "" },
      ],
      "trpc",
    );
    expect(entries).toEqual([
      newEntryShape(
        alice,
        alicePrefix,
        { ...list, match: "number", value: "+14155550101", reason: "do_not_call", direction: "outbound" },
        "trpc",
      ),
      newEntryShape(
        alice,
        alicePrefix,
        { ...list, match: "number", value: "+14155550102", reason: "do_not_call", direction: "both" },
        "trpc",
      ),
      newEntryShape(alice, alicePrefix, { ...list, match: "number", value: "+14155550103" }, "trpc"),
    ]);
  });

  it("creates an entry again once the same one has expired", async () => {
    const agentId = await freshAgent(db, alice);
    await db.$executeRaw`INSERT INTO entries (org_id, agent_id, match, value, expires_at)
      VALUES (${alice.orgId}, ${agentId}, 'number', '+14155552671', now() - interval '1 second')`;
    const [again] = await created(db, alice, { agentId }, [{ match: "number", value: "+14155552671" }]);
    expect(await active(agentId)).toEqual([again]);
  });

  it("stores each entry once and reports it created once across 16 overlapping requests", async () => {
    const agentId = await freshAgent(db, alice);
    const pool = [
      ...Array.from({ length: 30 }, (_, i) => ({ match: "number", value: `+1415555${4000 + i}` })),
      ...Array.from({ length: 10 }, (_, i) => ({ match: "prefix", value: `+1${900 + i}`, action: "allow" })),
      { match: "withheld" },
      { match: "any", direction: "both" },
    ];
    const answers = await Promise.all(
      Array.from({ length: 16 }, (_, i) => {
        // Each request a different window of the pool, in its own order, so that requests overlap partly.
        const window = [...pool.slice(i * 2), ...pool.slice(0, i * 2)].slice(0, 30);
        const entries = i % 2 ? window : [...window].reverse();
        return createEntries(db, alice.caller, { uid: alice.uid, agentId, entries }, "rest");
      }),
    );
    const createdIds = answers.flatMap((answer) => answer.created.map((entry) => entry.id));
    const stored = await active(agentId);
    expect(stored).toHaveLength(pool.length);
    expect([...createdIds].sort()).toEqual(stored.map((entry) => entry.id).sort());
    for (const answer of answers) {
      expect(answer.created.length + answer.failed.length).toBe(30);
      for (const failure of answer.failed) expect(failure.reason).toBe(EntryFailureReason.alreadyExists);
    }
  });

  it("refuses a read-only key, another user's uid, a foreign and a missing list alike, storing nothing", async () => {
    const entries = [{ match: "withheld" }];
    const attempts = [
      () =>
        createEntries(db, alice.readOnlyCaller, { uid: alice.uid, agentId: alice.agentId, entries }, "rest"),
      () => createEntries(db, alice.readOnlyCaller, { uid: alice.uid, orgId: alice.orgId, entries }, "rest"),
      () => createEntries(db, alice.caller, { uid: bob.uid, orgId: bob.orgId, entries }, "rest"),
      () => createEntries(db, alice.caller, { uid: alice.uid, orgId: bob.orgId, entries }, "rest"),
      () => createEntries(db, alice.caller, { uid: alice.uid, agentId: bob.agentId, entries }, "rest"),
      () => createEntries(db, alice.caller, { uid: alice.uid, orgId: newId("org"), entries }, "rest"),
      () => createEntries(db, alice.caller, { uid: alice.uid, agentId: newId("agt"), entries }, "rest"),
    ];
    for (const attempt of attempts) await expect(attempt()).rejects.toEqual(new PermissionError());
    expect(await db.entry.count({ where: { OR: [{ orgId: bob.orgId }, { agentId: alice.agentId }] } })).toBe(
      0,
    );
  });
});

describe("removeEntries", () => {
  it("removes by id and reports the rest: missing, foreign, expired, removed already, duplicate", async () => {
    const agentId = await freshAgent(db, alice);
    const [first, second, kept] = await created(db, alice, { agentId }, [
      { match: "number", value: "+14155550001" },
      { match: "withheld" },
      { match: "any" },
    ]);
    const [orgEntry] = await created(db, alice, { orgId: alice.orgId }, [
      { match: "prefix", value: "+1888" },
    ]);
    const [foreign] = await created(db, bob, { agentId: bob.agentId }, [{ match: "withheld" }]);
    const [gone] = await created(db, alice, { agentId }, [{ match: "prefix", value: "+1877" }]);
    await removeEntries(db, alice.caller, { uid: alice.uid, ids: [gone?.id ?? ""] }, "rest");
    const expired = newId("ent");
    await db.$executeRaw`INSERT INTO entries (id, org_id, agent_id, match, action, expires_at)
      VALUES (${expired}, ${alice.orgId}, ${agentId}, 'any', 'allow', now() - interval '1 second')`;
    const missing = newId("ent");
    const ids = [first, second, orgEntry, foreign, gone].map((entry) => entry?.id ?? "");

    const answer = await removeEntries(
      db,
      alice.caller,
      {
        uid: alice.uid,
        ids: [...ids, first?.id ?? "", missing, expired, "ent_short", ""],
      },
      "rest",
    );
    const notFound = EntryRemovalFailureReason.notFound;
    expect(answer).toEqual({
      message: SUCCESS_MESSAGE,
      removed: ids.slice(0, 3),
      failed: [
        { id: ids[3], reason: notFound },
        { id: ids[4], reason: notFound },
        { id: ids[0], reason: EntryRemovalFailureReason.duplicateInRequest },
        ...[missing, expired, "ent_short", ""].map((id) => ({ id, reason: notFound })),
      ],
    });
    expect(await active(agentId)).toEqual([kept]);
    expect(await db.entry.count({ where: { id: foreign?.id ?? "" } })).toBe(1);
  });

  it("answers ids that cannot exist as not found, without a query", async () => {
    const ids = ["ent_short", `ent_${"x".repeat(5000)}`, "ent_\u0000AAAAAAAAAAAAAAAAAAA", newId("agt")];
    const queries = await queriesDuring(quiet, async () => {
      expect(await removeEntries(quiet, alice.caller, { uid: alice.uid, ids }, "rest")).toEqual({
        message: SUCCESS_MESSAGE,
        removed: [],
        failed: ids.map((id) => ({ id, reason: EntryRemovalFailureReason.notFound })),
      });
    });
    expect(queries).toBe(0);
  });

  it("refuses a read-only key and another user's uid, removing nothing", async () => {
    const [entry] = await created(db, alice, { agentId: alice.agentId }, [{ match: "any" }]);
    const ids = [entry?.id ?? ""];
    await expect(removeEntries(db, alice.readOnlyCaller, { uid: alice.uid, ids }, "rest")).rejects.toEqual(
      new PermissionError(),
    );
    await expect(removeEntries(db, bob.caller, { uid: alice.uid, ids }, "rest")).rejects.toEqual(
      new PermissionError(),
    );
    expect(await active(alice.agentId)).toEqual([entry]);
  });
});
