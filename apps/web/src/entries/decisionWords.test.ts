import { describe, expect, it } from "vitest";
import { type DecidingEntry, type DecisionToWord, describeDecision } from "./decisionWords";

const now = new Date("2026-12-03T12:00:00Z");
const record = { createdAt: "2026-12-01T09:30:00Z", createdBy: { keyPrefix: "bl_4jVx" } };
const orgPrefix: DecidingEntry = {
  agentId: null,
  match: "prefix",
  value: "+1900",
  action: "block",
  reason: "spam",
};
const agentAllow: DecidingEntry = {
  agentId: "agt_1",
  match: "number",
  value: "+14155552671",
  action: "allow",
  reason: null,
};

const words = (input: Partial<DecisionToWord> & Pick<DecisionToWord, "decision">) =>
  describeDecision({ direction: "inbound", orgName: "Acme", now, timeZone: "UTC", ...input });

describe("a decision in words", () => {
  it("names the list, the entry, its reason, its key and its day", () => {
    expect(words({ decision: { blocked: true, e164: "+19005550100", entry: orgPrefix }, record })).toEqual({
      blocked: true,
      sentence: "Blocked by Acme's prefix +1 900… — spam, added by bl_4jVx… on 1 Dec",
    });
  });

  it("says only what it knows before the entry's record is read, and when its key is gone", () => {
    const decision = { blocked: true, e164: "+19005550100", entry: orgPrefix };
    expect([
      words({ decision }).sentence,
      words({ decision, record: { createdAt: record.createdAt, createdBy: null } }).sentence,
    ]).toEqual([
      "Blocked by Acme's prefix +1 900… — spam",
      "Blocked by Acme's prefix +1 900… — spam, added on 1 Dec",
    ]);
  });

  it("says which allow entry let a caller through", () => {
    expect(words({ decision: { blocked: false, e164: "+14155552671", entry: agentAllow } }).sentence).toBe(
      "Allowed by this agent's allow entry for +1 415 555 2671",
    );
  });

  it("words withheld and every-caller entries, and callers no entry matches", () => {
    const withheld: DecidingEntry = {
      agentId: "agt_1",
      match: "withheld",
      value: null,
      action: "block",
      reason: null,
    };
    const everyone: DecidingEntry = {
      agentId: null,
      match: "any",
      value: null,
      action: "block",
      reason: "other",
    };
    const allowWithheld: DecidingEntry = { ...withheld, action: "allow" };
    expect([
      words({ decision: { blocked: true, e164: null, entry: withheld } }).sentence,
      words({ decision: { blocked: true, e164: "+33142685300", entry: everyone } }).sentence,
      words({ decision: { blocked: false, e164: null, entry: allowWithheld } }).sentence,
      words({ decision: { blocked: false, e164: "+33142685300", entry: null } }).sentence,
      words({ decision: { blocked: false, e164: null, entry: null } }).sentence,
    ]).toEqual([
      "Blocked by this agent's entry for withheld caller ID",
      "Blocked by Acme's entry for every caller — other",
      "Allowed by this agent's allow entry for withheld caller ID",
      "Not blocked: no entry of this agent's list or Acme's matches +33 1 42 68 53 00",
      "Not blocked: no entry of this agent's list or Acme's matches a withheld caller ID",
    ]);
  });

  it("answers an outbound check as whether the agent may call", () => {
    const doNotCall: DecidingEntry = { ...agentAllow, action: "block", reason: "do_not_call" };
    expect([
      words({
        direction: "outbound",
        decision: { blocked: true, e164: "+14155552671", entry: doNotCall },
        record,
      }).sentence,
      words({
        direction: "outbound",
        decision: { blocked: true, e164: "+14155552671", entry: { ...doNotCall, reason: null } },
      }).sentence,
      words({
        direction: "outbound",
        decision: { blocked: false, e164: "+14155552671", entry: agentAllow },
        record,
      }).sentence,
      words({ direction: "outbound", decision: { blocked: false, e164: "+14155552671", entry: null } })
        .sentence,
    ]).toEqual([
      "This agent may not call this number (do not call, since 1 Dec) — this agent's entry for +1 415 555 2671, added by bl_4jVx…",
      "This agent may not call this number — this agent's entry for +1 415 555 2671",
      "This agent may call this number: allowed by this agent's allow entry for +1 415 555 2671, added by bl_4jVx… on 1 Dec",
      "This agent may call this number: no entry of this agent's list or Acme's forbids it",
    ]);
  });

  it("gives the year of an entry added in another year", () => {
    const old = { ...record, createdAt: "2025-06-09T10:00:00Z" };
    expect(
      words({ decision: { blocked: true, e164: "+19005550100", entry: orgPrefix }, record: old }).sentence,
    ).toBe("Blocked by Acme's prefix +1 900… — spam, added by bl_4jVx… on 9 Jun 2025");
  });
});
