import { describe, expect, it } from "vitest";
import { numbersUnits, requestUnits } from "./cost";
import { MAX_NUMBERS_PER_REQUEST } from "./schemas";

describe("a request's cost in rate-limit units", () => {
  it("is 1 for a request without numbers, plus one per started hundred numbers", () => {
    expect([0, 1, 99, 100, 101, 200, 201, MAX_NUMBERS_PER_REQUEST].map(requestUnits)).toEqual([
      1, 2, 2, 2, 3, 3, 4, 101,
    ]);
    expect(numbersUnits(MAX_NUMBERS_PER_REQUEST)).toBe(100);
  });
});
