// fast-check arbitraries for the entries' tests; not exported from index.ts.
import fc from "fast-check";
import { VALID_NUMBERS } from "../test-arbitraries";
import {
  type CheckedCaller,
  type DecisionEntry,
  ENTRY_ACTIONS,
  ENTRY_DIRECTIONS,
  ENTRY_MATCHES,
  ENTRY_REASONS,
} from "./fields";

/** What an entry is when only its match is given (the shared part of NewEntry and DecisionEntry). */
export const ENTRY_DEFAULTS = {
  value: null,
  action: "block",
  direction: "inbound",
  reason: null,
  note: null,
  expiresAt: null,
} as const;

/** The instant the decision's property tests check at. */
export const NOW_MS = Date.UTC(2026, 11, 1, 12);

// Prefixes cut from the same numbers the callers use, so that several lengths match one caller.
const PREFIXES = [
  ...new Set(VALID_NUMBERS.flatMap((e164) => [4, 5, 6, e164.length].map((end) => e164.slice(0, end)))),
  "+1900",
  "+4470",
];

const entryValue: Record<DecisionEntry["match"], fc.Arbitrary<string | null>> = {
  number: fc.constantFrom(...VALID_NUMBERS),
  prefix: fc.constantFrom(...PREFIXES),
  withheld: fc.constant(null),
  any: fc.constant(null),
};

/** Entries of every kind, values that collide, expiries just before, at and after NOW_MS. */
export const decisionEntry = (list: { orgId: string; agentId: string | null }) =>
  fc
    .record({
      match: fc.constantFrom(...ENTRY_MATCHES),
      action: fc.constantFrom(...ENTRY_ACTIONS),
      direction: fc.constantFrom(...ENTRY_DIRECTIONS),
      reason: fc.constantFrom(null, ...ENTRY_REASONS),
      note: fc.constantFrom(null, "a note"),
      expiresAt: fc.constantFrom(null, null, NOW_MS - 1, NOW_MS, NOW_MS + 1),
    })
    .chain((fields) => entryValue[fields.match].map((value) => ({ ...fields, value, ...list })));

/** A list's entries, with ids unique within the list. */
export const listEntries = (list: { orgId: string; agentId: string | null }, prefix: string) =>
  fc
    .array(decisionEntry(list), { maxLength: 30 })
    .map((entries): DecisionEntry[] => entries.map((entry, i) => ({ id: `${prefix}${i}`, ...entry })));

/** Callers: the numbers entries are made of, one nobody lists, and withheld ones. */
export const checkedCaller: fc.Arbitrary<CheckedCaller> = fc.constantFrom(
  ...VALID_NUMBERS.map((e164) => ({ e164 })),
  { e164: "+19005550100" },
  { e164: null },
);

// Valid entries from a small pool, so that a request often holds the same entry twice.
const commonEntryInput = fc
  .record(
    {
      match: fc.constantFrom(...ENTRY_MATCHES),
      action: fc.constantFrom("block", "allow"),
      direction: fc.constantFrom("inbound", "both"),
      note: fc.constantFrom("first", "second"),
    },
    { requiredKeys: ["match"] },
  )
  .chain((entry) =>
    (entry.match === "number"
      ? fc.constantFrom("+14155552671", "+1 415 555 2671", "+442079460958")
      : entry.match === "prefix"
        ? fc.constantFrom("+1900", "+1 900", "+4470")
        : fc.constantFrom(undefined, null, "")
    ).map((value) => (value === undefined ? entry : { ...entry, value })),
  );

// Any field may be missing, wrong or fine.
const looseEntryInput = fc.record(
  {
    match: fc.constantFrom(...ENTRY_MATCHES, "range", 1, null),
    value: fc.constantFrom(...VALID_NUMBERS, "+1 900 55", "+1900", "+44", "+1234567890", "", null, 7),
    action: fc.constantFrom(...ENTRY_ACTIONS, "deny", null),
    direction: fc.constantFrom(...ENTRY_DIRECTIONS, "in", null),
    reason: fc.constantFrom(...ENTRY_REASONS, "spite", null),
    note: fc.constantFrom("a note", "", "x".repeat(501), null, 5),
    expiresIn: fc.constantFrom("7d", "0m", null),
  },
  { requiredKeys: [] },
);

/** What a client might send as one entry of a create: repeated valid ones, near-misses and junk. */
export const entryInput: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: commonEntryInput, weight: 3 },
  { arbitrary: looseEntryInput, weight: 2 },
  { arbitrary: fc.anything(), weight: 1 },
);
