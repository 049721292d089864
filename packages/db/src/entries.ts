// The entries of a list (docs/DECISIONS.md, "Entries: the model and the service"): listed, counted, created, changed,
// removed and expired, each in one statement (a create: two, in one transaction), through the client's pg pool.
// Each change records its history events in that same statement (history.ts).
import type {
  Entry,
  EntryAction,
  EntryDirection,
  EntryList,
  EntryMatch,
  EntryReason,
  EntryVia,
  NewEntry,
} from "@blocklist/core";
import type pg from "pg";
import { poolOf } from "./client";
import { ACTIVE, containingPattern, ENTRY_COLUMNS, type EntryRow, listWhere, toEntry } from "./entryRows";
import type { PrismaClient } from "./generated/prisma/client";
import { historyOf } from "./history";

export interface EntryFilters {
  match?: EntryMatch | undefined;
  action?: EntryAction | undefined;
  direction?: EntryDirection | undefined;
  reason?: EntryReason | undefined;
  /** Only entries whose value contains these digits (digits only). */
  containingDigits?: string | undefined;
  /** Also entries whose expiry has passed (not removed ones: those are gone). */
  includeExpired?: boolean | undefined;
}

export interface EntryPage {
  /** Oldest first. */
  entries: Entry[];
  /** The position of each entry (a page's afterSeq is the one of the entry before it). */
  seqs: bigint[];
}

/** Who creates: the key, and the interface the change came through. */
export interface EntryCreator {
  keyId: string | null;
  via: EntryVia;
}

export interface EntryChanges {
  /** Each field: undefined leaves it, null clears it. */
  reason?: EntryReason | null | undefined;
  note?: string | null | undefined;
  expiresAt?: Date | null | undefined;
}

const FROM_ENTRIES = "FROM entries e LEFT JOIN api_keys k ON k.id = e.created_by_key_id";

function filterWhere(list: EntryList, filters: EntryFilters, values: unknown[]): string {
  const conditions = [listWhere(list, values)];
  for (const column of ["match", "action", "direction", "reason"] as const) {
    const value = filters[column];
    if (value === undefined) continue;
    values.push(value);
    conditions.push(`e.${column} = $${values.length}`);
  }
  if (filters.containingDigits !== undefined) {
    values.push(containingPattern(filters.containingDigits));
    conditions.push(`e.value LIKE $${values.length}`);
  }
  if (!filters.includeExpired) conditions.push(ACTIVE);
  return conditions.join(" AND ");
}

/** The WHERE of a keyset page (ORDER BY e.seq LIMIT the last value): the filters, after `afterSeq`. */
export function pageWhere(
  list: EntryList,
  filters: EntryFilters,
  page: { afterSeq?: bigint | undefined; limit: number },
  values: unknown[],
): string {
  let where = filterWhere(list, filters, values);
  if (page.afterSeq !== undefined) {
    values.push(page.afterSeq.toString());
    where += ` AND e.seq > $${values.length}`;
  }
  values.push(page.limit);
  return where;
}

/** A page of a list's entries, oldest first, after `afterSeq` (index entries(agent_id, seq) or its org twin). */
export async function selectEntries(
  db: PrismaClient,
  list: EntryList,
  filters: EntryFilters,
  page: { afterSeq?: bigint | undefined; limit: number },
): Promise<EntryPage> {
  const values: unknown[] = [];
  const where = pageWhere(list, filters, page, values);
  const { rows } = await poolOf(db).query<EntryRow>(
    `SELECT ${ENTRY_COLUMNS} ${FROM_ENTRIES} WHERE ${where} ORDER BY e.seq LIMIT $${values.length}`,
    values,
  );
  return { entries: rows.map(toEntry), seqs: rows.map((row) => BigInt(row.seq)) };
}

/** How many entries of the list match the filters. */
export async function countEntries(
  db: PrismaClient,
  list: EntryList,
  filters: EntryFilters,
): Promise<number> {
  const values: unknown[] = [];
  const { rows } = await poolOf(db).query<[number]>({
    text: `SELECT count(*)::int FROM entries e WHERE ${filterWhere(list, filters, values)}`,
    values,
    rowMode: "array",
  });
  return rows[0]?.[0] ?? 0;
}

