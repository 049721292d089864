// updateEntry against PostgreSQL, through the PATCH body's schema as the routes parse it: what it changes, what it
// keeps, each 400, and the one 404 for every entry the caller may not change.
import {
  EntryRemovalFailureReason,
  ErrorMessage,
  entriesUpdateBodySchema,
  INVALID_EXPIRES_AT_ISSUE,
  INVALID_EXPIRES_IN_ISSUE,
} from "@blocklist/core";
import { createPrismaClient } from "@blocklist/db";
import { queriesDuring, testDatabaseForFile } from "@blocklist/db/testing";
import { afterAll, describe, expect, it } from "vitest";
import { createApiKey } from "../admin/keys";
import type { Caller } from "../auth";
import { authenticateApiKey } from "../auth";
import { InvalidRequestError, NotFoundError, PermissionError, type RequestIssue } from "../errors";
import { newId } from "../ids";
import { parseBody } from "../rest";
import { createTenant } from "../testing/fixtures";
import { removeEntries, updateEntry } from "./change";
import { created, freshAgent } from "./testKit";

const { prisma: db, url } = await testDatabaseForFile();
const quiet = createPrismaClient(url);
afterAll(() => quiet.$disconnect());
const alice = await createTenant(db, "alice");
const bob = await createTenant(db, "bob");

/** A PATCH as the routes run it: the body parsed by its schema (400s), then the service. */
const patch = async (body: Record<string, unknown>, caller: Caller = alice.caller, on = db) =>
  updateEntry(on, caller, parseBody(entriesUpdateBodySchema, { uid: alice.uid, ...body }), "rest");

const notFound = new NotFoundError(EntryRemovalFailureReason.notFound);

async function anEntry(list: { agentId: string } | { orgId: string } = { agentId: alice.agentId }) {
  const [entry] = await created(db, alice, list, [
    { match: "prefix", value: `+1${800 + Math.floor(Math.random() * 100)}${Date.now() % 1000}` },
  ]);
  if (!entry) throw new Error("not created");
  return entry;
}

/** What a change must never touch: the entry's key, position, author and counts (history reads them). */
async function untouched(id: string) {
  return db.entry.findUniqueOrThrow({
    where: { id },
    select: {
      seq: true,
      orgId: true,
      agentId: true,
      match: true,
      value: true,
      action: true,
      direction: true,
      createdAt: true,
      createdByKeyId: true,
      createdVia: true,
      hits: true,
      lastHitAt: true,
      expired: true,
    },
  });
}

