import type { ParseResult } from "../parse";
import type { RequestIssue } from "../schemas";
import { resolveExpiry } from "./expiry";
import type { EntryReason } from "./fields";

// The fields a change (PATCH, entries.update) and the published POST carry beside the entry itself, already
// typed by their schema; what is left to judge is the expiry, which needs the clock.

export const INVALID_EXPIRES_AT_ISSUE: RequestIssue = {
  path: "expiresAt",
  message: "expiresAt must be an ISO 8601 instant with a time zone, in the future, at most 10 years ahead",
};
export const INVALID_EXPIRES_IN_ISSUE: RequestIssue = {
  path: "expiresIn",
  message: "expiresIn must be a duration from 1 minute to 10 years, such as 30m, 12h, 7d, 4w or P1DT12H",
};

interface EntryExtras {
  reason?: EntryReason | null;
  note?: string | null;
  expiresAt?: string | null;
  expiresIn?: string | null;
}

/** What a change sets; a field it lacks stays as it is, null clears it. */
export interface EntryChanges {
  reason?: EntryReason | null;
  note?: string | null;
  expiresAt?: Date | null;
}

/** The reason, note and expiry the published POST gives every number it adds. */
export interface AdditionExtras {
  reason: EntryReason | null;
  note: string | null;
  expiresAt: Date | null;
}

function expiryOf(extras: EntryExtras, now: Date): ParseResult<Date | null> {
  const expiresAt = resolveExpiry(extras, now);
  if (expiresAt !== "invalid") return { ok: true, value: expiresAt };
  // Both at once never reaches here: the schemas refuse it with an issue of their own.
  return {
    ok: false,
    issues: [extras.expiresIn == null ? INVALID_EXPIRES_AT_ISSUE : INVALID_EXPIRES_IN_ISSUE],
  };
}

/** A parsed change (entriesUpdateBodySchema) as the fields to set, or the issue of its invalid expiry. */
export function resolveUpdate(update: EntryExtras, now: Date): ParseResult<EntryChanges> {
  const changes: EntryChanges = {};
  if (update.reason !== undefined) changes.reason = update.reason;
  if (update.note !== undefined) changes.note = update.note;
  if (update.expiresAt !== undefined || update.expiresIn !== undefined) {
    const expiresAt = expiryOf(update, now);
    if (!expiresAt.ok) return expiresAt;
    changes.expiresAt = expiresAt.value;
  }
  return { ok: true, value: changes };
}

/** The published POST's extras (blockListAdditionSchema), or the issue of its invalid expiry. */
export function resolveAddition(addition: EntryExtras, now: Date): ParseResult<AdditionExtras> {
  const expiresAt = expiryOf(addition, now);
  if (!expiresAt.ok) return expiresAt;
  return {
    ok: true,
    value: { reason: addition.reason ?? null, note: addition.note ?? null, expiresAt: expiresAt.value },
  };
}
