import { describe, expect, it } from "vitest";
import { dayInSentence, exactTime, relativeTime } from "./time";

const now = new Date("2026-12-01T12:00:00Z");
const later = (ms: number) => new Date(now.getTime() + ms);
const HOUR = 3600_000;

describe("times in the UI", () => {
  it("says how far an instant is, in the largest unit that fits", () => {
    expect(
      [
        3 * HOUR,
        3 * HOUR + 20 * 60_000,
        30 * 60_000,
        24 * HOUR,
        10 * 24 * HOUR,
        400 * 24 * HOUR,
        -5 * 60_000,
        -24 * HOUR,
        0,
      ].map((ms) => relativeTime(later(ms), now)),
    ).toEqual([
      "in 3 hours",
      "in 3 hours",
      "in 30 minutes",
      "tomorrow",
      "next week",
      "next year",
      "5 minutes ago",
      "yesterday",
      "now",
    ]);
  });

  it("gives the exact instant with its time zone", () => {
    expect(exactTime(new Date("2026-12-01T14:30:00Z"), "UTC")).toBe("Tue, 1 Dec 2026, 14:30 UTC");
  });

  it("names a day in a sentence, with its year only when it is another year's", () => {
    expect([
      dayInSentence(new Date("2026-12-01T09:00:00Z"), now, "UTC"),
      dayInSentence(new Date("2025-11-30T09:00:00Z"), now, "UTC"),
    ]).toEqual(["1 Dec", "30 Nov 2025"]);
  });
});
