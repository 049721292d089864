import type { NewEntry } from "@blocklist/core";

/** A new entry as insertEntries takes it: an inbound block of +14155552671 unless `fields` say otherwise. */
export function newEntry(fields: Partial<NewEntry> = {}): NewEntry {
  return {
    match: "number",
    value: "+14155552671",
    action: "block",
    direction: "inbound",
    reason: null,
    note: null,
    expiresAt: null,
    ...fields,
  };
}
