import {
  type AddResponse,
  type BlockListMutation,
  type BlockListQuery,
  type BlockListResponse,
  normalizePhoneNumber,
  planNumbers,
  type RemoveResponse,
  reportAdded,
  reportRemoved,
  SUCCESS_MESSAGE,
  searchDigits,
} from "@blocklist/core";
import { countBlockedNumbers, Prisma, type PrismaClient, selectBlockedNumbers } from "@blocklist/db";
import { authorizeAgentAccess } from "./access";
import type { Caller } from "./auth";
import { checkCacheFor } from "./checkCache";
import { type CursorScope, decodeCursor, encodeCursor } from "./cursor";
import { cursorKeyOf } from "./cursorKey";
import { PermissionError } from "./errors";
import { isForeignKeyViolation } from "./foreignKeyViolation";

export interface BlockListPageRequest extends BlockListQuery {
  /** Only numbers whose E.164 form contains these digits (the UI's search box). */
  search?: string | undefined;
}

export interface BlockListPage extends BlockListResponse {
  /** How many numbers match `search`, when one was given. */
  matching?: number;
}

/** Every blocked number of an agent, oldest first; one page of it when `limit` is given. */
export async function listBlockedNumbers(
  db: PrismaClient,
  caller: Caller,
  request: BlockListPageRequest,
): Promise<BlockListPage> {
  // A cursor of this agent's list pages it and no other list.
  const scope: CursorScope = { kind: "blocked-numbers", listId: request.agentId };
  const afterId =
    request.cursor === undefined ? undefined : decodeCursor(await cursorKeyOf(db), scope, request.cursor);
  await authorizeAgentAccess(db, caller, { uid: request.uid, agentId: request.agentId, write: false });

  const digits = searchDigits(request.search);
  const matching = { agentId: request.agentId, containingDigits: digits };
  const wholeListInOneAnswer = request.limit === undefined && afterId === undefined;
  // The whole list counts itself; a page (or a search) needs counts from the index, asked at the same time.
  const [rows, countFromIndex, matchingFromIndex] = await Promise.all([
    // One extra row tells whether another page follows without a second query.
    selectBlockedNumbers(db, {
      ...matching,
      afterId,
      limit: request.limit === undefined ? undefined : request.limit + 1,
    }),
    wholeListInOneAnswer && !digits ? undefined : countBlockedNumbers(db, { agentId: request.agentId }),
    digits && !wholeListInOneAnswer ? countBlockedNumbers(db, matching) : undefined,
  ]);
  const hasMore = request.limit !== undefined && rows.numbers.length > request.limit;
  const page = hasMore ? rows.numbers.slice(0, request.limit) : rows.numbers;
  const count = countFromIndex ?? rows.numbers.length;
  const matchingCount = digits ? (matchingFromIndex ?? rows.numbers.length) : undefined;
  const lastId = hasMore ? rows.ids?.[page.length - 1] : undefined;
  const nextCursor = lastId === undefined ? undefined : encodeCursor(await cursorKeyOf(db), scope, lastId);
  return {
    blockList: page,
    count,
    ...(matchingCount === undefined ? {} : { matching: matchingCount }),
    ...(nextCursor === undefined ? {} : { nextCursor }),
  };
}

export interface CheckRequest {
  uid: string;
  agentId: string;
  number: string;
}

/**
 * The call path: is this caller on the agent's list? A number that is not valid is never blocked. With the
 * server's check cache the answer comes from the agent's numbers in memory once they are loaded; until then,
 * and for agents too large to hold, from the unique index.
 */
export async function checkBlockedNumber(
  db: PrismaClient,
  caller: Caller,
  request: CheckRequest,
): Promise<{ blocked: boolean; e164: string | null }> {
  await authorizeAgentAccess(db, caller, { uid: request.uid, agentId: request.agentId, write: false });
  const e164 = normalizePhoneNumber(request.number);
  if (e164 === null) return { blocked: false, e164 };
  const remembered = checkCacheFor(db)?.blocked(request.agentId, e164, (limit) =>
    loadAgentNumbers(db, request.agentId, limit),
  );
  if (remembered !== undefined) return { blocked: remembered, e164 };
  const row = await db.blockedNumber.findUnique({
    where: { agentId_e164: { agentId: request.agentId, e164 } },
    select: { id: true },
  });
  return { blocked: row !== null, e164 };
}

/** Up to `limit` blocked numbers of an agent, in no order, in one round trip (the check cache's load). */
export async function loadAgentNumbers(db: PrismaClient, agentId: string, limit: number): Promise<string[]> {
  const [row] = await db.$queryRaw<{ numbers: string[] | null }[]>(Prisma.sql`
    SELECT array_agg(e164) AS numbers
    FROM (SELECT e164 FROM blocked_numbers WHERE agent_id = ${agentId} LIMIT ${limit}) AS agent_numbers`);
  return row?.numbers ?? [];
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
      : await db
          .$queryRaw<{ e164: string }[]>(Prisma.sql`
          INSERT INTO blocked_numbers (agent_id, e164, added_by_key_id)
          SELECT ${mutation.agentId}, number, ${caller.keyId}
          FROM unnest(${plan.distinctNumbers}::text[]) AS number
          ORDER BY number
          ON CONFLICT (agent_id, e164) DO NOTHING
          RETURNING e164`)
          .catch((error: unknown) => {
            // The agent (or the key) was deleted between the access check and the insert: as if it were missing.
            throw isForeignKeyViolation(error) ? new PermissionError() : error;
          });
  if (inserted.length > 0) checkCacheFor(db)?.numbersChangedHere(mutation.agentId);

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
  if (deleted.length > 0) checkCacheFor(db)?.numbersChangedHere(mutation.agentId);

  return {
    message: SUCCESS_MESSAGE,
    ...reportRemoved(
      plan,
      deleted.map((row) => row.e164),
    ),
  };
}