/** Runs `work` in one transaction on one connection of the client's pool. */
export async function inTransaction<T>(
  db: PrismaClient,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await poolOf(db).connect();
  // A checked-out client whose backend dies emits "error" (the pool listens only to idle ones): without a
  // listener that would end the process. The query in flight rejects with it, and the client is discarded.
  let lost: Error | undefined;
  const onError = (error: Error) => {
    lost = error;
  };
  client.on("error", onError);
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    if (lost === undefined) await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.off("error", onError);
    // A client that failed is not handed to the next request: release(error) closes it.
    client.release(lost);
  }
}

/** The keys of new entries as arrays, one per column, sorted by key (so that every create locks in one order). */
function keyColumns(entries: readonly NewEntry[]) {
  const sorted = [...entries].sort((a, b) => compareKeys(a, b));
  return {
    sorted,
    matches: sorted.map((entry) => entry.match),
    values: sorted.map((entry) => entry.value),
    actions: sorted.map((entry) => entry.action),
    directions: sorted.map((entry) => entry.direction),
  };
}

function compareKeys(a: NewEntry, b: NewEntry): number {
  for (const column of ["match", "value", "action", "direction"] as const) {
    const left = a[column] ?? "";
    const right = b[column] ?? "";
    if (left !== right) return left < right ? -1 : 1;
  }
  return 0;
}

/**
 * Records the expiry of the list's entries that are past it and have one of these keys, so that they leave the
 * unique index of active entries before a create that they would block (rows locked in seq order; the sweeper
 * skips locked rows), with their `expired` events.
 */
export async function expireDueEntriesOf(
  client: pg.PoolClient,
  list: EntryList,
  keys: { matches: string[]; values: (string | null)[]; actions: string[]; directions: string[] },
): Promise<void> {
  const values: unknown[] = [keys.matches, keys.values, keys.actions, keys.directions];
  const where = listWhere(list, values);
  await client.query(
    `WITH e AS (
       UPDATE entries SET expired = true WHERE seq IN (
         SELECT e.seq FROM entries e
         JOIN unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS key(match, value, action, direction)
           ON key.match = e.match AND key.value IS NOT DISTINCT FROM e.value
          AND key.action = e.action AND key.direction = e.direction
         WHERE NOT e.expired AND e.expires_at <= now() AND ${where}
         ORDER BY e.seq FOR UPDATE OF e)
       RETURNING *),
     ${historyOf("e", "expired", null, values)}
     SELECT 1`,
    values,
  );
}

/**
 * Stores the entries the list does not hold yet, in one transaction: first the due expiries of their keys are
 * recorded, then one INSERT in sorted key order with ON CONFLICT DO NOTHING under the unique index of active
 * entries, so concurrent creates store each entry once and return it to exactly one of them. Returns the entries
 * stored (an entry not among them already existed), oldest first.
 */
export async function insertEntries(
  db: PrismaClient,
  list: EntryList,
  entries: readonly NewEntry[],
  by: EntryCreator,
): Promise<Entry[]> {
  if (entries.length === 0) return [];
  const keys = keyColumns(entries);
  const { sorted } = keys;
  return inTransaction(db, async (client) => {
    await expireDueEntriesOf(client, list, keys);
    const values: unknown[] = [
      list.orgId,
      list.agentId,
      by.keyId,
      by.via,
      keys.matches,
      keys.values,
      keys.actions,
      keys.directions,
      sorted.map((entry) => entry.reason),
      sorted.map((entry) => entry.note),
      sorted.map((entry) => entry.expiresAt),
    ];
    const { rows } = await client.query<EntryRow>(
      `WITH e AS (
         INSERT INTO entries (org_id, agent_id, match, value, action, direction, reason, note, expires_at,
           created_by_key_id, created_via)
         SELECT $1, $2, n.match, n.value, n.action, n.direction, n.reason, n.note, n.expires_at, $3, $4
         FROM unnest($5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::timestamptz[])
           WITH ORDINALITY AS n(match, value, action, direction, reason, note, expires_at, position)
         ORDER BY n.position
         ON CONFLICT (org_id, agent_id, match, value, action, direction) WHERE NOT expired DO NOTHING
         RETURNING *),
       ${historyOf("e", "created", by, values)}
       SELECT ${ENTRY_COLUMNS} FROM e LEFT JOIN api_keys k ON k.id = e.created_by_key_id ORDER BY e.seq`,
      values,
    );
    return rows.map(toEntry);
  });
}

