import { type AddFailureReason, FailureReason, type RemoveFailureReason } from "./messages";
import { normalizePhoneNumber } from "./phone";
import type { NumberFailure } from "./schemas";

export type PlannedNumber =
  | { input: string; kind: "invalid" }
  // An earlier entry of this request is the same E.164 number; the first one counts.
  | { input: string; kind: "duplicate"; e164: string }
  // The first occurrence of its number: the one the store acts on.
  | { input: string; kind: "distinct"; e164: string };

export interface NumberPlan {
  entries: PlannedNumber[];
  /** E.164, in the input order of their first occurrence: what to hand to the store. */
  distinctNumbers: string[];
}

/** Normalises every input and finds the duplicates of this request, before the store is touched. */
export function planNumbers(inputs: readonly string[]): NumberPlan {
  const entries: PlannedNumber[] = [];
  const distinctNumbers: string[] = [];
  const seen = new Set<string>();
  for (const input of inputs) {
    const e164 = normalizePhoneNumber(input);
    if (e164 === null) {
      entries.push({ input, kind: "invalid" });
    } else if (seen.has(e164)) {
      entries.push({ input, kind: "duplicate", e164 });
    } else {
      seen.add(e164);
      distinctNumbers.push(e164);
      entries.push({ input, kind: "distinct", e164 });
    }
  }
  return { entries, distinctNumbers };
}

// Failures that add and remove share; the third reason depends on what the store did.
type RequestFailureReason = typeof FailureReason.invalidFormat | typeof FailureReason.duplicateInRequest;

// Every entry lands exactly once: in `done` (as E.164) or in `failed` (as sent), both in input order.
function reportOutcome<StoreReason extends FailureReason>(
  plan: NumberPlan,
  actedOn: Iterable<string>,
  notActedOnReason: StoreReason,
): { done: string[]; failed: NumberFailure<StoreReason | RequestFailureReason>[] } {
  const actedOnNumbers = new Set(actedOn);
  const done: string[] = [];
  const failed: NumberFailure<StoreReason | RequestFailureReason>[] = [];
  for (const entry of plan.entries) {
    if (entry.kind === "invalid") {
      failed.push({ number: entry.input, reason: FailureReason.invalidFormat });
    } else if (entry.kind === "duplicate") {
      failed.push({ number: entry.input, reason: FailureReason.duplicateInRequest });
    } else if (actedOnNumbers.has(entry.e164)) {
      done.push(entry.e164);
    } else {
      failed.push({ number: entry.input, reason: notActedOnReason });
    }
  }
  return { done, failed };
}

/** `inserted`: the numbers the store actually inserted; the other distinct numbers were already blocked. */
export function reportAdded(
  plan: NumberPlan,
  inserted: Iterable<string>,
): { added: string[]; failed: NumberFailure<AddFailureReason>[] } {
  const { done, failed } = reportOutcome(plan, inserted, FailureReason.alreadyBlocked);
  return { added: done, failed };
}

/** `deleted`: the numbers the store actually deleted; the other distinct numbers were not on the list. */
export function reportRemoved(
  plan: NumberPlan,
  deleted: Iterable<string>,
): { removed: string[]; failed: NumberFailure<RemoveFailureReason>[] } {
  const { done, failed } = reportOutcome(plan, deleted, FailureReason.notFound);
  return { removed: done, failed };
}
