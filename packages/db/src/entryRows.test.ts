import { setFlagsFromString } from "node:v8";
import { describe, expect, it } from "vitest";
import { type DecisionRow, type EntryRow, toDecisionEntry, toEntry } from "./entryRows";

// V8's own test of whether two objects share one hidden class; a list of 100,000 entries held by the check
// cache must not pay for a class per entry.
setFlagsFromString("--allow-natives-syntax");
const haveSameHiddenClass = new Function("a", "b", "return %HaveSameMap(a, b)") as (
  a: object,
  b: object,
) => boolean;

const decisionRow = (n: number): DecisionRow => ({
  id: `ent_${n}`,
  org_id: "org_1",
  agent_id: "agt_1",
  match: "number",
  value: `+1201${2_000_000 + n}`,
  action: "block",
  direction: "inbound",
  reason: null,
  note: null,
  expires_at: n === 1 ? null : new Date(Date.UTC(2030, 0, 1)),
});

const entryRow = (n: number): EntryRow => ({
  ...decisionRow(n),
  created_at: new Date(Date.UTC(2026, 0, 1)),
  created_via: "rest",
  hits: "0",
  last_hit_at: null,
  created_by_user_id: "usr_1",
  created_by_key_prefix: "bl_abcdef",
  seq: String(n),
});

/** How many of `objects` have a hidden class other than the one before them. */
const classChanges = (objects: object[]) =>
  objects.filter((object, index) => index > 0 && !haveSameHiddenClass(object, objects[index - 1] as object))
    .length;

/** The fields every shape of the second row starts with, in their order. */
const secondFields = {
  id: "ent_2",
  orgId: "org_1",
  agentId: "agt_1",
  match: "number",
  value: "+12012000002",
  action: "block",
  direction: "inbound",
  reason: null,
  note: null,
};

describe("entry rows", () => {
  it("map to decision entries and entries of one hidden class each, field for field", () => {
    // V8 shares a class among the first few objects of a spread anyway: only many of them show the difference.
    const rows = Array.from({ length: 200 }, (_, n) => n + 1);
    const decisionEntries = rows.map((n) => toDecisionEntry(decisionRow(n)));
    const entries = rows.map((n) => toEntry(entryRow(n)));
    expect({
      decisionEntryClassChanges: classChanges(decisionEntries.slice(100)),
      entryClassChanges: classChanges(entries.slice(100)),
      second: decisionEntries[1],
      secondEntry: JSON.stringify(entries[1]),
    }).toEqual({
      decisionEntryClassChanges: 0,
      entryClassChanges: 0,
      second: { ...secondFields, expiresAt: Date.UTC(2030, 0, 1) },
      // The answer's keys keep their order.
      secondEntry: JSON.stringify({
        ...secondFields,
        expiresAt: "2030-01-01T00:00:00.000Z",
        createdAt: "2026-01-01T00:00:00.000Z",
        createdBy: { userId: "usr_1", keyPrefix: "bl_abcdef", via: "rest" },
        hits: 0,
        lastHitAt: null,
      }),
    });
  });
});
