import { describe, expect, it } from "vitest";
import { requestIdOf } from "./http";

describe("requestIdOf", () => {
  it("keeps short plain ids and replaces anything else", () => {
    expect(requestIdOf("0af7651916cd43dd8448eb211c80319c")).toBe("0af7651916cd43dd8448eb211c80319c");
    expect(requestIdOf(["first", "second"])).toBe("first");
    for (const unusable of ["", "a".repeat(129), "two words", 'quote"d', "line\nbreak"]) {
      expect(requestIdOf(unusable)).not.toBe(unusable);
    }
  });
});
