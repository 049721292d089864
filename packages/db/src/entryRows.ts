// What every query of the entries table shares: which rows are active, how a list is named in a WHERE, and how a
// row becomes the API's Entry or the decision's DecisionEntry. Rows are read through the client's pg pool, as
// plain objects: timestamps arrive as Date, bigints as text.
import type { DecisionEntry, Entry, EntryList } from "@blocklist/core";

/** Active: not recorded as expired and not past its expiry. The clock decides, not the sweeper. */
export function activeRow(alias: string): string {
  return `NOT ${alias}.expired AND (${alias}.expires_at IS NULL OR ${alias}.expires_at > now())`;
}

/** activeRow of alias `e`. */
export const ACTIVE = activeRow("e");

/** SQL writing an instant as Date.prototype.toISOString does (UTC, milliseconds, `Z`), whatever the session's zone. */
export function isoInstant(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** The list's rows (alias `e`): an agent's own list, or the organization's (agent_id NULL). */
export function listWhere(list: EntryList, values: unknown[]): string {
  values.push(list.orgId);
  const org = `e.org_id = $${values.length}`;
  if (list.agentId === null) return `${org} AND e.agent_id IS NULL`;
  values.push(list.agentId);
  return `${org} AND e.agent_id = $${values.length}`;
}

/** The columns of a DecisionEntry, of alias `e`. */
export const DECISION_COLUMNS =
  "e.id, e.org_id, e.agent_id, e.match, e.value, e.action, e.direction, e.reason, e.note, e.expires_at";

/** The columns of an Entry, of alias `e` joined to its key as `k` (LEFT JOIN api_keys k ON k.id = e.created_by_key_id). */
export const ENTRY_COLUMNS = `${DECISION_COLUMNS}, e.created_at, e.created_via, e.hits::text AS hits, e.last_hit_at,
  k.user_id AS created_by_user_id, k.prefix AS created_by_key_prefix, e.seq::text AS seq`;

export interface DecisionRow {
  id: string;
  org_id: string;
  agent_id: string | null;
  match: DecisionEntry["match"];
  value: string | null;
  action: DecisionEntry["action"];
  direction: DecisionEntry["direction"];
  reason: DecisionEntry["reason"];
  note: string | null;
  expires_at: Date | null;
}

export interface EntryRow extends DecisionRow {
  created_at: Date;
  created_via: NonNullable<Entry["createdBy"]>["via"];
  hits: string;
  last_hit_at: Date | null;
  created_by_user_id: string | null;
  created_by_key_prefix: string | null;
  seq: string;
}

// Object.assign onto the fields' literal rather than a spread: V8 (Node 20) gives every object made by
// `{ ...fields, more }` here a hidden class of its own, which made each entry held by the check cache about
// 350 bytes heavier (docs/BENCHMARKS.md, Experiments toward RSS ≤ 250 MB).
export function toDecisionEntry(row: DecisionRow): DecisionEntry {
  return Object.assign(commonFields(row), {
    expiresAt: row.expires_at === null ? null : row.expires_at.getTime(),
  });
}

export function toEntry(row: EntryRow): Entry {
  return Object.assign(commonFields(row), {
    expiresAt: row.expires_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    // The key is gone (deleted): who made the entry is no longer known.
    createdBy:
      row.created_by_user_id === null || row.created_by_key_prefix === null
        ? null
        : { userId: row.created_by_user_id, keyPrefix: row.created_by_key_prefix, via: row.created_via },
    hits: Number(row.hits),
    lastHitAt: row.last_hit_at?.toISOString() ?? null,
  });
}

function commonFields(row: DecisionRow): Omit<DecisionEntry, "expiresAt"> {
  return {
    id: row.id,
    orgId: row.org_id,
    agentId: row.agent_id,
    match: row.match,
    value: row.value,
    action: row.action,
    direction: row.direction,
    reason: row.reason,
    note: row.note,
  };
}

/** `%digits%` for a LIKE on value; anything but digits is refused (it would be a pattern). */
export function containingPattern(digits: string): string {
  if (!/^\d+$/.test(digits)) throw new Error("containingDigits must be digits");
  return `%${digits}%`;
}
