import { describe, expect, it } from "vitest";
import { resolveExpiry } from "./expiry";

const now = new Date("2026-12-01T12:00:00.000Z");
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const TEN_YEARS = 3650 * DAY;
const after = (ms: number) => new Date(now.getTime() + ms);

describe("resolveExpiry", () => {
  it.each([
    [{}],
    [{ expiresAt: undefined, expiresIn: undefined }],
    [{ expiresAt: null }],
    [{ expiresIn: null }],
    [{ expiresAt: null, expiresIn: null }],
  ])("gives no expiry for %j", (input) => {
    expect(resolveExpiry(input, now)).toBeNull();
  });

  it.each([
    ["2026-12-01T12:00:00.001Z", after(1)],
    ["2026-12-02T12:00:00Z", after(DAY)],
    ["2026-12-01T13:00Z", after(60 * MINUTE)],
    // The same instant in other time zones.
    ["2026-12-01T14:30:00+01:00", after(90 * MINUTE)],
    ["2026-12-01T08:30:00-05:00", after(90 * MINUTE)],
    ["2026-12-01T13:30:00.123456+00:00", after(90 * MINUTE + 123)],
    // Exactly 10 years of 365 days ahead.
    [after(TEN_YEARS).toISOString(), after(TEN_YEARS)],
  ])("reads expiresAt %j", (expiresAt, expected) => {
    expect(resolveExpiry({ expiresAt }, now)).toEqual(expected);
  });

  it.each([
    now.toISOString(),
    "2026-12-01T11:59:59.999Z",
    after(TEN_YEARS + 1).toISOString(),
    // No time zone: which instant is meant cannot be known.
    "2026-12-02T12:00:00",
    "2026-12-02",
    "2026-12-02T12:00:00+0100",
    "2026-12-02T12:00:00+01",
    "2027-02-30T12:00:00Z",
    "2027-01-01T24:00:00Z",
    "2027-01-01 12:00:00Z",
    "tomorrow",
    "",
    ` ${after(DAY).toISOString()}`,
    `${after(DAY).toISOString().slice(0, -1)}${"0".repeat(60)}Z`,
    after(DAY).getTime(),
    true,
    {},
  ])("refuses expiresAt %j", (expiresAt) => {
    expect(resolveExpiry({ expiresAt }, now)).toBe("invalid");
  });

  it.each([
    ["1m", MINUTE],
    ["30m", 30 * MINUTE],
    ["12h", 12 * 60 * MINUTE],
    ["7d", 7 * DAY],
    ["4w", 28 * DAY],
    ["3650d", TEN_YEARS],
    ["521w", 521 * 7 * DAY],
    ["5256000m", TEN_YEARS],
    ["PT1M", MINUTE],
    ["PT12H", 12 * 60 * MINUTE],
    ["P7D", 7 * DAY],
    ["P1DT12H", DAY + 12 * 60 * MINUTE],
    ["P2W", 14 * DAY],
    ["P1W2DT3H4M", 9 * DAY + 3 * 60 * MINUTE + 4 * MINUTE],
    ["P3650D", TEN_YEARS],
  ])("reads expiresIn %j", (expiresIn, ms) => {
    expect(resolveExpiry({ expiresIn }, now)).toEqual(after(ms));
  });

  it.each([
    "0m",
    "PT0M",
    "P0D",
    "3651d",
    "P3650DT1M",
    "522w",
    "5256001m",
    "1s",
    "1y",
    "1M",
    "1.5h",
    "-1d",
    "+1d",
    " 1d",
    "1 d",
    "1D",
    "P",
    "PT",
    "P1DT",
    "P1Y",
    "P1M",
    "PT60S",
    "PT1.5H",
    "P1D2W",
    "pt1h",
    "",
    "9".repeat(100),
    `${"9".repeat(70)}m`,
    60,
    [],
  ])("refuses expiresIn %j", (expiresIn) => {
    expect(resolveExpiry({ expiresIn }, now)).toBe("invalid");
  });

  it("refuses both at once, even when each is valid", () => {
    expect(resolveExpiry({ expiresAt: after(DAY).toISOString(), expiresIn: "7d" }, now)).toBe("invalid");
  });
});
