import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isE164, normalizePhoneNumber } from "./phone";
import { anyPhoneInput } from "./test-arbitraries";

describe("normalizePhoneNumber", () => {
  it.each([
    ["+1 (415) 555-2671", "+14155552671"],
    ["+14155552671", "+14155552671"],
    ["+1-415-555-2671", "+14155552671"],
    ["+1.415.555.2671", "+14155552671"],
    ["+1 415 555 2671", "+14155552671"],
    ["+1 (415) 555 - 2671", "+14155552671"],
    ["+44 (0)20 7946 0958", "+442079460958"],
    ["+44 20 7946 0958", "+442079460958"],
    ["+49 30/123456", "+4930123456"],
    ["+33 1 42 68 53 00", "+33142685300"],
    ["  +14155552671  ", "+14155552671"],
    ["\t+1 415 555 2671\r\n", "+14155552671"],
  ])("accepts %j as %s", (input, e164) => {
    expect(normalizePhoneNumber(input)).toBe(e164);
  });

  it.each([
    ["well-formed but not a valid number", "+1234567890"],
    ["national number without +", "4155552671"],
    ["national number in brackets", "(415) 555-2671"],
    ["extension written ext.", "+14155552671 ext. 12"],
    ["extension written x", "+14155552671x12"],
    ["extension written #", "+14155552671#12"],
    ["extension in RFC 3966 form", "+1 415 555 2671;ext=12"],
    ["empty string", ""],
    ["only whitespace", "   "],
    ["a lone +", "+"],
    ["two plus signs", "++14155552671"],
    ["vanity letters", "+1-800-FLOWERS"],
    ["trailing text", "+1 415 555 2671 abc"],
    ["tel: URI", "tel:+14155552671"],
    ["too many digits", "+1 415 555 26710"],
    ["too few digits", "+1 415 555 267"],
    ["country code 0", "+0 415 555 2671"],
    ["full-width plus", "＋14155552671"],
    ["full-width digits", "+１４１５５５５２６７１"],
    ["Arabic-Indic digits", "+١٤١٥٥٥٥٢٦٧١"],
    ["a NUL character", "+14155552671\u0000"],
    ["a control character inside", "+1\u0007415 555 2671"],
    ["a tab inside", "+1\t415 555 2671"],
    ["a no-break space inside", "+1\u00a0415\u00a0555\u00a02671"],
    ["an en dash", "+1–415–555–2671"],
    ["square brackets", "+1 [415] 555 2671"],
    ["20,000 characters", "+1".padEnd(20_000, "4")],
  ])("rejects %s", (_case, input) => {
    expect(normalizePhoneNumber(input)).toBeNull();
  });

  it("returns E.164 that normalises to itself, for any input", () => {
    fc.assert(
      fc.property(anyPhoneInput, (input) => {
        const e164 = normalizePhoneNumber(input);
        if (e164 === null) return;
        expect(isE164(e164)).toBe(true);
        expect(normalizePhoneNumber(e164)).toBe(e164);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("isE164", () => {
  it.each(["+14155552671", "+442079460958", "+12", "+123456789012345"])("accepts %s", (value) => {
    expect(isE164(value)).toBe(true);
  });

  it.each([
    "",
    "+",
    "+1",
    "14155552671",
    "+04155552671",
    "+1234567890123456",
    "+1 415 555 2671",
    " +14155552671",
  ])("rejects %j", (value) => {
    expect(isE164(value)).toBe(false);
  });
});
