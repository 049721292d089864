import { describe, expect, it } from "vitest";
import { MAX_REPORTED_ENTRY_ISSUES, parseBlockListMutation, parseBlockListQuery } from "./parse";

const uid = "user_1";
const agentId = "agent_1";

describe("parseBlockListMutation", () => {
  it.each([
    ["an array", []],
    ["null", null],
    ["a string", "+14155552671"],
    ["a number", 42],
  ])("refuses a body that is %s", (_case, body) => {
    expect(parseBlockListMutation(body)).toEqual({
      ok: false,
      issues: [{ path: "", message: "Body must be a JSON object" }],
    });
  });

  it("names every missing field", () => {
    expect(parseBlockListMutation({})).toEqual({
      ok: false,
      issues: [
        { path: "uid", message: "uid is required" },
        { path: "agentId", message: "agentId is required" },
        { path: "numbers", message: "numbers is required" },
      ],
    });
  });

  it.each([
    ["uid missing", { agentId, numbers: ["+14155552671"] }, "uid", "uid is required"],
    ["uid empty", { uid: "", agentId, numbers: ["+14155552671"] }, "uid", "uid must not be empty"],
    ["uid not a string", { uid: 7, agentId, numbers: ["+14155552671"] }, "uid", "uid must be a string"],
    ["agentId missing", { uid, numbers: ["+14155552671"] }, "agentId", "agentId is required"],
    ["agentId empty", { uid, agentId: "", numbers: ["+1"] }, "agentId", "agentId must not be empty"],
    ["agentId null", { uid, agentId: null, numbers: ["+1"] }, "agentId", "agentId must be a string"],
    ["numbers missing", { uid, agentId }, "numbers", "numbers is required"],
    [
      "numbers a string",
      { uid, agentId, numbers: "+14155552671" },
      "numbers",
      "numbers must be an array of strings",
    ],
    [
      "numbers an object",
      { uid, agentId, numbers: { 0: "+1" } },
      "numbers",
      "numbers must be an array of strings",
    ],
    ["numbers null", { uid, agentId, numbers: null }, "numbers", "numbers must be an array of strings"],
    ["numbers empty", { uid, agentId, numbers: [] }, "numbers", "numbers must contain at least 1 entry"],
    [
      "numbers with 10,001 entries",
      { uid, agentId, numbers: Array<string>(10_001).fill("+14155552671") },
      "numbers",
      "numbers must contain at most 10000 entries",
    ],
    [
      "a number entry",
      { uid, agentId, numbers: ["+14155552671", 14155552671] },
      "numbers.1",
      "each number must be a string",
    ],
    ["a null entry", { uid, agentId, numbers: [null] }, "numbers.0", "each number must be a string"],
  ])("refuses a body with %s", (_case, body, path, message) => {
    expect(parseBlockListMutation(body)).toEqual({ ok: false, issues: [{ path, message }] });
  });

  it(`reports whole fields first and at most ${MAX_REPORTED_ENTRY_ISSUES} bad entries`, () => {
    const numbers = Array<number>(10_000).fill(1);
    expect(parseBlockListMutation({ uid: "", agentId, numbers })).toEqual({
      ok: false,
      issues: [
        { path: "uid", message: "uid must not be empty" },
        ...Array.from({ length: MAX_REPORTED_ENTRY_ISSUES }, (_, index) => ({
          path: `numbers.${index}`,
          message: "each number must be a string",
        })),
      ],
    });
  });

  it("reports only the size of an oversized list, not its entries", () => {
    const numbers = Array<number>(10_001).fill(1);
    expect(parseBlockListMutation({ uid, agentId, numbers })).toEqual({
      ok: false,
      issues: [{ path: "numbers", message: "numbers must contain at most 10000 entries" }],
    });
  });

  it("accepts one number, keeping entries as sent and dropping unknown keys", () => {
    expect(parseBlockListMutation({ uid, agentId, numbers: [" not checked here "], extra: true })).toEqual({
      ok: true,
      value: { uid, agentId, numbers: [" not checked here "] },
    });
  });

  it("accepts 10,000 numbers", () => {
    const numbers = Array.from({ length: 10_000 }, (_, i) => `+1415555${String(i).padStart(4, "0")}`);
    expect(parseBlockListMutation({ uid, agentId, numbers })).toEqual({
      ok: true,
      value: { uid, agentId, numbers },
    });
  });
});

describe("parseBlockListQuery", () => {
  it("accepts uid and agentId alone", () => {
    expect(parseBlockListQuery(new URLSearchParams({ uid, agentId }))).toEqual({
      ok: true,
      value: { uid, agentId },
    });
  });

  it("accepts a page limit and cursor, ignoring unknown parameters", () => {
    expect(
      parseBlockListQuery(new URLSearchParams({ uid, agentId, limit: "50", cursor: "abc", q: "x" })),
    ).toEqual({
      ok: true,
      value: { uid, agentId, limit: 50, cursor: "abc" },
    });
  });

  it.each([
    ["1", 1],
    ["10000", 10_000],
    ["007", 7],
  ])("reads limit %j as %d", (limit, expected) => {
    expect(parseBlockListQuery({ uid, agentId, limit })).toEqual({
      ok: true,
      value: { uid, agentId, limit: expected },
    });
  });

  it("reads a parameter given twice by its first value", () => {
    expect(parseBlockListQuery(new URLSearchParams("uid=first&uid=second&agentId=a"))).toEqual({
      ok: true,
      value: { uid: "first", agentId: "a" },
    });
  });

  it("names both missing ids", () => {
    expect(parseBlockListQuery(new URLSearchParams())).toEqual({
      ok: false,
      issues: [
        { path: "uid", message: "uid is required" },
        { path: "agentId", message: "agentId is required" },
      ],
    });
  });

  it.each([
    ["uid missing", "agentId=a", "uid", "uid is required"],
    ["uid empty", "uid=&agentId=a", "uid", "uid must not be empty"],
    ["agentId missing", "uid=u", "agentId", "agentId is required"],
    ["agentId empty", "uid=u&agentId=", "agentId", "agentId must not be empty"],
    ["cursor empty", "uid=u&agentId=a&cursor=", "cursor", "cursor must not be empty"],
  ])("refuses a query with %s", (_case, query, path, message) => {
    expect(parseBlockListQuery(new URLSearchParams(query))).toEqual({
      ok: false,
      issues: [{ path, message }],
    });
  });

  it.each(["abc", "0", "1.5", "10001", " 5", "5 ", "-1", "+5", "1e3", "0x10", "", "99999999999999999999999"])(
    "refuses limit %j",
    (limit) => {
      expect(parseBlockListQuery({ uid, agentId, limit })).toEqual({
        ok: false,
        issues: [{ path: "limit", message: "limit must be a whole number from 1 to 10000" }],
      });
    },
  );
});
