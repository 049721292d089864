// Reading block lists straight through the client's pg pool. Prisma maps every row into an object (and every
// id into a BigInt) through its query compiler; for lists of up to 100,000 numbers that mapping cost more than
// the query itself. Here rows come back as arrays of text and only the E.164 strings are kept.

import { poolOf } from "./client";
import type { PrismaClient } from "./generated/prisma/client";

export interface BlockedNumberSelection {
  agentId: string;
  /** Only numbers whose E.164 form contains these digits (digits only: they go into a LIKE pattern). */
  containingDigits?: string | undefined;
  /** Only numbers inserted after this id (a page's cursor). */
  afterId?: bigint | undefined;
  /** At most this many numbers; all when undefined. */
  limit?: number | undefined;
}

export interface BlockedNumberRows {
  /** E.164 numbers, oldest first. */
  numbers: string[];
  /** Insertion id of each number, when a limit was given (a page needs the cursor of its last number). */
  ids: bigint[] | undefined;
}

function whereClause(selection: BlockedNumberSelection, values: unknown[]): string {
  values.push(selection.agentId);
  let where = `agent_id = $${values.length}`;
  if (selection.containingDigits !== undefined) {
    if (!/^\d+$/.test(selection.containingDigits)) throw new Error("containingDigits must be digits");
    values.push(`%${selection.containingDigits}%`);
    where += ` AND e164 LIKE $${values.length}`;
  }
  if (selection.afterId !== undefined) {
    values.push(selection.afterId.toString());
    where += ` AND id > $${values.length}`;
  }
  return where;
}

/** The selected numbers in insertion order (index blocked_numbers(agent_id, id)). */
export async function selectBlockedNumbers(
  db: PrismaClient,
  selection: BlockedNumberSelection,
): Promise<BlockedNumberRows> {
  const values: unknown[] = [];
  const where = whereClause(selection, values);
  if (selection.limit === undefined) {
    const result = await poolOf(db).query<[string]>({
      text: `SELECT e164 FROM blocked_numbers WHERE ${where} ORDER BY id`,
      values,
      rowMode: "array",
    });
    return { numbers: result.rows.map((row) => row[0]), ids: undefined };
  }
  values.push(selection.limit);
  const result = await poolOf(db).query<[string, string]>({
    text: `SELECT e164, id::text AS cursor_id FROM blocked_numbers WHERE ${where} ORDER BY id LIMIT $${values.length}`,
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
  const result = await poolOf(db).query<[number]>({
    text: `SELECT count(*)::int FROM blocked_numbers WHERE ${where}`,
    values,
    rowMode: "array",
  });
  return result.rows[0]?.[0] ?? 0;
}

/**
 * An agent's whole list in insertion order, `batchSize` numbers at a time, each batch one page of
 * selectBlockedNumbers (an index range on blocked_numbers(agent_id, id)) with no connection held in between: a list
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
