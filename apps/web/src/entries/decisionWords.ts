import type { CheckDirection, EntryAction, EntryMatch, EntryReason } from "@blocklist/core/fields";
import { dayInSentence } from "./time";
import { matchText, reasonInSentence } from "./words";

// "Check a number" in words: which entry decided and why. Pure, so every sentence is unit-tested.

export interface DecidingEntry {
  agentId: string | null;
  match: EntryMatch;
  value: string | null;
  action: EntryAction;
  reason: EntryReason | null;
}

/** The deciding entry's record in its list, once read: when and with which key it was added. */
export interface EntryRecord {
  createdAt: string;
  createdBy: { keyPrefix: string } | null;
}

export interface DecisionToWord {
  decision: { blocked: boolean; e164: string | null; entry: DecidingEntry | null };
  direction: CheckDirection;
  /** The organization of the agent checked: the owner of its organization-wide list. */
  orgName: string;
  record?: EntryRecord | undefined;
  now: Date;
  timeZone?: string | undefined;
}

export interface DecisionInWords {
  blocked: boolean;
  sentence: string;
}

/** "this agent's" or "Acme's": whose list holds the entry. */
const ownerOf = (entry: DecidingEntry, orgName: string) =>
  entry.agentId === null ? `${orgName}'s` : "this agent's";

/** What an entry matches, inside a sentence. */
function matchInSentence(entry: DecidingEntry): string {
  if (entry.match === "withheld") return "withheld caller ID";
  if (entry.match === "any") return "every caller";
  const { text } = matchText(entry);
  return entry.match === "prefix" ? `prefix ${text}` : text;
}

/** What the entry is, after its owner: "prefix +1 900…", "allow entry for +1 415 555 2671". */
function entryPhrase(entry: DecidingEntry): string {
  if (entry.action === "allow") return `allow entry for ${matchInSentence(entry)}`;
  return entry.match === "prefix" ? matchInSentence(entry) : `entry for ${matchInSentence(entry)}`;
}

const byKey = (record: EntryRecord | undefined) =>
  record?.createdBy ? `by ${record.createdBy.keyPrefix}…` : undefined;

export function describeDecision({
  decision,
  direction,
  orgName,
  record,
  now,
  timeZone,
}: DecisionToWord): DecisionInWords {
  const { entry, blocked } = decision;
  const day = record ? dayInSentence(new Date(record.createdAt), now, timeZone) : undefined;
  const reason = entry?.reason ? reasonInSentence(entry.reason) : undefined;

  if (direction === "outbound") {
    if (entry === null) {
      return {
        blocked,
        sentence: `This agent may call this number: no entry of this agent's list or ${orgName}'s forbids it`,
      };
    }
    const source = `${ownerOf(entry, orgName)} ${entryPhrase(entry)}`;
    if (!blocked) {
      const added = [byKey(record), day && `on ${day}`].filter(Boolean).join(" ");
      return {
        blocked,
        sentence: `This agent may call this number: allowed by ${source}${added ? `, added ${added}` : ""}`,
      };
    }
    const why = [reason, day && `since ${day}`].filter(Boolean).join(", ");
    const key = byKey(record);
    return {
      blocked,
      sentence: `This agent may not call this number${why ? ` (${why})` : ""} — ${source}${key ? `, added ${key}` : ""}`,
    };
  }

  if (entry === null) {
    const caller =
      decision.e164 === null
        ? "a withheld caller ID"
        : matchText({ match: "number", value: decision.e164 }).text;
    return {
      blocked,
      sentence: `Not blocked: no entry of this agent's list or ${orgName}'s matches ${caller}`,
    };
  }
  const added = [byKey(record), day && `on ${day}`].filter(Boolean).join(" ");
  const details = [reason, added && `added ${added}`].filter(Boolean).join(", ");
  return {
    blocked,
    sentence: `${blocked ? "Blocked" : "Allowed"} by ${ownerOf(entry, orgName)} ${entryPhrase(entry)}${details ? ` — ${details}` : ""}`,
  };
}
