// The hit counts of entries (SPEC-ENTRIES "Hits"): what each instance counted in memory, added to the rows in one
// statement per flush (docs/DECISIONS.md, "Hits").
import type pg from "pg";
import { poolOf } from "./client";
import type { PrismaClient } from "./generated/prisma/client";

/** The hits one instance counted for one entry since its last flush. */
export interface EntryHits {
  entryId: string;
  count: number;
  /** The last one, in ms since the epoch. */
  lastAt: number;
}

/**
 * Adds each entry's count to `hits` and moves `last_hit_at` forward (never back: another instance may have
 * written a later hit first), in one statement; returns how many entries were written. An entry removed since is
 * skipped. Rows are locked in id order, as deleteEntries locks them, so that a flush and a removal cannot
 * deadlock. The statement marks its own transaction (`blocklist.entries_change` = `hits`, local to it) so that
 * the entries notify trigger does not fire for it (migration hits_quiet): hits change nothing a check decides.
 */
export async function addEntryHits(db: PrismaClient, hits: readonly EntryHits[]): Promise<number> {
  return addEntryHitsOn(poolOf(db), hits);
}

/** addEntryHits on a connection or pool of one's own (tests look inside the statement's transaction). */
export async function addEntryHitsOn(
  queryable: pg.Pool | pg.ClientBase,
  hits: readonly EntryHits[],
): Promise<number> {
  if (hits.length === 0) return 0;
  const { rowCount } = await queryable.query(
    `WITH quiet AS MATERIALIZED (SELECT set_config('blocklist.entries_change', 'hits', true) AS marked)
     UPDATE entries e
     SET hits = e.hits + n.count, last_hit_at = GREATEST(e.last_hit_at, to_timestamp(n.last_at / 1000.0))
     FROM quiet, (
       SELECT l.seq, h.count, h.last_at
       FROM unnest($1::text[], $2::bigint[], $3::float8[]) AS h(id, count, last_at)
       JOIN entries l ON l.id = h.id
       ORDER BY l.id FOR UPDATE OF l) AS n
     WHERE e.seq = n.seq AND quiet.marked = 'hits'`,
    [hits.map((hit) => hit.entryId), hits.map((hit) => hit.count), hits.map((hit) => hit.lastAt)],
  );
  return rowCount ?? 0;
}
