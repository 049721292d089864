// The published route's view on entries (SPEC-ENTRIES, "The published route on entries"): an agent's blocked
// numbers are its own active entries that match a number, block, and apply inbound (direction inbound or both),
// each number once, at its oldest such entry. Rows come back as arrays of text through the client's pg pool:
// Prisma's mapping of every row cost more than the query itself for lists of 100,000 numbers.

import type { EntryReason } from "@blocklist/core";
import { poolOf } from "./client";
import { type EntryCreator, expireDueEntriesOf, inTransaction } from "./entries";
import { ACTIVE, activeRow, containingPattern } from "./entryRows";
import type { PrismaClient } from "./generated/prisma/client";
import { historyOf } from "./history";

export interface BlockedNumberSelection {
  agentId: string;
  /** Only numbers whose E.164 form contains these digits (digits only: they go into a LIKE pattern). */
  containingDigits?: string | undefined;
  /** Only numbers whose entry comes after this position (a page's cursor: the entry's seq). */
  afterId?: bigint | undefined;
  /** At most this many numbers; all when undefined. */
  limit?: number | undefined;
}

export interface BlockedNumberRows {
  /** E.164 numbers, oldest first. */
  numbers: string[];
  /** Position (seq) of each number's entry, when a limit was given (a page needs the cursor of its last number). */
  ids: bigint[] | undefined;
}

/** An agent's inbound number blocks (alias `e`, agent in $1). */
const INBOUND_NUMBER_BLOCK = `e.agent_id = $1 AND e.match = 'number' AND e.action = 'block'
  AND e.direction IN ('inbound', 'both') AND ${ACTIVE}`;

// Whether the agent holds no `both` number block (an InitPlan, run once per statement on a tiny partial index):
// then no number can be held twice, and no row needs a probe for its twin.
const NO_BOTH_BLOCKS = `NOT EXISTS (
  SELECT 1 FROM entries b
  WHERE b.agent_id = $1 AND b.match = 'number' AND b.action = 'block' AND b.direction = 'both' AND NOT b.expired)`;

// A number blocked both by an inbound and by a both entry is listed once, at the older of the two.
const OLDEST_OF_ITS_NUMBER = `(${NO_BOTH_BLOCKS} OR NOT EXISTS (
  SELECT 1 FROM entries twin
  WHERE twin.agent_id = e.agent_id AND twin.value = e.value AND twin.match = 'number' AND twin.action = 'block'
    AND twin.direction = CASE e.direction WHEN 'inbound' THEN 'both' ELSE 'inbound' END AND twin.seq < e.seq
    AND ${activeRow("twin")}))`;

function whereClause(selection: BlockedNumberSelection, values: unknown[]): string {
  values.push(selection.agentId);
  let where = INBOUND_NUMBER_BLOCK;
  if (selection.containingDigits !== undefined) {
    values.push(containingPattern(selection.containingDigits));
    where += ` AND e.value LIKE $${values.length}`;
  }
  if (selection.afterId !== undefined) {
    values.push(selection.afterId.toString());
    where += ` AND e.seq > $${values.length}`;
  }
  return where;
}

/** The selected numbers in insertion order (index entries(agent_id, seq)). */
export async function selectBlockedNumbers(
  db: PrismaClient,
  selection: BlockedNumberSelection,
): Promise<BlockedNumberRows> {
  const values: unknown[] = [];
  const where = `${whereClause(selection, values)} AND ${OLDEST_OF_ITS_NUMBER}`;
  if (selection.limit === undefined) {
    const result = await poolOf(db).query<[string]>({
      text: `SELECT e.value FROM entries e WHERE ${where} ORDER BY e.seq`,
      values,
      rowMode: "array",
    });
    return { numbers: result.rows.map((row) => row[0]), ids: undefined };
  }
  values.push(selection.limit);
  const result = await poolOf(db).query<[string, string]>({
    text: `SELECT e.value, e.seq::text FROM entries e WHERE ${where} ORDER BY e.seq LIMIT $${values.length}`,
    values,
    rowMode: "array",
  });
  return { numbers: result.rows.map((row) => row[0]), ids: result.rows.map((row) => BigInt(row[1])) };
}

/** How many numbers the selection holds, ignoring afterId and limit. */
export async function countBlockedNumbers(
  db: PrismaClient,
  selection: Pick<BlockedNumberSelection, "agentId" | "containingDigits">,
): Promise<number> {
  const values: unknown[] = [];
  const where = whereClause(selection, values);
  // Without a `both` block every row is a number of its own: a count of the index range. With one, counting
  // distinct numbers gives the same count without probing each row for an older twin. CASE runs one of them.
  const result = await poolOf(db).query<[number]>({
    text: `SELECT CASE WHEN ${NO_BOTH_BLOCKS}
             THEN (SELECT count(*) FROM entries e WHERE ${where})
             ELSE (SELECT count(DISTINCT e.value) FROM entries e WHERE ${where}) END::int`,
    values,
    rowMode: "array",
  });
  return result.rows[0]?.[0] ?? 0;
}

