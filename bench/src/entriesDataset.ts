// The `check` scenario on entries (issue 13, "Performance"): an agent whose own list holds numbers, a few allows
// and prefixes, in an organization whose list holds 100,000 entries of every kind but `any` (an `any` block would
// decide every call that matches nothing else); and its twin, an agent with as many numbers and nothing else, in
// an organization of its own with an empty list. Both are asked the same callers, and each caller's answer is
// known by construction. Everything here is a pure function of the sizes: the same run seeds the same rows.
import type { DecisionEntry, EntryAction, EntryMatch } from "@blocklist/core";
import { AREA_CODES, agentId, type DatasetSize, type EntriesSize, organizationId } from "./dataset";

/** An entry to seed (its id is the database's); `expiresInDays` from the seed's now(). */
export type SeedEntry = Omit<DecisionEntry, "id" | "expiresAt"> & { expiresInDays: number | null };

/** What decides a caller on the agent with entries: which list's entry, or null when nothing matches. */
export interface ExpectedDecision {
  list: "agent" | "org";
  match: EntryMatch;
  value: string | null;
  action: EntryAction;
}

export type CallerKind =
  | "agent number"
  | "organization number"
  | "outbound-only number"
  | "agent prefix"
  | "organization prefix"
  | "agent allow"
  | "organization allow"
  | "withheld"
  | "nothing";

export interface EntriesCaller {
  kind: CallerKind;
  /** As the telephony layer sends it ("" and "anonymous" for a withheld caller). */
  number: string;
  decidedBy: ExpectedDecision | null;
  /** Whether the numbers-only twin blocks it (its numbers are the agent's, so only "agent number" callers). */
  blockedOnTwin: boolean;
}

/** The checked agents: the one with entries and its numbers-only twin, each in an organization of its own. */
export function entriesAgents(
  size: DatasetSize,
): Record<"entries" | "twin", { agentId: string; orgId: string }> {
  const organizations = Math.ceil(size.agents / size.agentsPerOrganization);
  return {
    entries: { agentId: agentId(size.agents), orgId: organizationId(organizations) },
    twin: { agentId: agentId(size.agents + 1), orgId: organizationId(organizations + 1) },
  };
}

/** Entries of each list of the scenario: the agent's, its organization's, the twin's (the twin's organization has none). */
export function entriesListSizes(dataset: DatasetSize): { agent: number; org: number; twin: number } {
  const size = dataset.entries;
  return {
    agent: size.agentNumbers + size.agentAllows + size.agentPrefixes,
    org: size.orgNumbers + size.orgPrefixes + size.orgAllows + 1,
    twin: size.agentNumbers + size.agentAllows,
  };
}

// Every number is a US number `+1 AAA LLLLLLL` (a real area code, the local part from 2000000 up, valid by
// libphonenumber's `max` metadata); each kind has its own first local digit, so that kinds never overlap: 3 the
// agent's numbers, 4 its prefixes, 5 the organization's numbers, 6 its prefixes (and the allows inside them), 8
// callers that nothing matches.
const areaCode = (index: number) => AREA_CODES[index % AREA_CODES.length] as number;
const perArea = (index: number) => Math.floor(index / AREA_CODES.length);
const usNumber = (index: number, firstLocal: number) => `+1${areaCode(index)}${firstLocal + perArea(index)}`;
/** A number inside `prefix`, its remaining digits all `digit`. */
const inside = (prefix: string, digit: string) => prefix.padEnd("+1AAALLLLLLL".length, digit);

export const agentNumber = (index: number) => usNumber(index, 3_000_000);
export const orgNumber = (index: number) => usNumber(index, 5_000_000);
const nothingNumber = (index: number) => usNumber(index, 8_000_000);

/** Prefixes of 7, 8 and 9 digits (`+1201400`, `+12014010`, `+120140200`). */
export function agentPrefix(index: number): string {
  const serial = perArea(index);
  return `+1${areaCode(index)}4${String(serial).padStart(2, "0")}${"0".repeat(serial % 3)}`;
}

const COUNTRY_WIDE_PREFIXES = ["+1900", "+4470"] as const;

