// The fields of an entry (../shared/SPEC-ENTRIES.md, "An entry") and the shapes every layer shares: the store,
// the check cache and the routes all speak these types.

export const ENTRY_MATCHES = ["number", "prefix", "withheld", "any"] as const;
export const ENTRY_ACTIONS = ["block", "allow"] as const;
export const ENTRY_DIRECTIONS = ["inbound", "outbound", "both"] as const;
export const ENTRY_REASONS = ["spam", "abuse", "fraud", "do_not_call", "other"] as const;
/** The interface a change came through. */
export const ENTRY_VIAS = ["rest", "trpc", "ui", "cli"] as const;
/** What happened to an entry, as its history records it. */
export const ENTRY_EVENT_TYPES = ["created", "updated", "removed", "expired"] as const;
/** The directions a check asks about; an entry's `both` matches either. */
export const CHECK_DIRECTIONS = ["inbound", "outbound"] as const;

export type EntryMatch = (typeof ENTRY_MATCHES)[number];
export type EntryAction = (typeof ENTRY_ACTIONS)[number];
export type EntryDirection = (typeof ENTRY_DIRECTIONS)[number];
export type EntryReason = (typeof ENTRY_REASONS)[number];
export type EntryVia = (typeof ENTRY_VIAS)[number];
export type EntryEventType = (typeof ENTRY_EVENT_TYPES)[number];
export type CheckDirection = (typeof CHECK_DIRECTIONS)[number];

export const MAX_NOTE_LENGTH = 500;
export const MAX_ENTRIES_PER_REQUEST = 10_000;

/** Why one entry of a create was not stored. The texts are part of the API contract. */
export const EntryFailureReason = {
  invalidNumber: "Invalid phone number format",
  invalidPrefix: "Invalid prefix",
  prefixTooBroad: "Prefix too broad",
  invalidExpiry: "Invalid expiry",
  invalidEntry: "Invalid entry",
  alreadyExists: "Entry already exists",
  duplicateInRequest: "Duplicate entry in request",
} as const;
export type EntryFailureReason = (typeof EntryFailureReason)[keyof typeof EntryFailureReason];

/** Why one id of a removal was not acted on. */
export const EntryRemovalFailureReason = {
  notFound: "Entry not found",
  duplicateInRequest: "Duplicate id in request",
} as const;
export type EntryRemovalFailureReason =
  (typeof EntryRemovalFailureReason)[keyof typeof EntryRemovalFailureReason];

/** A list: an agent's own (`agentId` set) or its organization's (`agentId` null). */
export interface EntryList {
  orgId: string;
  agentId: string | null;
}

/** What the decision needs of an entry; the check cache holds these. `expiresAt` in epoch milliseconds. */
export interface DecisionEntry {
  id: string;
  orgId: string;
  agentId: string | null;
  match: EntryMatch;
  value: string | null;
  action: EntryAction;
  direction: EntryDirection;
  reason: EntryReason | null;
  note: string | null;
  expiresAt: number | null;
}

/** A caller as the decision sees it: its E.164 number, or null when it has no usable number (withheld). */
export interface CheckedCaller {
  e164: string | null;
}

/** An entry of a create, checked and normalised, before the store is touched. */
export interface NewEntry {
  match: EntryMatch;
  /** E.164 for `number`, the normalised prefix for `prefix`, null otherwise. */
  value: string | null;
  action: EntryAction;
  direction: EntryDirection;
  reason: EntryReason | null;
  note: string | null;
  expiresAt: Date | null;
}

/** Who made a change: `keyPrefix` as `key list` shows it. `via` is null for rows made before entries existed. */
export interface EntryAuthor {
  userId: string;
  keyPrefix: string;
  via: EntryVia | null;
}

/** An entry as the API answers it (timestamps as ISO 8601 UTC). */
export interface Entry extends Omit<DecisionEntry, "expiresAt"> {
  expiresAt: string | null;
  createdAt: string;
  createdBy: EntryAuthor | null;
  hits: number;
  lastHitAt: string | null;
}

/** Who made a change that history records: the key's user and prefix at the time, and the interface. */
export interface EntryEventAuthor {
  userId: string;
  keyPrefix: string;
  via: EntryVia;
}

/**
 * One change of an entry (SPEC-ENTRIES, the `history` route): `entry` as it is after the change (as it was, for
 * `removed`); `at` is the entry's `expiresAt` for `expired`, whose `by` is null.
 */
export interface EntryEvent {
  id: string;
  at: string;
  type: EntryEventType;
  entry: Entry;
  by: EntryEventAuthor | null;
}
