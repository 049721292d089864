import {
  callerOf,
  type DecisionEntry,
  decide,
  EMPTY_LIST_INDEX,
  ListIndex,
  normalizePhoneNumber,
  normalizePrefix,
} from "@blocklist/core";
import { describe, expect, it } from "vitest";
import { FULL_DATASET, QUICK_DATASET } from "./dataset";
import {
  CALLER_MIX,
  type CallerKind,
  entriesAgents,
  entriesCallers,
  entriesListSizes,
  entriesRows,
  type SeedEntry,
} from "./entriesDataset";

const NOW = Date.UTC(2026, 11, 1);
const DAY_MS = 86_400_000;

function decisionEntry(row: SeedEntry, index: number): DecisionEntry {
  const { expiresInDays, ...fields } = row;
  return {
    ...fields,
    id: `ent_${index}`,
    expiresAt: expiresInDays === null ? null : NOW + expiresInDays * DAY_MS,
  };
}

describe.each([
  ["full", FULL_DATASET],
  ["quick", QUICK_DATASET],
])("the %s entries dataset", (_name, dataset) => {
  const rows = entriesRows(dataset);
  const agents = entriesAgents(dataset);
  const listOf = (orgId: string, agentId: string | null) =>
    rows.filter((row) => row.orgId === orgId && row.agentId === agentId);
  const agentList = listOf(agents.entries.orgId, agents.entries.agentId);
  const orgList = listOf(agents.entries.orgId, null);
  const twinList = listOf(agents.twin.orgId, agents.twin.agentId);

  it("gives the agent numbers and prefixes, its organization a mix without `any`, the twin numbers only", () => {
    const countBy = (list: SeedEntry[]) => {
      const counts: Record<string, number> = {};
      for (const row of list) {
        const key = `${row.match} ${row.action} ${row.direction}`;
        counts[key] = (counts[key] ?? 0) + 1;
      }
      return counts;
    };
    const size = dataset.entries;
    expect(countBy(agentList)).toEqual({
      "number block inbound": size.agentNumbers,
      "number allow inbound": size.agentAllows,
      "prefix block inbound": size.agentPrefixes,
    });
    const outbound = Math.ceil((size.orgNumbers - 7) / 50);
    const both = size.orgNumbers / 10;
    expect(countBy(orgList)).toEqual({
      "number block inbound": size.orgNumbers - outbound - both,
      "number block outbound": outbound,
      "number block both": both,
      "prefix block inbound": size.orgPrefixes - 2,
      "prefix block both": 2,
      "number allow inbound": size.orgAllows,
      "withheld block inbound": 1,
    });
    expect(countBy(twinList)).toEqual({ "number block inbound": size.agentNumbers + size.agentAllows });
    expect(rows).toHaveLength(agentList.length + orgList.length + twinList.length);
    expect(entriesListSizes(dataset)).toEqual({
      agent: agentList.length,
      org: orgList.length,
      twin: twinList.length,
    });
    if (dataset === FULL_DATASET) {
      expect([agentList.filter((row) => row.match === "number").length, orgList.length]).toEqual([
        10_000, 100_000,
      ]);
    }
  });

  it("holds only values the service would store, none twice in a list", () => {
    for (const row of rows) {
      if (row.match === "number") expect(normalizePhoneNumber(row.value ?? "")).toBe(row.value);
      if (row.match === "prefix") expect(normalizePrefix(row.value ?? "")).toEqual({ prefix: row.value });
    }
    const keys = rows.map((row) =>
      [row.orgId, row.agentId, row.match, row.value, row.action, row.direction].join(),
    );
    expect(new Set(keys).size).toBe(rows.length);
  });

  it("is the same on every call", () => {
    expect(entriesRows(dataset)).toEqual(rows);
    expect(entriesCallers(dataset)).toEqual(entriesCallers(dataset));
  });

  it("asks callers of every kind, most matching nothing, each decided as expected by core's decide", () => {
    const callers = entriesCallers(dataset);
    const kinds: Partial<Record<CallerKind, number>> = {};
    for (const caller of callers) kinds[caller.kind] = (kinds[caller.kind] ?? 0) + 1;
    expect(kinds).toEqual(CALLER_MIX);
    expect(new Set(callers.map((caller) => caller.number)).size).toBe(callers.length);
    // The stride interleaves the kinds: no ten callers in a row are of one kind.
    expect(callers.slice(0, 10).map((caller) => caller.kind)).not.toEqual(Array(10).fill(callers[0]?.kind));

    const index = (list: SeedEntry[]) => ListIndex.of(list.map(decisionEntry));
    const withEntries = { agent: index(agentList), org: index(orgList) };
    const twin = { agent: index(twinList), org: EMPTY_LIST_INDEX };
    for (const caller of callers) {
      const checked = callerOf(caller.number);
      expect(checked.e164 === null, caller.number).toBe(caller.kind === "withheld");
      const entry = decide(withEntries, checked, "inbound", NOW);
      const found = entry && {
        list: entry.agentId === null ? "org" : "agent",
        match: entry.match,
        value: entry.value,
        action: entry.action,
      };
      expect(found, `${caller.kind} ${caller.number}`).toEqual(caller.decidedBy);
      const onTwin = decide(twin, checked, "inbound", NOW);
      expect(onTwin?.action === "block", caller.number).toBe(caller.blockedOnTwin);
    }
  });
});