describe("updateEntry", () => {
  it("sets and clears reason, note and expiry, and keeps everything else", async () => {
    const entry = await anEntry({ agentId: await freshAgent(db, alice) });
    const kept = await untouched(entry.id);
    // Another key of the same user changes it: the entry's author stays who created it.
    const { apiKey } = await createApiKey(db, { uid: alice.uid, readOnly: false });
    const otherKey = await authenticateApiKey(db, apiKey);
    const expiresAt = new Date(Date.now() + 3600_000).toISOString();

    const set = await patch(
      { id: entry.id, reason: "fraud", note: "calls every night", expiresAt },
      otherKey,
    );
    expect(set).toEqual({ ...entry, reason: "fraud", note: "calls every night", expiresAt });
    expect(await patch({ id: entry.id, note: "only the note" })).toEqual({ ...set, note: "only the note" });
    const inAWeek = await patch({ id: entry.id, expiresIn: "1w" });
    expect(Date.parse(inAWeek.expiresAt ?? "") - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    expect(await patch({ id: entry.id })).toEqual(inAWeek);
    expect(await patch({ id: entry.id, reason: null, note: null, expiresAt: null })).toEqual(entry);
    expect(await patch({ id: entry.id, note: "", expiresIn: null })).toEqual(entry);
    expect(await untouched(entry.id)).toEqual(kept);
  });

  it.each<[string, Record<string, unknown>, { path: string; message: unknown }[]]>([
    [
      "both expiries",
      { expiresAt: "2030-01-01T00:00:00Z", expiresIn: "7d" },
      [{ path: "expiresIn", message: "give at most one of expiresAt and expiresIn" }],
    ],
    ["an expiry in the past", { expiresAt: "2020-01-01T00:00:00Z" }, [INVALID_EXPIRES_AT_ISSUE]],
    ["an expiry without a time zone", { expiresAt: "2030-01-01T00:00:00" }, [INVALID_EXPIRES_AT_ISSUE]],
    ["an expiry too far", { expiresIn: "11y" }, [INVALID_EXPIRES_IN_ISSUE]],
    ["a duration under a minute", { expiresIn: "PT30S" }, [INVALID_EXPIRES_IN_ISSUE]],
    [
      "an expiry not a string",
      { expiresAt: 1_900_000_000 },
      [{ path: "expiresAt", message: expect.any(String) }],
    ],
    ["an unknown reason", { reason: "rude" }, [{ path: "reason", message: expect.any(String) }]],
    ["a note over 500", { note: "x".repeat(501) }, [{ path: "note", message: expect.any(String) }]],
    ["no id", { id: undefined }, [{ path: "id", message: "id is required" }]],
  ])("answers 400 with issues for %s, before permissions", async (_label, change, issues) => {
    const entry = await anEntry();
    for (const caller of [alice.caller, alice.readOnlyCaller, bob.caller]) {
      await expect(patch({ id: entry.id, ...change }, caller)).rejects.toEqual(
        new InvalidRequestError(ErrorMessage.invalidBody, issues as RequestIssue[]),
      );
    }
  });

  it("answers a foreign, missing, removed or expired entry alike: Entry not found", async () => {
    const [foreign] = await created(db, bob, { orgId: bob.orgId }, [{ match: "withheld" }]);
    const removed = await anEntry();
    await removeEntries(db, alice.caller, { uid: alice.uid, ids: [removed.id] }, "rest");
    const expired = newId("ent");
    await db.$executeRaw`INSERT INTO entries (id, org_id, match, action, expires_at)
      VALUES (${expired}, ${alice.orgId}, 'any', 'allow', now() - interval '1 second')`;
    const sweptExpired = newId("ent");
    await db.$executeRaw`INSERT INTO entries (id, org_id, match, action, direction, expires_at, expired)
      VALUES (${sweptExpired}, ${alice.orgId}, 'any', 'allow', 'both', now() - interval '1 hour', true)`;
    for (const id of [foreign?.id, newId("ent"), removed.id, expired, sweptExpired]) {
      await expect(patch({ id, note: "mine now" }), id).rejects.toEqual(notFound);
    }
    expect(await db.entry.findUniqueOrThrow({ where: { id: foreign?.id ?? "" } })).toMatchObject({
      note: null,
    });
  });

  it("answers an id that cannot exist as not found, without a query", async () => {
    // A missing id of the right shape is looked up: the count below can see a query.
    const lookups = await queriesDuring(quiet, () =>
      expect(patch({ id: newId("ent"), note: "x" }, alice.caller, quiet)).rejects.toEqual(notFound),
    );
    expect(lookups).toBeGreaterThan(0);
    for (const id of [
      "ent_short",
      newId("agt"),
      `ent_${"A".repeat(5000)}`,
      "ent_\u0000AAAAAAAAAAAAAAAAAAA",
    ]) {
      const queries = await queriesDuring(quiet, () =>
        expect(patch({ id, note: "x" }, alice.caller, quiet)).rejects.toEqual(notFound),
      );
      expect(queries, JSON.stringify(id)).toBe(0);
    }
  });

  it("refuses a read-only key and another user's uid, changing nothing", async () => {
    const entry = await anEntry({ orgId: alice.orgId });
    await expect(patch({ id: entry.id, note: "x" }, alice.readOnlyCaller)).rejects.toEqual(
      new PermissionError(),
    );
    await expect(
      updateEntry(db, bob.caller, { uid: alice.uid, id: entry.id, note: "x" }, "rest"),
    ).rejects.toEqual(new PermissionError());
    expect(await db.entry.findUniqueOrThrow({ where: { id: entry.id } })).toMatchObject({ note: null });
  });
});
