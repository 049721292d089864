import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizePrefix } from "./prefix";

const tooBroad = { failure: "Prefix too broad" };
const invalid = { failure: "Invalid prefix" };

describe("normalizePrefix", () => {
  it.each([
    ["+1900", "+1900"],
    ["+4470", "+4470"],
    ["+1 (900) 55", "+190055"],
    ["+44-20.79/46", "+44207946"],
    ["  +33 12  ", "+3312"],
    // Non-geographic calling codes: freephone, international networks.
    ["+800 12", "+80012"],
    ["+882 13", "+88213"],
    ["+979 12", "+97912"],
    // 15 digits, a whole E.164 number.
    ["+123456789012345", "+123456789012345"],
  ])("normalises %j to %j", (input, prefix) => {
    expect(normalizePrefix(input)).toEqual({ prefix });
  });

  it.each([
    "+1",
    "+19",
    "+44",
    "+449",
    "+44 9",
    "+800",
    "+8001",
    // Only the beginning of a calling code (+351…+359, +4x): several countries at once.
    "+4",
    "+35",
    "+8",
  ])("refuses %j as too broad", (input) => {
    expect(normalizePrefix(input)).toEqual(tooBroad);
  });

  it.each([
    "",
    "+",
    "+ ()",
    "1900",
    "+0123",
    // No calling code starts with 28 or 42 followed by 2; +99 is reserved.
    "+2800",
    "+42200",
    "+99900",
    "+1900x",
    "+1 900 ext 1",
    "+1\t900",
    "+１９００",
    "++1900",
    "+1234567890123456",
    `+1900${" ".repeat(60)}`,
  ])("refuses %j as invalid", (input) => {
    expect(normalizePrefix(input)).toEqual(invalid);
  });

  it("gives a normalised prefix back unchanged", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\+[0-9 ()./-]{1,20}$/), (input) => {
        const result = normalizePrefix(input);
        if ("prefix" in result) expect(normalizePrefix(result.prefix)).toEqual(result);
      }),
    );
  });
});