/**
 * An agent's whole list in insertion order, `batchSize` numbers at a time, each batch one page of
 * selectBlockedNumbers (an index range on entries(agent_id, seq)) with no connection held in between: a list
 * of any size is read in the memory of one batch. Numbers added or removed while it runs may or may not be
 * included, as with any paged read.
 */
export async function* blockedNumberBatches(
  db: PrismaClient,
  agentId: string,
  batchSize: number,
): AsyncGenerator<string[]> {
  let afterId: bigint | undefined;
  for (;;) {
    const { numbers, ids } = await selectBlockedNumbers(db, { agentId, afterId, limit: batchSize });
    if (numbers.length === 0) return;
    yield numbers;
    if (numbers.length < batchSize) return;
    afterId = ids?.at(-1);
  }
}

/** The reason, note and expiry the published POST may give every number it adds. */
export interface BlockedNumberExtras {
  reason: EntryReason | null;
  note: string | null;
  expiresAt: Date | null;
}

const NO_EXTRAS: BlockedNumberExtras = { reason: null, note: null, expiresAt: null };

/**
 * Adds inbound block entries for the distinct E.164 `numbers` the agent does not block inbound yet (an inbound
 * or a both block of the number is active), with their `created` events; returns the numbers added. One transaction: the due expiries of
 * these numbers are recorded, then one INSERT in sorted order with ON CONFLICT DO NOTHING under the unique index
 * of active entries, so concurrent requests neither store a number twice nor both report it added, and cannot
 * deadlock. An agent deleted since its access was checked fails the foreign keys (PostgreSQL's 23503).
 */
export async function insertBlockedNumbers(
  db: PrismaClient,
  list: { orgId: string; agentId: string },
  numbers: readonly string[],
  by: EntryCreator,
  extras: BlockedNumberExtras = NO_EXTRAS,
): Promise<string[]> {
  if (numbers.length === 0) return [];
  const sorted = [...numbers].sort();
  return inTransaction(db, async (client) => {
    await expireDueEntriesOf(client, list, {
      matches: sorted.map(() => "number"),
      values: sorted,
      actions: sorted.map(() => "block"),
      directions: sorted.map(() => "inbound"),
    });
    const values: unknown[] = [
      list.agentId,
      list.orgId,
      by.keyId,
      by.via,
      sorted,
      extras.reason,
      extras.note,
      extras.expiresAt,
    ];
    const { rows } = await client.query<[string]>({
      text: `WITH e AS (
               INSERT INTO entries (org_id, agent_id, value, created_by_key_id, created_via, reason, note, expires_at)
               SELECT $2, $1, number, $3, $4, $6, $7, $8
               FROM unnest($5::text[]) WITH ORDINALITY AS n(number, position)
               WHERE NOT EXISTS (
                 SELECT 1 FROM entries e WHERE ${INBOUND_NUMBER_BLOCK} AND e.direction = 'both' AND e.value = n.number)
               ORDER BY n.position
               ON CONFLICT (org_id, agent_id, match, value, action, direction) WHERE NOT expired DO NOTHING
               RETURNING *),
             ${historyOf("e", "created", by, values)}
             SELECT value FROM e`,
      values,
      rowMode: "array",
    });
    return rows.map((row) => row[0]);
  });
}

/**
 * Removes the agent's inbound and both block entries of the distinct E.164 `numbers`, with their `removed` events;
 * returns the numbers removed, each once. Rows are locked in sorted order before deletion (for the same deadlock reason as adding); a
 * row deleted by a concurrent request is skipped, so each removal is reported by exactly one request.
 */
export async function deleteBlockedNumbers(
  db: PrismaClient,
  agentId: string,
  numbers: readonly string[],
  by: EntryCreator,
): Promise<string[]> {
  if (numbers.length === 0) return [];
  const values: unknown[] = [agentId, numbers];
  const { rows } = await poolOf(db).query<[string]>({
    text: `WITH e AS (
             DELETE FROM entries WHERE seq IN (
               SELECT e.seq FROM entries e WHERE ${INBOUND_NUMBER_BLOCK} AND e.value = ANY($2::text[])
               ORDER BY e.value, e.direction
               FOR UPDATE)
             RETURNING *),
           ${historyOf("e", "removed", by, values)}
           SELECT DISTINCT value FROM e`,
    values,
    rowMode: "array",
  });
  return rows.map((row) => row[0]);
}
