import { normalizePhoneNumber } from "../phone";
import { resolveExpiry } from "./expiry";
import { EntryFailureReason, EntryRemovalFailureReason, type NewEntry } from "./fields";
import { normalizePrefix } from "./prefix";
import { entryInputSchema } from "./schemas";

/** An entry of a create, planned before the store is touched (cf. planNumbers). */
export type PlannedEntry = { index: number; input: unknown } & (
  | { kind: "invalid"; reason: EntryFailureReason }
  // An earlier entry of this request has the same key; the first one counts.
  | { kind: "duplicate" }
  | { kind: "distinct"; entry: NewEntry; key: string }
);

export interface EntryPlan {
  planned: PlannedEntry[];
  /** The entries to hand to the store, in the input order of their first occurrence. */
  distinct: NewEntry[];
}

/** An entry that was not created: its 0-based position, the entry exactly as sent, and why. */
export interface EntryCreateFailure {
  index: number;
  entry: unknown;
  reason: EntryFailureReason;
}

/** What makes two active entries of one list the same entry (SPEC-ENTRIES, "An entry"). */
export function entryKey(entry: Pick<NewEntry, "match" | "value" | "action" | "direction">): string {
  return JSON.stringify([entry.match, entry.value, entry.action, entry.direction]);
}

// A value that is null or "" counts as not given, as a missing one does.
function checkedValue(
  match: NewEntry["match"],
  value: string | null | undefined,
): { value: string | null } | { failure: EntryFailureReason } {
  const needsValue = match === "number" || match === "prefix";
  if (!value) return needsValue ? { failure: EntryFailureReason.invalidEntry } : { value: null };
  if (!needsValue) return { failure: EntryFailureReason.invalidEntry };
  if (match === "prefix") {
    const result = normalizePrefix(value);
    return "prefix" in result ? { value: result.prefix } : result;
  }
  const e164 = normalizePhoneNumber(value);
  return e164 === null ? { failure: EntryFailureReason.invalidNumber } : { value: e164 };
}

/**
 * One entry as sent, checked and normalised, or why it cannot be created. Defaults: action `block`, direction
 * `inbound` (`outbound` for a `do_not_call` reason), no reason, note or expiry. `match` has no default.
 */
export function planEntry(input: unknown, now: Date): NewEntry | EntryFailureReason {
  const shape = entryInputSchema.safeParse(input);
  if (!shape.success) return EntryFailureReason.invalidEntry;
  const { match, action, direction, reason = null, note = null } = shape.data;
  const checked = checkedValue(match, shape.data.value);
  if ("failure" in checked) return checked.failure;
  const expiresAt = resolveExpiry(shape.data, now);
  if (expiresAt === "invalid") return EntryFailureReason.invalidExpiry;
  return {
    match,
    value: checked.value,
    action: action ?? "block",
    // Someone who asked not to be called is protected from outbound calls unless told otherwise.
    direction: direction ?? (reason === "do_not_call" ? "outbound" : "inbound"),
    reason,
    note,
    expiresAt,
  };
}

/** Plans a create one input at a time (a file's rows as they are read), finding duplicates as planEntries does. */
export class EntryPlanner {
  readonly plan: EntryPlan = { planned: [], distinct: [] };
  readonly #seen = new Set<string>();

  constructor(readonly now: Date) {}

  /** `index` and `asSent` are what a failure reports (a CSV row: its line, and its cells as written). */
  add(input: unknown, index = this.plan.planned.length, asSent: unknown = input): void {
    const entry = planEntry(input, this.now);
    if (typeof entry === "string") {
      this.plan.planned.push({ index, input: asSent, kind: "invalid", reason: entry });
      return;
    }
    const key = entryKey(entry);
    if (this.#seen.has(key)) {
      this.plan.planned.push({ index, input: asSent, kind: "duplicate" });
      return;
    }
    this.#seen.add(key);
    this.plan.distinct.push(entry);
    this.plan.planned.push({ index, input: asSent, kind: "distinct", entry, key });
  }
}

/** Checks every input of a create and finds this request's duplicates, before the store is touched. */
export function planEntries(inputs: readonly unknown[], now: Date): EntryPlan {
  const planner = new EntryPlanner(now);
  for (const input of inputs) planner.add(input);
  return planner.plan;
}

/**
 * Every input once: in `created` (the stored entries, in input order) or in `failed` (as sent). `created` holds
 * what the store inserted, by entryKey; a distinct entry it lacks was already on the list.
 */
export function reportCreated<Created>(
  plan: Pick<EntryPlan, "planned">,
  created: ReadonlyMap<string, Created>,
): { created: Created[]; failed: EntryCreateFailure[] } {
  const done: Created[] = [];
  const failed: EntryCreateFailure[] = [];
  for (const planned of plan.planned) {
    const { index, input: entry } = planned;
    if (planned.kind === "invalid") failed.push({ index, entry, reason: planned.reason });
    else if (planned.kind === "duplicate")
      failed.push({ index, entry, reason: EntryFailureReason.duplicateInRequest });
    else {
      const stored = created.get(planned.key);
      if (stored === undefined) failed.push({ index, entry, reason: EntryFailureReason.alreadyExists });
      else done.push(stored);
    }
  }
  return { created: done, failed };
}

export type PlannedRemoval = { id: string; kind: "distinct" | "duplicate" };

export interface RemovalPlan {
  planned: PlannedRemoval[];
  /** The ids to hand to the store, in the input order of their first occurrence. */
  distinct: string[];
}

/** A removal's ids, the later copies of an id marked as duplicates. */
export function planRemoval(ids: readonly string[]): RemovalPlan {
  const seen = new Set<string>();
  const planned = ids.map((id): PlannedRemoval => {
    if (seen.has(id)) return { id, kind: "duplicate" };
    seen.add(id);
    return { id, kind: "distinct" };
  });
  return { planned, distinct: [...seen] };
}

/** Every id once: `removed` (input order) holds the ones the store deleted; the others were not found. */
export function reportRemovedEntries(
  plan: Pick<RemovalPlan, "planned">,
  removed: ReadonlySet<string>,
): { removed: string[]; failed: { id: string; reason: EntryRemovalFailureReason }[] } {
  const done: string[] = [];
  const failed: { id: string; reason: EntryRemovalFailureReason }[] = [];
  for (const { id, kind } of plan.planned) {
    if (kind === "duplicate") failed.push({ id, reason: EntryRemovalFailureReason.duplicateInRequest });
    else if (removed.has(id)) done.push(id);
    else failed.push({ id, reason: EntryRemovalFailureReason.notFound });
  }
  return { removed: done, failed };
}
