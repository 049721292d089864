import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { callingCodeOf } from "./prefix";

// How people read what an entry matches. No zod here: the web UI imports this module in the browser
// (`@blocklist/core/display`).

export interface DisplayedNumber {
  /** International format, grouped as the country writes it: `+1 415 555 2671`. */
  text: string;
  /** The number's country or territory (ISO 3166-1 alpha-2, `US`), when its calling code tells one. */
  country: string | undefined;
}

/** An E.164 number as people write it, with its country; a value that does not parse is shown as it is. */
export function displayNumber(e164: string): DisplayedNumber {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return { text: e164, country: undefined };
  return { text: parsed.formatInternational(), country: parsed.country };
}

/** A stored prefix (`+1900`) as people write it: the calling code apart, then "…" for what may follow. */
export function displayPrefix(prefix: string): string {
  const digits = prefix.replace(/^\+/, "");
  const callingCode = callingCodeOf(digits);
  if (callingCode === undefined) return `+${digits}…`;
  return `+${callingCode} ${digits.slice(callingCode.length)}…`;
}
