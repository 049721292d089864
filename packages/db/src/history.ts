// The history of entries (docs/DECISIONS.md, "History"): every writer of entries records its events in the same
// statement as its change, by adding the CTE historyOf() makes to its own `WITH e AS (INSERT/UPDATE/DELETE …
// RETURNING *)`. One statement: a change never commits without its events, nor events without their change,
// and 10,000 entries are still one round trip (no per-row work in JS, no trigger, no session setting).
import type { Entry, EntryEvent, EntryEventType, EntryList, EntryVia } from "@blocklist/core";
import { poolOf } from "./client";
import type { EntryCreator } from "./entries";
import { isoInstant as iso, listWhere } from "./entryRows";
import type { PrismaClient } from "./generated/prisma/client";

/** The entry of row `r` (with its creator's key as `creator_user_id`, `creator_prefix`) as jsonb, the fields of toEntry. */
const ENTRY_JSON = `jsonb_build_object(
  'id', r.id, 'orgId', r.org_id, 'agentId', r.agent_id, 'match', r.match, 'value', r.value,
  'action', r.action, 'direction', r.direction, 'reason', r.reason, 'note', r.note,
  'expiresAt', ${iso("r.expires_at")}, 'createdAt', ${iso("r.created_at")},
  'createdBy', CASE WHEN r.creator_user_id IS NULL THEN NULL
    ELSE jsonb_build_object('userId', r.creator_user_id, 'keyPrefix', r.creator_prefix, 'via', r.created_via) END,
  'hits', r.hits, 'lastHitAt', ${iso("r.last_hit_at")})`;

/** When each kind of event happened: a creation at the row's own instant, an expiry at its expiry. */
const EVENT_AT: Record<EntryEventType, string> = {
  created: "r.created_at",
  updated: "now()",
  removed: "now()",
  expired: "r.expires_at",
};

/**
 * The CTE `history AS (INSERT INTO entry_events …)` recording one `type` event per row of the CTE `rows` (rows of
 * entries, as RETURNING * gives them, after the change), in seq order. `by` (null for an expiry) goes into
 * `values` as parameters; its key is looked up in the same statement, so the event keeps the user and prefix
 * even once the key is deleted.
 */
export function historyOf(
  rows: string,
  type: EntryEventType,
  by: EntryCreator | null,
  values: unknown[],
): string {
  let actor = "NULL::text, NULL::text, NULL::text";
  let actorJoin = "";
  if (by !== null) {
    values.push(by.keyId, by.via);
    actor = `r.actor_user_id, r.actor_prefix, $${values.length}::text`;
    actorJoin = `LEFT JOIN api_keys actor ON actor.id = $${values.length - 1}::text`;
  }
  // Sorted before the jsonb is built (a subquery with ORDER BY is not flattened): sorting the narrow rows stays
  // in memory, and events are numbered in the order of their entries.
  return `history AS (
    INSERT INTO entry_events (org_id, agent_id, entry_id, type, at, entry, by_user_id, by_key_prefix, via)
    SELECT r.org_id, r.agent_id, r.id, '${type}', ${EVENT_AT[type]}, ${ENTRY_JSON}, ${actor}
    FROM (
      SELECT e.*, ck.user_id AS creator_user_id, ck.prefix AS creator_prefix
        ${by === null ? "" : ", actor.user_id AS actor_user_id, actor.prefix AS actor_prefix"}
      FROM ${rows} e LEFT JOIN api_keys ck ON ck.id = e.created_by_key_id ${actorJoin}
      ORDER BY e.seq) r)`;
}

interface EventRow {
  seq: string;
  id: string;
  type: EntryEventType;
  at: Date;
  entry: Entry;
  by_user_id: string | null;
  by_key_prefix: string | null;
  via: EntryVia | null;
}

/** The entry jsonb of an event, in toEntry's field order (jsonb keeps its keys in an order of its own). */
function entryOf(json: Entry): Entry {
  return {
    id: json.id,
    orgId: json.orgId,
    agentId: json.agentId,
    match: json.match,
    value: json.value,
    action: json.action,
    direction: json.direction,
    reason: json.reason,
    note: json.note,
    expiresAt: json.expiresAt,
    createdAt: json.createdAt,
    createdBy:
      json.createdBy === null
        ? null
        : { userId: json.createdBy.userId, keyPrefix: json.createdBy.keyPrefix, via: json.createdBy.via },
    hits: json.hits,
    lastHitAt: json.lastHitAt,
  };
}

function toEvent(row: EventRow): EntryEvent {
  return {
    id: row.id,
    at: row.at.toISOString(),
    type: row.type,
    entry: entryOf(row.entry),
    by:
      row.by_user_id === null || row.by_key_prefix === null || row.via === null
        ? null
        : { userId: row.by_user_id, keyPrefix: row.by_key_prefix, via: row.via },
  };
}

export interface HistoryPage {
  /** Newest first. */
  events: EntryEvent[];
  /** The position of each event (the next page's beforeSeq is the last one's). */
  seqs: bigint[];
}

/** A page of a list's history, newest first, before `beforeSeq` (index entry_events(agent_id, seq) or its org twin). */
export async function selectHistory(
  db: PrismaClient,
  list: EntryList,
  page: { beforeSeq?: bigint | undefined; limit: number },
): Promise<HistoryPage> {
  const values: unknown[] = [];
  let where = listWhere(list, values);
  if (page.beforeSeq !== undefined) {
    values.push(page.beforeSeq.toString());
    where += ` AND e.seq < $${values.length}`;
  }
  values.push(page.limit);
  const { rows } = await poolOf(db).query<EventRow>(
    `SELECT e.seq::text AS seq, e.id, e.type, e.at, e.entry, e.by_user_id, e.by_key_prefix, e.via
     FROM entry_events e WHERE ${where} ORDER BY e.seq DESC LIMIT $${values.length}`,
    values,
  );
  return { events: rows.map(toEvent), seqs: rows.map((row) => BigInt(row.seq)) };
}

/** How many events one purge statement deletes at most: short statements, short locks. */
export const PURGE_BATCH_SIZE = 5_000;

/**
 * Deletes the events that happened before `before`, in batches of PURGE_BATCH_SIZE; returns how many. Rows another
 * transaction holds are skipped (the next purge takes them), so the purge never waits on a writer nor a writer on
 * it: writers only insert, and what they insert is not old.
 */
export async function purgeHistory(db: PrismaClient, before: Date): Promise<number> {
  let purged = 0;
  for (;;) {
    const { rowCount } = await poolOf(db).query(
      `DELETE FROM entry_events WHERE seq IN (
         SELECT seq FROM entry_events WHERE at < $1 LIMIT ${PURGE_BATCH_SIZE} FOR UPDATE SKIP LOCKED)`,
      [before],
    );
    purged += rowCount ?? 0;
    if ((rowCount ?? 0) < PURGE_BATCH_SIZE) return purged;
  }
}
