// listEntries against PostgreSQL: every filter, the count, paging and its cursors, and who may read which list.
import {
  type EntriesQuery,
  type Entry,
  ErrorMessage,
  entriesQuerySchema,
  INVALID_CURSOR_ISSUE,
} from "@blocklist/core";
import { testDatabaseForFile } from "@blocklist/db/testing";
import { describe, expect, it } from "vitest";
import { InvalidRequestError, PermissionError } from "../errors";
import { newId } from "../ids";
import { createTenant, type Tenant } from "../testing/fixtures";
import { listEntries } from "./list";
import { created, freshAgent, type ListName } from "./testKit";

const { prisma: db } = await testDatabaseForFile();
const alice = await createTenant(db, "alice");
const bob = await createTenant(db, "bob");

const list = (query: Partial<EntriesQuery> & ListName, caller = alice.caller) =>
  listEntries(db, caller, { uid: alice.uid, limit: 100, ...query });

/** One entry per request, so that the list's order is the order of this array. */
async function oneByOne(name: ListName, inputs: Record<string, unknown>[]): Promise<Entry[]> {
  const entries: Entry[] = [];
  for (const input of inputs) entries.push(...(await created(db, alice, name, [input])));
  return entries;
}

const VARIED = [
  { match: "number", value: "+1 415 555 2671", reason: "spam" },
  { match: "prefix", value: "+1 900", direction: "both", note: "premium lines" },
  { match: "withheld", reason: "abuse" },
  { match: "any", action: "allow", direction: "outbound" },
  { match: "number", value: "+442079460958", action: "allow", reason: "other" },
  { match: "number", value: "+14155550000", reason: "do_not_call" },
  { match: "prefix", value: "+4470", action: "allow", direction: "inbound", reason: "spam" },
];

describe("listEntries", () => {
  it("lists oldest first, filters by each field and by digits, and counts what the filters match", async () => {
    const agentId = await freshAgent(db, alice);
    const all = await oneByOne({ agentId }, VARIED);
    expect(await list({ agentId })).toEqual({ entries: all, count: all.length });

    const cases: [Partial<EntriesQuery>, (entry: Entry) => boolean][] = [
      [{ match: "number" }, (entry) => entry.match === "number"],
      [{ match: "withheld" }, (entry) => entry.match === "withheld"],
      [{ action: "allow" }, (entry) => entry.action === "allow"],
      [{ direction: "outbound" }, (entry) => entry.direction === "outbound"],
      [{ direction: "both" }, (entry) => entry.direction === "both"],
      [{ reason: "spam" }, (entry) => entry.reason === "spam"],
      [{ search: "4155" }, (entry) => entry.value?.includes("4155") ?? false],
      // Formatting in the search text is ignored: its digits are searched for.
      [{ search: "(900)" }, (entry) => entry.value?.includes("900") ?? false],
      [{ match: "number", action: "block" }, (entry) => entry.match === "number" && entry.action === "block"],
      [{ reason: "spam", action: "allow" }, (entry) => entry.reason === "spam" && entry.action === "allow"],
      [{ match: "prefix", search: "44" }, (entry) => entry.match === "prefix" && entry.value === "+4470"],
      [{ match: "any", direction: "inbound" }, () => false],
    ];
    for (const [filters, keeps] of cases) {
      const expected = all.filter(keeps);
      expect(expected.length, JSON.stringify(filters)).toBeLessThan(all.length);
      expect(await list({ agentId, ...filters }), JSON.stringify(filters)).toEqual({
        entries: expected,
        count: expected.length,
      });
    }
  });

  it("leaves expired entries out unless include=expired, and never lists another list's entries", async () => {
    const agentId = await freshAgent(db, alice);
    const [kept] = await oneByOne({ agentId }, [{ match: "number", value: "+14155552671" }]);
    await db.$executeRaw`INSERT INTO entries (org_id, agent_id, match, value, expires_at)
      VALUES (${alice.orgId}, ${agentId}, 'number', '+14155552672', now() - interval '1 minute')`;
    // The sweeper recorded this one already: listed with include=expired all the same.
    await db.$executeRaw`INSERT INTO entries (org_id, agent_id, match, value, expires_at, expired)
      VALUES (${alice.orgId}, ${agentId}, 'number', '+14155552673', now() - interval '1 hour', true)`;
    await oneByOne({ orgId: alice.orgId }, [{ match: "number", value: "+14155552674" }]);
    await oneByOne({ agentId: await freshAgent(db, alice) }, [{ match: "number", value: "+14155552675" }]);

    expect(await list({ agentId })).toEqual({ entries: [kept], count: 1 });
    const withExpired = await list({ agentId, include: "expired" });
    expect(withExpired.count).toBe(3);
    expect(withExpired.entries.map((entry) => [entry.value, entry.expiresAt !== null])).toEqual([
      ["+14155552671", false],
      ["+14155552672", true],
      ["+14155552673", true],
    ]);
    expect(await list({ agentId, include: "expired", search: "2673" })).toMatchObject({ count: 1 });
  });

  it("answers 100 entries a page when no limit is given", async () => {
    const agentId = await freshAgent(db, alice);
    const entries = Array.from({ length: 101 }, (_, i) => ({
      match: "number",
      value: `+1415555${3000 + i}`,
    }));
    await created(db, alice, { agentId }, entries);
    const page = await listEntries(db, alice.caller, entriesQuerySchema.parse({ uid: alice.uid, agentId }));
    expect({ size: page.entries.length, count: page.count, more: page.nextCursor !== undefined }).toEqual({
      size: 100,
      count: 101,
      more: true,
    });
  });
});