/** Prefixes of 8, 9 and 10 digits within an area code (`+12016000`, …). */
export function orgAreaPrefix(index: number): string {
  const serial = perArea(index);
  return `+1${areaCode(index)}6${String(serial).padStart(3, "0")}${"0".repeat(serial % 3)}`;
}

const areaPrefixCount = (size: EntriesSize) => size.orgPrefixes - COUNTRY_WIDE_PREFIXES.length;
// Allows sit in distinct prefixes: the organization's in every 4th, the agent's in the ones after them; callers
// blocked by an organization prefix use those two after.
const orgAllowNumber = (index: number) => inside(orgAreaPrefix(4 * index), "7");
const agentAllowNumber = (index: number) => inside(orgAreaPrefix(4 * index + 1), "7");

export function assertValidEntriesSize(size: EntriesSize): void {
  const areaPrefixes = areaPrefixCount(size);
  if (
    size.agentPrefixes > 100 * AREA_CODES.length ||
    areaPrefixes < 3 ||
    areaPrefixes > 1_000 * AREA_CODES.length ||
    4 * (size.orgAllows - 1) >= areaPrefixes ||
    4 * (size.agentAllows - 1) + 1 >= areaPrefixes ||
    size.agentNumbers + size.agentAllows > 1_000_000 * AREA_CODES.length
  ) {
    throw new Error("entries dataset: sizes outside what its number rules can lay out");
  }
}

const block = { action: "block", direction: "inbound", note: null, expiresInDays: null } as const;

/** The rows of the three lists: the agent's own, its organization's, the twin's. */
export function entriesRows(dataset: DatasetSize): SeedEntry[] {
  const size = dataset.entries;
  assertValidEntriesSize(size);
  const { entries, twin } = entriesAgents(dataset);
  const agentList = { orgId: entries.orgId, agentId: entries.agentId };
  const orgList = { orgId: entries.orgId, agentId: null };
  const rows: SeedEntry[] = [];
  for (let i = 0; i < size.agentNumbers; i++) {
    rows.push({ ...agentList, ...block, match: "number", value: agentNumber(i), reason: "spam" });
  }
  for (let i = 0; i < size.agentAllows; i++) {
    rows.push({
      ...agentList,
      ...block,
      match: "number",
      value: agentAllowNumber(i),
      action: "allow",
      reason: null,
      note: "partner line",
    });
  }
  for (let i = 0; i < size.agentPrefixes; i++) {
    rows.push({ ...agentList, ...block, match: "prefix", value: agentPrefix(i), reason: "spam" });
  }
  for (let i = 0; i < size.orgNumbers; i++) rows.push({ ...orgList, ...orgNumberFields(i) });
  for (const value of COUNTRY_WIDE_PREFIXES) {
    rows.push({ ...orgList, ...block, match: "prefix", value, direction: "both", reason: "fraud" });
  }
  for (let i = 0; i < areaPrefixCount(size); i++) {
    rows.push({ ...orgList, ...block, match: "prefix", value: orgAreaPrefix(i), reason: "spam" });
  }
  for (let i = 0; i < size.orgAllows; i++) {
    rows.push({
      ...orgList,
      ...block,
      match: "number",
      value: orgAllowNumber(i),
      action: "allow",
      reason: null,
    });
  }
  rows.push({ ...orgList, ...block, match: "withheld", value: null, reason: "other" });
  // The twin: as many numbers as the agent has, all blocks, and nothing else.
  for (let i = 0; i < size.agentNumbers + size.agentAllows; i++) {
    rows.push({ ...twin, ...block, match: "number", value: agentNumber(i), reason: "spam" });
  }
  return rows;
}

// Every 50th of the organization's numbers is outbound only (do not call), every 10th both ways, every 10th
// expires in 30 days, every 100th has a note.
const isOutboundOnly = (index: number) => index % 50 === 7;

function orgNumberFields(index: number): Omit<SeedEntry, "orgId" | "agentId"> {
  return {
    match: "number",
    value: orgNumber(index),
    action: "block",
    direction: isOutboundOnly(index) ? "outbound" : index % 10 === 3 ? "both" : "inbound",
    reason: isOutboundOnly(index) ? "do_not_call" : index % 10 === 5 ? "fraud" : "spam",
    note: index % 100 === 9 ? "reported by a customer" : null,
    expiresInDays: index % 10 === 1 ? 30 : null,
  };
}

