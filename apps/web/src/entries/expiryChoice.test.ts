import { resolveExpiry } from "@blocklist/core";
import { describe, expect, it } from "vitest";
import { EXPIRES_IN_CHOICES, expiryInput } from "./expiryChoice";

describe("an expiry as chosen in a form", () => {
  it("sends a duration as expiresIn, a date as the instant it names, and nothing or null for never", () => {
    const date = "2027-03-01T09:30";
    expect([
      expiryInput({ choice: "keep", date: "" }, null),
      expiryInput({ choice: "never", date: "" }, undefined),
      expiryInput({ choice: "never", date: "" }, null),
      expiryInput({ choice: "12h", date: "" }, undefined),
      expiryInput({ choice: "date", date }, undefined),
      expiryInput({ choice: "date", date: "" }, undefined),
    ]).toEqual([
      {},
      {},
      { expiresAt: null },
      { expiresIn: "12h" },
      { expiresAt: new Date(date).toISOString() },
      // Sent as it is: the service names the failure.
      { expiresAt: "" },
    ]);
  });

  it("offers only durations the service accepts", () => {
    const now = new Date();
    expect(
      EXPIRES_IN_CHOICES.map(([expiresIn]) => resolveExpiry({ expiresIn }, now) instanceof Date),
    ).toEqual(EXPIRES_IN_CHOICES.map(() => true));
  });
});
