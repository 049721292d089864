import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  entryKey,
  type NewEntry,
  planEntries,
  planEntry,
  planRemoval,
  reportCreated,
  reportRemovedEntries,
} from ".";
import { ENTRY_DEFAULTS, entryInput } from "./test-arbitraries";

const now = new Date("2026-12-01T12:00:00.000Z");
const inAWeek = new Date("2026-12-08T12:00:00.000Z");

function newEntry(fields: Partial<NewEntry> & Pick<NewEntry, "match">): NewEntry {
  return { ...ENTRY_DEFAULTS, ...fields };
}

describe("planEntry", () => {
  it.each<[unknown, NewEntry]>([
    [{ match: "number", value: "+1 (415) 555-2671" }, newEntry({ match: "number", value: "+14155552671" })],
    [{ match: "prefix", value: "+1 900" }, newEntry({ match: "prefix", value: "+1900" })],
    [{ match: "withheld" }, newEntry({ match: "withheld" })],
    [{ match: "withheld", value: "" }, newEntry({ match: "withheld" })],
    [{ match: "any", value: null, action: "block" }, newEntry({ match: "any" })],
    [
      {
        match: "number",
        value: "+442079460958",
        action: "allow",
        direction: "both",
        reason: "other",
        note: "partner",
        expiresIn: "7d",
      },
      newEntry({
        match: "number",
        value: "+442079460958",
        action: "allow",
        direction: "both",
        reason: "other",
        note: "partner",
        expiresAt: inAWeek,
      }),
    ],
    [
      { match: "prefix", value: "+4470", expiresAt: "2026-12-08T13:00:00+01:00" },
      newEntry({ match: "prefix", value: "+4470", expiresAt: inAWeek }),
    ],
    // Asking not to be called protects from outbound calls, unless a direction is given.
    [
      { match: "number", value: "+14155552671", reason: "do_not_call" },
      newEntry({ match: "number", value: "+14155552671", reason: "do_not_call", direction: "outbound" }),
    ],
    [
      { match: "number", value: "+14155552671", reason: "do_not_call", direction: "both" },
      newEntry({ match: "number", value: "+14155552671", reason: "do_not_call", direction: "both" }),
    ],
    // null says "not given"; an empty note is no note; unknown keys are ignored.
    [
      {
        match: "any",
        action: null,
        direction: null,
        reason: null,
        note: "",
        expiresAt: null,
        expiresIn: null,
        id: 3,
      },
      newEntry({ match: "any" }),
    ],
  ])("plans %j", (input, expected) => {
    expect(planEntry(input, now)).toEqual(expected);
  });

  it.each<[unknown, string]>([
    [null, "Invalid entry"],
    ["+14155552671", "Invalid entry"],
    [["number", "+14155552671"], "Invalid entry"],
    [{ value: "+14155552671" }, "Invalid entry"],
    [{ match: "range", value: "+1900" }, "Invalid entry"],
    [{ match: "NUMBER", value: "+14155552671" }, "Invalid entry"],
    [{ match: "number" }, "Invalid entry"],
    [{ match: "number", value: "" }, "Invalid entry"],
    [{ match: "prefix", value: null }, "Invalid entry"],
    [{ match: "number", value: 14155552671 }, "Invalid entry"],
    [{ match: "withheld", value: "+14155552671" }, "Invalid entry"],
    [{ match: "any", value: "anything" }, "Invalid entry"],
    [{ match: "any", action: "deny" }, "Invalid entry"],
    [{ match: "any", direction: "in" }, "Invalid entry"],
    [{ match: "any", reason: "spite" }, "Invalid entry"],
    [{ match: "any", note: 5 }, "Invalid entry"],
    [{ match: "any", note: "a\u0000b" }, "Invalid entry"],
    [{ match: "any", note: "a\ud800b" }, "Invalid entry"],
    [{ match: "number", value: "+1234567890" }, "Invalid phone number format"],
    [{ match: "number", value: "+1 415 555 2671 x1" }, "Invalid phone number format"],
    [{ match: "prefix", value: "+2800" }, "Invalid prefix"],
    [{ match: "prefix", value: "+1234567890123456" }, "Invalid prefix"],
    [{ match: "prefix", value: "+1" }, "Prefix too broad"],
    [{ match: "prefix", value: "+449" }, "Prefix too broad"],
    [{ match: "any", expiresIn: "0m" }, "Invalid expiry"],
    [{ match: "any", expiresAt: "2026-12-01T12:00:00Z" }, "Invalid expiry"],
    [{ match: "any", expiresAt: "2026-12-08T12:00:00Z", expiresIn: "7d" }, "Invalid expiry"],
    // The shape is judged before the value, the value before the expiry.
    [{ match: "number", value: "+1234567890", note: 5 }, "Invalid entry"],
    [{ match: "number", value: "+1234567890", expiresIn: "0m" }, "Invalid phone number format"],
  ])("refuses %j: %s", (input, reason) => {
    expect(planEntry(input, now)).toEqual(reason);
  });
});

