import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FailureReason } from "./messages";
import { normalizePhoneNumber } from "./phone";
import { planNumbers, reportAdded, reportRemoved } from "./plan";
import { anyPhoneInput, phoneFormat, validNumber } from "./test-arbitraries";

const sampleInputs = [
  "+1 (415) 555-2671",
  "not a number",
  "+44 20 7946 0958",
  "+14155552671",
  "+33 1 42 68 53 00",
  "+1234567890",
  "+44 (0)20 7946 0958",
];

describe("planNumbers", () => {
  it("normalises each input and marks later forms of a number as duplicates", () => {
    expect(planNumbers(sampleInputs)).toEqual({
      entries: [
        { input: "+1 (415) 555-2671", kind: "distinct", e164: "+14155552671" },
        { input: "not a number", kind: "invalid" },
        { input: "+44 20 7946 0958", kind: "distinct", e164: "+442079460958" },
        { input: "+14155552671", kind: "duplicate", e164: "+14155552671" },
        { input: "+33 1 42 68 53 00", kind: "distinct", e164: "+33142685300" },
        { input: "+1234567890", kind: "invalid" },
        { input: "+44 (0)20 7946 0958", kind: "duplicate", e164: "+442079460958" },
      ],
      distinctNumbers: ["+14155552671", "+442079460958", "+33142685300"],
    });
  });

  it("plans nothing for no input", () => {
    expect(planNumbers([])).toEqual({ entries: [], distinctNumbers: [] });
  });

  it("judges duplicates after normalisation, whatever the two formats", () => {
    fc.assert(
      fc.property(validNumber, phoneFormat, phoneFormat, (e164, firstFormat, secondFormat) => {
        const first = firstFormat(e164);
        const second = secondFormat(e164);
        expect(planNumbers([first, second])).toEqual({
          entries: [
            { input: first, kind: "distinct", e164 },
            { input: second, kind: "duplicate", e164 },
          ],
          distinctNumbers: [e164],
        });
      }),
    );
  });

  it("handles the largest request of 10,000 entries", () => {
    const inputs = Array.from(
      { length: 10_000 },
      (_, i) => `+1 415 555 ${String(i % 5_000).padStart(4, "0")}`,
    );
    const plan = planNumbers(inputs);
    expect(plan.distinctNumbers).toEqual(
      Array.from({ length: 5_000 }, (_, i) => `+1415555${String(i).padStart(4, "0")}`),
    );
    expect(plan.entries.map((entry) => entry.kind)).toEqual([
      ...Array<string>(5_000).fill("distinct"),
      ...Array<string>(5_000).fill("duplicate"),
    ]);
  });
});

describe("reportAdded", () => {
  it("reports each input once: added, already blocked, duplicate or invalid", () => {
    const plan = planNumbers(sampleInputs);
    expect(reportAdded(plan, ["+14155552671", "+33142685300"])).toEqual({
      added: ["+14155552671", "+33142685300"],
      failed: [
        { number: "not a number", reason: FailureReason.invalidFormat },
        { number: "+44 20 7946 0958", reason: FailureReason.alreadyBlocked },
        { number: "+14155552671", reason: FailureReason.duplicateInRequest },
        { number: "+1234567890", reason: FailureReason.invalidFormat },
        { number: "+44 (0)20 7946 0958", reason: FailureReason.duplicateInRequest },
      ],
    });
  });

  it("reports every number as already blocked when nothing was inserted", () => {
    const plan = planNumbers(["+14155552671", "+1 415 555 2671"]);
    expect(reportAdded(plan, [])).toEqual({
      added: [],
      failed: [
        { number: "+14155552671", reason: FailureReason.alreadyBlocked },
        { number: "+1 415 555 2671", reason: FailureReason.duplicateInRequest },
      ],
    });
  });
});

describe("reportRemoved", () => {
  it("reports each input once: removed, not found, duplicate or invalid", () => {
    const plan = planNumbers(sampleInputs);
    expect(reportRemoved(plan, new Set(["+442079460958"]))).toEqual({
      removed: ["+442079460958"],
      failed: [
        { number: "+1 (415) 555-2671", reason: FailureReason.notFound },
        { number: "not a number", reason: FailureReason.invalidFormat },
        { number: "+14155552671", reason: FailureReason.duplicateInRequest },
        { number: "+33 1 42 68 53 00", reason: FailureReason.notFound },
        { number: "+1234567890", reason: FailureReason.invalidFormat },
        { number: "+44 (0)20 7946 0958", reason: FailureReason.duplicateInRequest },
      ],
    });
  });
});

// An independent, deliberately naive account of the report: what must happen to each input, in input order.
function expectedReport(inputs: readonly string[], actedOn: readonly string[], missReason: FailureReason) {
  const normalized = inputs.map(normalizePhoneNumber);
  const done: string[] = [];
  const failed: { number: string; reason: FailureReason }[] = [];
  inputs.forEach((input, index) => {
    const e164 = normalized[index] ?? null;
    if (e164 === null) failed.push({ number: input, reason: FailureReason.invalidFormat });
    else if (normalized.indexOf(e164) < index) {
      failed.push({ number: input, reason: FailureReason.duplicateInRequest });
    } else if (actedOn.includes(e164)) done.push(e164);
    else failed.push({ number: input, reason: missReason });
  });
  return { done, failed };
}

describe("every input is reported exactly once, in order", () => {
  // Real numbers repeat often enough to make duplicates, and junk sits between them.
  const requestInputs = fc.array(fc.oneof(anyPhoneInput, validNumber), { maxLength: 40 });
  // Which of the distinct numbers the store acted on: any subset.
  const storeActsOn = fc.func<[string], boolean>(fc.boolean());

  it("by reportAdded, whichever numbers were inserted", () => {
    fc.assert(
      fc.property(requestInputs, storeActsOn, (inputs, wasInserted) => {
        const plan = planNumbers(inputs);
        const inserted = plan.distinctNumbers.filter((e164) => wasInserted(e164));
        const { done, failed } = expectedReport(inputs, inserted, FailureReason.alreadyBlocked);
        expect(reportAdded(plan, inserted)).toEqual({ added: done, failed });
        expect(done.length + failed.length).toBe(inputs.length);
      }),
      { numRuns: 500 },
    );
  });

  it("by reportRemoved, whichever numbers were deleted", () => {
    fc.assert(
      fc.property(requestInputs, storeActsOn, (inputs, wasDeleted) => {
        const plan = planNumbers(inputs);
        const deleted = plan.distinctNumbers.filter((e164) => wasDeleted(e164));
        const { done, failed } = expectedReport(inputs, deleted, FailureReason.notFound);
        expect(reportRemoved(plan, deleted)).toEqual({ removed: done, failed });
        expect(done.length + failed.length).toBe(inputs.length);
      }),
      { numRuns: 500 },
    );
  });
});
