import { displayNumber, displayPrefix } from "@blocklist/core/display";
import type { EntryAction, EntryDirection, EntryMatch, EntryReason } from "@blocklist/core/fields";

// The words the UI uses for an entry's fields. Pure: the pages and the decision's wording share them.

export const MATCH_LABELS: Record<EntryMatch, string> = {
  number: "Number",
  prefix: "Prefix",
  withheld: "Withheld caller ID",
  any: "Every caller",
};

export const ACTION_LABELS: Record<EntryAction, string> = { block: "Block", allow: "Allow" };

export const DIRECTION_LABELS: Record<EntryDirection, string> = {
  inbound: "Inbound",
  outbound: "Outbound",
  both: "Both ways",
};

export const REASON_LABELS: Record<EntryReason, string> = {
  spam: "Spam",
  abuse: "Abuse",
  fraud: "Fraud",
  do_not_call: "Do not call",
  other: "Other",
};

/** A reason inside a sentence: "spam", "do not call". */
export const reasonInSentence = (reason: EntryReason): string => REASON_LABELS[reason].toLowerCase();

const regions = new Intl.DisplayNames(["en"], { type: "region" });

export interface MatchText {
  /** What the entry matches: `+1 415 555 2671`, `+1 900…`, "Withheld caller ID", "Every caller". */
  text: string;
  /** The number's country, for a number entry whose calling code tells one. */
  country?: string;
}

/** What an entry matches, as people read it. */
export function matchText(entry: { match: EntryMatch; value: string | null }): MatchText {
  if (entry.match === "number" && entry.value !== null) {
    const { text, country } = displayNumber(entry.value);
    return country === undefined ? { text } : { text, country: regions.of(country) ?? country };
  }
  if (entry.match === "prefix" && entry.value !== null) return { text: displayPrefix(entry.value) };
  return { text: MATCH_LABELS[entry.match] };
}