describe("a note", () => {
  it("holds up to 500 characters, counted as the database counts them", () => {
    const note = `${"é".repeat(249)}\n${"🙂".repeat(250)}`;
    expect(planEntry({ match: "any", note }, now)).toEqual(newEntry({ match: "any", note }));
    expect(planEntry({ match: "any", note: "x".repeat(500) }, now)).toEqual(
      newEntry({ match: "any", note: "x".repeat(500) }),
    );
  });

  it("refuses 501 characters", () => {
    expect(planEntry({ match: "any", note: "x".repeat(501) }, now)).toBe("Invalid entry");
    expect(planEntry({ match: "any", note: "🙂".repeat(501) }, now)).toBe("Invalid entry");
    expect(planEntry({ match: "any", note: "x".repeat(100_000) }, now)).toBe("Invalid entry");
  });
});

describe("planEntries and reportCreated", () => {
  const inputs: unknown[] = [
    { match: "number", value: "+1 415 555 2671" },
    { match: "prefix", value: "+1" },
    { match: "number", value: "+14155552671", note: "same entry, other note" },
    { match: "number", value: "+14155552671", action: "allow" },
    { match: "withheld" },
    { match: "number", value: "+14155552671", direction: "both" },
  ];
  const number = newEntry({ match: "number", value: "+14155552671" });
  const allowed = newEntry({ match: "number", value: "+14155552671", action: "allow" });
  const withheld = newEntry({ match: "withheld" });
  const both = newEntry({ match: "number", value: "+14155552671", direction: "both" });

  it("plans each input, the first of equal entries winning", () => {
    expect(planEntries(inputs, now)).toEqual({
      planned: [
        { index: 0, input: inputs[0], kind: "distinct", entry: number, key: entryKey(number) },
        { index: 1, input: inputs[1], kind: "invalid", reason: "Prefix too broad" },
        { index: 2, input: inputs[2], kind: "duplicate" },
        { index: 3, input: inputs[3], kind: "distinct", entry: allowed, key: entryKey(allowed) },
        { index: 4, input: inputs[4], kind: "distinct", entry: withheld, key: entryKey(withheld) },
        { index: 5, input: inputs[5], kind: "distinct", entry: both, key: entryKey(both) },
      ],
      distinct: [number, allowed, withheld, both],
    });
  });

  it("reports each input once: created in input order, or failed as sent", () => {
    const plan = planEntries(inputs, now);
    const created = new Map([
      [entryKey(both), "ent_both"],
      [entryKey(number), "ent_number"],
      [entryKey(withheld), "ent_withheld"],
    ]);
    expect(reportCreated(plan, created)).toEqual({
      created: ["ent_number", "ent_withheld", "ent_both"],
      failed: [
        { index: 1, entry: inputs[1], reason: "Prefix too broad" },
        { index: 2, entry: inputs[2], reason: "Duplicate entry in request" },
        { index: 3, entry: inputs[3], reason: "Entry already exists" },
      ],
    });
  });

  it("tells entries apart by match, value, action and direction only", () => {
    const annotated: NewEntry = { ...number, note: "x", reason: "spam", expiresAt: now };
    expect(entryKey(number)).toBe(entryKey(annotated));
    const others = [allowed, both, newEntry({ match: "prefix", value: "+14155552671" }), withheld];
    expect(new Set([number, ...others].map(entryKey)).size).toBe(5);
  });

  it("reports every input exactly once, whatever the store created", () => {
    fc.assert(
      fc.property(
        fc.array(entryInput, { maxLength: 40 }),
        fc.func<[string], boolean>(fc.boolean()),
        (sent, wasCreated) => {
          const plan = planEntries(sent, now);
          const created = new Map(
            plan.distinct
              .map(entryKey)
              .filter((key) => wasCreated(key))
              .map((key) => [key, key]),
          );
          const report = reportCreated(plan, created);
          // Where each input landed: created keys back to their (first) input, failures by index.
          const indexOfKey = new Map(
            plan.planned.flatMap((p) => (p.kind === "distinct" ? [[p.key, p.index]] : [])),
          );
          const createdIndexes = report.created.map((key) => indexOfKey.get(key) ?? -1);
          const landed = [...createdIndexes, ...report.failed.map((failure) => failure.index)];
          expect(landed.sort((a, b) => a - b)).toEqual(sent.map((_, index) => index));
          expect(createdIndexes).toEqual([...createdIndexes].sort((a, b) => a - b));
          for (const failure of report.failed) expect(failure.entry).toBe(sent[failure.index]);
          expect([...report.created].sort()).toEqual([...created.values()].sort());
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("planRemoval and reportRemovedEntries", () => {
  it("reports each id once: removed, not found, or a later copy", () => {
    const plan = planRemoval(["ent_a", "ent_b", "ent_a", "ent_c", "ent_b"]);
    expect(plan).toEqual({
      planned: [
        { id: "ent_a", kind: "distinct" },
        { id: "ent_b", kind: "distinct" },
        { id: "ent_a", kind: "duplicate" },
        { id: "ent_c", kind: "distinct" },
        { id: "ent_b", kind: "duplicate" },
      ],
      distinct: ["ent_a", "ent_b", "ent_c"],
    });
    expect(reportRemovedEntries(plan, new Set(["ent_c", "ent_a"]))).toEqual({
      removed: ["ent_a", "ent_c"],
      failed: [
        { id: "ent_b", reason: "Entry not found" },
        { id: "ent_a", reason: "Duplicate id in request" },
        { id: "ent_b", reason: "Duplicate id in request" },
      ],
    });
  });
});

// A list as the store keeps it: its active entries by key, each with the id it was given.
type ListModel = Map<string, { id: string; entry: NewEntry }>;

// What the store does with a plan: insert the entries whose key is not on the list yet.
function storeCreate(list: ListModel, distinct: readonly NewEntry[], ids: () => string): Map<string, string> {
  const created = new Map<string, string>();
  for (const entry of distinct) {
    const key = entryKey(entry);
    if (list.has(key)) continue;
    const id = ids();
    list.set(key, { id, entry });
    created.set(key, id);
  }
  return created;
}

function storeRemove(list: ListModel, ids: readonly string[]): Set<string> {
  const removed = new Set<string>();
  for (const [key, { id }] of list) {
    if (ids.includes(id)) {
      list.delete(key);
      removed.add(id);
    }
  }
  return removed;
}

describe("create then remove", () => {
  it("leaves the list as it was", () => {
    fc.assert(
      fc.property(
        fc.array(entryInput, { maxLength: 20 }),
        fc.array(entryInput, { maxLength: 20 }),
        (before, sent) => {
          let nextId = 0;
          const ids = () => `ent_${nextId++}`;
          const list: ListModel = new Map();
          storeCreate(list, planEntries(before, now).distinct, ids);
          const original = new Map(list);

          const plan = planEntries(sent, now);
          const { created } = reportCreated(plan, storeCreate(list, plan.distinct, ids));
          const removal = planRemoval(created);
          const report = reportRemovedEntries(removal, storeRemove(list, removal.distinct));

          expect(report).toEqual({ removed: created, failed: [] });
          expect(list).toEqual(original);
        },
      ),
      { numRuns: 300 },
    );
  });
});
