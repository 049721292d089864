import { describe, expect, it } from "vitest";
import { displayNumber, displayPrefix } from "./display";

describe("what an entry matches, as people read it", () => {
  it("writes a number internationally, grouped by its country, with that country", () => {
    expect(["+14155552671", "+442079460958", "+33142685300", "+80012345678"].map(displayNumber)).toEqual([
      { text: "+1 415 555 2671", country: "US" },
      { text: "+44 20 7946 0958", country: "GB" },
      { text: "+33 1 42 68 53 00", country: "FR" },
      // A non-geographic calling code has no country.
      { text: "+800 1234 5678", country: undefined },
    ]);
  });

  it("shows a value that is not a number as it is", () => {
    expect(displayNumber("+1")).toEqual({ text: "+1", country: undefined });
  });

  it("sets a prefix's calling code apart and marks that more digits follow", () => {
    expect(["+1900", "+4470", "+35312", "+8004"].map(displayPrefix)).toEqual([
      "+1 900…",
      "+44 70…",
      "+353 12…",
      "+800 4…",
    ]);
  });
});
