import { describe, expect, it } from "vitest";
import { resolveAddition, resolveUpdate } from "./changes";
import { blockListAdditionSchema, entriesUpdateBodySchema } from "./schemas";

const now = new Date("2026-12-01T12:00:00.000Z");
const inADay = new Date("2026-12-02T12:00:00.000Z");
const uid = "usr_1";

const INVALID_AT = {
  path: "expiresAt",
  message: "expiresAt must be an ISO 8601 instant with a time zone, in the future, at most 10 years ahead",
};
const INVALID_IN = {
  path: "expiresIn",
  message: "expiresIn must be a duration from 1 minute to 10 years, such as 30m, 12h, 7d, 4w or P1DT12H",
};

const update = (body: object) =>
  resolveUpdate(entriesUpdateBodySchema.parse({ uid, id: "ent_1", ...body }), now);

describe("resolveUpdate", () => {
  it.each([
    [{}, {}],
    [{ reason: "spam" }, { reason: "spam" }],
    [
      { reason: null, note: null },
      { reason: null, note: null },
    ],
    [{ note: "" }, { note: null }],
    [{ expiresIn: "1d" }, { expiresAt: inADay }],
    [{ expiresAt: "2026-12-02T13:00:00+01:00" }, { expiresAt: inADay }],
    [{ expiresAt: null }, { expiresAt: null }],
    [{ expiresIn: null }, { expiresAt: null }],
    [{ expiresAt: null, expiresIn: "1d" }, { expiresAt: inADay }],
  ])("changes %j as %j", (body, changes) => {
    expect(update(body)).toEqual({ ok: true, value: changes });
  });

  it.each([
    [{ expiresAt: "2026-12-01T12:00:00Z" }, INVALID_AT],
    [{ expiresAt: "2026-12-02T12:00:00" }, INVALID_AT],
    [{ expiresIn: "0m" }, INVALID_IN],
    [{ expiresIn: "3651d", note: "kept?" }, INVALID_IN],
  ])("refuses %j", (body, issue) => {
    expect(update(body)).toEqual({ ok: false, issues: [issue] });
  });
});

describe("resolveAddition", () => {
  const addition = (body: object) =>
    resolveAddition(
      blockListAdditionSchema.parse({ uid, agentId: "agt_1", numbers: ["+14155552671"], ...body }),
      now,
    );

  it("gives no reason, note or expiry to a body without them", () => {
    expect(addition({})).toEqual({ ok: true, value: { reason: null, note: null, expiresAt: null } });
  });

  it("gives the body's reason, note and expiry", () => {
    expect(addition({ reason: "fraud", note: "scam", expiresIn: "P1D" })).toEqual({
      ok: true,
      value: { reason: "fraud", note: "scam", expiresAt: inADay },
    });
  });

  it("refuses an invalid expiry", () => {
    expect(addition({ expiresAt: "yesterday" })).toEqual({ ok: false, issues: [INVALID_AT] });
    expect(addition({ expiresIn: "1y" })).toEqual({ ok: false, issues: [INVALID_IN] });
  });
});
