import { describe, expect, it } from "vitest";
import { callerOf, WITHHELD_CALLER_PLACEHOLDERS } from "./caller";

describe("callerOf", () => {
  it.each([
    ["+1 (415) 555-2671", "+14155552671"],
    ["+442079460958", "+442079460958"],
    ["  +33 1 42 68 53 00 ", "+33142685300"],
  ])("reads %j as the number %j", (number, e164) => {
    expect(callerOf(number)).toEqual({ e164 });
  });

  it.each([
    null,
    undefined,
    "",
    "   ",
    "anonymous",
    "Anonymous",
    " PRIVATE ",
    "Restricted",
    "unknown",
    "UNAVAILABLE",
    "not a number",
    "+1234567890",
    "14155552671",
    "+1 415 555 2671 x12",
    `+14155552671${" ".repeat(60)}`,
  ])("reads %j as withheld", (number) => {
    expect(callerOf(number)).toEqual({ e164: null });
  });

  it.each([
    ...WITHHELD_CALLER_PLACEHOLDERS,
    "+7 (378) 742-833",
    "+7.378.742.833",
    " +86 282 452 253 ",
    "+266 696 687",
    "+865-6696",
    "+256 2533",
  ])("reads the keypad placeholder %j as withheld", (number) => {
    expect(callerOf(number)).toEqual({ e164: null });
  });
});
