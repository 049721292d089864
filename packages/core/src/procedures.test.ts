import { describe, expect, it } from "vitest";
import { splitPastedNumbers } from "./paste";
import {
  agentNumbersInputSchema,
  blockListPageInputSchema,
  checkInputSchema,
  searchDigits,
  signInInputSchema,
} from "./procedures";

describe("procedure inputs", () => {
  it("accept what the procedures need and refuse the rest", () => {
    expect(agentNumbersInputSchema.safeParse({ agentId: "agt_1", numbers: ["+14155552671"] }).success).toBe(
      true,
    );
    expect(agentNumbersInputSchema.safeParse({ agentId: "agt_1", numbers: [] }).success).toBe(false);
    expect(agentNumbersInputSchema.safeParse({ agentId: "", numbers: ["x"] }).success).toBe(false);

    expect(blockListPageInputSchema.parse({ agentId: "agt_1", limit: 50, search: "415" })).toEqual({
      agentId: "agt_1",
      limit: 50,
      search: "415",
    });
    for (const limit of [0, 10_001, 1.5]) {
      expect(blockListPageInputSchema.safeParse({ agentId: "agt_1", limit }).success).toBe(false);
    }
    expect(blockListPageInputSchema.safeParse({ agentId: "agt_1", search: "1".repeat(65) }).success).toBe(
      false,
    );

    expect(checkInputSchema.safeParse({ agentId: "agt_1", number: "+1 415 555 2671" }).success).toBe(true);
    expect(checkInputSchema.safeParse({ agentId: "agt_1", number: 14155552671 }).success).toBe(false);

    expect(signInInputSchema.parse({ apiKey: "  bl_abc  " })).toEqual({ apiKey: "bl_abc" });
    expect(signInInputSchema.safeParse({ apiKey: "   " }).success).toBe(false);
  });

  it("search by digits only", () => {
    expect(searchDigits("+1 (415)")).toBe("1415");
    expect(searchDigits("abc")).toBeUndefined();
    expect(searchDigits(undefined)).toBeUndefined();
  });

  it("split pasted text on lines, commas and semicolons but not inside a formatted number", () => {
    expect(splitPastedNumbers("+1 415 555 2671\n+44 20 7946 0958, +33 1 42 68 53 00;;\r\n  \nnope")).toEqual([
      "+1 415 555 2671",
      "+44 20 7946 0958",
      "+33 1 42 68 53 00",
      "nope",
    ]);
    expect(splitPastedNumbers(" \n , ")).toEqual([]);
  });
});
