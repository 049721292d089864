import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decide, decisionOf, EMPTY_LIST_INDEX, ListIndex } from "./decide";
import { CHECK_DIRECTIONS, type CheckDirection, type CheckedCaller, type DecisionEntry } from "./fields";
import { checkedCaller, ENTRY_DEFAULTS, listEntries, NOW_MS } from "./test-arbitraries";

const AGENT = { orgId: "org_1", agentId: "agt_1" };
const ORG = { orgId: "org_1", agentId: null };

let nextId = 0;
function entry(fields: Partial<DecisionEntry> & Pick<DecisionEntry, "match">): DecisionEntry {
  nextId++;
  return {
    id: `ent_${nextId}`,
    ...AGENT,
    ...ENTRY_DEFAULTS,
    ...fields,
  };
}

const CALLER = { e164: "+19005550100" };
const WITHHELD = { e164: null };

function decideWith(
  agent: DecisionEntry[],
  org: DecisionEntry[],
  caller: CheckedCaller,
  direction: CheckDirection = "inbound",
) {
  return decide({ agent: ListIndex.of(agent), org: ListIndex.of(org) }, caller, direction, NOW_MS);
}

describe("decide", () => {
  it("finds nothing in empty lists", () => {
    expect(decide({ agent: EMPTY_LIST_INDEX, org: EMPTY_LIST_INDEX }, CALLER, "inbound", NOW_MS)).toBeNull();
    expect(EMPTY_LIST_INDEX.size).toBe(0);
  });

  it("lets the number decide before any prefix, and the longest prefix before a shorter one", () => {
    const number = entry({ match: "number", value: "+19005550100", action: "allow" });
    const long = entry({ match: "prefix", value: "+1900555" });
    const short = entry({ ...ORG, match: "prefix", value: "+1900", action: "allow" });
    const any = entry({ match: "any", action: "allow" });
    expect(decideWith([number, long, any], [short], CALLER)).toEqual(number);
    expect(decideWith([long, any], [short], CALLER)).toEqual(long);
    expect(decideWith([any], [short], CALLER)).toEqual(short);
    expect(decideWith([any], [], CALLER)).toEqual(any);
  });

  it("lets the organization's longer prefix decide before the agent's shorter one", () => {
    const agentShort = entry({ match: "prefix", value: "+1900", action: "allow" });
    const orgLong = entry({ ...ORG, match: "prefix", value: "+19005" });
    expect(decideWith([agentShort], [orgLong], CALLER)).toEqual(orgLong);
  });

  it("puts the agent's list before the organization's, then allow before block", () => {
    const agentBlock = entry({ match: "number", value: CALLER.e164 });
    const orgAllow = entry({ ...ORG, match: "number", value: CALLER.e164, action: "allow" });
    const agentAllow = entry({ match: "number", value: CALLER.e164, action: "allow" });
    expect(decideWith([agentBlock], [orgAllow], CALLER)).toEqual(agentBlock);
    expect(decideWith([agentBlock, agentAllow], [orgAllow], CALLER)).toEqual(agentAllow);
    const agentPrefix = entry({ match: "prefix", value: "+19005" });
    const orgPrefix = entry({ ...ORG, match: "prefix", value: "+19005", action: "allow" });
    expect(decideWith([agentPrefix], [orgPrefix], CALLER)).toEqual(agentPrefix);
  });

  it("counts only entries of the asked direction or both", () => {
    const outbound = entry({
      match: "number",
      value: CALLER.e164,
      direction: "outbound",
      reason: "do_not_call",
    });
    const both = entry({ ...ORG, match: "any", direction: "both" });
    expect(decideWith([outbound], [], CALLER, "inbound")).toBeNull();
    expect(decideWith([outbound], [], CALLER, "outbound")).toEqual(outbound);
    expect(decideWith([outbound], [both], CALLER, "inbound")).toEqual(both);
  });

  it("ignores an entry from the millisecond it expires", () => {
    const expiring = entry({ match: "prefix", value: "+1900", expiresAt: NOW_MS });
    expect(
      decide({ agent: ListIndex.of([expiring]), org: EMPTY_LIST_INDEX }, CALLER, "inbound", NOW_MS - 1),
    ).toEqual(expiring);
    expect(
      decide({ agent: ListIndex.of([expiring]), org: EMPTY_LIST_INDEX }, CALLER, "inbound", NOW_MS),
    ).toBeNull();
  });

  it("matches a withheld caller by withheld and any entries only", () => {
    const withheld = entry({ ...ORG, match: "withheld", action: "allow" });
    const any = entry({ match: "any" });
    const prefix = entry({ match: "prefix", value: "+1900" });
    expect(decideWith([any, prefix], [withheld], WITHHELD)).toEqual(withheld);
    expect(decideWith([any, prefix], [], WITHHELD)).toEqual(any);
    expect(decideWith([withheld], [], CALLER)).toBeNull();
  });

  it("lets an allow-only list through its allowed numbers only", () => {
    const blockAll = entry({ match: "any" });
    const partner = entry({ match: "number", value: "+442079460958", action: "allow" });
    const lists = { agent: ListIndex.of([blockAll, partner]), org: EMPTY_LIST_INDEX };
    expect(decide(lists, { e164: "+442079460958" }, "inbound", NOW_MS)).toEqual(partner);
    expect(decide(lists, CALLER, "inbound", NOW_MS)).toEqual(blockAll);
    expect(decide(lists, WITHHELD, "inbound", NOW_MS)).toEqual(blockAll);
  });

  it("holds a key's one entry as itself and several in one array, allow first (no array per entry)", () => {
    const single = entry({ match: "number", value: "+442079460958" });
    const block = entry({ match: "number", value: "+19005550100" });
    const allow = entry({ match: "number", value: "+19005550100", action: "allow" });
    const prefix = entry({ match: "prefix", value: "+1900" });
    const index = ListIndex.of([single, block, allow, prefix]);
    expect([...index.numbers]).toEqual([
      ["+442079460958", single],
      ["+19005550100", [allow, block]],
    ]);
    expect([...index.prefixes]).toEqual([[4, new Map([[1900, prefix]])]]);
  });

  it("counts a list's entries", () => {
    expect(ListIndex.of([entry({ match: "any" }), entry({ match: "prefix", value: "+1900" })]).size).toBe(2);
  });
});

