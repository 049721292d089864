import { parsePhoneNumberFromString } from "libphonenumber-js/max";

// No real number comes near this; the guard keeps a hostile 20,000-character entry from reaching the parser.
export const MAX_PHONE_INPUT_LENGTH = 64;

// libphonenumber extracts a number from surrounding text ("+1 415 555 2671 abc" parses as valid) and reads
// vanity letters, full-width digits and extensions ("x12", "#12", ";ext=12"). We accept only a leading "+"
// followed by ASCII digits and the formatting characters people write: space, "-", ".", "(", ")" and "/"
// (as in the German "+49 30/123456"). Everything else — letters, tabs, control or non-ASCII characters,
// extension markers — makes the entry invalid rather than being silently dropped.
export const ALLOWED_PHONE_INPUT = /^\+[0-9 ()./-]+$/;

/** The formatting characters ALLOWED_PHONE_INPUT lets through; removing them leaves "+" and digits. */
export const PHONE_FORMATTING = /[ ()./-]/g;

/** The shape of an E.164 number: "+", a country code that does not start with 0, at most 15 digits. */
export const E164_PATTERN = /^\+[1-9]\d{1,14}$/;

/**
 * The E.164 form of an international phone number (`+1 (415) 555-2671` → `+14155552671`), or null when the
 * input is not a valid number with a leading "+" and no extension. Surrounding whitespace is ignored.
 */
export function normalizePhoneNumber(input: string): string | null {
  if (input.length > MAX_PHONE_INPUT_LENGTH) return null;
  const candidate = input.trim();
  if (!ALLOWED_PHONE_INPUT.test(candidate)) return null;
  const phoneNumber = parsePhoneNumberFromString(candidate);
  // "Possible" numbers such as +1234567890 have the right length but no real range behind them.
  if (!phoneNumber?.isValid() || phoneNumber.ext !== undefined) return null;
  return phoneNumber.number;
}

/** A shape check only: whether the value is written in E.164, not whether the number exists. */
export function isE164(value: string): boolean {
  return E164_PATTERN.test(value);
}
