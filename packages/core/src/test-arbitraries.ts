// Shared fast-check arbitraries for the tests of this package; not exported from index.ts.
import fc from "fast-check";
import { parsePhoneNumber } from "libphonenumber-js/max";

/** Valid numbers of several countries, in E.164. */
export const VALID_NUMBERS = [
  "+14155552671",
  "+442079460958",
  "+33142685300",
  "+4930123456",
  "+81312345678",
  "+61293744000",
  "+919876543210",
  "+5511987654321",
] as const;

/** Ways a person writes one number; each keeps it the same number. */
export const PHONE_FORMATS: readonly ((e164: string) => string)[] = [
  (e164) => e164,
  (e164) => parsePhoneNumber(e164).formatInternational(),
  (e164) => parsePhoneNumber(e164).formatInternational().replaceAll(" ", "-"),
  (e164) => parsePhoneNumber(e164).formatInternational().replaceAll(" ", "."),
  (e164) => {
    const [countryCode, areaCode, ...rest] = parsePhoneNumber(e164).formatInternational().split(" ");
    return `${countryCode} (${areaCode}) ${rest.join("-")}`;
  },
  (e164) => `  ${e164}\n`,
];

export const validNumber = fc.constantFrom(...VALID_NUMBERS);
export const phoneFormat = fc.constantFrom(...PHONE_FORMATS);
export const formattedValidNumber = fc.tuple(validNumber, phoneFormat).map(([e164, format]) => format(e164));

/** Anything a caller might send as one entry: junk, near-misses, and real numbers in many formats. */
export const anyPhoneInput = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.stringMatching(/^\+[0-9 ()./-]{1,20}$/),
  formattedValidNumber,
);