/** How many callers of each kind the load asks about: most match nothing. */
export const CALLER_MIX: Record<CallerKind, number> = {
  "agent number": 24,
  "organization number": 12,
  "outbound-only number": 4,
  "agent prefix": 12,
  "organization prefix": 12,
  "agent allow": 5,
  "organization allow": 5,
  withheld: 2,
  nothing: 124,
};
/** The load's callers are cycled in this stride through the list, so that kinds alternate (coprime with 200). */
const STRIDE = 77;

/** `count` indexes spread evenly over 0 … of-1. */
const spread = (count: number, of: number) =>
  Array.from({ length: count }, (_, k) => Math.floor((k * of) / count) % of);

/** The callers `check` asks both agents about, each with the answer expected of each agent. */
export function entriesCallers(dataset: DatasetSize): EntriesCaller[] {
  const size = dataset.entries;
  const areaPrefixes = areaPrefixCount(size);
  const decided = (list: "agent" | "org", match: EntryMatch, value: string | null, action: EntryAction) => ({
    list,
    match,
    value,
    action,
  });
  const of = (kind: CallerKind, indexes: number[], make: (index: number) => Omit<EntriesCaller, "kind">) =>
    indexes.map((index) => ({ kind, ...make(index) }));
  const mix = CALLER_MIX;
  const inbound = spread(mix["organization number"], size.orgNumbers).map((i) =>
    isOutboundOnly(i) ? i + 1 : i,
  );
  const outbound = spread(mix["outbound-only number"], Math.ceil((size.orgNumbers - 7) / 50)).map(
    (m) => 50 * m + 7,
  );
  const callers: EntriesCaller[] = [
    ...of("agent number", spread(mix["agent number"], size.agentNumbers), (i) => ({
      number: agentNumber(i),
      decidedBy: decided("agent", "number", agentNumber(i), "block"),
      blockedOnTwin: true,
    })),
    ...of("organization number", inbound, (i) => ({
      number: orgNumber(i),
      decidedBy: decided("org", "number", orgNumber(i), "block"),
      blockedOnTwin: false,
    })),
    ...of("outbound-only number", outbound, (i) => ({
      number: orgNumber(i),
      decidedBy: null,
      blockedOnTwin: false,
    })),
    ...of("agent prefix", spread(mix["agent prefix"], size.agentPrefixes), (i) => ({
      number: inside(agentPrefix(i), "5"),
      decidedBy: decided("agent", "prefix", agentPrefix(i), "block"),
      blockedOnTwin: false,
    })),
    ...of(
      "organization prefix",
      spread(mix["organization prefix"], Math.floor(areaPrefixes / 4)).map((m) => (4 * m + 2) % areaPrefixes),
      (i) => ({
        number: inside(orgAreaPrefix(i), "5"),
        decidedBy: decided("org", "prefix", orgAreaPrefix(i), "block"),
        blockedOnTwin: false,
      }),
    ),
    ...of("agent allow", spread(mix["agent allow"], size.agentAllows), (i) => ({
      number: agentAllowNumber(i),
      decidedBy: decided("agent", "number", agentAllowNumber(i), "allow"),
      blockedOnTwin: false,
    })),
    ...of("organization allow", spread(mix["organization allow"], size.orgAllows), (i) => ({
      number: orgAllowNumber(i),
      decidedBy: decided("org", "number", orgAllowNumber(i), "allow"),
      blockedOnTwin: false,
    })),
    ...of("withheld", [0, 1], (i) => ({
      number: ["", "anonymous"][i] as string,
      decidedBy: decided("org", "withheld", null, "block"),
      blockedOnTwin: false,
    })),
    ...of("nothing", spread(mix.nothing, 100_000), (i) => ({
      number: nothingNumber(i),
      decidedBy: null,
      blockedOnTwin: false,
    })),
  ];
  return callers.map((_, k) => callers[(k * STRIDE) % callers.length] as EntriesCaller);
}
