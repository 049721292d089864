import { MAX_PHONE_INPUT_LENGTH, normalizePhoneNumber, PHONE_FORMATTING } from "../phone";
import type { CheckedCaller } from "./fields";

/** What carriers and PBXs put where a hidden caller's number would be (SPEC-ENTRIES, "withheld"). */
export const WITHHELD_CALLER_WORDS: readonly string[] = [
  "anonymous",
  "private",
  "restricted",
  "unknown",
  "unavailable",
];

/**
 * ANONYMOUS, RESTRICTED, UNAVAILABLE, UNKNOWN and BLOCKED spelled on a keypad, as some carriers send them in
 * the From of a hidden call. None is a valid number by today's metadata, but they sit in real country codes
 * (+7 378… is a plausible Kazakh range), so they are named rather than left to a future metadata update.
 */
export const WITHHELD_CALLER_PLACEHOLDERS: readonly string[] = [
  "+266696687",
  "+7378742833",
  "+86282452253",
  "+8656696",
  "+2562533",
];

const WITHHELD_WORDS: ReadonlySet<string> = new Set(WITHHELD_CALLER_WORDS);
const PLACEHOLDERS: ReadonlySet<string> = new Set(WITHHELD_CALLER_PLACEHOLDERS);
const WITHHELD: CheckedCaller = Object.freeze({ e164: null });

/**
 * The caller as the decision sees it: its E.164 number, or withheld (`e164: null`) when there is no usable
 * number: none, an empty string, a word such as "Anonymous", a keypad placeholder however it is formatted,
 * or anything that is not a valid number.
 */
export function callerOf(number: string | null | undefined): CheckedCaller {
  if (number === null || number === undefined || number.length > MAX_PHONE_INPUT_LENGTH) return WITHHELD;
  // The words are not numbers either; naming them keeps the rule readable and skips the parser for them.
  const candidate = number.trim();
  if (WITHHELD_WORDS.has(candidate.toLowerCase())) return WITHHELD;
  if (PLACEHOLDERS.has(candidate.replace(PHONE_FORMATTING, ""))) return WITHHELD;
  const e164 = normalizePhoneNumber(candidate);
  return e164 === null ? WITHHELD : { e164 };
}
