import {
  type AddResponse,
  type BlockListMutation,
  type BlockListQuery,
  type BlockListResponse,
  planNumbers,
  type RemoveResponse,
  reportAdded,
  reportRemoved,
  SUCCESS_MESSAGE,
} from "@blocklist/core";
import { Prisma, type PrismaClient } from "@blocklist/db";
import { authorizeAgentAccess } from "./access";
import type { Caller } from "./auth";
import { decodeCursor, encodeCursor } from "./cursor";

/** Every blocked number of an agent, oldest first; one page of it when `limit` is given. */
export async function listBlockedNumbers(
  db: PrismaClient,
  caller: Caller,
  query: BlockListQuery,
): Promise<BlockListResponse> {
  const afterId = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  await authorizeAgentAccess(db, caller, { uid: query.uid, agentId: query.agentId, write: false });

  const rows = await db.blockedNumber.findMany({
    where: { agentId: query.agentId, ...(afterId === undefined ? {} : { id: { gt: afterId } }) },
    orderBy: { id: "asc" },
    // One extra row tells whether another page follows without a second query.
    ...(query.limit === undefined ? {} : { take: query.limit + 1 }),
    select: { id: true, e164: true },
  });
  // The whole list counts itself; a page needs the size of the whole list from the index.
  const count =
    query.limit === undefined && afterId === undefined
      ? rows.length
      : await db.blockedNumber.count({ where: { agentId: query.agentId } });

  const hasMore = query.limit !== undefined && rows.length > query.limit;
  const page = hasMore ? rows.slice(0, query.limit) : rows;
  const last = page.at(-1);
  return {
    blockList: page.map((row) => row.e164),
    count,
    ...(hasMore && last ? { nextCursor: encodeCursor(last.id) } : {}),
  };
}

/**
 * Adds the valid, distinct numbers in one statement. ON CONFLICT DO NOTHING under the (agent, number) unique
 * index means concurrent requests can neither store a number twice nor both report it as added; inserting in
 * sorted order makes every request take the index locks in the same order, so two requests cannot deadlock.
 */
export async function addBlockedNumbers(
  db: PrismaClient,
  caller: Caller,
  mutation: BlockListMutation,
): Promise<AddResponse> {
  await authorizeAgentAccess(db, caller, { uid: mutation.uid, agentId: mutation.agentId, write: true });
  const plan = planNumbers(mutation.numbers);

  const inserted =
    plan.distinctNumbers.length === 0
      ? []
      : await db.$queryRaw<{ e164: string }[]>(Prisma.sql`
          INSERT INTO blocked_numbers (agent_id, e164, added_by_key_id)
          SELECT ${mutation.agentId}, number, ${caller.keyId}
          FROM unnest(${plan.distinctNumbers}::text[]) AS number
          ORDER BY number
          ON CONFLICT (agent_id, e164) DO NOTHING
          RETURNING e164`);

  return {
    message: SUCCESS_MESSAGE,
    ...reportAdded(
      plan,
      inserted.map((row) => row.e164),
    ),
  };
}

/**
 * Removes the valid, distinct numbers in one statement. Rows are locked in sorted order before deletion (for
 * the same deadlock reason as adding); a row deleted by a concurrent request is skipped, so each removal is
 * reported by exactly one request.
 */
export async function removeBlockedNumbers(
  db: PrismaClient,
  caller: Caller,
  mutation: BlockListMutation,
): Promise<RemoveResponse> {
  await authorizeAgentAccess(db, caller, { uid: mutation.uid, agentId: mutation.agentId, write: true });
  const plan = planNumbers(mutation.numbers);

  const deleted =
    plan.distinctNumbers.length === 0
      ? []
      : await db.$queryRaw<{ e164: string }[]>(Prisma.sql`
          DELETE FROM blocked_numbers
          WHERE id IN (
            SELECT id FROM blocked_numbers
            WHERE agent_id = ${mutation.agentId} AND e164 = ANY(${plan.distinctNumbers}::text[])
            ORDER BY e164
            FOR UPDATE
          )
          RETURNING e164`);

  return {
    message: SUCCESS_MESSAGE,
    ...reportRemoved(
      plan,
      deleted.map((row) => row.e164),
    ),
  };
}
