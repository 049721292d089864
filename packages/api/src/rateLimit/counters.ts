// The shared half of the rate limiter: per-key request counts of each window in PostgreSQL, which every
// instance adds to and reads back in one statement.
import { Prisma, type PrismaClient } from "@blocklist/db";

export interface CounterIncrement {
  keyId: string;
  /** Start of the window, in ms since the epoch. */
  windowStart: number;
  count: number;
}

export interface CounterTotal {
  keyId: string;
  windowStart: number;
  /** Every instance's requests of this key in this window so far, this increment included. */
  count: number;
}

/**
 * Adds every increment to its counter and returns the new totals, in one round trip whatever the number of
 * keys. Rows are written in key order, so that two instances flushing overlapping keys cannot deadlock.
 */
export async function addToCounters(
  db: PrismaClient,
  increments: readonly CounterIncrement[],
): Promise<CounterTotal[]> {
  if (increments.length === 0) return [];
  const rows = await db.$queryRaw<{ key_id: string; window_start: Date; count: number }[]>(Prisma.sql`
    INSERT INTO rate_limit_counters (key_id, window_start, count)
    SELECT key_id, window_start, count
    FROM unnest(
      ${increments.map((increment) => increment.keyId)}::text[],
      ${increments.map((increment) => new Date(increment.windowStart).toISOString())}::timestamptz[],
      ${increments.map((increment) => increment.count)}::int[]
    ) AS increment(key_id, window_start, count)
    ORDER BY key_id, window_start
    ON CONFLICT (key_id, window_start) DO UPDATE SET count = rate_limit_counters.count + excluded.count
    RETURNING key_id, window_start, count`);
  return rows.map((row) => ({
    keyId: row.key_id,
    windowStart: row.window_start.getTime(),
    count: row.count,
  }));
}

/** Deletes the counters of windows that started before `before` (ms since the epoch). */
export async function deleteCountersBefore(db: PrismaClient, before: number): Promise<number> {
  return db.$executeRaw(Prisma.sql`DELETE FROM rate_limit_counters WHERE window_start < ${new Date(before)}`);
}
