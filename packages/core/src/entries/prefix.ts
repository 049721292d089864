import metadata from "libphonenumber-js/max/metadata";
import { ALLOWED_PHONE_INPUT, MAX_PHONE_INPUT_LENGTH, PHONE_FORMATTING } from "../phone";
import { EntryFailureReason } from "./fields";

/** The most digits an E.164 number has, so the most a prefix can have. */
export const MAX_PREFIX_DIGITS = 15;
/** A prefix must narrow its country calling code by this many digits: `+1900`, not `+1`. */
export const MIN_PREFIX_DIGITS_AFTER_CALLING_CODE = 2;

// Every calling code libphonenumber knows: the countries' (1, 44, 7…) and the non-geographic ones (800, 882…).
const CALLING_CODES: ReadonlySet<string> = new Set([
  ...Object.keys(metadata.country_calling_codes),
  ...Object.keys(metadata.nonGeographic),
]);
// Calling codes are prefix-free (ITU E.164), so at most one of these lengths matches a prefix's start.
const CALLING_CODE_LENGTHS = [...new Set([...CALLING_CODES].map((code) => code.length))].sort(
  (a, b) => a - b,
);
// Digits that begin a calling code without completing one (`+4`, `+35`) cover several countries at once.
const CALLING_CODE_BEGINNINGS: ReadonlySet<string> = new Set(
  [...CALLING_CODES].flatMap((code) =>
    Array.from({ length: code.length - 1 }, (_, end) => code.slice(0, end + 1)),
  ),
);

export type PrefixResult =
  | { prefix: string }
  | { failure: typeof EntryFailureReason.invalidPrefix | typeof EntryFailureReason.prefixTooBroad };

/** The country calling code a run of digits starts with (`1900…` → `1`), if it starts with one. */
export function callingCodeOf(digits: string): string | undefined {
  return CALLING_CODE_LENGTHS.map((length) => digits.slice(0, length)).find((code) =>
    CALLING_CODES.has(code),
  );
}

/**
 * The normalised form of a prefix entry (`+1 900` → `+1900`): "+" and digits, written with the same
 * formatting characters as a number, starting with a real country calling code and narrowing it by at least
 * two digits. Shorter ones, and digits that only begin a calling code, are too broad; anything else is invalid.
 */
export function normalizePrefix(input: string): PrefixResult {
  if (input.length > MAX_PHONE_INPUT_LENGTH) return { failure: EntryFailureReason.invalidPrefix };
  const candidate = input.trim();
  if (!ALLOWED_PHONE_INPUT.test(candidate)) return { failure: EntryFailureReason.invalidPrefix };
  const digits = candidate.slice(1).replace(PHONE_FORMATTING, "");
  if (digits.length === 0 || digits.length > MAX_PREFIX_DIGITS) {
    return { failure: EntryFailureReason.invalidPrefix };
  }
  const callingCode = callingCodeOf(digits);
  if (callingCode === undefined) {
    return {
      failure: CALLING_CODE_BEGINNINGS.has(digits)
        ? EntryFailureReason.prefixTooBroad
        : EntryFailureReason.invalidPrefix,
    };
  }
  if (digits.length < callingCode.length + MIN_PREFIX_DIGITS_AFTER_CALLING_CODE) {
    return { failure: EntryFailureReason.prefixTooBroad };
  }
  return { prefix: `+${digits}` };
}
