import { describe, expect, it } from "vitest";
import { type IdPrefix, isWellFormedId, newId } from "./ids";
import { impossibleIdsLike } from "./testing/fixtures";

const PREFIXES: IdPrefix[] = ["usr", "org", "agt", "key"];

describe("isWellFormedId", () => {
  it("accepts every id newId makes, for its own prefix only", () => {
    for (const prefix of PREFIXES) {
      for (let i = 0; i < 200; i++) {
        const id = newId(prefix);
        expect(PREFIXES.filter((other) => isWellFormedId(other, id))).toEqual([prefix]);
      }
    }
  });

  it.each(impossibleIdsLike(newId("agt")))("refuses an agent id with %s", (_label, id) => {
    expect(isWellFormedId("agt", id)).toBe(false);
  });
});