/** What a change may set: the field, its column and the column's type. */
const CHANGEABLE = [
  ["reason", "reason", "text"],
  ["note", "note", "text"],
  ["expiresAt", "expires_at", "timestamptz"],
] as const;

/**
 * Changes reason, note or expiry of one active entry of one of `orgIds`, with its `updated` event; null when there
 * is no such entry. A change that would leave the entry as it is writes nothing and records nothing.
 */
export async function updateEntry(
  db: PrismaClient,
  orgIds: readonly string[],
  id: string,
  changes: EntryChanges,
  by: EntryCreator,
): Promise<Entry | null> {
  const values: unknown[] = [id, orgIds];
  const columns: string[] = [];
  const assigned: string[] = [];
  for (const [field, column, type] of CHANGEABLE) {
    const value = changes[field];
    if (value === undefined) continue;
    values.push(value);
    columns.push(column);
    assigned.push(`$${values.length}::${type}`);
  }
  const pool = poolOf(db);
  if (columns.length > 0) {
    const { rows } = await pool.query<EntryRow>(
      `WITH e AS (
         UPDATE entries e SET (${columns.join(", ")}) = ROW(${assigned.join(", ")})
         WHERE e.id = $1 AND e.org_id = ANY($2::text[]) AND ${ACTIVE}
           AND ROW(${columns.map((column) => `e.${column}`).join(", ")}) IS DISTINCT FROM ROW(${assigned.join(", ")})
         RETURNING e.*),
       ${historyOf("e", "updated", by, values)}
       SELECT ${ENTRY_COLUMNS} FROM e LEFT JOIN api_keys k ON k.id = e.created_by_key_id`,
      values,
    );
    const [row] = rows;
    if (row !== undefined) return toEntry(row);
  }
  // Nothing to change: the entry as it is, if it is one of these organizations' active entries.
  const { rows } = await pool.query<EntryRow>(
    `SELECT ${ENTRY_COLUMNS} ${FROM_ENTRIES} WHERE e.id = $1 AND e.org_id = ANY($2::text[]) AND ${ACTIVE}`,
    [id, orgIds],
  );
  const [row] = rows;
  return row === undefined ? null : toEntry(row);
}

/**
 * Removes the active entries among `ids` of one of `orgIds`, with their `removed` events; returns the ids removed,
 * with their lists. Rows are locked in id order (two removals cannot deadlock) and one removed meanwhile by another
 * request is skipped, so each removal is reported by exactly one request.
 */
export async function deleteEntries(
  db: PrismaClient,
  orgIds: readonly string[],
  ids: readonly string[],
  by: EntryCreator,
): Promise<(EntryList & { id: string })[]> {
  if (ids.length === 0) return [];
  const values: unknown[] = [ids, orgIds];
  const { rows } = await poolOf(db).query<{ id: string; orgId: string; agentId: string | null }>({
    text: `WITH e AS (
             DELETE FROM entries WHERE seq IN (
               SELECT e.seq FROM entries e
               WHERE e.id = ANY($1::text[]) AND e.org_id = ANY($2::text[]) AND ${ACTIVE}
               ORDER BY e.id FOR UPDATE)
             RETURNING *),
           ${historyOf("e", "removed", by, values)}
           SELECT id, org_id AS "orgId", agent_id AS "agentId" FROM e`,
    values,
  });
  return rows;
}

/**
 * Records the expiry of every entry past it, with its `expired` event (the sweeper; index entries(expires_at) WHERE
 * NOT expired): returns how many. Rows a create is recording at the same time are skipped (it records them itself);
 * a row another sweeper has just recorded is no longer `NOT expired` when its lock is taken: each expiry is recorded
 * once, however many instances sweep.
 */
export async function expireDueEntries(db: PrismaClient): Promise<number> {
  const values: unknown[] = [];
  const { rows } = await poolOf(db).query<[number]>({
    text: `WITH e AS (
             UPDATE entries SET expired = true WHERE seq IN (
               SELECT seq FROM entries WHERE NOT expired AND expires_at <= now() ORDER BY seq FOR UPDATE SKIP LOCKED)
             RETURNING *),
           ${historyOf("e", "expired", null, values)}
           SELECT count(*)::int FROM e`,
    values,
    rowMode: "array",
  });
  return rows[0]?.[0] ?? 0;
}