// The decision written as plainly as possible: every matching entry, sorted by the three precedence rules.
function referenceDecide(
  agent: DecisionEntry[],
  org: DecisionEntry[],
  caller: CheckedCaller,
  direction: CheckDirection,
  nowMs: number,
): DecisionEntry | null {
  const matches = (candidate: DecisionEntry) => {
    if (candidate.match === "any") return true;
    if (candidate.match === "withheld") return caller.e164 === null;
    if (caller.e164 === null || candidate.value === null) return false;
    return candidate.match === "number"
      ? caller.e164 === candidate.value
      : caller.e164.startsWith(candidate.value);
  };
  const specificity = (candidate: DecisionEntry) =>
    candidate.match === "number"
      ? 0
      : candidate.match === "prefix"
        ? 100 - (candidate.value ?? "").length
        : candidate.match === "withheld"
          ? 200
          : 300;
  const ranked = [...agent.map((e) => ({ e, list: 0 })), ...org.map((e) => ({ e, list: 1 }))]
    .filter(({ e }) => e.direction === direction || e.direction === "both")
    .filter(({ e }) => e.expiresAt === null || e.expiresAt > nowMs)
    .filter(({ e }) => matches(e))
    .sort(
      (x, y) =>
        specificity(x.e) - specificity(y.e) ||
        x.list - y.list ||
        Number(x.e.action === "block") - Number(y.e.action === "block"),
    );
  return ranked[0]?.e ?? null;
}

describe("decide against a brute-force reference", () => {
  it("finds the same entry for every lists, caller, direction and instant", () => {
    fc.assert(
      fc.property(
        listEntries(AGENT, "agent_"),
        listEntries(ORG, "org_"),
        checkedCaller,
        fc.constantFrom(...CHECK_DIRECTIONS),
        fc.constantFrom(NOW_MS - 1, NOW_MS, NOW_MS + 1),
        (agent, org, caller, direction, nowMs) => {
          const lists = { agent: ListIndex.of(agent), org: ListIndex.of(org) };
          expect(decide(lists, caller, direction, nowMs)).toEqual(
            referenceDecide(agent, org, caller, direction, nowMs),
          );
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe("decisionOf", () => {
  it("answers blocked by the deciding entry, without its expiry", () => {
    const block = entry({
      match: "prefix",
      value: "+1900",
      reason: "spam",
      note: "robocalls",
      expiresAt: NOW_MS,
    });
    expect(decisionOf(CALLER, block)).toEqual({
      blocked: true,
      e164: CALLER.e164,
      entry: {
        id: block.id,
        ...AGENT,
        match: "prefix",
        value: "+1900",
        action: "block",
        direction: "inbound",
        reason: "spam",
        note: "robocalls",
      },
    });
    const allow = entry({ match: "withheld", action: "allow" });
    expect(decisionOf(WITHHELD, allow)).toEqual({
      blocked: false,
      e164: null,
      entry: {
        id: allow.id,
        ...AGENT,
        match: "withheld",
        value: null,
        action: "allow",
        direction: "inbound",
        reason: null,
        note: null,
      },
    });
    expect(decisionOf(CALLER, null)).toEqual({ blocked: false, e164: CALLER.e164, entry: null });
  });
});