describe("paging", () => {
  /** Every page of the list after another, `limit` entries a page, as `tenant`. */
  async function walk(tenant: Tenant, query: Partial<EntriesQuery> & ListName, limit: number) {
    const seen: Entry[] = [];
    const counts = new Set<number>();
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listEntries(db, tenant.caller, {
        uid: tenant.uid,
        ...query,
        limit,
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...page.entries);
      counts.add(page.count);
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    return { seen, pages, counts: [...counts] };
  }

  it("walks an agent's list, the organization's list and a filtered list exactly once", async () => {
    const carol = await createTenant(db, "carol");
    const names: ListName[] = [{ agentId: await freshAgent(db, carol) }, { orgId: carol.orgId }];
    for (const name of names) {
      await created(db, carol, name, VARIED);
      const whole = await listEntries(db, carol.caller, { uid: carol.uid, ...name, limit: 1000 });
      expect(whole.entries).toHaveLength(VARIED.length);
      expect(await walk(carol, name, 3)).toEqual({ seen: whole.entries, pages: 3, counts: [VARIED.length] });
      const numbers = whole.entries.filter((entry) => entry.match === "number");
      expect(await walk(carol, { ...name, match: "number" }, 1)).toEqual({
        seen: numbers,
        pages: 3,
        counts: [3],
      });
    }
  });

  it("refuses a cursor on another list, with other filters, or on the organization's list", async () => {
    const agentId = await freshAgent(db, alice);
    const otherAgentId = await freshAgent(db, alice);
    for (const name of [{ agentId }, { agentId: otherAgentId }, { orgId: alice.orgId }]) {
      await created(db, alice, name, [
        { match: "number", value: "+14155550001" },
        { match: "number", value: "+14155550002" },
      ]);
    }
    const cursor = (await list({ agentId, limit: 1 })).nextCursor ?? "";
    const second = await list({ agentId, limit: 1, cursor });
    expect({ values: second.entries.map((entry) => entry.value), count: second.count }).toEqual({
      values: ["+14155550002"],
      count: 2,
    });
    expect(second.nextCursor).toBeUndefined();
    const refusals = [
      () => list({ agentId: otherAgentId, limit: 1, cursor }),
      () => list({ orgId: alice.orgId, limit: 1, cursor }),
      () => list({ agentId, limit: 1, cursor, match: "number" }),
      () => list({ agentId, limit: 1, cursor, search: "1415" }),
      () => list({ agentId, limit: 1, cursor, include: "expired" }),
    ];
    for (const refusal of refusals) {
      await expect(refusal()).rejects.toBeInstanceOf(InvalidRequestError);
      await expect(refusal()).rejects.toMatchObject({
        message: ErrorMessage.invalidQuery,
        issues: [INVALID_CURSOR_ISSUE],
      });
    }
  });
});

describe("who may list", () => {
  it("lets a read-only key list both lists, and refuses foreign, missing and other users' lists alike", async () => {
    const dave = await createTenant(db, "dave");
    const [entry] = await created(db, dave, { orgId: dave.orgId }, [{ match: "withheld" }]);
    const readOnly = { uid: dave.uid, limit: 10 };
    await expect(
      listEntries(db, dave.readOnlyCaller, { ...readOnly, agentId: dave.agentId }),
    ).resolves.toEqual({ entries: [], count: 0 });
    await expect(listEntries(db, dave.readOnlyCaller, { ...readOnly, orgId: dave.orgId })).resolves.toEqual({
      entries: [entry],
      count: 1,
    });
    const refused = [
      () => list({ agentId: bob.agentId }),
      () => list({ orgId: bob.orgId }),
      () => list({ agentId: newId("agt") }),
      () => list({ orgId: newId("org") }),
      () => list({ orgId: "org_not-an-id" }),
      () => listEntries(db, alice.caller, { uid: bob.uid, orgId: bob.orgId, limit: 1 }),
      () => listEntries(db, alice.caller, { uid: bob.uid, agentId: alice.agentId, limit: 1 }),
    ];
    for (const refusal of refused) await expect(refusal()).rejects.toEqual(new PermissionError());
  });
});
